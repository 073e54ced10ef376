/**
 * The op table (test/ops/op-table.ts) on the onnxruntime engine: every op type has an engine
 * decision, and each sample case, built with placeholders of static shapes (variables for state
 * ops), gives on the engine what the JS reference backend gives on the default engine, within the
 * float32 tolerances of the op's forward test. Ops the engine runs in its model are compared as
 * ONNX Runtime computes them; the others run on the session's kernels before the model (random
 * draws, gradient-only ops without a mapping yet) and must agree just the same.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose, type Ref } from "../helpers/assert-close.js";
import { withBackend } from "../helpers/recording-backend.js";
import { OP_TABLE, TOLERANCES, type OpCase, type OpEntry } from "../ops/op-table.js";

const support = ts.engineSupport("onnxruntime");

describe("the onnxruntime engine's decisions", () => {
  test("every registered op type has one: run in the model, or a reason it is not", () => {
    const undecided = ts.registeredOps().map((d) => d.type).filter((t) => !(t in support));
    assert.deepEqual(undecided, [], `op types without an engine decision (src/engine/onnxruntime/decisions.ts, or an ONNX mapping in src/io/onnx/): ${undecided.join(", ")}`);
    for (const [type, reason] of Object.entries(support)) if (reason !== null) assert.ok(reason.length > 20, `${type}: the reason says why`);
  });

  test("the state updates and dropout masks run in the model; the session's seeded draws do not", () => {
    for (const type of ["Assign", "AssignAdd", "AssignSub", "MatMul", "Conv2D", "DropoutMask"]) assert.equal(support[type], null, type);
    for (const type of ["RandomUniform", "RandomStandardNormal", "TruncatedNormal"]) assert.match(support[type] ?? "", /random/, type);
  });

  test("a dropout mask on the engine: 0 or 1/(1 − rate), zero at the rate's frequency, a new draw at every run", async () => {
    const graph = new ts.Graph();
    const { mask, rate } = graph.asDefault(() => {
      const rate = ts.placeholder({ dtype: "float32", shape: [], name: "rate" });
      // Ones times the mask: the mask itself.
      return { mask: ts.nn.dropout(ts.ones([20000]), { rate }), rate };
    });
    const s = new ts.Session({ graph, engine: "onnxruntime" });
    const first = await s.runAsync(mask, new Map([[rate, ts.scalar(0.3)]]));
    const second = await s.runAsync(mask, new Map([[rate, ts.scalar(0.3)]]));
    const zeros = first.data.filter((v) => v === 0).length;
    assert.ok(first.data.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6), "each element is 0 or 1/(1 - rate)");
    // 20,000 draws at p = 0.3: the standard deviation of the fraction is 0.0032; 0.02 is 6 of them.
    assert.ok(Math.abs(zeros / 20000 - 0.3) < 0.02, `fraction dropped: ${zeros / 20000}`);
    assert.ok(first.data.some((v, i) => v !== second.data[i]), "the second run draws another mask");
    s.close();
  });
});

function typedArray(dtype: ts.DType, data: ArrayLike<number>): ts.TypedArray {
  return dtype === "float64" ? Float64Array.from(data) : dtype === "float32" ? Float32Array.from(data) : dtype === "int32" ? Int32Array.from(data) : Uint8Array.from(data);
}

/** The case's sample values in `dtype`, as the op table's forward test makes them. */
function caseValue(entry: OpEntry<any>, i: number, ref: Ref, dtype: ts.DType): ts.Tensor {
  const fixed = entry.inputDtypes?.[i] ?? null;
  const dt = fixed ?? dtype;
  const data = Array.from(ref.data, (v) => (fixed !== null ? v : dt === "int32" ? Math.round(3 * v) : dt === "bool" ? Number(v > 0) : v));
  return new ts.Tensor([...ref.shape], dt, typedArray(dt, data));
}

interface Built {
  graph: ts.Graph;
  node: ts.Node;
  variables: ts.Variable[];
  feeds: Map<ts.Node, ts.Tensor>;
}

function build(entry: OpEntry<any>, c: OpCase<any>, dtype: ts.DType): Built {
  const graph = new ts.Graph();
  return graph.asDefault(() => {
    const feeds = new Map<ts.Node, ts.Tensor>();
    const variables: ts.Variable[] = [];
    const inputs = c.inputs.map((ref, i) => {
      const value = caseValue(entry, i, ref, dtype);
      if ((entry.inputKinds?.[i] ?? "placeholder") === "variable") {
        const v = new ts.Variable(value, { name: `v${i}` });
        variables.push(v);
        return v;
      }
      const p = ts.placeholder({ dtype: value.dtype, shape: [...value.shape], name: `x${i}` });
      feeds.set(p, value);
      return p;
    });
    return { graph, node: entry.build(inputs, c.attrs), variables, feeds };
  });
}

function tolerance(entry: OpEntry<any>, dtype: ts.DType, node: ts.Node): { atol: number; rtol: number } {
  if (node.dtype === "int32" || node.dtype === "bool" || dtype === "int32") return { atol: 0, rtol: 0 };
  return entry.f32 ?? TOLERANCES.F32_ELEMENTWISE;
}

/** Runs each case on the JS reference backend and on the engine; the value and every variable after the run agree. */
async function checkOp(entry: OpEntry<any>, dtype: ts.DType): Promise<void> {
  for (const c of entry.cases) {
    const what = `${entry.type} ${c.name} (${dtype})`;
    const reference = build(entry, c, dtype);
    const expected = withBackend(ts.jsBackend, () => {
      const s = new ts.Session(reference.graph);
      return [s.run(reference.node, reference.feeds), ...reference.variables.map((v) => s.run(v))];
    });
    const onEngine = build(entry, c, dtype);
    const session = new ts.Session({ graph: onEngine.graph, engine: "onnxruntime" });
    try {
      const value = await session.runAsync(onEngine.node, onEngine.feeds).catch((e: Error) => {
        throw new Error(`${what}: ${e.message}`, { cause: e });
      });
      const tol = tolerance(entry, dtype, onEngine.node);
      assert.equal(value.dtype, expected[0]!.dtype, `${what}: dtype`);
      if (entry.type === "DropoutMask") {
        // ONNX Runtime's draws, not the session's: the same shape and values of the same law (all ones where nothing drops).
        assert.deepEqual([...value.shape], [...expected[0]!.shape], `${what}: shape`);
        const rate = onEngine.feeds.get([...onEngine.feeds.keys()][1]!)!.item() as number;
        const allOnes = expected[0]!.data.every((v) => v === 1);
        for (const v of value.data) assert.ok(allOnes ? v === 1 : v === 0 || Math.abs(v - 1 / (1 - rate)) < 1e-6, `${what}: ${v} is 0 or 1/(1 - rate)`);
        continue;
      }
      assertClose(value, expected[0]!, { ...tol, what });
      onEngine.variables.forEach((v, i) => assertClose(session.readVariable(v), expected[i + 1]!, { ...tol, what: `${what}: ${v.name} after the run` }));
    } finally {
      session.close();
    }
  }
}

describe("each op on the onnxruntime engine agrees with the JS reference backend", () => {
  for (const entry of Object.values(OP_TABLE) as OpEntry<any>[]) {
    const dtypes = entry.dtypes ?? ["float64", "float32"];
    // float32, the engine's dtype; int32 for ops without a float dtype.
    const dtype = dtypes.includes("float32") ? "float32" : dtypes[0]!;
    const where = support[entry.type] === null ? "in the model" : "before the model";
    test(`${entry.type} (${dtype}, ${where})`, () => checkOp(entry, dtype));
  }
});
