/**
 * The GEMM's fused store and kept weights: _FusedMatMul (product, + bias per row, activation)
 * against the JS reference, and bit for bit against the unfused wasm kernels (MatMul, then BiasAdd
 * and Relu: the same float32 operations in the same order); _FusedConv2D bit for bit against
 * Conv2D, BiasAdd and Relu, through the direct convolution, im2col and Winograd, on one thread and
 * two, and _FusedConv2DMaxPool bit for bit against _FusedConv2D then MaxPool (the unfused
 * convolution is compared with the reference in wasm-conv-kernels.test.ts and
 * wasm-conv-direct.test.ts); MatMul with B kept packed (KeptOperand)
 * bit for bit against B packed per call, repacked when the version or the storage changes and not
 * before; the same bits on one thread and two.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { seededRandom } from "../helpers/gradcheck.js";
import { js, runKernel, tensor, U, ulp, wasm } from "../helpers/wasm-compare.js";

const rng = seededRandom(4242);
const fill = () => rng() * 2 - 1;

interface Kept {
  version: number;
  allocate(floats: number): ts.TypedArray;
  kept: { storage: ts.TypedArray } | undefined;
}

/** op(A)·op(B) shapes for m, k, n and the transposes. */
function operands(m: number, k: number, n: number, tA: boolean, tB: boolean): [ts.Tensor, ts.Tensor] {
  return [tensor(tA ? [k, m] : [m, k], fill), tensor(tB ? [n, k] : [k, n], fill)];
}

function run(name: string, inputs: ts.Tensor[], shape: number[], attrs: object, backend: ts.Backend = wasm!): Float32Array {
  const out = backend === wasm ? tensor(shape, () => NaN) : new ts.Tensor(shape, "float32");
  runKernel(backend, name, inputs, out, attrs);
  const values = Float32Array.from(out.data as Float32Array);
  if (backend === wasm) wasm!.free!(out.data);
  return values;
}

function assertBits(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${what}: element ${i} is ${got[i]}, want ${want[i]} bit for bit`);
  }
}

// m < 4 takes the row path; 4, 37, 130 the tiles with the last rows on the row path (B of at most
// 2^16 floats), 131 with them in an edge tile (a larger B); n across slivers and tails; k across the 256-row k-blocks.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 300, 37],
  [2, 5, 8],
  [3, 513, 33],
  [4, 7, 40],
  [37, 260, 9],
  [130, 64, 130],
  [131, 300, 260],
];

describe("the wasm GEMM's fused store and kept weights", { skip: wasm === undefined ? "WebAssembly SIMD is not available here" : false }, () => {
  const threadsBefore = ts.getNumThreads();
  after(() => ts.setNumThreads(threadsBefore));

  test("_FusedMatMul: the reference's values, and the unfused wasm kernels' bits, with and without Relu", () => {
    for (const [m, k, n] of SHAPES) {
      for (const [tA, tB] of [[false, false], [true, false], [false, true]] as const) {
        for (const activation of [undefined, "Relu"] as const) {
          const [a, b] = operands(m, k, n, tA, tB);
          const bias = tensor([n], fill);
          const attrs = { transposeA: tA, transposeB: tB, activation };
          const what = `${m}×${k}·${k}×${n} tA=${tA} tB=${tB} ${activation ?? "no activation"}`;
          const fused = run("_FusedMatMul", [a, b, bias], [m, n], attrs);
          // Unfused: the product, then BiasAdd, then Relu, each a wasm kernel.
          const product = tensor([m, n], () => NaN);
          runKernel(wasm!, "MatMul", [a, b], product, attrs);
          const biased = tensor([m, n], () => NaN);
          runKernel(wasm!, "BiasAdd", [product, bias], biased, {});
          let unfused = biased;
          if (activation === "Relu") {
            unfused = tensor([m, n], () => NaN);
            runKernel(wasm!, "Relu", [biased], unfused, {});
          }
          assertBits(fused, Float32Array.from(unfused.data as Float32Array), what);
          // The reference (float64 sums): within the GEMM's rounding bound (Σ|a||b| from |A|·|B|) plus the bias add's.
          const ref = run("_FusedMatMul", [a, b, bias], [m, n], attrs, js);
          const absA = new ts.Tensor(a.shape, "float32", Float32Array.from(a.data, Math.abs));
          const absB = new ts.Tensor(b.shape, "float32", Float32Array.from(b.data, Math.abs));
          const bound = run("MatMul", [absA, absB], [m, n], attrs, js);
          for (let i = 0; i < ref.length; i++) {
            const tol = 4 * Math.sqrt(k + 1) * U * bound[i]! + 2 * ulp(ref[i]!) + ulp(Math.abs(bias.data[i % n]!));
            assert.ok(Math.abs(fused[i]! - ref[i]!) <= tol, `${what}: element ${i} is ${fused[i]}, the reference ${ref[i]}`);
          }
        }
      }
    }
  });

  test("the row path (m < 4): a float64 loop's values across its groups of three slivers, B as stored and kept packed", () => {
    // n: one sliver, a partial one, one group of three, a group and a partial sliver, two groups,
    // two groups and a sliver, five groups and a partial sliver; k across 256-row k-blocks (3136: the CNN's dense layer).
    const cases: [number, number, number][] = [[1, 9, 8], [1, 20, 10], [2, 300, 24], [1, 7, 30], [3, 513, 48], [1, 260, 56], [1, 3136, 130], [2, 784, 256]];
    for (const [m, k, n] of cases) {
      for (const tB of [false, true]) {
        const [a, b] = operands(m, k, n, false, tB);
        const bias = tensor([n], fill);
        const A = a.data as Float32Array;
        const B = b.data as Float32Array;
        const want = new Float64Array(m * n);
        const bound = new Float64Array(m * n);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let sum = 0;
            let abs = 0;
            for (let p = 0; p < k; p++) {
              const term = A[i * k + p]! * B[tB ? j * k + p : p * n + j]!;
              sum += term;
              abs += Math.abs(term);
            }
            want[i * n + j] = Math.max(sum + bias.data[j]!, 0);
            bound[i * n + j] = abs;
          }
        }
        const keep: Kept = { version: 0, allocate: (floats) => wasm!.allocate("float32", floats), kept: undefined };
        for (const keptB of [undefined, keep]) {
          const what = `${m}×${k}·${k}×${n} tB=${tB} ${keptB === undefined ? "B as stored" : "B kept packed"}`;
          const got = run("_FusedMatMul", [a, b, bias], [m, n], { transposeA: false, transposeB: tB, activation: "Relu", keptB });
          for (let i = 0; i < want.length; i++) {
            const tol = 2 * Math.sqrt(k) * U * bound[i]! + 2 * ulp(want[i]!) + ulp(Math.abs(bias.data[i % n]!));
            assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${what}: element ${i} is ${got[i]}, a float64 loop gives ${want[i]}`);
          }
        }
        assert.ok(keep.kept !== undefined, `${m}×${k}·${k}×${n}: the kernel kept the packed weights`);
        wasm!.free!(keep.kept!.storage);
        for (const t of [a, b, bias]) wasm!.free!(t.data);
      }
    }
  });

  test("_FusedMatMul: Relu passes NaN and turns negatives (and -0) as the reference Relu does", () => {
    const a = tensor([1, 2], (i) => [1, NaN][i]!);
    const b = tensor([2, 8], (i) => (i < 8 ? i - 4 : 0));
    const bias = tensor([8], () => 0);
    const got = run("_FusedMatMul", [a, b, bias], [1, 8], { transposeA: false, transposeB: false, activation: "Relu" });
    // Row 0·b + NaN·0 = NaN everywhere (0·NaN is NaN).
    for (const v of got) assert.ok(Number.isNaN(v));
    const a2 = tensor([1, 1], () => 1);
    const b2 = tensor([1, 8], (i) => [-2, -0, 0, 3, -1, 5, -0.5, 7][i]!);
    const got2 = run("_FusedMatMul", [a2, b2, bias], [1, 8], { transposeA: false, transposeB: false, activation: "Relu" });
    const ref2 = run("_FusedMatMul", [a2, b2, bias], [1, 8], { transposeA: false, transposeB: false, activation: "Relu" }, js);
    assertBits(got2, ref2, "relu of [-2, -0, 0, 3, -1, 5, -0.5, 7]");
  });

  test("_FusedMatMul: a bias that does not match the product's columns is a ShapeError", () => {
    const [a, b] = operands(5, 6, 7, false, false);
    assert.throws(() => run("_FusedMatMul", [a, b, tensor([6], fill)], [5, 7], { transposeA: false, transposeB: false, activation: undefined }), ts.ShapeError);
  });

  test("_FusedConv2D: the unfused kernels' bits (direct, im2col, thin and pointwise patches, Winograd), one thread and two; the reference's the same way", () => {
    const cases: { x: number[]; f: number[]; strides: number; padding: "SAME" | "VALID" }[] = [
      { x: [3, 9, 9, 1], f: [3, 3, 1, 32], strides: 1, padding: "SAME" }, // direct (few taps)
      { x: [2, 9, 9, 3], f: [10, 10, 3, 12], strides: 1, padding: "SAME" }, // thin: patches transposed
      { x: [2, 7, 7, 30], f: [3, 3, 30, 10], strides: 2, padding: "VALID" }, // im2col
      { x: [2, 5, 5, 8], f: [1, 1, 8, 12], strides: 1, padding: "VALID" }, // pointwise
      { x: [2, 9, 7, 16], f: [3, 3, 16, 24], strides: 1, padding: "SAME" }, // Winograd, odd edges
      { x: [16, 14, 14, 32], f: [3, 3, 32, 64], strides: 1, padding: "SAME" }, // Winograd, split across threads
    ];
    for (const threads of [1, 2]) {
      ts.setNumThreads(threads);
      for (const c of cases) {
        for (const activation of [undefined, "Relu"] as const) {
          const x = tensor(c.x, fill);
          const f = tensor(c.f, fill);
          const bias = tensor([c.f[3]!], fill);
          const attrs = { strides: [1, c.strides, c.strides, 1], dilations: [1, 1, 1, 1], padding: c.padding, activation };
          const outH = c.padding === "SAME" ? Math.ceil(c.x[1]! / c.strides) : Math.ceil((c.x[1]! - c.f[0]! + 1) / c.strides);
          const outW = c.padding === "SAME" ? Math.ceil(c.x[2]! / c.strides) : Math.ceil((c.x[2]! - c.f[1]! + 1) / c.strides);
          const shape = [c.x[0]!, outH, outW, c.f[3]!];
          const what = `x [${c.x}] f [${c.f}] ${c.padding}/${c.strides} ${activation ?? "no activation"}, ${threads} thread(s)`;
          for (const backend of [wasm!, js]) {
            const conv = backend === wasm ? tensor(shape, () => NaN) : new ts.Tensor(shape, "float32");
            runKernel(backend, "Conv2D", [x, f], conv, attrs);
            const biased = new ts.Tensor(shape, "float32");
            runKernel(backend, "BiasAdd", [conv, bias], biased, {});
            const unfused = new ts.Tensor(shape, "float32");
            if (activation === "Relu") runKernel(backend, "Relu", [biased], unfused, {});
            assertBits(run("_FusedConv2D", [x, f, bias], shape, attrs, backend), (activation === "Relu" ? unfused : biased).data as Float32Array, `${what} (${backend.name})`);
          }
        }
      }
    }
    ts.setNumThreads(threadsBefore);
  });

  test("_FusedConv2DMaxPool: the bits of _FusedConv2D then MaxPool (staged through the threads' scratch or not), one thread and two; the reference's the same way", () => {
    const cases: { x: number[]; f: number[]; strides: number; pool: [number, number, "SAME" | "VALID"] }[] = [
      // Every forward path (conv.ts's forwardPath) runs through the stage.
      { x: [1, 28, 28, 1], f: [3, 3, 1, 32], strides: 1, pool: [2, 2, "VALID"] }, // direct, one image
      { x: [40, 28, 28, 1], f: [3, 3, 1, 32], strides: 1, pool: [2, 2, "VALID"] }, // direct, staged on two threads (past 2^22 multiply-adds)
      { x: [9, 11, 9, 6], f: [3, 3, 6, 10], strides: 2, pool: [3, 2, "SAME"] }, // direct, clipped windows
      { x: [6, 9, 9, 32], f: [3, 3, 32, 8], strides: 2, pool: [2, 2, "SAME"] }, // im2col (288 taps)
      { x: [5, 8, 8, 8], f: [1, 1, 8, 12], strides: 1, pool: [2, 1, "SAME"] }, // pointwise, overlapping windows
      { x: [4, 2, 9, 8], f: [3, 3, 8, 12], strides: 1, pool: [2, 2, "VALID"] }, // Winograd F(2×2, 3×3) (2×9 outputs)
      { x: [3, 9, 7, 16], f: [3, 3, 16, 24], strides: 1, pool: [2, 2, "SAME"] }, // Winograd F(4×4, 3×3), odd edges
      { x: [16, 14, 14, 32], f: [3, 3, 32, 64], strides: 1, pool: [2, 2, "VALID"] }, // Winograd F(4×4, 3×3), staged on two threads
      { x: [3, 14, 14, 32], f: [3, 3, 32, 64], strides: 1, pool: [2, 2, "VALID"] }, // threaded, too few images to split: through a temporary
      { x: [1, 100, 100, 16], f: [1, 1, 16, 16], strides: 1, pool: [2, 2, "VALID"] }, // an image's result larger than the stage
    ];
    for (const threads of [1, 2]) {
      ts.setNumThreads(threads);
      for (const c of cases) {
        const [k, stride, padding] = c.pool;
        const x = tensor(c.x, fill);
        const f = tensor(c.f, fill);
        const bias = tensor([c.f[3]!], fill);
        const attrs = { strides: [1, c.strides, c.strides, 1], dilations: [1, 1, 1, 1], padding: c.f[0] === 1 ? "VALID" : "SAME", activation: "Relu" as const };
        const pool = { ksize: [1, k, k, 1], strides: [1, stride, stride, 1], padding };
        const convShape = [c.x[0]!, Math.ceil(c.x[1]! / c.strides), Math.ceil(c.x[2]! / c.strides), c.f[3]!];
        const pooledSize = (n: number) => (padding === "SAME" ? Math.ceil(n / stride) : Math.floor((n - k) / stride) + 1);
        const shape = [convShape[0]!, pooledSize(convShape[1]!), pooledSize(convShape[2]!), convShape[3]!];
        const what = `x [${c.x}] f [${c.f}] /${c.strides}, pool ${k}/${stride} ${padding}, ${threads} thread(s)`;
        for (const backend of [wasm!, js]) {
          const conv = backend === wasm ? tensor(convShape, () => NaN) : new ts.Tensor(convShape, "float32");
          runKernel(backend, "_FusedConv2D", [x, f, bias], conv, attrs);
          const pooled = new ts.Tensor(shape, "float32");
          runKernel(backend, "MaxPool", [conv], pooled, pool);
          assertBits(run("_FusedConv2DMaxPool", [x, f, bias], shape, { ...attrs, pool }, backend), pooled.data as Float32Array, `${what} (${backend.name})`);
          if (backend === wasm) wasm!.free!(conv.data);
        }
        for (const t of [x, f, bias]) wasm!.free!(t.data);
      }
    }
    ts.setNumThreads(threadsBefore);
  });

  test("MatMul with B kept: the bits of B packed per call, on one thread and two; repacked on a new version or storage, not before", () => {
    for (const threads of [1, 2]) {
      ts.setNumThreads(threads);
      for (const [m, k, n] of [...SHAPES, [300, 520, 270], [100, 300, 400], [1, 2100, 2050]] as [number, number, number][]) {
        for (const tB of [false, true]) {
          const [a, b] = operands(m, k, n, false, tB);
          const plain = { transposeA: false, transposeB: tB };
          const keep: Kept = { version: 0, allocate: (floats) => wasm!.allocate("float32", floats), kept: undefined };
          const kept = { ...plain, keptB: keep };
          const what = `${m}×${k}·${k}×${n} tB=${tB} on ${threads} thread(s)`;
          const want = run("MatMul", [a, b], [m, n], plain);
          assertBits(run("MatMul", [a, b], [m, n], kept), want, `${what}, first call`);
          assert.ok(keep.kept !== undefined, `${what}: the kernel keeps the packed weights`);
          assertBits(run("MatMul", [a, b], [m, n], kept), want, `${what}, kept`);
          // The fused store over kept weights.
          const bias = tensor([n], fill);
          const fusedAttrs = { ...kept, activation: "Relu" as const };
          assertBits(run("_FusedMatMul", [a, b, bias], [m, n], fusedAttrs), run("_FusedMatMul", [a, b, bias], [m, n], { ...plain, activation: "Relu" }), `${what}, fused over kept`);
          // Written without a new version: the kept form stays (what the plan's version guards against).
          const old = Float32Array.from(b.data as Float32Array);
          for (let i = 0; i < b.size; i++) b.data[i] = fill();
          const fresh = run("MatMul", [a, b], [m, n], plain);
          const stale = run("MatMul", [a, b], [m, n], kept);
          if (m * n > 0 && k > 0 && old.some((v, i) => v !== b.data[i])) assert.notDeepEqual(stale, fresh, `${what}: the kept form was used`);
          keep.version++;
          assertBits(run("MatMul", [a, b], [m, n], kept), fresh, `${what}, after a new version`);
          // Another tensor (new storage) at the same version.
          const b2 = tensor(b.shape, fill);
          assertBits(run("MatMul", [a, b2], [m, n], kept), run("MatMul", [a, b2], [m, n], plain), `${what}, another operand`);
          const held = wasm!.memoryStats().usedBytes;
          wasm!.free!(keep.kept!.storage);
          keep.kept = undefined;
          assert.ok(held - wasm!.memoryStats().usedBytes >= 4 * k * n, `${what}: released packed weights give their memory back`);
          for (const t of [a, b, b2, bias]) wasm!.free!(t.data);
        }
      }
    }
  });
});
