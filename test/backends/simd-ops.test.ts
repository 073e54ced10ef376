/**
 * The one list of elementwise SIMD op codes (src/backends/wasm/simd-ops.ts) and everything that reads
 * it: the generated AssemblyScript dispatch, the binaries, the standalone wasm kernels, the fused
 * programs' steps and the compute-bound flag. Each test fails when a consumer disagrees with the list.
 * (How closely each loop computes its formula, at every layout and size: wasm-kernels.test.ts.)
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as ts from "tensorslow";
import { seededRandom } from "../helpers/gradcheck.js";
import { internal } from "../helpers/internals.js";
import { ulp } from "../helpers/wasm-compare.js";
import type * as SimdOps from "../../dist/backends/wasm/simd-ops.js";
import type * as WasmFused from "../../dist/backends/wasm/fused.js";
import type * as Context from "../../dist/backends/wasm/context.js";
import type * as Binaries from "../../dist/backends/wasm/generated/binaries.js";

const { SIMD_UNARY, SIMD_BINARY, UNARY_CODE, BINARY_CODE, simdSignature } = await internal<typeof SimdOps>("backends/wasm/simd-ops.js");
const { lower, FUSED_WASM_MIN } = await internal<typeof WasmFused>("backends/wasm/fused.js");
const { PARALLEL_MIN } = await internal<typeof Context>("backends/wasm/context.js");
const { SIMD_SIGNATURE } = await internal<typeof Binaries>("backends/wasm/generated/binaries.js");

interface Generator {
  DISPATCH_FILE: string;
  dispatchSource(unary: readonly SimdOps.SimdOp[], binary: readonly SimdOps.SimdOp[]): string;
  loadSimdOps(): Promise<typeof SimdOps>;
}
const generator = (await import(new URL("../../../scripts/simd-dispatch.mjs", import.meta.url).href)) as Generator;

/** The ops of the list that are formulas (not the kernels' own loops), with their arity. */
const formulaOps = [...SIMD_UNARY.map((op) => ({ op, arity: 1 })), ...SIMD_BINARY.map((op) => ({ op, arity: 2 }))].filter(({ op }) => op.internal !== true);

describe("the list of elementwise SIMD op codes", () => {
  test("codes are positions: ids are unique within each list", () => {
    assert.equal(UNARY_CODE.size, SIMD_UNARY.length, "a unary id listed twice");
    assert.equal(BINARY_CODE.size, SIMD_BINARY.length, "a binary id listed twice");
    SIMD_UNARY.forEach((op, code) => assert.equal(UNARY_CODE.get(op.id), code));
    SIMD_BINARY.forEach((op, code) => assert.equal(BINARY_CODE.get(op.id), code));
  });

  test("the build script reads the same list as the library (simd-ops.ts compiled alone)", async () => {
    const built = await generator.loadSimdOps();
    assert.deepEqual(built.SIMD_UNARY, SIMD_UNARY);
    assert.deepEqual(built.SIMD_BINARY, SIMD_BINARY);
  });

  test("the AssemblyScript dispatch on disk is the one the list generates", () => {
    assert.equal(readFileSync(generator.DISPATCH_FILE, "utf8"), generator.dispatchSource(SIMD_UNARY, SIMD_BINARY), "run npm run build (scripts/build-wasm.mjs) to regenerate it");
  });

  test("the binaries were built from this list", () => {
    assert.equal(SIMD_SIGNATURE, simdSignature());
  });

  test("every op of the list is a formula of the JS backend and the type of an op declaring it, so the op runs the SIMD kernel", () => {
    const ops = new Map(ts.registeredOps().map((d) => [d.type, d]));
    for (const { op } of formulaOps) {
      assert.ok(ts.jsBackend.fused!.has(op.id), `${op.id} is not a formula (backends/js/formulas.ts)`);
      const def = ops.get(op.id);
      assert.ok(def !== undefined, `no op of type ${op.id}`);
      assert.equal(def.elementwise?.formula, op.id, `op ${op.id} declares the formula ${def.elementwise?.formula}`);
      assert.equal(def.kernel ?? def.type, op.id, `op ${op.id} runs the kernel ${def.kernel}`);
    }
  });
});

describe("the wasm consumers of the list", { skip: ts.wasmBackend === undefined ? "WebAssembly SIMD is not available here" : false }, () => {
  const wasm = ts.wasmBackend!;
  const threadsBefore = ts.getNumThreads();
  after(() => ts.setNumThreads(threadsBefore));

  /** Inputs where every formula of the list is finite and well conditioned. */
  function inputs(arity: number, n: number): Float32Array[] {
    const rnd = seededRandom(7 + n);
    return Array.from({ length: arity }, () => Float32Array.from({ length: n }, () => 0.25 + 0.5 * rnd()));
  }

  /** Each element within 4 ulps of the formula evaluated in doubles on the same float32 inputs. */
  function assertFormula(id: string, xs: Float32Array[], out: Float32Array, what: string): void {
    const f = ts.jsBackend.kernels[id]!;
    const ref = new ts.Tensor([out.length], "float64");
    f(xs.map((x) => new ts.Tensor([x.length], "float64", Float64Array.from(x))), ref, {} as never);
    for (let i = 0; i < out.length; i++) {
      const r = ref.data[i]!;
      if (!(Math.abs(out[i]! - r) <= 4 * ulp(r))) assert.fail(`${id} ${what}: element ${i} is ${out[i]}, the formula gives ${r}`);
    }
  }

  test("standalone kernels: one per formula of the list, computing it; compute-bound ones split across threads from PARALLEL_MIN.computeBound", () => {
    ts.setNumThreads(2);
    const n = PARALLEL_MIN.computeBound + 5;
    assert.ok(n < PARALLEL_MIN.memoryBound);
    for (const { op, arity } of formulaOps) {
      const kernel = wasm.simdKernels[op.id];
      assert.ok(kernel !== undefined, `no wasm kernel ${op.id}`);
      const xs = inputs(arity, n);
      const out = new ts.Tensor([n], "float32");
      const before = wasm.threadStats().parallelCalls;
      kernel(xs.map((x) => new ts.Tensor([n], "float32", x)), out, {} as never);
      const split = wasm.threadStats().parallelCalls - before;
      const shared = typeof SharedArrayBuffer === "function";
      assert.equal(split, op.computeBound === true && shared ? 1 : 0, `${op.id}: calls split across threads at ${n} elements`);
      assertFormula(op.id, xs, out.data as Float32Array, "standalone");
    }
  });

  test("fused programs: each formula of the list lowers to a step with its code, computes it, and compute-bound ones split sooner", () => {
    ts.setNumThreads(2);
    const n = PARALLEL_MIN.computeBound + 5;
    assert.ok(n >= FUSED_WASM_MIN);
    for (const { op, arity } of formulaOps) {
      const program: ts.FusedProgram = {
        dtype: "float32",
        inputs: Array.from({ length: arity }, () => "full" as const),
        code: [{ formula: op.id, args: Array.from({ length: arity }, (_, i) => i), params: [] }],
        outputs: [{ ref: arity, scalar: false }],
      };
      const lowered = lower(program);
      assert.ok(lowered !== null, `${op.id}: the program has no SIMD steps`);
      const codes = arity === 1 ? UNARY_CODE : BINARY_CODE;
      assert.deepEqual(lowered.steps.map((s) => s.op), [codes.get(op.id), BINARY_CODE.get("First")], `${op.id}: its step, then the store`);
      const xs = inputs(arity, n);
      const out = new Float32Array(n);
      const before = wasm.threadStats().parallelCalls;
      wasm.fused!.compile(program)(xs, [out], 1, n);
      const split = wasm.threadStats().parallelCalls - before;
      const shared = typeof SharedArrayBuffer === "function";
      assert.equal(split, op.computeBound === true && shared ? 1 : 0, `${op.id}: fused calls split across threads at ${n} elements`);
      assertFormula(op.id, xs, out, "fused");
    }
  });
});
