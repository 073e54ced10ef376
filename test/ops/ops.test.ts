/**
 * The table-driven op tests. For every entry of OP_TABLE (one per registered op type):
 *   1. coverage: every registered type has an entry, and every differentiable one a gradcheck case;
 *   2. forward values against the plain-JS reference, in float64, float32 (and int32 where the op
 *      takes integers), with placeholders that know the full shape, only the rank, or nothing;
 *   3. the node's statically inferred shape and dtype fit the value the session computes;
 *   4. gradcheck (float64 central differences) for every differentiable op, with second-order
 *      checks where the entry asks for them;
 *   5. ops marked not differentiable give null gradients;
 *   6. gradient graphs built in float32 work (every constant they add has the right dtype) and
 *      agree with the float64 ones at the same (float32-representable) inputs;
 *   7. with fusion off, the forward values again, and that the op's own kernel computed them (a
 *      lone elementwise op otherwise runs as a fused program of one): kernel calls are counted.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose, fmtShape, type Ref } from "../helpers/assert-close.js";
import { gradcheck, gradgradcheck, seededRandom, type ShapeMode } from "../helpers/gradcheck.js";
import { recordingBackend, withBackend } from "../helpers/recording-backend.js";
import { OP_TABLE, TOLERANCES, type OpCase, type OpEntry, type R64, type Tolerance } from "./op-table.js";

const SHAPE_MODES: ShapeMode[] = ["static", "dims", "rank"];
/** Variables always know their shape; what their update takes with an unknown rank is not tested here. */
const STATE_SHAPE_MODES: ShapeMode[] = ["static", "dims"];

/** The dtype input `i` of a case takes: its fixed dtype (indices, conditions) or the case's. */
function inputDtype(entry: OpEntry<any>, i: number, dtype: ts.DType): ts.DType {
  return entry.inputDtypes?.[i] ?? dtype;
}

/** The values of input `i`: fixed-dtype inputs as they are, the others as the case dtype holds them. */
function inputValues(entry: OpEntry<any>, i: number, ref: Ref, dtype: ts.DType): R64 {
  if (entry.inputDtypes?.[i] != null) return { shape: [...ref.shape], data: Float64Array.from(ref.data) };
  return valuesFor(ref, dtype);
}

/** The sample values as the dtype will hold them: rounded to float32, scaled to integers, or v > 0 as bool. */
function valuesFor(ref: Ref, dtype: ts.DType): R64 {
  const data = Float64Array.from(ref.data, (v) =>
    dtype === "float32" ? Math.fround(v) : dtype === "int32" ? Math.round(3 * v) : dtype === "bool" ? Number(v > 0) : v,
  );
  return { shape: [...ref.shape], data };
}

function typedArray(dtype: ts.DType, data: Float64Array): ts.TypedArray {
  switch (dtype) {
    case "float64":
      return Float64Array.from(data);
    case "float32":
      return Float32Array.from(data);
    case "int32":
      return Int32Array.from(data);
    case "bool":
      return Uint8Array.from(data);
  }
}

function declared(shape: readonly number[], mode: ShapeMode): (number | null)[] | null {
  return mode === "rank" ? null : mode === "dims" ? shape.map(() => null) : [...shape];
}

/** Whether a value of `shape` can be the value of a node with static shape `s` (written here). */
function fits(s: ts.StaticShape, shape: readonly number[]): boolean {
  if (s === null) return true;
  return s.length === shape.length && s.every((d, i) => d === null || d === shape[i]);
}

interface Built {
  graph: ts.Graph;
  node: ts.Node;
  inputs: ts.Node[];
  feeds: Map<ts.Node, ts.Tensor>;
  values: R64[];
}

/** Builds one case in a fresh graph: placeholders (or variables) of `dtype`, then the op. */
function buildCase(entry: OpEntry<any>, c: OpCase<any>, dtype: ts.DType, mode: ShapeMode): Built {
  const graph = new ts.Graph();
  return graph.asDefault(() => {
    const values = c.inputs.map((r, i) => inputValues(entry, i, r, dtype));
    const feeds = new Map<ts.Node, ts.Tensor>();
    const inputs = values.map((v, i) => {
      const dt = inputDtype(entry, i, dtype);
      if ((entry.inputKinds?.[i] ?? "placeholder") === "variable") {
        return new ts.Variable(new ts.Tensor(v.shape, dt, typedArray(dt, v.data)), { name: `v${i}` });
      }
      const p = ts.placeholder({ dtype: dt, shape: declared(v.shape, mode), name: `x${i}` });
      feeds.set(p, new ts.Tensor(v.shape, dt, typedArray(dt, v.data)));
      return p;
    });
    const node = entry.build(inputs, c.attrs);
    assert.ok(node instanceof ts.Node, "the builder returns a node with a value");
    assert.equal(node.type, entry.type, `the case builds a ${entry.type} node (got ${node.type})`);
    return { graph, node, inputs, feeds, values };
  });
}

function forwardTolerance(entry: OpEntry<any>, dtype: ts.DType, attrs: unknown): Tolerance {
  const out = entry.outputDtype?.(dtype, attrs) ?? dtype;
  if (out === "int32" || out === "bool" || dtype === "int32") return { atol: 0, rtol: 0 };
  if (dtype === "float32") return entry.f32 ?? TOLERANCES.F32_ELEMENTWISE;
  return entry.f64 ?? TOLERANCES.F64_ELEMENTWISE;
}

function checkForward(entry: OpEntry<any>, c: OpCase<any>, dtype: ts.DType, mode: ShapeMode, fusion = true): void {
  const what = `${entry.type} ${c.name}, ${dtype}, placeholder shapes ${mode}${fusion ? "" : ", fusion off"}`;
  const { graph, node, inputs, feeds, values } = buildCase(entry, c, dtype, mode);
  const expected = entry.ref(values, c.attrs);
  const session = new ts.Session({ graph, fusion });
  const out = session.run(node, feeds);

  // (3) the static inference agrees with the value.
  const outDtype = entry.outputDtype?.(dtype, c.attrs) ?? dtype;
  assert.equal(node.dtype, outDtype, `${what}: inferred dtype`);
  assert.equal(out.dtype, outDtype, `${what}: runtime dtype`);
  assert.ok(fits(node.shape, out.shape), `${what}: inferred shape ${fmtShape(node.shape?.map((d) => d ?? -1) ?? [])} (null = unknown rank: ${node.shape === null}) does not fit the value's shape ${fmtShape(out.shape)}`);
  if (mode === "static") {
    assert.ok(node.shape !== null && node.shape.every((d) => d !== null), `${what}: with known input shapes the output shape is known`);
    assert.deepEqual([...node.shape!], [...out.shape], `${what}: inferred shape equals the value's shape`);
  }

  // (2) values against the reference.
  assertClose(out, expected, { ...forwardTolerance(entry, dtype, c.attrs), what });

  // State ops: the variable holds the new value after the run.
  entry.inputKinds?.forEach((kind, i) => {
    if (kind === "variable") assertClose(session.run(inputs[i]!), expected, { ...forwardTolerance(entry, dtype, c.attrs), what: `${what}: variable after the update` });
  });
}

/**
 * Analytic gradients of Σ W·y in `dtype` at the case's inputs rounded to float32 (so both dtypes
 * see the same numbers), with seeded weights W that are float32 numbers too.
 */
function analyticGradients(entry: OpEntry<any>, c: OpCase<any>, dtype: ts.DType): (ts.Tensor | null)[] {
  const rounded: OpCase<any> = { ...c, inputs: c.inputs.map((r, i) => inputValues(entry, i, r, "float32")) };
  const { graph, node, inputs, feeds } = buildCase(entry, rounded, dtype, "static");
  return graph.asDefault(() => {
    const shape = node.shape as number[];
    const rng = seededRandom(99);
    const w = Float64Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => Math.fround(2 * rng() - 1));
    // W takes the output's dtype, which differs from the inputs' for a cast between float dtypes.
    const loss = ts.reduceSum(ts.multiply(node, ts.constant(new ts.Tensor(shape, node.dtype, typedArray(node.dtype, w)))));
    const grads = ts.gradients(loss, inputs);
    const session = new ts.Session(graph);
    return grads.map((g) => (g === null ? null : session.run(g, feeds)));
  });
}

const entries = Object.values(OP_TABLE) as OpEntry<any>[];
const isDifferentiable = (e: OpEntry<any>): boolean => e.differentiable === true;

// ---------------------------------------------------------------------------------------------
// 1. Coverage.

describe("op table coverage", () => {
  const registered = ts.registeredOps();

  test("every registered op type has an OP_TABLE entry", () => {
    const missing = registered.map((d) => d.type).filter((t) => !(t in OP_TABLE));
    assert.deepEqual(missing, [], `op types without an OP_TABLE entry in test/ops/op-table.ts: ${missing.join(", ")}`);
  });

  test("every OP_TABLE entry is a registered op type, under its own key", () => {
    const types = new Set(registered.map((d) => d.type));
    for (const [key, entry] of Object.entries(OP_TABLE)) {
      assert.equal(entry.type, key, `entry '${key}' says it is '${entry.type}'`);
      assert.ok(types.has(key), `OP_TABLE has '${key}', which is not a registered op type`);
      assert.ok(entry.cases.length > 0, `OP_TABLE '${key}' has no sample cases`);
    }
  });

  test("the table agrees with the registry on which ops are differentiable, and says why not", () => {
    for (const def of registered) {
      const entry = OP_TABLE[def.type];
      if (entry === undefined) continue; // reported above
      const registryDiff = typeof def.gradient === "function";
      assert.equal(isDifferentiable(entry), registryDiff, `${def.type}: table says differentiable=${isDifferentiable(entry)}, the registry ${registryDiff}`);
      if (entry.differentiable !== true) {
        assert.ok(entry.differentiable.notDifferentiable.length > 10, `${def.type}: give the reason it is not differentiable`);
        assert.equal(entry.differentiable.notDifferentiable, (def.gradient as { notDifferentiable: string }).notDifferentiable);
      }
    }
  });

  test("an op names its kernel only when it runs another op's (the kernel defaults to the type)", () => {
    const redundant = registered.filter((d) => d.kernel === d.type).map((d) => d.type);
    assert.deepEqual(redundant, [], `ops whose kernel field repeats their type: ${redundant.join(", ")}`);
  });

  test("every differentiable op has a gradcheck case; the key ones a second-order check", () => {
    for (const entry of entries.filter(isDifferentiable)) {
      assert.ok(entry.cases.some((c) => c.noGradcheck === undefined), `${entry.type} is differentiable but no case runs gradcheck`);
    }
    for (const type of ["Sigmoid", "Softmax", "Mul", "MatMul", "Square", "Relu", "Tanh", "Elu", "Softplus", "Pow", "Maximum"]) {
      assert.equal(OP_TABLE[type]?.secondOrder, true, `${type} needs a second-order gradient check`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 2-5, per op type, on every backend. Another backend runs its own kernels for float32 and the
// JS kernels for the rest: the forward checks (every dtype) and the float32 gradient graphs run
// on each, while the float64 gradchecks, which would repeat the JS computation exactly, run on
// the JS backend only.

/**
 * The backend an unfused run uses, counting kernel calls by name: on wasm, its SIMD kernels at
 * every size (the table's inputs are below the size from which the backend hands work to them).
 */
function unfusedBackend(name: string): ReturnType<typeof recordingBackend> {
  if (name === "js") return recordingBackend("js, recorded", ts.jsBackend);
  const wasm = ts.wasmBackend;
  assert.ok(name === "wasm" && wasm !== undefined, `unknown backend ${name}`);
  const simd = Object.assign(Object.create(ts.jsBackend.kernels) as Record<string, ts.Kernel>, wasm.simdKernels);
  return recordingBackend("wasm SIMD kernels at every size, recorded", { ...wasm, name: "wasm SIMD", kernels: simd });
}

const kernelOf = (type: string): string => {
  const def = ts.registeredOps().find((d) => d.type === type)!;
  return def.kernel ?? def.type;
};

const defaultBackend = ts.getBackend();
for (const backend of ts.listBackends()) {
  const float64Checks = backend === "js";
  describe(`backend ${backend}`, () => {
    before(() => ts.setBackend(backend));
    after(() => ts.setBackend(defaultBackend));
    let unfused: ReturnType<typeof recordingBackend> | undefined;

    for (const entry of entries) {
      describe(`op ${entry.type}`, () => {
        const dtypes = entry.dtypes ?? ["float64", "float32"];
        const modes = entry.inputKinds?.includes("variable") ? STATE_SHAPE_MODES : SHAPE_MODES;

        for (const c of entry.cases) {
          test(`forward ${c.name} (${dtypes.join(", ")}) vs reference, inferred shape and dtype`, () => {
            for (const dtype of dtypes) for (const mode of modes) checkForward(entry, c, dtype, mode);
          });
          test(`forward ${c.name} with fusion off: the op's own kernel, vs reference`, () => {
            unfused ??= unfusedBackend(backend);
            const { calls } = unfused;
            calls.clear();
            withBackend(unfused.backend, () => {
              for (const dtype of dtypes) checkForward(entry, c, dtype, modes[0]!, false);
            });
            const kernel = kernelOf(entry.type);
            assert.ok((calls.get(kernel) ?? 0) >= dtypes.length, `${entry.type}: its kernel '${kernel}' ran ${calls.get(kernel) ?? 0} times for ${dtypes.length} dtypes (calls: ${[...calls.keys()].join(", ")})`);
          });
        }

        if (entry.differentiable === true) {
          for (const c of entry.cases) {
            if (c.noGradcheck !== undefined) continue;
            const gradModes = c.gradShapes ?? SHAPE_MODES;
            if (float64Checks) {
              test(`gradcheck ${c.name} (placeholder shapes: ${gradModes.join(", ")})`, () => {
                for (const shapes of gradModes) gradcheck(`${entry.type} ${c.name}`, (xs) => entry.build(xs, c.attrs), c.inputs, { shapes, fixed: entry.inputDtypes ?? [] });
              });
            }
            test(`float32 gradients ${c.name} agree with float64`, () => {
              const g32 = analyticGradients(entry, c, "float32");
              const g64 = analyticGradients(entry, c, "float64");
              g32.forEach((g, i) => {
                assert.equal(g === null, g64[i] === null, `input ${i}: a gradient in one dtype only`);
                if (g !== null) assertClose(g, g64[i]!, { atol: 1e-4, rtol: 1e-4, dtype: "float32", what: `${entry.type} ${c.name}: float32 gradient of input ${i}` });
              });
            });
            if (entry.secondOrder === true && float64Checks) {
              test(`gradgradcheck ${c.name}`, () => {
                const checked = gradgradcheck(`${entry.type} ${c.name}`, (xs) => entry.build(xs, c.attrs), c.inputs, { fixed: entry.inputDtypes ?? [] });
                assert.ok(checked > 0, "at least one input has a gradient to differentiate again");
              });
            }
          }
        } else {
          const reason = entry.differentiable.notDifferentiable;
          for (const c of entry.cases) {
            test(`no gradient (${reason}): ${c.name}`, () => {
              const { graph, node, inputs } = buildCase(entry, c, "float64", "static");
              // A bool or int32 output has no gradient to ask for: ask for that of its float64 cast.
              const grads = graph.asDefault(() => ts.gradients(node.dtype === "float32" || node.dtype === "float64" ? node : ts.cast(node, "float64"), inputs));
              assert.equal(grads.length, inputs.length);
              grads.forEach((g, i) => assert.equal(g, null, `${entry.type}: input ${i} got a gradient node ${g}`));
            });
          }
        }
      });
    }
  });
}
