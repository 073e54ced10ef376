/**
 * Convolutional layers: conv2d equals a cross-correlation computed here from the layer's own
 * variables (TensorFlow's SAME/VALID rules), names as TensorFlow 1.x, NHWC shape inference with an
 * unknown batch, pooling layers by hand, errors, and a small CNN that trains.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { inGraph, throwsWith } from "../helpers/graph-run.js";

/**
 * out[n,y,x,o] = b[o] + Σ_{i,j,c} in[n, y·s + i − padTop, x·s + j − padLeft, c]·k[i,j,c,o], zeros
 * outside the input; SAME: out = ceil(in/s), total padding max((out−1)·s + k − in, 0), the smaller
 * half before.
 */
function conv2dRef(input: ts.Tensor, kernel: ts.Tensor, bias: ts.Tensor, stride: number, same: boolean): { shape: number[]; data: Float64Array } {
  const [n, h, w, c] = input.shape as [number, number, number, number];
  const [kh, kw, , f] = kernel.shape as [number, number, number, number];
  const outH = same ? Math.ceil(h / stride) : Math.ceil((h - kh + 1) / stride);
  const outW = same ? Math.ceil(w / stride) : Math.ceil((w - kw + 1) / stride);
  const padTop = same ? Math.floor(Math.max((outH - 1) * stride + kh - h, 0) / 2) : 0;
  const padLeft = same ? Math.floor(Math.max((outW - 1) * stride + kw - w, 0) / 2) : 0;
  const out = new Float64Array(n * outH * outW * f);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < outH; y++)
      for (let x = 0; x < outW; x++)
        for (let o = 0; o < f; o++) {
          let s = bias.data[o]!;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const yy = y * stride + i - padTop;
              const xx = x * stride + j - padLeft;
              if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
              for (let q = 0; q < c; q++) s += input.data[((b * h + yy) * w + xx) * c + q]! * kernel.data[((i * kw + j) * c + q) * f + o]!;
            }
          out[((b * outH + y) * outW + x) * f + o] = s;
        }
  return { shape: [n, outH, outW, f], data: out };
}

describe("layers.conv2d", () => {
  for (const [padding, stride] of [["same", 1], ["same", 2], ["valid", 1], ["valid", 2]] as const) {
    test(`the output is the cross-correlation of the inputs with the layer's kernel, plus its bias (${padding}, stride ${stride})`, () => {
      inGraph((g) => {
        const x = ts.placeholder("float64", [null, 5, 4, 2]);
        const y = ts.layers.conv2d(x, 3, [3, 2], { strides: stride, padding, biasInitializer: ts.initializers.randomNormal({ seed: 1 }), kernelInitializer: ts.initializers.glorotUniform({ seed: 2 }) });
        const xv = ts.random.uniform([2, 5, 4, 2], { seed: 3, minval: -1, maxval: 1, dtype: "float64" });
        const [out, k, b] = new ts.Session(g).run([y, "conv2d/kernel", "conv2d/bias"], new Map([[x, xv]]));
        assert.deepEqual(k!.shape, [3, 2, 2, 3]);
        const expected = conv2dRef(xv, k!, b!, stride, padding === "same");
        assertClose(out, expected, { atol: 1e-12, rtol: 1e-12 });
        assert.deepEqual(y.shape, [null, ...expected.shape.slice(1)]);
      });
    });
  }

  test("variables and ops named as TensorFlow 1.x names them; glorotUniform counts the receptive field", () => {
    inGraph((g) => {
      const x = ts.placeholder("float32", [null, 8, 8, 2]);
      const h = ts.layers.conv2d(x, 3, 3, { activation: ts.nn.relu, padding: "same" });
      const y = ts.layers.conv2d(h, 4, 3);
      assert.deepEqual(ts.globalVariables().map((v) => `${v.name} ${ts.formatShape(v.shape)}`), [
        "conv2d/kernel [3,3,2,3]",
        "conv2d/bias [3]",
        "conv2d_1/kernel [3,3,3,4]",
        "conv2d_1/bias [4]",
      ]);
      assert.equal(h.name, "conv2d/Relu");
      assert.equal(y.name, "conv2d_1/BiasAdd");
      assert.equal(y.inputs[0]!.name, "conv2d_1/Conv2D");
      // fanIn = 3·3·2 = 18, fanOut = 3·3·3 = 27: limit √(6/45) = 0.3651.
      const k = new ts.Session(g).run(ts.globalVariables()[0]!);
      assert.ok(k.data.every((v) => Math.abs(v) <= Math.sqrt(6 / 45)));
    });
  });

  test("shapes through conv, pooling and flatten with an unknown batch (MNIST's sizes)", () => {
    inGraph(() => {
      const x = ts.placeholder("float32", [null, 28, 28, 1]);
      const c1 = ts.layers.conv2d(x, 32, 5, { padding: "same", activation: ts.nn.relu });
      assert.deepEqual(c1.shape, [null, 28, 28, 32]);
      const p1 = ts.layers.maxPooling2d(c1, 2, 2);
      assert.deepEqual(p1.shape, [null, 14, 14, 32]);
      const c2 = ts.layers.conv2d(p1, 64, 5);
      assert.deepEqual(c2.shape, [null, 10, 10, 64]);
      const p2 = ts.layers.averagePooling2d(c2, [2, 2], [2, 2], { padding: "same" });
      assert.deepEqual(p2.shape, [null, 5, 5, 64]);
      assert.deepEqual(ts.layers.flatten(p2).shape, [null, 1600]);
    });
  });

  test("errors: unknown channels, a rank-3 input, bad padding, channels_first, bad filters", () => {
    inGraph(() => {
      throwsWith(() => ts.layers.conv2d(ts.placeholder("float32", [null, 4, 4, null]), 2, 3), ts.ShapeError, /conv2d 'conv2d': the channel dimension of the inputs must be known .* \[\?,4,4,\?\]/);
      throwsWith(() => ts.layers.conv2d(ts.placeholder("float32", [4, 4, 1]), 2, 3), ts.ShapeError, /must have rank 4 \[batch, height, width, channels\], got \[4,4,1\]/);
      throwsWith(() => ts.layers.conv2d(ts.placeholder("float32", [1, 4, 4, 1]), 2, 3, { padding: "full" as never }), ts.ValueError, /padding must be "valid" or "same", got "full"/);
      throwsWith(() => ts.layers.maxPooling2d(ts.placeholder("float32", [1, 4, 4, 1]), 2, 2, { dataFormat: "channels_first" }), ts.ValueError, /only data format "channels_last" \(NHWC\)/);
      throwsWith(() => ts.layers.conv2d(ts.placeholder("float32", [1, 4, 4, 1]), 0, 3), ts.ArgumentError, /conv2d: argument 'filters' must be an integer > 0, got number 0/);
      throwsWith(() => ts.layers.conv2d(ts.placeholder("float32", [1, 4, 4, 1]), 2, [3, 0] as never), ts.ValueError, /kernelSize must be a positive integer or \[height, width\], got \[3,0\]/);
    });
  });
});

describe("pooling layers by hand", () => {
  test("max and average over 2×2 windows of a 2×4 image", () => {
    inGraph((g) => {
      // [[1,2,5,6],[3,4,7,9]]: windows [1,2,3,4] and [5,6,7,9] → max [4, 9], mean [2.5, 6.75].
      const x = ts.constant([[[[1], [2], [5], [6]], [[3], [4], [7], [9]]]]);
      const mx = ts.layers.maxPooling2d(x, 2, 2);
      const av = ts.layers.average_pooling2d(x, 2, 2);
      assert.equal(mx.name, "max_pooling2d/MaxPool");
      assert.equal(av.name, "average_pooling2d/AvgPool");
      const [m, a] = new ts.Session(g).run([mx, av]);
      assertClose(m, [[[[4], [9]]]], { atol: 0, rtol: 0 });
      assertClose(a, [[[[2.5], [6.75]]]], { atol: 0, rtol: 0 });
    });
  });
});

describe("a small CNN trains", () => {
  test("conv → max pool → dense tells vertical bars from horizontal ones: the loss falls", () => {
    inGraph((g) => {
      // 6×6 images with one full bar (row or column r): 12 images, labels [vertical, horizontal].
      const images: number[][][][] = [];
      const labels: number[][] = [];
      for (let r = 0; r < 6; r++) {
        for (const vertical of [true, false]) {
          images.push(Array.from({ length: 6 }, (_, y) => Array.from({ length: 6 }, (_, x) => [(vertical ? x : y) === r ? 1 : 0])));
          labels.push(vertical ? [1, 0] : [0, 1]);
        }
      }
      const x = ts.placeholder("float32", [null, 6, 6, 1]);
      const c = ts.placeholder("float32", [null, 2]);
      const conv = ts.layers.conv2d(x, 4, 3, { padding: "same", activation: ts.nn.relu, kernelInitializer: ts.initializers.glorotUniform({ seed: 1 }) });
      const pooled = ts.layers.maxPooling2d(conv, 2, 2);
      const logits = ts.layers.dense(ts.layers.flatten(pooled), 2, { kernelInitializer: ts.initializers.glorotUniform({ seed: 2 }) });
      const loss = ts.reduceMean(ts.nn.softmaxCrossEntropyWithLogits({ labels: c, logits }));
      const step = new ts.train.GradientDescentOptimizer(0.5).minimize(loss);
      const s = new ts.Session(g);
      const feeds = new Map([[x, ts.tensor(images)], [c, ts.tensor(labels)]]);
      const before = s.run(loss, feeds).item() as number;
      for (let i = 0; i < 60; i++) s.run(step, feeds);
      const after = s.run(loss, feeds).item() as number;
      assert.ok(after < 0.5 * before, `loss ${before} → ${after}`);
    });
  });
});
