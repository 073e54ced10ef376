/**
 * Convolution by hand: a 3×3 image and a 2×2 filter under VALID and SAME padding, strides and
 * dilations, gradients of a sum, shape inference with unknown dimensions, and the errors.
 *
 * The image and filter of most cases (one channel in, one out):
 *
 *   x = 1 2 3      f = 1 2
 *       4 5 6          3 4
 *       7 8 9
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { atRun, inGraph, run, throwsWith } from "../helpers/graph-run.js";

const EXACT = { atol: 0, rtol: 0 };

/** A [1,h,w,1] image or a [kh,kw,1,1] filter from rows of numbers. */
const image = (rows: number[][], dtype: ts.DType = "float64"): ts.Node => ts.constant([rows.map((r) => r.map((v) => [v]))], { dtype });
const filter = (rows: number[][], dtype: ts.DType = "float64"): ts.Node => ts.constant(rows.map((r) => r.map((v) => [[v]])), { dtype });
/** The [1,h,w,1] output as rows. */
const rowsOf = (t: ts.Tensor): number[][] => (t.toArray() as number[][][][])[0]!.map((r) => r.map((v) => v[0]!));

const X = [
  [1, 2, 3],
  [4, 5, 6],
  [7, 8, 9],
];
const F = [
  [1, 2],
  [3, 4],
];

describe("conv2d, by hand", () => {
  test("VALID, stride 1: out[y][x] = x[y][x]·1 + x[y][x+1]·2 + x[y+1][x]·3 + x[y+1][x+1]·4", () => {
    // [0][0] = 1+4+12+20 = 37; [0][1] = 2+6+15+24 = 47; [1][0] = 4+10+21+32 = 67; [1][1] = 5+12+24+36 = 77
    const out = run(() => ts.nn.conv2d(image(X), filter(F), [1, 1, 1, 1], "VALID"));
    assert.deepEqual(out.shape, [1, 2, 2, 1]);
    assert.deepEqual(rowsOf(out), [
      [37, 47],
      [67, 77],
    ]);
  });

  test("SAME, stride 1: out 3×3, pad_total = (3−1)·1 + 2 − 3 = 1, all of it after (bottom, right)", () => {
    // Row 2 and column 2 read zeros beyond the image:
    // [0][2] = 3·1 + 6·3 = 21; [1][2] = 6·1 + 9·3 = 33; [2][0] = 7·1 + 8·2 = 23; [2][1] = 8·1 + 9·2 = 26; [2][2] = 9·1 = 9
    const out = run(() => ts.nn.conv2d(image(X), filter(F), 1, "SAME"));
    assert.deepEqual(rowsOf(out), [
      [37, 47, 21],
      [67, 77, 33],
      [23, 26, 9],
    ]);
  });

  test("SAME, stride 2: out ceil(3/2) = 2, pad_total = (2−1)·2 + 2 − 3 = 1 after; windows at rows/columns 0 and 2", () => {
    // The SAME stride-1 values at (0,0), (0,2), (2,0), (2,2): 37, 21, 23, 9
    const out = run(() => ts.nn.conv2d(image(X), filter(F), 2, "SAME"));
    assert.deepEqual(rowsOf(out), [
      [37, 21],
      [23, 9],
    ]);
  });

  test("VALID, stride 2: out floor((3−2)/2) + 1 = 1", () => {
    assert.deepEqual(rowsOf(run(() => ts.nn.conv2d(image(X), filter(F), [2, 2], "VALID"))), [[37]]);
  });

  test("VALID, dilation 2: the filter taps the corners, 1·1 + 3·2 + 7·3 + 9·4 = 64", () => {
    const out = run(() => ts.nn.conv2d(image(X), filter(F), 1, "VALID", { dilations: [1, 2, 2, 1] }));
    assert.deepEqual(rowsOf(out), [[64]]);
  });

  test("SAME, dilation 2: effective 3×3 window, pad_total = 2 + 3 − 3 = 2, one on each side", () => {
    // out[y][x] = Σ x[y−1+2i][x−1+2j]·f[i][j]:
    // [0][0] = x11·4 = 20;          [0][1] = x10·3 + x12·4 = 12+24 = 36;   [0][2] = x11·3 = 15
    // [1][0] = x01·2 + x21·4 = 4+32 = 36;   [1][1] = 1 + 3·2 + 7·3 + 9·4 = 64;   [1][2] = x01·1 + x21·3 = 2+24 = 26
    // [2][0] = x11·2 = 10;          [2][1] = x10·1 + x12·2 = 4+12 = 16;    [2][2] = x11·1 = 5
    const out = run(() => ts.nn.conv2d(image(X), filter(F), 1, "SAME", { dilations: 2 }));
    assert.deepEqual(rowsOf(out), [
      [20, 36, 15],
      [36, 64, 26],
      [10, 16, 5],
    ]);
  });

  test("channels: a 1×1 filter is a matrix product over channels at each pixel", () => {
    // pixels (a, b) = (1, 2) and (3, −1); f = [[1, 2], [3, 4]] (rows: input channel, columns: output channel)
    // (1,2) → [1·1 + 2·3, 1·2 + 2·4] = [7, 10];  (3,−1) → [3 − 3, 6 − 4] = [0, 2]
    const out = run(() =>
      ts.nn.conv2d(ts.constant([[[[1, 2], [3, -1]]]], { dtype: "float64" }), ts.constant([[[[1, 2], [3, 4]]]], { dtype: "float64" }), 1, "VALID"),
    );
    assertClose(out, [[[[7, 10], [0, 2]]]], EXACT);
  });

  test("float32 gives the same numbers", () => {
    const out = run(() => ts.nn.conv2d(image(X, "float32"), filter(F, "float32"), 1, "VALID"));
    assert.equal(out.dtype, "float32");
    assert.deepEqual(rowsOf(out), [
      [37, 47],
      [67, 77],
    ]);
  });
});

describe("conv2d gradients, by hand", () => {
  test("of Σ conv(x, f) VALID: each x collects the taps that read it, each f the image block it reads", () => {
    // dx[r][q] = Σ of f[i][j] over windows (r−i, q−j) inside the 2×2 output:
    //   corners: f00 = 1, f01 = 2, f10 = 3, f11 = 4; edges: x01 = f00+f01 = 3, x10 = f00+f10 = 4,
    //   x12 = f01+f11 = 6, x21 = f10+f11 = 7; centre x11 = 1+2+3+4 = 10
    // df[i][j] = Σ of the 2×2 block of x at (i, j): 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28
    inGraph((g) => {
      const x = image(X);
      const f = filter(F);
      const [dx, df] = ts.gradients(ts.reduceSum(ts.nn.conv2d(x, f, 1, "VALID")), [x, f]);
      assert.equal(dx!.type, "Conv2DBackpropInput");
      assert.equal(df!.type, "Conv2DBackpropFilter");
      const [gx, gf] = new ts.Session(g).run([dx!, df!]);
      assert.deepEqual(rowsOf(gx!), [
        [1, 3, 2],
        [4, 10, 6],
        [3, 7, 4],
      ]);
      assert.deepEqual((gf!.toArray() as number[][][][]).map((r) => r.map((v) => v[0]![0]!)), [
        [12, 16],
        [24, 28],
      ]);
    });
  });

  test("SAME, stride 2: inputs no window reads get zero gradient", () => {
    // The windows start at rows/columns 0 and 2 and cover rows/columns 0..3 (3 is padding):
    // each x is read by exactly one window and tap: dx = f tiled, cut to 3×3:
    //   f00 f01 f00      1 2 1
    //   f10 f11 f10  =   3 4 3
    //   f00 f01 f00      1 2 1
    inGraph((g) => {
      const x = image(X);
      const [dx] = ts.gradients(ts.reduceSum(ts.nn.conv2d(x, filter(F), 2, "SAME")), [x]);
      assert.deepEqual(rowsOf(new ts.Session(g).run(dx!)), [
        [1, 2, 1],
        [3, 4, 3],
        [1, 2, 1],
      ]);
    });
  });

  test("second derivative: d/df of Σ (∂ Σ conv(x,f)² / ∂x) is built and runs", () => {
    // y = conv(x, f) VALID, L = Σ y²; ∂L/∂x = BackpropInput(2y); its sum's gradient w.r.t. f goes
    // through Conv2DBackpropInput's own gradient. Check against finite differences in f[0][0].
    const value = (f00: number): number =>
      inGraph((g) => {
        const x = image(X);
        const f = filter([
          [f00, 2],
          [3, 4],
        ]);
        const [dx] = ts.gradients(ts.reduceSum(ts.square(ts.nn.conv2d(x, f, 1, "VALID"))), [x]);
        return new ts.Session(g).run(ts.reduceSum(dx!)).item() as number;
      });
    const analytic = inGraph((g) => {
      const x = image(X);
      const f = filter(F);
      const [dx] = ts.gradients(ts.reduceSum(ts.square(ts.nn.conv2d(x, f, 1, "VALID"))), [x]);
      const [d2] = ts.gradients(ts.reduceSum(dx!), [f]);
      return (new ts.Session(g).run(d2!).toArray() as number[][][][])[0]![0]![0]![0]!;
    });
    const eps = 1e-4;
    const numeric = (value(1 + eps) - value(1 - eps)) / (2 * eps);
    assert.ok(Math.abs(analytic - numeric) < 1e-6 * Math.max(1, Math.abs(numeric)), `analytic ${analytic}, numeric ${numeric}`);
  });
});

describe("conv2d shape inference", () => {
  const shapeOf = (x: (number | null)[] | null, f: (number | null)[] | null, strides: ts.WindowArg, padding: ts.Padding, dilations: ts.WindowArg = 1): ts.StaticShape =>
    inGraph(() => ts.nn.conv2d(ts.placeholder({ dtype: "float32", shape: x }), ts.placeholder({ dtype: "float32", shape: f }), strides, padding, { dilations }).shape);

  test("unknown batch: [?,28,28,1] * [5,5,1,32] SAME stride 2 is [?,14,14,32]", () => {
    assert.deepEqual(shapeOf([null, 28, 28, 1], [5, 5, 1, 32], 2, "SAME"), [null, 14, 14, 32]);
  });

  test("VALID: out = floor((in − (k−1)·d − 1)/s) + 1: [?,28,28,1] * [5,5,1,8] stride 1 → 24; dilation 2 → 20; stride 3 → 8", () => {
    assert.deepEqual(shapeOf([null, 28, 28, 1], [5, 5, 1, 8], 1, "VALID"), [null, 24, 24, 8]);
    assert.deepEqual(shapeOf([null, 28, 28, 1], [5, 5, 1, 8], 1, "VALID", 2), [null, 20, 20, 8]);
    assert.deepEqual(shapeOf([null, 28, 28, 1], [5, 5, 1, 8], 3, "VALID"), [null, 8, 8, 8]);
  });

  test("unknown spatial dimensions stay unknown; SAME does not need the filter size", () => {
    assert.deepEqual(shapeOf([4, null, 9, 3], [3, 3, 3, 2], 2, "SAME"), [4, null, 5, 2]);
    assert.deepEqual(shapeOf([4, 7, 9, 3], [null, null, 3, 2], 2, "SAME"), [4, 4, 5, 2]);
    assert.deepEqual(shapeOf([4, 7, 9, 3], [null, 3, 3, 2], 1, "VALID"), [4, null, 7, 2]);
  });

  test("unknown rank: rank 4 with what the filter tells", () => {
    assert.deepEqual(shapeOf(null, [3, 3, 3, 2], 1, "SAME"), [null, null, null, 2]);
    assert.deepEqual(shapeOf(null, null, 1, "SAME"), [null, null, null, null]);
  });

  test("the gradient ops infer the input's and the filter's shapes, also from unknown dimensions", () => {
    inGraph(() => {
      const x = ts.placeholder({ dtype: "float32", shape: [null, 28, 28, 1] });
      const f = ts.placeholder({ dtype: "float32", shape: [5, 5, 1, 32] });
      const [dx, df] = ts.gradients(ts.reduceSum(ts.nn.conv2d(x, f, 2, "SAME")), [x, f]);
      assert.deepEqual(dx!.shape, [null, 28, 28, 1]);
      assert.deepEqual(df!.shape, [5, 5, 1, 32]);
    });
    inGraph(() => {
      const x = ts.placeholder({ dtype: "float32" });
      const f = ts.placeholder({ dtype: "float32", shape: [5, 5, 1, 32] });
      const [dx, df] = ts.gradients(ts.reduceSum(ts.nn.conv2d(x, f, 2, "SAME")), [x, f]);
      assert.deepEqual(dx!.shape, [null, null, null, 1]);
      assert.deepEqual(df!.shape, [5, 5, 1, 32]);
    });
  });

  test("conv2dBackpropInput with input sizes as numbers: [1,6,5,1] from dy [1,3,3,2] (SAME, stride 2)", () => {
    inGraph(() => {
      const dx = ts.nn.conv2dBackpropInput([1, 6, 5, 1], ts.zeros([3, 2, 1, 2]), ts.zeros([1, 3, 3, 2]), 2, "SAME");
      assert.deepEqual(dx.shape, [1, 6, 5, 1]);
    });
  });

  test("the snake_case names of tf.nn", () => {
    assert.equal(ts.nn.conv2d_backprop_input, ts.nn.conv2dBackpropInput);
    assert.equal(ts.nn.conv2d_backprop_filter, ts.nn.conv2dBackpropFilter);
  });
});

const zeros = (shape: number[], dtype: ts.DType = "float32"): ts.Node => ts.constant(ts.zeros(shape, dtype));

describe("conv2d errors", () => {
  test("channels that do not match name the node and both shapes", () => {
    throwsWith(
      () => inGraph(() => ts.nn.conv2d(zeros([1, 5, 5, 3]), zeros([3, 3, 2, 8]), 1, "SAME")),
      ts.ShapeError,
      /Conv2D 'Conv2D': the input has 3 channels but the filter expects 2 .*input \[1,5,5,3\], filter \[3,3,2,8\]/,
    );
  });

  test("a filter larger than a VALID input, also when dilation makes it so", () => {
    throwsWith(
      () => inGraph(() => ts.nn.conv2d(zeros([1, 2, 4, 1]), zeros([3, 3, 1, 1]), 1, "VALID", { name: "c1" })),
      ts.ShapeError,
      /Conv2D 'c1': the window height 3 is larger than the input height 2 with VALID padding \(input \[1,2,4,1\], filter \[3,3,1,1\]\)/,
    );
    throwsWith(
      () => inGraph(() => ts.nn.conv2d(zeros([1, 5, 4, 1]), zeros([2, 2, 1, 1]), 1, "VALID", { dilations: [1, 4] })),
      ts.ShapeError,
      /the window width 5 \(2 dilated by 4\) is larger than the input width 4 with VALID padding/,
    );
    // The same shapes with SAME padding are fine.
    inGraph(() => ts.nn.conv2d(zeros([1, 2, 4, 1]), zeros([3, 3, 1, 1]), 1, "SAME"));
  });

  test("NCHW is refused by name", () => {
    throwsWith(
      () => inGraph(() => ts.nn.conv2d(zeros([1, 3, 5, 5]), zeros([3, 3, 3, 8]), 1, "SAME", { dataFormat: "NCHW" })),
      ts.ValueError,
      /Conv2D 'Conv2D': data format NCHW is not supported, only NHWC/,
    );
  });

  test("strides along batch or channels, bad padding and non-integer strides are refused", () => {
    throwsWith(() => inGraph(() => ts.nn.conv2d(zeros([1, 5, 5, 1]), zeros([3, 3, 1, 1]), [2, 1, 1, 1], "SAME")), ts.ValueError, /strides along the batch and channel dimensions must be 1 .*\[2,1,1,1\]/);
    throwsWith(() => inGraph(() => ts.nn.conv2d(zeros([1, 5, 5, 1]), zeros([3, 3, 1, 1]), 1, "same" as ts.Padding)), ts.ValueError, /padding must be "SAME" or "VALID", got "same"/);
    throwsWith(() => inGraph(() => ts.nn.conv2d(zeros([1, 5, 5, 1]), zeros([3, 3, 1, 1]), [1, 1.5], "SAME")), ts.ValueError, /strides must be positive integers .*\[1,1,1.5,1\]/);
    throwsWith(() => inGraph(() => ts.nn.conv2d(zeros([1, 5, 5, 1]), zeros([3, 3, 1, 1]), [1, 2, 2], "SAME")), ts.ValueError, /strides must be positive integers .*got \[1,2,2\]/);
    throwsWith(() => inGraph(() => ts.nn.conv2d(zeros([1, 5, 5, 1]), zeros([3, 3, 1, 1]), 1, "SAME", { dilations: 0 })), ts.ValueError, /dilations must be positive integers/);
  });

  test("ranks other than 4, integer and mixed dtypes", () => {
    throwsWith(() => inGraph(() => ts.nn.conv2d(zeros([5, 5, 1]), zeros([3, 3, 1, 1]), 1, "SAME")), ts.ShapeError, /Conv2D 'Conv2D': the input must have rank 4 \[batch, height, width, channels\], got shape \[5,5,1\]/);
    throwsWith(() => inGraph(() => ts.nn.conv2d(zeros([1, 5, 5, 1], "int32"), zeros([3, 3, 1, 1], "int32"), 1, "SAME")), ts.DTypeError, /Conv2D 'Conv2D' needs a float32 or float64 input, got int32/);
    throwsWith(() => inGraph(() => ts.nn.conv2d(zeros([1, 5, 5, 1]), zeros([3, 3, 1, 1], "float64"), 1, "SAME")), ts.DTypeError, /Conv2D 'Conv2D': inputs must have the same dtype, got float32 and float64/);
  });

  test("shapes known only when the graph runs: the error names the node and the fed shapes", () => {
    throwsWith(
      atRun([ts.zeros([1, 5, 5, 3]), ts.zeros([3, 3, 2, 4])], ([x, f]) => ts.nn.conv2d(x!, f!, 1, "VALID", { name: "layer1/conv" })),
      ts.ShapeError,
      /Conv2D 'layer1\/conv': the input has 3 channels but the filter expects 2 .*input \[1,5,5,3\], filter \[3,3,2,4\]/,
    );
  });

  test("backprop ops: an output gradient of the wrong shape, and a sizes tensor where a shaped-like one is expected", () => {
    throwsWith(
      () => inGraph(() => ts.nn.conv2dBackpropInput([1, 6, 5, 1], zeros([3, 2, 1, 2]), zeros([1, 3, 2, 2]), 2, "SAME")),
      ts.ShapeError,
      /Conv2DBackpropInput 'Conv2DBackpropInput': the output gradient has shape \[1,3,2,2\] but the convolution gives \[1,3,3,2\]/,
    );
    throwsWith(
      () => inGraph(() => ts.nn.conv2dBackpropInput(ts.constant([1, 6, 5, 1]), zeros([3, 2, 1, 2]), zeros([1, 3, 3, 2]), 2, "SAME")),
      ts.ShapeError,
      /input-shape operand must have rank 4 .*got shape \[4\] \(it gives the shape only/,
    );
    throwsWith(
      () => inGraph(() => ts.nn.conv2dBackpropFilter(zeros([1, 6, 5, 1]), [3, 2, 1], zeros([1, 3, 3, 2]), 2, "SAME")),
      ts.ValueError,
      /Conv2DBackpropFilter 'Conv2DBackpropFilter': filterSizes must be 4 non-negative integers, got \[3,2,1\]/,
    );
  });

  test("a failed build adds nothing to the graph", () => {
    inGraph((g) => {
      const x = zeros([1, 5, 5, 3]);
      const f = zeros([3, 3, 2, 8]);
      assert.throws(() => ts.nn.conv2d(x, f, 1, "SAME"));
      const y = ts.nn.conv2d(zeros([1, 5, 5, 2]), f, 1, "SAME");
      assert.equal(y.name, "Conv2D", "the name of the failed node is free again");
      void g;
    });
  });
});
