/**
 * The wasm direct convolution (src/backends/wasm/conv-direct.ts, for forward convolutions of few
 * taps) against the JS reference: 1 to 3 input channels, 3×3, 5×5 and 1×3 windows, strides 1 and
 * 2, dilation 2, SAME and VALID, output widths that leave 0 to 3 pixels past the last whole tile of
 * 4, output channels short of, equal to and past the 8 of a tile, with and without the fused bias
 * and Relu, batch 1 and more. Each case must take the direct path (its counter says so). The
 * tolerance is the other convolution tests' (wasm-conv-kernels.test.ts): 4·√(k+1)·u·Σ|a||b| (k the
 * taps, Σ|a||b| + |bias| from the reference on absolute values) plus an ulp of the result. Then:
 * the Part VI CNN's first layer takes the path, and the path gives the same bits on 1, 2 and 3
 * threads.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import type * as Direct from "../../dist/backends/wasm/conv-direct.js";
import { seededRandom } from "../helpers/gradcheck.js";
import { internal } from "../helpers/internals.js";
import { compare, js, runKernel, tensor, U, ulp, wasm } from "../helpers/wasm-compare.js";
import { buildCnn } from "../../examples/part6/models.js";

const rng = seededRandom(1717);
const uniform = () => rng() * 2 - 1;
type Padding = "SAME" | "VALID";

interface Case {
  batch: number;
  c: number;
  k: [number, number];
  stride: number;
  dilation: number;
  padding: Padding;
  outW: number;
  o: number;
  /** Conv2D, or _FusedConv2D without and with Relu. */
  epilogue: "none" | "bias" | "bias+Relu";
}

/** An input extent whose output extent is `out` (TensorFlow's rule, written out for the test). */
function inputFor(out: number, k: number, stride: number, dilation: number, padding: Padding, slack: number): number {
  // SAME: out = ceil(in / stride); VALID: out = floor((in − kEff) / stride) + 1, kEff = (k − 1)·dilation + 1.
  const extra = slack % stride;
  return padding === "SAME" ? (out - 1) * stride + 1 + extra : (out - 1) * stride + (k - 1) * dilation + 1 + extra;
}

function outFor(input: number, k: number, stride: number, dilation: number, padding: Padding): number {
  return padding === "SAME" ? Math.ceil(input / stride) : Math.floor((input - (k - 1) * dilation - 1) / stride) + 1;
}

/**
 * Every combination of channels, window, stride or dilation and padding; output widths, output
 * channels, epilogues and batches cycle through their lists with lengths prime to each other, so
 * each meets the others' values.
 */
function cases(): Case[] {
  const widths = [1, 3, 5, 28];
  const outs = [1, 5, 8, 12, 32];
  const epilogues: Case["epilogue"][] = ["none", "bias", "bias+Relu"];
  const batches = [1, 3];
  const walks: [number, number][] = [[1, 1], [2, 1], [1, 2], [2, 2]];
  const list: Case[] = [];
  let i = 0;
  for (const c of [1, 2, 3]) {
    for (const k of [[3, 3], [5, 5], [1, 3]] as [number, number][]) {
      for (const [stride, dilation] of walks) {
        for (const padding of ["SAME", "VALID"] as Padding[]) {
          for (let rep = 0; rep < 2; rep++, i++) {
            list.push({ batch: batches[i % 2]!, c, k, stride, dilation, padding, outW: widths[i % 4]!, o: outs[i % 5]!, epilogue: epilogues[i % 3]! });
          }
        }
      }
    }
  }
  return list;
}

/** Checks case `c` on an input of `h`×`w` pixels (by default, of c.outW outputs across and 1 to 3 down). */
function check(c: Case, counter: { calls: number }, size?: [number, number]): void {
  const [kh, kw] = c.k;
  const h = size?.[0] ?? inputFor(1 + (c.outW % 3), kh, c.stride, c.dilation, c.padding, c.outW);
  const w = size?.[1] ?? inputFor(c.outW, kw, c.stride, c.dilation, c.padding, c.o);
  const outShape = [c.batch, outFor(h, kh, c.stride, c.dilation, c.padding), outFor(w, kw, c.stride, c.dilation, c.padding), c.o];
  if (size === undefined) assert.equal(outShape[2], c.outW, "the case's output width");
  const x = tensor([c.batch, h, w, c.c], uniform);
  const f = tensor([kh, kw, c.c, c.o], uniform);
  const fused = c.epilogue !== "none";
  const inputs = fused ? [x, f, tensor([c.o], uniform)] : [x, f];
  const name = fused ? "_FusedConv2D" : "Conv2D";
  const attrs = { strides: [1, c.stride, c.stride, 1], dilations: [1, c.dilation, c.dilation, 1], padding: c.padding, activation: c.epilogue === "bias+Relu" ? "Relu" : undefined };
  // Σ|a||b| (+ |bias|): the reference on absolute values, without the activation.
  const magnitudes = new ts.Tensor(outShape, "float32");
  const abs = inputs.map((t) => new ts.Tensor(t.shape, "float32", Float32Array.from(t.data as Float32Array, Math.abs)));
  runKernel(js, name, abs, magnitudes, { ...attrs, activation: undefined });
  const bound = magnitudes.data as Float32Array;
  const taps = kh * kw * c.c;
  const what = `${name} ${c.epilogue} x [${x.shape}] f [${f.shape}] stride ${c.stride} dilation ${c.dilation} ${c.padding}`;
  const before = counter.calls;
  compare(name, inputs, outShape, attrs, (i, r) => 4 * Math.sqrt(taps + 1) * U * bound[i]! + ulp(r), what);
  assert.equal(counter.calls - before, 1, `${what}: takes the direct path`);
}

describe("the wasm direct convolution", { skip: wasm === undefined ? "WebAssembly SIMD is not available here" : false }, () => {
  const threadsBefore = ts.getNumThreads();
  after(() => ts.setNumThreads(threadsBefore));

  test("against the JS reference: channels 1-3, windows 3×3, 5×5, 1×3, strides, dilations, SAME and VALID, edge tiles, bias and Relu", async () => {
    const { directConvStats } = await internal<typeof Direct>("backends/wasm/conv-direct.js");
    ts.setNumThreads(1);
    const list = cases();
    for (const c of list) check(c, directConvStats);
    // Rows too wide for the slab to hold more than one output row's input rows: refilled each row.
    check({ batch: 2, c: 3, k: [3, 3], stride: 1, dilation: 1, padding: "SAME", outW: 0, o: 8, epilogue: "bias+Relu" }, directConvStats, [7, 1400]);
    check({ batch: 1, c: 2, k: [5, 5], stride: 2, dilation: 2, padding: "VALID", outW: 0, o: 5, epilogue: "none" }, directConvStats, [23, 2101]);
    // Each value of each list is covered.
    for (const [key, values] of [["outW", [1, 3, 5, 28]], ["o", [1, 5, 8, 12, 32]], ["batch", [1, 3]], ["epilogue", ["none", "bias", "bias+Relu"]]] as const) {
      for (const v of values) assert.ok(list.some((c) => c[key] === v), `a case with ${key} ${v}`);
    }
  });

  test("the Part VI CNN's first convolution takes the direct path (and only it: the second is Winograd's)", async () => {
    const { directConvStats } = await internal<typeof Direct>("backends/wasm/conv-direct.js");
    const net = buildCnn({ seed: 5 });
    const s = new ts.Session(net.graph);
    for (const batch of [1, 4]) {
      const x = new ts.Tensor([batch, 28, 28, 1], "float32", Float32Array.from({ length: batch * 784 }, () => rng()));
      const before = directConvStats.calls;
      s.run(net.logits, new Map([[net.x, x]]));
      assert.equal(directConvStats.calls - before, 1, `batch ${batch}`);
    }
    s.close();
  });

  test("the other geometries keep their paths: a pointwise window, more than 256 taps, Winograd's, rows too long for the scratch", async () => {
    const { directConvStats } = await internal<typeof Direct>("backends/wasm/conv-direct.js");
    const geometries: [number[], number[], number, boolean][] = [
      [[2, 5, 6, 3], [1, 1, 3, 8], 1, false], // the GEMM reads the input in place
      [[2, 5, 6, 3], [1, 1, 3, 8], 2, true], // a 1×1 window moved by 2 does not
      [[1, 6, 6, 29], [3, 3, 29, 6], 1, false], // 261 taps
      [[1, 6, 6, 28], [3, 3, 28, 6], 1, true], // 252 taps
      [[1, 6, 6, 8], [3, 3, 8, 8], 1, false], // Winograd
      // A tile's pixels on 2 output rows read 4 padded input rows: 1.056 MB outgrow the 1 MiB scratch, 1.008 MB fit.
      [[1, 3, 22000, 3], [3, 3, 3, 4], 1, false],
      [[1, 3, 21000, 3], [3, 3, 3, 4], 1, true],
    ];
    for (const [xs, fs, stride, direct] of geometries) {
      const before = directConvStats.calls;
      const attrs = { strides: [1, stride, stride, 1], dilations: [1, 1, 1, 1], padding: "SAME" };
      runKernel(wasm!, "Conv2D", [tensor(xs, uniform), tensor(fs, uniform)], tensor([xs[0]!, Math.ceil(xs[1]! / stride), Math.ceil(xs[2]! / stride), fs[3]!], () => 0), attrs);
      assert.equal(directConvStats.calls - before, direct ? 1 : 0, `x [${xs}] f [${fs}] stride ${stride}`);
    }
  });

  test("the same bits on 1, 2 and 3 threads, split across threads past the threading size", () => {
    // Past 2^22 multiply-adds (64·28·28·9·32 = 14.4M), odd widths and channels for edge tiles.
    const shapes: [number[], number[], number][] = [
      [[64, 28, 28, 1], [3, 3, 1, 32], 1],
      [[48, 31, 29, 3], [3, 3, 3, 20], 2],
      // Chunks that start inside an image whose slab holds 7 input rows (and is refilled).
      [[4, 40, 700, 3], [5, 5, 3, 8], 1],
    ];
    for (const [xs, fs, stride] of shapes) {
      const x = tensor(xs, uniform);
      const f = tensor(fs, uniform);
      const bias = tensor([fs[3]!], uniform);
      const attrs = { strides: [1, stride, stride, 1], dilations: [1, 1, 1, 1], padding: "SAME", activation: "Relu" };
      const outShape = [xs[0]!, Math.ceil(xs[1]! / stride), Math.ceil(xs[2]! / stride), fs[3]!];
      const bits: Uint32Array[] = [];
      for (const threads of [1, 2, 3]) {
        ts.setNumThreads(threads);
        const calls = wasm!.threadStats().parallelCalls;
        const out = tensor(outShape, () => NaN);
        runKernel(wasm!, "_FusedConv2D", [x, f, bias], out, attrs);
        assert.equal(wasm!.threadStats().parallelCalls - calls, threads === 1 ? 0 : 1, `x [${xs}] on ${threads} thread(s): split across threads`);
        bits.push(new Uint32Array(Float32Array.from(out.data as Float32Array).buffer));
      }
      assert.deepEqual(bits[1], bits[0], `x [${xs}] f [${fs}]: 2 threads against 1`);
      assert.deepEqual(bits[2], bits[0], `x [${xs}] f [${fs}]: 3 threads against 1`);
    }
  });
});
