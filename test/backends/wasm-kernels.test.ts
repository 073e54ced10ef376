/**
 * Every wasm kernel against the JS reference kernel on seeded random inputs: odd shapes and edge
 * tiles, transposes, batch broadcasting, broadcasting layouts, special values, operands inside and
 * outside wasm memory, on 1 and 2 threads (with the sizes that take the threaded paths).
 *
 * Tolerances: GEMM accumulates in float32 where the reference accumulates in float64; rounding
 * errors of random sign grow like √k, so each element gets 4·√(k+1)·u·Σ|a||b| (u = 2^-24; the
 * worst-case bound has k for √k, far too loose to notice a lost term). Elementwise and softmax
 * results must be within a few float32 ulps; sums (float64 accumulation in both) within 2 ulps.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { seededRandom } from "../helpers/gradcheck.js";
import { internal } from "../helpers/internals.js";
import { compare, js, runKernel, tensor, U, ulp, ulps, wasm } from "../helpers/wasm-compare.js";
import type * as SimdOps from "../../dist/backends/wasm/simd-ops.js";

const rng = seededRandom(31337);

const uniform = (lo: number, hi: number) => () => lo + (hi - lo) * rng();

// ---------------------------------------------------------------------------------------------

interface MatMulCase {
  a: number[];
  b: number[];
  tA?: boolean;
  tB?: boolean;
}

/** Output shape under numpy matmul rules (written here from the rules, for the test). */
function matmulShape({ a, b, tA = false, tB = false }: MatMulCase): number[] {
  const m = a.length === 1 ? null : tA ? a.at(-1)! : a.at(-2)!;
  const n = b.length === 1 ? null : tB ? b.at(-2)! : b.at(-1)!;
  const batch = broadcastShape(a.length <= 2 ? [] : a.slice(0, -2), b.length <= 2 ? [] : b.slice(0, -2));
  return [...batch, ...(m === null ? [] : [m]), ...(n === null ? [] : [n])];
}

function checkMatMul(c: MatMulCase, where: "wasm" | "js" = "wasm"): void {
  const attrs = { transposeA: c.tA ?? false, transposeB: c.tB ?? false };
  const a = tensor(c.a, uniform(-1, 1), where);
  const b = tensor(c.b, uniform(-1, 1), where);
  const outShape = matmulShape(c);
  // Σ|a||b| per output element, from the reference kernel on absolute values.
  const absA = new ts.Tensor(c.a, "float32", Float32Array.from(a.data, Math.abs));
  const absB = new ts.Tensor(c.b, "float32", Float32Array.from(b.data, Math.abs));
  const bound = new ts.Tensor(outShape, "float32");
  runKernel(js, "MatMul", [absA, absB], bound, attrs);
  const k = c.a.length === 1 ? c.a[0]! : attrs.transposeA ? c.a.at(-2)! : c.a.at(-1)!;
  const what = `[${c.a}]·[${c.b}] tA=${attrs.transposeA} tB=${attrs.transposeB} (operands in ${where} memory)`;
  compare("MatMul", [a, b], outShape, attrs, (i, r) => 4 * Math.sqrt(k + 1) * U * bound.data[i]! + ulp(r), what, where);
}

/** m×k · k×n with every transpose combination. */
function gemmCases(m: number, k: number, n: number): MatMulCase[] {
  return [
    { a: [m, k], b: [k, n] },
    { a: [k, m], b: [k, n], tA: true },
    { a: [m, k], b: [n, k], tB: true },
    { a: [k, m], b: [n, k], tA: true, tB: true },
  ];
}

// ---------------------------------------------------------------------------------------------

const SPECIALS = [0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 88.7, 88.8, 89, 100, -87, -88, -100, -103.5, -104, -150, 1e-40, -1e-40, 3.4e38, 1e-45, 1.0000001, 0.9999999, 20, -20];

function unaryValues(n: number, range: [number, number]): (i: number) => number {
  const u = uniform(range[0], range[1]);
  return (i) => (i < SPECIALS.length && n > SPECIALS.length ? SPECIALS[i]! : u());
}

/** Per elementwise SIMD op of simd-ops.ts: the range of its random inputs and its tolerance in ulps. */
const UNARY: Record<string, [[number, number], number]> = {
  Neg: [[-5, 5], 0],
  Square: [[-5, 5], 0.5],
  Sqrt: [[0, 50], 0.5],
  Exp: [[-90, 90], 2],
  Log: [[1e-30, 1e30], 2],
  Sigmoid: [[-30, 30], 3],
  Relu: [[-5, 5], 0],
  Relu6: [[-3, 9], 0],
  Abs: [[-5, 5], 0],
  Log1p: [[-0.99, 50], 3],
};

/** Per binary SIMD op: its tolerance in ulps. */
const BINARY: Record<string, number> = {
  Add: 0.5,
  Sub: 0.5,
  Mul: 0.5,
  RealDiv: 1,
  SigmoidGrad: 3,
  ReluGrad: 0,
  Relu6Grad: 0,
  TanhGrad: 3,
};

test("every elementwise SIMD op of simd-ops.ts is compared here (and nothing else is)", async () => {
  const { SIMD_UNARY, SIMD_BINARY } = await internal<typeof SimdOps>("backends/wasm/simd-ops.js");
  const ids = (list: readonly SimdOps.SimdOp[]) => list.filter((o) => o.internal !== true).map((o) => o.id).sort();
  assert.deepEqual(Object.keys(UNARY).sort(), ids(SIMD_UNARY));
  assert.deepEqual(Object.keys(BINARY).sort(), ids(SIMD_BINARY));
});

/** Broadcast pairs, including the layouts binaryFlat takes and strided ones of several ranks. */
const BROADCAST_PAIRS: [number[], number[]][] = [
  [[], []],
  [[1], [1]],
  [[3], [3]],
  [[4], [4]],
  [[1027], [1027]],
  [[5], []],
  [[], [7]],
  [[3, 1], [1, 4]],
  [[2, 3, 5], [5]],
  [[2, 3, 5], [3, 1]],
  [[5, 1, 7], [1, 6, 1]],
  [[2, 1, 3, 1, 5], [4, 1, 5]],
  [[1, 9], [9, 1]],
  [[0, 3], [3]],
  [[6, 1], [6, 6]],
];

describe("wasm kernels vs the JS reference", { skip: wasm === undefined ? "WebAssembly SIMD is not available here" : false }, () => {
  const threadsBefore = ts.getNumThreads();
  after(() => ts.setNumThreads(threadsBefore));

  for (const threads of [1, 2]) {
    describe(`${threads} thread(s)`, () => {
      before(() => ts.setNumThreads(threads));

      // Edge tiles do not depend on the thread count (the threaded splits are covered below).
      if (threads === 1) test("MatMul: edge tiles and blocking boundaries, all transposes", () => {
        const dims: [number, number, number][] = [
          [1, 1, 1],
          [5, 7, 3],
          [3, 1, 5],
          [4, 8, 8],
          [1, 300, 1],
          [37, 29, 301],
          [129, 257, 65],
          [130, 131, 259],
          [64, 1040, 40],
          [9, 5, 1100],
          [2, 513, 3],
          // Fewer than four rows: the row path, four slivers at a time, single slivers, scalar tails.
          [1, 513, 37],
          [3, 260, 64],
          [2, 100, 41],
        ];
        for (const [m, k, n] of dims) for (const c of gemmCases(m, k, n)) checkMatMul(c);
      });

      test("MatMul: sizes that split across threads (rows, columns, batches)", () => {
        const before = wasm!.threadStats().parallelCalls;
        // Past 2^22 multiply-adds: columns split when n ≥ m, rows otherwise, batches when several.
        for (const c of [...gemmCases(129, 257, 130), ...gemmCases(130, 257, 129)]) checkMatMul(c);
        checkMatMul({ a: [8, 64, 96], b: [8, 96, 96] });
        checkMatMul({ a: [3, 1, 80, 70], b: [4, 70, 90], tB: false });
        // One row split by columns: the row path on each thread's columns.
        checkMatMul({ a: [1, 2100], b: [2100, 2050] });
        const calls = wasm!.threadStats().parallelCalls - before;
        if (threads === 1) assert.equal(calls, 0, "one thread: nothing runs in parallel");
        else assert.equal(calls, 11, "two threads: each of these products is split");
      });

      test("MatMul: vectors, k = 0, empty, batch broadcasting with transposes", () => {
        const cases: MatMulCase[] = [
          { a: [7], b: [7, 5] },
          { a: [6, 7], b: [7] },
          { a: [9], b: [9] },
          { a: [7], b: [3, 7, 5] },
          { a: [2, 6, 7], b: [7] },
          { a: [3, 0], b: [0, 4] },
          { a: [0, 3], b: [3, 4] },
          { a: [2, 1, 5, 6], b: [3, 6, 4] },
          { a: [2, 1, 6, 5], b: [1, 3, 4, 6], tA: true, tB: true },
          { a: [4, 3, 5], b: [5, 2] },
          { a: [3, 5], b: [4, 2, 5], tB: true },
          { a: [0, 3, 5], b: [5, 2] },
        ];
        for (const c of cases) checkMatMul(c);
      });

      test("MatMul: operands and result in ordinary arrays are staged through wasm memory", () => {
        for (const c of [...gemmCases(5, 7, 3), { a: [2, 9, 33], b: [33, 17] }]) checkMatMul(c, "js");
      });

      for (const [name, [range, k]] of Object.entries(UNARY)) {
        test(`${name}: random and special values, tails, the threaded size`, () => {
          const before = wasm!.threadStats().parallelCalls;
          for (const n of [0, 1, 3, 4, 5, 33, 1027, (1 << 20) + 3]) {
            const x = tensor([n], unaryValues(n, range));
            compare(name, [x], [n], {}, ulps(k), `[${n}]`);
          }
          assert.equal(wasm!.threadStats().parallelCalls - before, threads - 1, "the largest size runs on every thread");
          compare(name, [tensor([3, 5], uniform(range[0], range[1]), "js")], [3, 5], {}, ulps(k), "[3,5] in ordinary arrays", "js");
        });
      }

      for (const [name, k] of Object.entries(BINARY)) {
        test(`${name}: broadcasting layouts`, () => {
          for (const [sa, sb] of BROADCAST_PAIRS) {
            // Outputs of sigmoid and tanh as the gradients' y; y around 0 and 6 for Relu6Grad.
            const ya = name === "SigmoidGrad" ? uniform(0, 1) : name === "TanhGrad" ? uniform(-1, 1) : uniform(-3, 3);
            const yb = name === "Relu6Grad" ? (i: number) => [0, 6, -0, NaN][i % 7] ?? uniform(-1, 8)() : uniform(-3, 3);
            const a = tensor(sa, ya);
            const b = tensor(sb, name === "RealDiv" ? (i) => (i % 11 === 3 ? 0 : uniform(-3, 3)()) : yb);
            const out = broadcastShape(sa, sb);
            compare(name, [a, b], out, {}, ulps(k), `[${sa}] with [${sb}]`);
          }
          // Flat layouts past the threading size (the split does not depend on the op: one op
          // suffices); the strided layout stays on one thread.
          if (name !== "Add") return;
          const before = wasm!.threadStats().parallelCalls;
          const big = tensor([1030, 1030], uniform(-3, 3));
          compare(name, [big, tensor([1030, 1030], uniform(0.5, 3))], [1030, 1030], {}, ulps(k), "[1030,1030] flat");
          compare(name, [big, tensor([], () => 1.5)], [1030, 1030], {}, ulps(k), "[1030,1030] with a scalar");
          compare(name, [tensor([], () => 1.5), big], [1030, 1030], {}, ulps(k), "a scalar with [1030,1030]");
          compare(name, [big, tensor([1030], uniform(0.5, 3), "js")], [1030, 1030], {}, ulps(k), "[1030,1030] with [1030] from an ordinary array");
          assert.equal(wasm!.threadStats().parallelCalls - before, 3 * (threads - 1), "the flat layouts run on every thread");
        });
      }

      test("Softmax: every axis, tails of the column path, large and infinite logits", () => {
        // x − max is rounded to float32 before exp (the reference subtracts in float64), which costs
        // up to |x − max|·u relative error: logits here stay within ±30 (special ones aside).
        const tol = (_i: number, r: number) => 4 * ulp(r) + 64 * U * Math.abs(r);
        const cases: [number[], number][] = [
          [[1], 0],
          [[5], 0],
          [[3, 7], -1],
          [[3, 7], 0],
          [[2, 3, 4], 0],
          [[2, 3, 4], 1],
          [[2, 3, 4], 2],
          [[7, 9, 5], 1],
          [[4, 3, 6], 1],
          [[0, 4], 1],
          [[300, 1001], 1],
          [[1001, 300], 0],
        ];
        const before = wasm!.threadStats().parallelCalls;
        for (const [shape, axis] of cases) {
          compare("Softmax", [tensor(shape, uniform(-30, 30))], shape, { axis }, tol, `[${shape}] axis ${axis}`);
        }
        // [300,1001] along rows splits; [1001,300] along axis 0 is one block (not split).
        assert.equal(wasm!.threadStats().parallelCalls - before, threads - 1, "the large row-wise softmax runs on every thread");
        const special = [1000, -1000, 0, 5, -Infinity, 3, 88, -88];
        compare("Softmax", [tensor([2, 4], (i) => special[i]!)], [2, 4], { axis: 1 }, tol, "large and -Infinity logits");
      });

      test("Sum, Mean, SumToShape, BroadcastLike, BiasAdd, BiasAddGrad: every collapsed layout (and the JS fallback for the rest)", () => {
        const reductions: [number[], number | number[] | undefined][] = [
          [[17], undefined],
          [[3, 5], 0],
          [[3, 5], 1],
          [[2, 3, 4], [0]],
          [[2, 3, 4], [1]],
          [[2, 3, 4], [2]],
          [[2, 3, 4], [1, 2]],
          [[2, 3, 4], [0, 1]],
          [[2, 3, 4], [0, 2]],
          [[1, 5, 1, 3], [1]],
          [[4, 1], [0]],
          [[0, 3], [0]],
          [[300, 700], [0]],
          [[700, 300], [1]],
          [[5, 600, 3], [1]],
        ];
        for (const [shape, axis] of reductions) {
          const x = tensor(shape, uniform(-2, 2));
          const axes = axis === undefined ? shape.map((_, i) => i) : typeof axis === "number" ? [axis] : axis;
          for (const keepDims of [false, true]) {
            const outShape = keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
            for (const name of ["Sum", "Mean"]) compare(name, [x], outShape, { axis, keepDims }, ulps(2), `[${shape}] axis ${axis} keepDims ${keepDims}`);
            compare("BroadcastLike", [tensor(outShape, uniform(-2, 2)), x], shape, { reducedAxis: axis ?? "all", keepDims }, ulps(0), `[${outShape}] back to [${shape}]`);
          }
        }
        const toShape: [number[], number[]][] = [
          [[4, 3], [3]],
          [[4, 3], [4, 1]],
          [[2, 3, 4], [1, 3, 1]],
          [[2, 3, 4], [3, 4]],
          [[5, 2], [5, 2]],
          [[6], []],
        ];
        for (const [shape, like] of toShape) {
          compare("SumToShape", [tensor(shape, uniform(-2, 2)), tensor(like, () => 0)], like, {}, ulps(2), `[${shape}] to [${like}]`);
        }
        compare("BroadcastLike", [tensor([3], uniform(-1, 1)), tensor([4, 3], () => 0)], [4, 3], {}, ulps(0), "[3] to [4,3] with no reduced axis");
        for (const shape of [[5], [4, 3], [2, 3, 7], [1030, 300], [1100, 1000], [0, 4]]) {
          const c = shape.at(-1)!;
          compare("BiasAdd", [tensor(shape, uniform(-2, 2)), tensor([c], uniform(-2, 2))], shape, {}, ulps(0.5), `[${shape}] + bias [${c}]`);
          compare("BiasAddGrad", [tensor(shape, uniform(-2, 2))], [c], {}, ulps(2), `[${shape}] summed to [${c}]`);
        }
      });
    });
  }
});

function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[i - (rank - a.length)] ?? 1;
    const y = b[i - (rank - b.length)] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}
