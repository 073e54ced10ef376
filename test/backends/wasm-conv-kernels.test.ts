/**
 * The wasm convolution, pooling and loss kernels against the JS reference on seeded random inputs:
 * odd sizes, strides, dilations, SAME and VALID, 1×1 windows, batch 1 and more, operands inside and
 * outside wasm memory, on 1 and 2 threads (with sizes that take the threaded paths).
 *
 * Tolerances: convolutions accumulate in float32 where the reference accumulates in float64, so
 * each element gets the GEMM's 4·√(k+1)·u·Σ|a||b| (k the terms summed, Σ|a||b| from the reference
 * on absolute values), plus kh·kw·u·Σ|a||b| for the input gradient's col2im, whose adds of up to
 * kh·kw partial sums are sequential. Where Winograd's F(2×2, 3×3) runs, |a| and |b| are the
 * largest magnitudes of the neighbours its transforms mix (within 3 pixels), and 16 more u of them.
 *
 * Where F(4×4, 3×3) runs (assembly/winograd4.ts: y = Aᵀ[Σ_c (Bᵀ d B)⊙(G g Gᵀ)]A per tile of 4×4
 * outputs, d the tile's 6×6 input block), the bound follows from its coefficients. Every float32
 * operation rounds with relative error ≤ u, and a rounded sum is off by at most u times the sum of
 * its terms' magnitudes. So, to first order, an output y[p][q] is off by at most
 *   u·(15 + 4√(C+1))·Σ_ξ |Aᵀ|[p][i]·|Aᵀ|[q][j]·Σ_c (|Bᵀ| |d| |B|)[ξ]·(|G| |g| |Gᵀ|)[ξ],  ξ = (i, j):
 * 3 roundings along any path of each of Bᵀ's two passes (a product by 5, two adds; by 4 is exact),
 * 1 for U (computed in f64, rounded once), 4 along each of Aᵀ's two passes (a product by 2, 4 or
 * 8 is exact), and the GEMM's 4√(C+1) for its sum over C products (15 rounded up to 16 below).
 * With b_i = Σ_r |Bᵀ[i][r]| = (10, 10, 10, 6, 6, 10) and γ_i = Σ_k |G[i][k]| = (¼, ½, ½, 7/24,
 * 7/24, 1), so b_i·γ_i = (2.5, 5, 5, 1.75, 1.75, 10), and |d| ≤ D, |g| ≤ F (the largest of the
 * block's inputs and of the 9 taps), the sum over ξ is at most
 *   D·F·(Σ_i |Aᵀ[p][i]|·b_i·γ_i)·(Σ_j |Aᵀ[q][j]|·b_j·γ_j) ≤ D·F·48²,
 * the row sums being 16, 17, 24 and 48 for p = 0 … 3. The reference on magnitudes counts D·F nine
 * times per channel (once per tap), with D the largest input within 5 pixels of each tap (which
 * covers the 6×6 block of every output of the tile) and F from tapMax: hence the tolerance
 * (16 + 4√(C+1))·(48²/9 = 256)·u·Σ|a||b|. That worst case is loose (0.1 for 32 channels of
 * values in ±1, against measured errors near 1e-4), so a second check bounds the error's RMS over a
 * large random convolution relative to the output's RMS (see F4_RMS). Outputs whose windows see
 * only zeros must be exact (the kernel stores them as 0: the transforms would leave residues).
 *
 * Pooling must equal the reference bit for bit (the first maximum on ties, f64 sums for
 * averages). Losses use float32 exponentials and logarithms (a few ulps each) where the reference
 * uses float64 ones.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { seededRandom } from "../helpers/gradcheck.js";
import { compare, exact, js, runKernel, sizeOf, tensor, U, ulp, wasm } from "../helpers/wasm-compare.js";

const rng = seededRandom(4242);
const uniform = (lo: number, hi: number) => () => lo + (hi - lo) * rng();
type Padding = "SAME" | "VALID";

/** Output extent along one dimension, from TensorFlow's rule (written here for the test). */
function outSize(input: number, k: number, stride: number, dilation: number, padding: Padding): number {
  return padding === "SAME" ? Math.ceil(input / stride) : Math.floor((input - (k - 1) * dilation - 1) / stride) + 1;
}

/** |t| as a tensor in an ordinary array. */
function abs(t: ts.Tensor): ts.Tensor {
  return new ts.Tensor(t.shape, "float32", Float32Array.from(t.data as Float32Array, Math.abs));
}

/** Σ|a||b| per output element: the reference kernel on absolute values. */
function magnitudes(name: string, inputs: ts.Tensor[], outShape: readonly number[], attrs: unknown): Float32Array {
  const out = new ts.Tensor(outShape, "float32");
  runKernel(js, name, inputs.map(abs), out, attrs);
  return out.data as Float32Array;
}

/** max |t| over each pixel's (2r+1)×(2r+1) neighbourhood, per image and channel (NHWC). */
function neighbourhoodMax(t: ts.Tensor, r: number): ts.Tensor {
  const [n, h, w, c] = t.shape as [number, number, number, number];
  const d = t.data as Float32Array;
  const out = new Float32Array(t.size);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) {
          let m = 0;
          for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++)
            for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) m = Math.max(m, Math.abs(d[((b * h + yy) * w + xx) * c + k]!));
          out[((b * h + y) * w + x) * c + k] = m;
        }
  return new ts.Tensor(t.shape, "float32", out);
}

/** max |f| over the window's taps, per (input, output) channel pair, at every tap. */
function tapMax(f: ts.Tensor): ts.Tensor {
  const [kh, kw, ci, co] = f.shape as [number, number, number, number];
  const d = f.data as Float32Array;
  const out = new Float32Array(f.size);
  for (let p = 0; p < ci * co; p++) {
    let m = 0;
    for (let t = 0; t < kh * kw; t++) m = Math.max(m, Math.abs(d[t * ci * co + p]!));
    for (let t = 0; t < kh * kw; t++) out[t * ci * co + p] = m;
  }
  return new ts.Tensor(f.shape, "float32", out);
}

/**
 * Where the wasm backend uses Winograd's minimal filtering, and which form, for a kernel of
 * outH×outW outputs (its rule, restated for the test): 0 for none, 4 for F(4×4, 3×3) where it has
 * at most half as many tiles as F(2×2, 3×3), else 2: the forward pass's form, and the input
 * gradient's over the input's extent. The filter gradient takes 2 (F(3×3, 2×2)) wherever Winograd
 * applies.
 */
function winogradForm(c: ConvCase, outH: number, outW: number): 0 | 2 | 4 {
  const [, , cIn, cOut] = c.f;
  const unit = (p?: [number, number]) => p === undefined || (p[0] === 1 && p[1] === 1);
  if (!(c.f[0] === 3 && c.f[1] === 3 && unit(c.strides) && unit(c.dilations) && cIn % 4 === 0 && cOut % 4 === 0 && cIn >= 8 && cOut >= 8)) return 0;
  return 2 * Math.ceil(outH / 4) * Math.ceil(outW / 4) <= Math.ceil(outH / 2) * Math.ceil(outW / 2) ? 4 : 2;
}

/** F(4×4, 3×3)'s growth over the reference's magnitudes, 48²/9 (see the header). */
const F4_GROWTH = 256;

/**
 * Tolerance per element: the GEMM's for a sum of k products over Σ|a||b| = bound[i] (see the
 * header), `extra` more u of it, and for Winograd's forms their own: F(2×2, 3×3) 16 more u,
 * F(4×4, 3×3) the derived bound over its sum of `channels` products.
 */
function convTol(form: 0 | 2 | 4, bound: Float32Array, k: number, channels: number, extra = 0): (i: number, r: number) => number {
  if (form === 4) return (i, r) => (16 + 4 * Math.sqrt(channels + 1)) * F4_GROWTH * U * bound[i]! + ulp(r);
  const factor = 4 * Math.sqrt(k + 1) + extra + (form === 2 ? 16 : 0);
  return (i, r) => factor * U * bound[i]! + ulp(r);
}

/** Neighbours within reach of the form's input block: 3 pixels for F(2×2, 3×3), 5 for F(4×4, 3×3). */
const near = (t: ts.Tensor, form: 0 | 2 | 4): ts.Tensor => (form === 0 ? t : neighbourhoodMax(t, form === 4 ? 5 : 3));

interface ConvCase {
  x: [number, number, number, number];
  f: [number, number, number, number];
  strides?: [number, number];
  dilations?: [number, number];
  padding: Padding;
}

function checkConv(c: ConvCase, where: "wasm" | "js" = "wasm"): void {
  const [n, h, w, cIn] = c.x;
  const [kh, kw, , cOut] = c.f;
  const [sh, sw] = c.strides ?? [1, 1];
  const [dh, dw] = c.dilations ?? [1, 1];
  const attrs = { strides: [1, sh, sw, 1], dilations: [1, dh, dw, 1], padding: c.padding };
  const yShape = [n, outSize(h, kh, sh, dh, c.padding), outSize(w, kw, sw, dw, c.padding), cOut];
  const x = tensor(c.x, uniform(-1, 1), where);
  const f = tensor(c.f, uniform(-1, 1), where);
  const dy = tensor(yShape, uniform(-1, 1), where);
  const what = `x [${c.x}] f [${c.f}] strides [${sh},${sw}] dilations [${dh},${dw}] ${c.padding} (operands in ${where} memory)`;
  // Winograd's transforms mix the values of an input block, a block of dy and the 9 taps of a
  // filter: its rounding errors scale with those neighbours' magnitudes, not only the terms'.
  const forwardForm = winogradForm(c, yShape[1]!, yShape[2]!);
  const inputForm = winogradForm(c, h, w);
  const filterForm = forwardForm === 0 ? 0 : 2;
  const mf = (form: 0 | 2 | 4) => (form === 0 ? f : tapMax(f));

  const forward = magnitudes("Conv2D", [near(x, forwardForm), mf(forwardForm)], yShape, attrs);
  compare("Conv2D", [x, f], yShape, attrs, convTol(forwardForm, forward, kh * kw * cIn, cIn), what, where);
  // Conv2DBackpropInput(like, filter, dy) and Conv2DBackpropFilter(x, like, dy).
  const input = magnitudes("Conv2DBackpropInput", [x, mf(inputForm), near(dy, inputForm)], c.x, attrs);
  compare("Conv2DBackpropInput", [x, f, dy], c.x, attrs, convTol(inputForm, input, kh * kw * cOut, cOut, kh * kw), what, where);
  const filter = magnitudes("Conv2DBackpropFilter", [near(x, filterForm), f, near(dy, filterForm)], c.f, attrs);
  compare("Conv2DBackpropFilter", [x, f, dy], c.f, attrs, convTol(filterForm, filter, sizeOf(yShape.slice(0, 3)), 0), what, where);
}

const CONV_CASES: ConvCase[] = [
  { x: [1, 5, 5, 1], f: [3, 3, 1, 1], padding: "SAME" },
  { x: [2, 7, 6, 3], f: [3, 2, 3, 5], strides: [2, 1], padding: "VALID" },
  { x: [3, 9, 8, 4], f: [3, 3, 4, 8], strides: [2, 2], padding: "SAME" },
  { x: [2, 10, 9, 5], f: [3, 3, 5, 6], dilations: [2, 2], padding: "SAME" },
  { x: [1, 8, 8, 2], f: [2, 3, 2, 3], strides: [1, 2], dilations: [2, 1], padding: "VALID" },
  { x: [2, 6, 7, 3], f: [4, 5, 3, 2], strides: [3, 2], padding: "SAME" },
  { x: [1, 3, 3, 2], f: [3, 3, 2, 4], padding: "VALID" },
  // 1×1 windows: stride 1 reads the input as the patch matrix; stride 2 does not.
  { x: [2, 5, 6, 7], f: [1, 1, 7, 9], padding: "VALID" },
  { x: [2, 5, 6, 7], f: [1, 1, 7, 9], padding: "SAME" },
  { x: [2, 5, 6, 7], f: [1, 1, 7, 9], strides: [2, 2], padding: "SAME" },
  // A window larger than the input (SAME pads more than the input holds).
  { x: [1, 2, 3, 3], f: [5, 5, 3, 2], padding: "SAME" },
  // 3×3, stride 1, channels in multiples of 4 from 8: Winograd forward and for the input gradient
  // (odd extents clip the last tiles; tiny images are all padding). F(4×4, 3×3) where the rule
  // says (winogradForm): outputs 7×9, 4×9; F(2×2, 3×3) at 1×1, 2×1 and 2×9.
  { x: [2, 7, 9, 8], f: [3, 3, 8, 12], padding: "SAME" },
  { x: [3, 6, 11, 12], f: [3, 3, 12, 8], padding: "VALID" },
  { x: [1, 3, 3, 8], f: [3, 3, 8, 8], padding: "VALID" },
  { x: [1, 2, 1, 8], f: [3, 3, 8, 16], padding: "SAME" },
  { x: [2, 2, 9, 8], f: [3, 3, 8, 12], padding: "SAME" },
  // More input channels than one k-block of the packed U (256 rows), output channels short of a sliver.
  { x: [1, 5, 4, 260], f: [3, 3, 260, 12], padding: "SAME" },
  // Past the direct convolution's 256 taps (wasm-conv-direct.test.ts has those below): the forward
  // pass by im2col, by rows and (fewer than 4 channels) transposed.
  { x: [2, 7, 6, 30], f: [3, 3, 30, 5], strides: [2, 1], padding: "VALID" },
  { x: [1, 9, 9, 3], f: [10, 10, 3, 4], padding: "SAME" },
  // F(4×4, 3×3): one tile (4×4), clipped tiles (5×5, 13×14), 28×28; C and O of 8, 12, 32, 64, 260.
  { x: [1, 4, 4, 8], f: [3, 3, 8, 12], padding: "SAME" },
  { x: [2, 5, 5, 12], f: [3, 3, 12, 8], padding: "SAME" },
  { x: [2, 13, 14, 32], f: [3, 3, 32, 12], padding: "SAME" },
  { x: [1, 30, 30, 8], f: [3, 3, 8, 64], padding: "VALID" },
  { x: [1, 6, 7, 260], f: [3, 3, 260, 32], padding: "SAME" },
  { x: [1, 7, 5, 12], f: [3, 3, 12, 260], padding: "SAME" },
  // F(4×4, 3×3) by the rule, but its block of tiles does not fit the scratch for 8 + 1800 channels
  // (F(2×2, 3×3)'s, with fewer planes, does): the forward pass and the input gradient fall back.
  { x: [1, 4, 4, 8], f: [3, 3, 8, 1800], padding: "SAME" },
];

/**
 * Several blocks of rows (or of Winograd tiles, in the first), a split on two threads (past 2^22
 * multiply-adds), several partial filters.
 */
const CONV_THREADED: ConvCase[] = [
  { x: [4, 20, 20, 16], f: [3, 3, 16, 32], padding: "SAME" },
  { x: [18, 29, 31, 1], f: [3, 3, 1, 32], padding: "SAME" },
];

interface PoolCase {
  x: [number, number, number, number];
  k: [number, number];
  s: [number, number];
  padding: Padding;
}

const POOL_CASES: PoolCase[] = [
  { x: [1, 4, 4, 1], k: [2, 2], s: [2, 2], padding: "VALID" },
  { x: [2, 7, 9, 6], k: [3, 3], s: [2, 2], padding: "SAME" },
  { x: [3, 5, 6, 4], k: [2, 3], s: [1, 2], padding: "SAME" },
  { x: [2, 6, 5, 3], k: [3, 3], s: [1, 1], padding: "VALID" },
  { x: [1, 3, 4, 9], k: [5, 4], s: [3, 1], padding: "SAME" },
  { x: [2, 9, 7, 8], k: [1, 1], s: [2, 3], padding: "VALID" },
  // Windows that tile the input exactly (the gradient writes each pixel once, without zeroing first).
  { x: [2, 6, 9, 6], k: [2, 3], s: [2, 3], padding: "VALID" },
  // The Part VI CNN's first pooling at batch 1; 2×2 windows clipped at SAME's edge over 4 + 1 channels.
  { x: [1, 28, 28, 32], k: [2, 2], s: [2, 2], padding: "VALID" },
  { x: [2, 7, 7, 5], k: [2, 2], s: [2, 2], padding: "SAME" },
];

/** Past the pools' threading size: 2^18 input elements. */
const POOL_THREADED: PoolCase[] = [{ x: [4, 64, 64, 16], k: [2, 2], s: [2, 2], padding: "SAME" }];

/** Values with many ties, signed zeros and a few NaNs and infinities: the first-maximum rule decides. */
function tiedValue(): number {
  const u = rng();
  if (u < 0.02) return NaN;
  if (u < 0.04) return -Infinity;
  if (u < 0.05) return Infinity;
  if (u < 0.15) return -0;
  return Math.floor(rng() * 4) - 2;
}

function checkPool(c: PoolCase, values: () => number, where: "wasm" | "js" = "wasm"): void {
  const [n, h, w, ch] = c.x;
  const attrs = { ksize: [1, ...c.k, 1], strides: [1, ...c.s, 1], padding: c.padding };
  const yShape = [n, outSize(h, c.k[0], c.s[0], 1, c.padding), outSize(w, c.k[1], c.s[1], 1, c.padding), ch];
  const x = tensor(c.x, values, where);
  const y = tensor(yShape, () => 0, where);
  // Signed zeros in dy: the reference adds dy to a zeroed dx, so a −0 lands as 0.
  const dy = tensor(yShape, (i) => (i % 5 === 2 ? -0 : uniform(-1, 1)()), where);
  const gx = tensor(c.x, uniform(-1, 1), where);
  const what = `x [${c.x}] ksize [${c.k}] strides [${c.s}] ${c.padding} (operands in ${where} memory)`;
  compare("MaxPool", [x], yShape, attrs, exact, what, where);
  compare("MaxPoolGrad", [x, y, dy], c.x, attrs, exact, what, where);
  compare("MaxPoolGradGrad", [x, y, gx], yShape, attrs, exact, what, where);
  // Averages: the reference sums and divides in float64, and so does the wasm kernel.
  const finite = tensor(c.x, uniform(-3, 3), where);
  compare("AvgPool", [finite], yShape, attrs, exact, what, where);
  compare("AvgPoolGrad", [finite, dy], c.x, attrs, exact, what, where);
}

/** Loss logits: random rows, plus rows of huge, tied and infinite logits when there is room. */
function logits(rows: number, classes: number, where: "wasm" | "js" = "wasm"): ts.Tensor {
  const special = [
    [1000, -1000, 0],
    [-Infinity, 3, -Infinity],
    [5, 5, 5],
    [-Infinity, -Infinity, -Infinity],
  ];
  return tensor([rows, classes], (i) => {
    const r = Math.floor(i / classes);
    const c = i % classes;
    return rows > special.length + 2 && r < special.length ? special[r]![c % 3]! : uniform(-30, 30)();
  }, where);
}

function labelsFor(shape: readonly number[], classes: number): ts.Tensor {
  return new ts.Tensor(shape, "int32", Int32Array.from({ length: sizeOf(shape) }, () => Math.floor(rng() * classes)));
}

/**
 * A small CNN trained by Adam on `batch` random 16×16 images: its second convolution
 * (batch·8·8·9·16·32 multiply-adds) is past the threading size, on Winograd's paths, so its filter
 * gradient splits into partial filters.
 */
function smallCnn(batch: number) {
  const graph = new ts.Graph();
  return graph.asDefault(() => {
    const x = ts.placeholder("float32", [null, 16, 16, 1]);
    const y = ts.placeholder("int32", [null]);
    ts.setRandomSeed(7);
    let h = ts.layers.conv2d(x, 16, 3, { padding: "same", activation: ts.nn.relu });
    h = ts.layers.maxPooling2d(h, 2, 2);
    h = ts.layers.conv2d(h, 32, 3, { padding: "same", activation: ts.nn.relu });
    h = ts.layers.maxPooling2d(h, 2, 2);
    const logits = ts.layers.dense(ts.layers.flatten(h), 10);
    const loss = ts.reduceMean(ts.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits }));
    const step = new ts.train.AdamOptimizer(1e-3).minimize(loss);
    const feeds = new Map<ts.Node, ts.Tensor>([
      [x, new ts.Tensor([batch, 16, 16, 1], "float32", Float32Array.from({ length: batch * 256 }, uniform(0, 1)))],
      [y, new ts.Tensor([batch], "int32", Int32Array.from({ length: batch }, (_, i) => i % 10))],
    ]);
    return { graph, loss, step, feeds };
  });
}

describe("wasm convolution, pooling and loss kernels vs the JS reference", { skip: wasm === undefined ? "WebAssembly SIMD is not available here" : false }, () => {
  const threadsBefore = ts.getNumThreads();
  after(() => ts.setNumThreads(threadsBefore));

  for (const threads of [1, 2]) {
    describe(`${threads} thread(s)`, () => {
      before(() => ts.setNumThreads(threads));

      test("Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter: strides, dilations, SAME and VALID, 1×1 windows", () => {
        for (const c of CONV_CASES) checkConv(c);
        checkConv(CONV_CASES[3]!, "js");
      });

      test("Conv2D and its gradients: several row blocks, split across threads", () => {
        const before = wasm!.threadStats().parallelCalls;
        for (const c of CONV_THREADED) checkConv(c);
        const calls = wasm!.threadStats().parallelCalls - before;
        // Each case: the forward pass, the input gradient (by image) and the filter gradient.
        assert.equal(calls, threads === 1 ? 0 : 3 * CONV_THREADED.length, "each convolution runs on every thread");
      });

      test("Conv2D and its gradients: an empty batch, and patches too long for the scratch (the JS kernel)", () => {
        const attrs = { strides: [1, 1, 1, 1], dilations: [1, 1, 1, 1], padding: "SAME" };
        const x = tensor([0, 4, 4, 2], () => 0);
        const f = tensor([3, 3, 2, 3], uniform(-1, 1));
        const dy = tensor([0, 4, 4, 3], () => 0);
        compare("Conv2D", [x, f], [0, 4, 4, 3], attrs, exact, "empty batch");
        compare("Conv2DBackpropFilter", [x, f, dy], [3, 3, 2, 3], attrs, exact, "empty batch: a zero filter gradient");
        // K = 3·3·2000 taps: four rows of the patch matrix exceed the scratch block.
        const wide: ConvCase = { x: [1, 3, 3, 2000], f: [3, 3, 2000, 2], padding: "SAME" };
        checkConv(wide);
      });

      test("MaxPool, MaxPoolGrad, MaxPoolGradGrad, AvgPool, AvgPoolGrad: ties, signed zeros, NaN, clipped windows", () => {
        for (const c of POOL_CASES) checkPool(c, tiedValue);
        for (const c of POOL_CASES) checkPool(c, uniform(-1, 1));
        checkPool(POOL_CASES[1]!, tiedValue, "js");
      });

      test("Pooling: the threaded size", () => {
        const before = wasm!.threadStats().parallelCalls;
        for (const c of POOL_THREADED) checkPool(c, tiedValue);
        assert.equal(wasm!.threadStats().parallelCalls - before, threads === 1 ? 0 : 5, "each of the five pooling kernels runs on every thread");
      });

      test("a steady-state CNN training step allocates no wasm memory (scratch, staging and partial filters are reused)", () => {
        const { graph, loss, step, feeds } = smallCnn(16);
        const s = new ts.Session({ graph });
        for (let i = 0; i < 3; i++) s.run([loss, step], feeds);
        const warm = wasm!.memoryStats();
        const calls = wasm!.threadStats().parallelCalls;
        for (let i = 0; i < 10; i++) s.run([loss, step], feeds);
        assert.deepEqual(wasm!.memoryStats(), warm);
        if (threads > 1) assert.ok(wasm!.threadStats().parallelCalls - calls >= 30, "the second convolution and its gradients run on every thread");
        s.close();
      });

      if (threads === 1) test("SparseSoftmaxCrossEntropyWithLogits and its backprop, SoftmaxCrossEntropyWithLogits, LogSoftmax", () => {
        const lossTol = (_i: number, r: number) => 4 * ulp(r) + 64 * U;
        // softmax − one_hot: float32 e^(x − max) is off by up to |x − max|·u relatively (|x − max| ≤ 60 here).
        const gradTol = (_i: number, r: number) => 4 * ulp(r) + 64 * U * (Math.abs(r) + 1);
        for (const [rows, classes] of [[1, 1], [5, 10], [7, 3], [9, 13], [64, 1001]] as [number, number][]) {
          for (const where of ["wasm", "js"] as const) {
            const x = logits(rows, classes, where);
            const y = labelsFor([rows], classes);
            const what = `logits [${rows},${classes}] in ${where} memory`;
            compare("SparseSoftmaxCrossEntropyWithLogits", [y, x], [rows], {}, lossTol, what, where);
            compare("SparseSoftmaxCrossEntropyBackprop", [y, x], [rows, classes], {}, gradTol, what, where);
            compare("LogSoftmax", [x], [rows, classes], { axis: -1 }, (_i, r) => 4 * ulp(r) + 64 * U, what, where);
            // Dense labels: distributions with zeros; |error| ≤ Σ|z| times the log-sum-exp's.
            const z = tensor([rows, classes], () => (rng() < 0.3 ? 0 : rng()), where);
            const zSums = Array.from({ length: rows }, (_, r) => (z.data as Float32Array).subarray(r * classes, (r + 1) * classes).reduce((s, v) => s + v, 0));
            compare("SoftmaxCrossEntropyWithLogits", [z, x], [rows], { axis: -1 }, (i, r) => 4 * ulp(r) + 64 * U * (zSums[i]! + 1), what, where);
          }
        }
        // Labels of more than one axis; a class axis that is not the last (the JS kernel).
        const x = logits(6, 7);
        compare("SparseSoftmaxCrossEntropyWithLogits", [labelsFor([2, 3], 7), new ts.Tensor([2, 3, 7], "float32", x.data)], [2, 3], {}, lossTol, "labels [2,3]");
        const z = tensor([6, 7], uniform(0, 1));
        compare("SoftmaxCrossEntropyWithLogits", [z, x], [7], { axis: 0 }, exact, "class axis 0");
        compare("LogSoftmax", [x], [6, 7], { axis: 0 }, exact, "class axis 0");
      });

      if (threads === 1) test("SparseSoftmaxCrossEntropyWithLogits: a label out of range is refused before anything is written", () => {
        const x = logits(3, 4);
        const y = new ts.Tensor([3], "int32", Int32Array.of(1, 4, 0));
        const out = tensor([3], () => 7);
        assert.throws(() => runKernel(wasm!, "SparseSoftmaxCrossEntropyWithLogits", [y, x], out, {}), /label value of 4 \(row 1\).*\[0, 4\)/);
        assert.deepEqual([...out.data], [7, 7, 7]);
      });
    });
  }

  test("Conv2DBackpropFilter gives the same bits on 1, 2, 3 and 8 threads (its partial filters follow the size, not the threads)", () => {
    // The partial filters' sum is grouped by chunk; were the chunks cut by thread, a training step's
    // filter gradient (and so CNN training) would change in its last bits with setNumThreads.
    const cases: ConvCase[] = [...CONV_THREADED, { x: [64, 14, 14, 32], f: [3, 3, 32, 64], padding: "SAME" }];
    for (const c of cases) {
      const [n, h, w] = c.x;
      const attrs = { strides: [1, 1, 1, 1], dilations: [1, 1, 1, 1], padding: c.padding };
      const x = tensor(c.x, uniform(-1, 1));
      const dy = tensor([n, outSize(h, c.f[0], 1, 1, c.padding), outSize(w, c.f[1], 1, 1, c.padding), c.f[3]], uniform(-1, 1));
      const like = tensor(c.f, () => 0);
      const bits: Uint32Array[] = [];
      for (const threads of [1, 2, 3, 8]) {
        ts.setNumThreads(threads);
        const out = tensor(c.f, () => NaN);
        runKernel(wasm!, "Conv2DBackpropFilter", [x, like, dy], out, attrs);
        bits.push(new Uint32Array(Float32Array.from(out.data as Float32Array).buffer));
      }
      for (let i = 1; i < bits.length; i++) assert.deepEqual(bits[i], bits[0], `x [${c.x}] f [${c.f}]: threads [1, 2, 3, 8][${i}] against 1 thread`);
    }
  });

  test("_FusedConv2D by F(4×4, 3×3): bias and Relu in its store, batch 1 and several", () => {
    for (const c of [
      { x: [1, 14, 14, 32], f: [3, 3, 32, 64] },
      { x: [3, 13, 14, 12], f: [3, 3, 12, 8] },
      { x: [2, 5, 5, 8], f: [3, 3, 8, 260] },
    ] as const) {
      const convCase: ConvCase = { x: [...c.x], f: [...c.f], padding: "SAME" };
      const [n, h, w] = c.x;
      assert.equal(winogradForm(convCase, h, w), 4);
      const yShape = [n, h, w, c.f[3]];
      const x = tensor(c.x, uniform(-1, 1));
      const f = tensor(c.f, uniform(-1, 1));
      const bias = tensor([c.f[3]], uniform(-2, 2));
      for (const activation of [undefined, "Relu"] as const) {
        const attrs = { strides: [1, 1, 1, 1], dilations: [1, 1, 1, 1], padding: "SAME", activation };
        // The convolution's tolerance, and an ulp of the sum with the bias; Relu only clamps errors.
        const bound = magnitudes("Conv2D", [neighbourhoodMax(x, 5), tapMax(f)], yShape, attrs);
        const conv = convTol(4, bound, 9 * c.f[2], c.f[2]);
        compare("_FusedConv2D", [x, f, bias], yShape, attrs, (i, r) => conv(i, r) + ulp(Math.abs(r) + 2), `x [${c.x}] f [${c.f}] ${activation ?? "no activation"}`);
      }
    }
  });

  test("F(4×4, 3×3): an output whose 3×3 window sees only zeros (±0, or padding) is exactly the bias, as the direct sum gives", () => {
    // Images of zeros (some −0) with a few nonzero pixels: most tiles mix outputs of all-zero
    // windows with others, whose values the transforms would leave as residues in the former.
    const [n, h, w, cIn, cOut] = [3, 13, 14, 16, 12];
    const c: ConvCase = { x: [n, h, w, cIn], f: [3, 3, cIn, cOut], padding: "SAME" };
    assert.equal(winogradForm(c, h, w), 4);
    const spots = new Set([[0, 2, 3], [0, 9, 11], [1, 6, 6], [2, 0, 0], [2, 12, 13]].map(([b, y, x]) => (b! * h + y!) * w + x!));
    const x = tensor(c.x, (i) => (spots.has(Math.floor(i / cIn)) ? uniform(-1, 1)() : i % 3 === 0 ? -0 : 0));
    const f = tensor(c.f, uniform(-1, 1));
    const bias = tensor([cOut], uniform(-1, 1));
    const attrs = { strides: [1, 1, 1, 1], dilations: [1, 1, 1, 1], padding: "SAME", activation: undefined };
    const yShape = [n, h, w, cOut];
    const ref = new ts.Tensor(yShape, "float32");
    runKernel(js, "_FusedConv2D", [x, f, bias], ref, attrs);
    const got = tensor(yShape, () => NaN);
    runKernel(wasm!, "_FusedConv2D", [x, f, bias], got, attrs);
    let zeroWindows = 0;
    for (let p = 0; p < n * h * w; p++) {
      const [b, y, xx] = [Math.floor(p / (h * w)), Math.floor(p / w) % h, p % w];
      let sees = false;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sees ||= spots.has((b * h + y + dy) * w + xx + dx) && y + dy >= 0 && y + dy < h && xx + dx >= 0 && xx + dx < w;
      if (sees) continue;
      zeroWindows++;
      for (let o = 0; o < cOut; o++) assert.ok(Object.is(got.data[p * cOut + o], bias.data[o]), `output ${p} channel ${o}: ${got.data[p * cOut + o]}, want the bias ${bias.data[o]}`);
    }
    assert.ok(zeroWindows > n * h * w / 2, "most windows see only zeros");
    // The others, within F(4×4, 3×3)'s bound.
    const bound = magnitudes("Conv2D", [neighbourhoodMax(x, 5), tapMax(f)], yShape, attrs);
    compare("_FusedConv2D", [x, f, bias], yShape, attrs, (i, r) => convTol(4, bound, 9 * cIn, cIn)(i, r) + ulp(Math.abs(r) + 1), "sparse images");
  });

  test("a kept filter is transformed for the form the image size takes (F(4×4, 3×3), then F(2×2, 3×3), then F(4×4, 3×3) again): the bits of the filter transformed per call", () => {
    const f = tensor([3, 3, 8, 12], uniform(-1, 1));
    const bias = tensor([12], uniform(-1, 1));
    const keep = { version: 0, allocate: (floats: number) => wasm!.allocate("float32", floats), kept: undefined as { storage: ts.TypedArray } | undefined };
    const attrs = { strides: [1, 1, 1, 1], dilations: [1, 1, 1, 1], padding: "SAME", activation: "Relu" };
    for (const side of [6, 2, 6, 2]) {
      const c: ConvCase = { x: [2, side, side, 8], f: [3, 3, 8, 12], padding: "SAME" };
      assert.equal(winogradForm(c, side, side), side === 6 ? 4 : 2);
      const x = tensor(c.x, uniform(-1, 1));
      const run = (a: object) => {
        const out = tensor([2, side, side, 12], () => NaN);
        runKernel(wasm!, "_FusedConv2D", [x, f, bias], out, a);
        return new Uint32Array(Float32Array.from(out.data as Float32Array).buffer);
      };
      assert.deepEqual(run({ ...attrs, keptFilter: keep }), run(attrs), `${side}×${side} images`);
      assert.ok(keep.kept !== undefined, "the kernel keeps the transformed filter");
    }
    wasm!.free!(keep.kept!.storage);
  });

  test("F(4×4, 3×3): the error's RMS over a large random convolution is within F4_RMS of the output's (forward and input gradient)", () => {
    // Rounding errors of random sign add in quadrature, not as the header's worst case, which
    // tolerates errors near 1e-2 of the output here. Over 28×28 images of 32 → 64 channels the
    // forward pass and the input gradient measure 1.4e-6 and 1.8e-6 of the output's RMS
    // (F(2×2, 3×3): 2.1e-7 and 2.7e-7): F4_RMS leaves a factor of 5. G's 1/24 taken as 1/25 (4 %
    // off) gives 0.14, a sign wrong errors of the output's order.
    const F4_RMS = 1e-5;
    const c: ConvCase = { x: [4, 28, 28, 32], f: [3, 3, 32, 64], padding: "SAME" };
    assert.equal(winogradForm(c, 28, 28), 4);
    const attrs = { strides: [1, 1, 1, 1], dilations: [1, 1, 1, 1], padding: "SAME" };
    const x = tensor(c.x, uniform(-1, 1));
    const f = tensor(c.f, uniform(-1, 1));
    const dy = tensor([4, 28, 28, 64], uniform(-1, 1));
    for (const [what, name, inputs, shape] of [
      ["forward", "Conv2D", [x, f], [4, 28, 28, 64]],
      ["input gradient", "Conv2DBackpropInput", [x, f, dy], c.x],
    ] as const) {
      const ref = new ts.Tensor(shape, "float32");
      runKernel(js, name, [...inputs], ref, attrs);
      const got = tensor(shape, () => NaN);
      runKernel(wasm!, name, [...inputs], got, attrs);
      let err = 0;
      let out = 0;
      for (let i = 0; i < ref.size; i++) {
        err += (got.data[i]! - ref.data[i]!) ** 2;
        out += ref.data[i]! ** 2;
      }
      const relative = Math.sqrt(err / out);
      assert.ok(relative < F4_RMS, `${what}: RMS error ${relative} of the output's RMS, want < ${F4_RMS}`);
    }
  });

  test("F(4×4, 3×3) gives the same bits on 1, 2 and 3 threads (forward, fused, pooled staged or not, and input gradient)", () => {
    const c: ConvCase = { x: [8, 28, 28, 16], f: [3, 3, 16, 32], padding: "SAME" };
    assert.equal(winogradForm(c, 28, 28), 4);
    const x = tensor(c.x, uniform(-1, 1));
    const f = tensor(c.f, uniform(-1, 1));
    const bias = tensor([32], uniform(-1, 1));
    const dy = tensor([8, 28, 28, 32], uniform(-1, 1));
    const attrs = { strides: [1, 1, 1, 1], dilations: [1, 1, 1, 1], padding: "SAME", activation: "Relu" };
    const pool = { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: "VALID" };
    // 8 images: staged on 1 and 2 threads, through a temporary on 3 (fewer than 4 chunks a thread).
    for (const [name, inputs, kernelAttrs, shape] of [
      ["Conv2D", [x, f], attrs, [8, 28, 28, 32]],
      ["_FusedConv2D", [x, f, bias], attrs, [8, 28, 28, 32]],
      ["_FusedConv2DMaxPool", [x, f, bias], { ...attrs, pool }, [8, 14, 14, 32]],
      ["Conv2DBackpropInput", [x, f, dy], attrs, c.x],
    ] as const) {
      const bits: Uint32Array[] = [];
      for (const threads of [1, 2, 3]) {
        ts.setNumThreads(threads);
        const before = wasm!.threadStats().parallelCalls;
        const out = tensor(shape, () => NaN);
        runKernel(wasm!, name, [...inputs], out, kernelAttrs);
        assert.equal(wasm!.threadStats().parallelCalls - before > 0, threads > 1, `${name} runs on ${threads} thread(s)`);
        bits.push(new Uint32Array(Float32Array.from(out.data as Float32Array).buffer));
      }
      assert.deepEqual(bits[1], bits[0], `${name} ${JSON.stringify(kernelAttrs)}: 2 threads against 1`);
      assert.deepEqual(bits[2], bits[0], `${name} ${JSON.stringify(kernelAttrs)}: 3 threads against 1`);
    }
  });

  test("a CNN's training steps give the same bits on 1, 2 and 3 threads", () => {
    const { graph, loss, step, feeds } = smallCnn(32);
    const runs: Uint32Array[][] = [];
    for (const threads of [1, 2, 3]) {
      ts.setNumThreads(threads);
      const s = new ts.Session({ graph });
      for (let i = 0; i < 3; i++) s.run([loss, step], feeds);
      runs.push(graph.trainableVariables().map((v) => new Uint32Array(Float32Array.from(s.readVariable(v).data as Float32Array).buffer)));
      s.close();
    }
    graph.trainableVariables().forEach((v, i) => {
      assert.deepEqual(runs[1]![i], runs[0]![i], `${v.name}: 2 threads against 1`);
      assert.deepEqual(runs[2]![i], runs[0]![i], `${v.name}: 3 threads against 1`);
    });
  });
});
