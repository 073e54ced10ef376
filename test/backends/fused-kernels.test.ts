/**
 * The backends' fused kernels (backends/js/fused.ts, backends/wasm/fused.ts and
 * wasm/assembly/fused.ts): each computes what its program says, checked against loops written
 * here, on the JS backend and on the wasm backend below and above its SIMD threshold, and split
 * across threads. (Which ops a plan fuses, and fused plans against unfused ones:
 * test/runtime/fusion.test.ts.)
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { seededRandom } from "../helpers/gradcheck.js";

/** Evaluates `p` with loops written here: the expected values of a fused kernel. */
function evaluate(p: ts.FusedProgram, inputs: Float64Array[], outer: number, inner: number, fns: Record<string, (...a: number[]) => number>): Float64Array[] {
  const n = outer * inner;
  const outs = p.outputs.map((o) => new Float64Array(o.scalar ? 1 : n));
  // A scalar output is one value even over an empty domain: element 0 is visited once regardless.
  for (let k = 0; k < Math.max(n, 1); k++) {
    const r = Math.floor(k / inner);
    const j = k % inner;
    const vals: number[] = p.inputs.map((a, i) => inputs[i]![a === "full" ? k : a === "row" ? j : a === "col" ? r : 0]!);
    for (const c of p.code) vals.push(fns[c.formula]!(...c.args.map((a) => vals[a]!), ...c.params));
    p.outputs.forEach((o, i) => {
      if (o.scalar || k < n) outs[i]![o.scalar ? 0 : k] = vals[o.ref]!;
    });
  }
  return outs;
}

describe("fused kernels", () => {
  // Inputs x (full), row, col, s (scalar); value 7 is sigmoid(x + row) * col − s.
  const inputs: ts.FusedAccess[] = ["full", "row", "col", "scalar"];
  const common: ts.FusedInstruction[] = [
    { formula: "Add", args: [0, 1], params: [] },
    { formula: "Sigmoid", args: [4], params: [] },
    { formula: "Mul", args: [5, 2], params: [] },
    { formula: "Sub", args: [6, 3], params: [] },
  ];
  // out0 = value 7,  out1 = leakyRelu(x · s, 0.2),  out2 = exp(s) (a scalar)
  const program: ts.FusedProgram = {
    dtype: "float64",
    inputs,
    code: [
      ...common,
      { formula: "Mul", args: [0, 3], params: [] },
      { formula: "LeakyRelu", args: [8], params: [0.2] },
      { formula: "Exp", args: [3], params: [] },
    ],
    outputs: [
      { ref: 7, scalar: false },
      { ref: 9, scalar: false },
      { ref: 10, scalar: true },
    ],
  };
  const fns: Record<string, (...a: number[]) => number> = {
    Add: (a, b) => a + b,
    Mul: (a, b) => a * b,
    Sub: (a, b) => a - b,
    Sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    LeakyRelu: (v, alpha) => (v > 0 ? v : alpha! * v),
    Exp: Math.exp,
  };

  for (const [outer, inner] of [[3, 4], [1, 1], [0, 5], [37, 29]] as const) {
    test(`rows, columns, scalars and a scalar output over [${outer}, ${inner}]: generated and interpreted`, () => {
      const rnd = seededRandom(outer * 100 + inner);
      const inputs = [outer * inner, inner, outer, 1].map((len) => Float64Array.from({ length: len }, () => 4 * rnd() - 2));
      const expected = evaluate(program, inputs, outer, inner, fns);
      for (const make of [ts.generateFused, ts.interpretFused]) {
        const outs = expected.map((e) => new Float64Array(e.length));
        make(program)(inputs, outs, outer, inner);
        outs.forEach((o, i) => assertClose(o, expected[i]!, { atol: 1e-15, rtol: 1e-14, what: `${make.name} output ${i}` }));
      }
    });
  }

  test("a float32 program on the wasm backend matches the loops below and above the SIMD threshold, and split across threads", { skip: ts.wasmBackend === undefined }, () => {
    // out0 = relu(sigmoid(x + row) * col − s), out1 = exp(s) as a scalar, out2 = exp(s) everywhere
    const p32: ts.FusedProgram = {
      dtype: "float32",
      inputs,
      code: [
        ...common,
        { formula: "Relu", args: [7], params: [] },
        { formula: "Exp", args: [3], params: [] },
      ],
      outputs: [
        { ref: 8, scalar: false },
        { ref: 9, scalar: true },
        { ref: 9, scalar: false },
      ],
    };
    const kernel = ts.wasmBackend!.fused!.compile(p32);
    const all = { ...fns, Relu: (v: number) => (v < 0 ? 0 : v) };
    const threadsBefore = ts.getNumThreads();
    try {
      // [2000, 3]: columns in runs shorter than a SIMD vector. [1031, 1019]: past the size where a
      // program with an exponential splits (its chunks are CHUNK-aligned, so rows and columns
      // start mid-row), run on 1 and on 2 threads.
      for (const [outer, inner, threads] of [[5, 3, 1], [300, 30, 1], [2000, 3, 1], [1, 5000, 1], [1031, 1019, 1], [1031, 1019, 2]] as const) {
        ts.setNumThreads(threads);
        const rnd = seededRandom(inner);
        const inputs = [outer * inner, inner, outer, 1].map((len) => Float32Array.from({ length: len }, () => 4 * rnd() - 2));
        const expected = evaluate(p32, inputs.map((a) => Float64Array.from(a)), outer, inner, all);
        // Outputs in wasm memory (as the plan's are) and one ordinary array (staged by the backend).
        const outs = [ts.wasmBackend!.allocate("float32", outer * inner) as Float32Array, new Float32Array(1), new Float32Array(outer * inner)];
        const before = ts.wasmBackend!.threadStats().parallelCalls;
        kernel(inputs, outs, outer, inner);
        const split = ts.wasmBackend!.threadStats().parallelCalls - before;
        const shared = typeof SharedArrayBuffer === "function"; // so a pool that could not start its workers fails here
        assert.equal(split, threads === 2 && shared ? 1 : 0, `[${outer}, ${inner}] on ${threads} thread(s): parallel calls`);
        outs.forEach((o, i) => assertClose(o, expected[i]!, { atol: 1e-6, rtol: 1e-5, what: `[${outer}, ${inner}] on ${threads} thread(s), output ${i}` }));
        ts.wasmBackend!.free!(outs[0]!);
      }
    } finally {
      ts.setNumThreads(threadsBefore);
    }
  });
});

describe("fused programs on threads", { skip: ts.wasmBackend === undefined }, () => {
  test("a long program splits from 2^16 elements, a short memory-bound one only from 2^20; both match the loops", () => {
    const chain = (length: number): ts.FusedProgram => ({
      dtype: "float32",
      inputs: ["full", "full"],
      // x·y + x, then alternately · y and + x: no exponential, `length` steps.
      code: Array.from({ length }, (_, k) => ({ formula: k % 2 === 0 ? "Mul" : "Add", args: [k === 0 ? 0 : k + 1, k % 2 === 0 ? 1 : 0], params: [] })),
      outputs: [{ ref: length + 1, scalar: false }],
    });
    const fns = { Mul: (a: number, b: number) => a * b, Add: (a: number, b: number) => a + b };
    const threadsBefore = ts.getNumThreads();
    ts.setNumThreads(2);
    try {
      const n = 100_003;
      const rnd = seededRandom(5);
      const inputs = [0, 1].map(() => Float32Array.from({ length: n }, () => rnd() - 0.5));
      for (const [length, splits] of [[2, false], [12, true]] as const) {
        const p = chain(length);
        const expected = evaluate(p, inputs.map((a) => Float64Array.from(a)), 1, n, fns);
        const out = new Float32Array(n);
        const before = ts.wasmBackend!.threadStats().parallelCalls;
        ts.wasmBackend!.fused!.compile(p)(inputs, [out], 1, n);
        const shared = typeof SharedArrayBuffer === "function"; // so a pool that could not start its workers fails here
        assert.equal(ts.wasmBackend!.threadStats().parallelCalls - before, splits && shared ? 1 : 0, `${length} steps over ${n} elements`);
        assertClose(out, expected[0]!, { atol: 1e-6, rtol: 1e-5, what: `${length} steps` });
      }
    } finally {
      ts.setNumThreads(threadsBefore);
    }
  });
});
