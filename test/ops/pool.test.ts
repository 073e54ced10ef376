/**
 * Pooling by hand: max and average pooling of a 3×3 image under VALID and SAME padding (SAME
 * leaves the padding out of the max and of the average's count), where max pooling sends its
 * gradient when values tie, shape inference, and the errors.
 *
 *   x = 1 2 3
 *       4 5 6
 *       7 8 9
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { atRun, inGraph, run, throwsWith } from "../helpers/graph-run.js";

const image = (rows: number[][]): ts.Node => ts.constant([rows.map((r) => r.map((v) => [v]))], { dtype: "float64" });
const rowsOf = (t: ts.Tensor): number[][] => (t.toArray() as number[][][][])[0]!.map((r) => r.map((v) => v[0]!));

/** The gradient of Σ pool(x) with respect to x, as rows. */
function gradOfSum(rows: number[][], pool: (x: ts.Node) => ts.Node): number[][] {
  return inGraph((g) => {
    const x = image(rows);
    const [dx] = ts.gradients(ts.reduceSum(pool(x)), [x]);
    return rowsOf(new ts.Session(g).run(dx!));
  });
}

const X = [
  [1, 2, 3],
  [4, 5, 6],
  [7, 8, 9],
];

describe("maxPool, by hand", () => {
  test("2×2, stride 1, VALID: the maxima of the four 2×2 blocks", () => {
    // {1,2,4,5} → 5, {2,3,5,6} → 6, {4,5,7,8} → 8, {5,6,8,9} → 9
    assert.deepEqual(rowsOf(run(() => ts.nn.maxPool(image(X), 2, 1, "VALID"))), [
      [5, 6],
      [8, 9],
    ]);
  });

  test("2×2, stride 2, SAME: out 2×2, one row and column of padding after, left out of the max", () => {
    // windows {1,2,4,5} → 5, {3,6} → 6, {7,8} → 8, {9} → 9. With negative values padding must not
    // count as 0: −x gives −1, −3, −7, −9 (not 0).
    assert.deepEqual(rowsOf(run(() => ts.nn.maxPool(image(X), [1, 2, 2, 1], [1, 2, 2, 1], "SAME"))), [
      [5, 6],
      [8, 9],
    ]);
    const negated = X.map((r) => r.map((v) => -v));
    assert.deepEqual(rowsOf(run(() => ts.nn.maxPool(image(negated), 2, 2, "SAME"))), [
      [-1, -3],
      [-7, -9],
    ]);
  });

  test("gradient: each window's dy goes to its maximum; overlapping windows add up", () => {
    // 2×2 stride 1 VALID over [[1,2,3],[4,9,6],[7,8,5]]: all four windows have 9 at (1,1) as maximum.
    assert.deepEqual(
      gradOfSum(
        [
          [1, 2, 3],
          [4, 9, 6],
          [7, 8, 5],
        ],
        (x) => ts.nn.maxPool(x, 2, 1, "VALID"),
      ),
      [
        [0, 0, 0],
        [0, 4, 0],
        [0, 0, 0],
      ],
    );
  });

  test("ties go to the first maximum in row-major order within the window, as TensorFlow's CPU kernel", () => {
    // 2×2 of equal values: all to (0,0).
    assert.deepEqual(
      gradOfSum(
        [
          [1, 1],
          [1, 1],
        ],
        (x) => ts.nn.maxPool(x, 2, 2, "VALID"),
      ),
      [
        [1, 0],
        [0, 0],
      ],
    );
    // [[0,3],[3,1]]: 3 at (0,1) and (1,0); (0,1) comes first.
    assert.deepEqual(
      gradOfSum(
        [
          [0, 3],
          [3, 1],
        ],
        (x) => ts.nn.maxPool(x, 2, 2, "VALID"),
      ),
      [
        [0, 1],
        [0, 0],
      ],
    );
  });

  test("second derivative: MaxPoolGrad's gradient is MaxPoolGradGrad, and back", () => {
    inGraph((g) => {
      const x = image(X);
      const y = ts.nn.maxPool(x, 2, 1, "VALID");
      const dy = ts.constant([[[[1], [2]], [[3], [4]]]], { dtype: "float64" });
      const [dx] = ts.gradients(y, [x], [dy]);
      assert.equal(dx!.type, "MaxPoolGrad");
      // Σ (dx · w) with w = x: the gradient w.r.t. dy gathers w at each window's maximum:
      // maxima at (1,1), (1,2), (2,1), (2,2) → x there: [[5, 6], [8, 9]].
      const [ddy] = ts.gradients(ts.reduceSum(ts.multiply(dx!, x)), [dy]);
      assert.equal(ddy!.type, "MaxPoolGradGrad");
      assert.deepEqual(rowsOf(new ts.Session(g).run(ddy!)), [
        [5, 6],
        [8, 9],
      ]);
      // Σ ddy = Σ x at the four maxima; its gradient w.r.t. x flows only through the gathered values
      // (MaxPoolGradGrad's gradient, MaxPoolGrad): 1 at each maximum, not through the routing.
      const [third] = ts.gradients(ts.reduceSum(ddy!), [x]);
      assert.deepEqual(rowsOf(new ts.Session(g).run(third!)), [
        [0, 0, 0],
        [0, 1, 1],
        [0, 1, 1],
      ]);
    });
  });
});

describe("avgPool, by hand", () => {
  test("2×2, stride 2, SAME: the padding is left out of the count", () => {
    // {1,2,4,5}/4 = 3, {3,6}/2 = 4.5, {7,8}/2 = 7.5, {9}/1 = 9
    assert.deepEqual(rowsOf(run(() => ts.nn.avgPool(image(X), 2, 2, "SAME"))), [
      [3, 4.5],
      [7.5, 9],
    ]);
  });

  test("3×3, stride 1, SAME: one row and column of padding on each side", () => {
    // corner (0,0): {1,2,4,5}/4 = 3; edge (0,1): {1,2,3,4,5,6}/6 = 3.5; (0,2): {2,3,5,6}/4 = 4
    // (1,0): {1,2,4,5,7,8}/6 = 4.5; centre: 45/9 = 5; (1,2): {2,3,5,6,8,9}/6 = 5.5
    // (2,0): {4,5,7,8}/4 = 6; (2,1): {4,5,6,7,8,9}/6 = 6.5; (2,2): {5,6,8,9}/4 = 7
    assert.deepEqual(rowsOf(run(() => ts.nn.avgPool(image(X), 3, 1, "SAME"))), [
      [3, 3.5, 4],
      [4.5, 5, 5.5],
      [6, 6.5, 7],
    ]);
  });

  test("gradient: each window's dy shared among its valid positions", () => {
    // 2×2 stride 2 SAME over 3×3: the windows hold 4, 2, 2 and 1 positions:
    //   1/4 1/4 1/2
    //   1/4 1/4 1/2
    //   1/2 1/2  1
    assert.deepEqual(
      gradOfSum(X, (x) => ts.nn.avgPool(x, 2, 2, "SAME")),
      [
        [0.25, 0.25, 0.5],
        [0.25, 0.25, 0.5],
        [0.5, 0.5, 1],
      ],
    );
  });

  test("AvgPoolGrad's gradient is average pooling", () => {
    inGraph((g) => {
      const x = image(X);
      const dy = ts.placeholder({ dtype: "float64", shape: [1, 2, 2, 1] });
      const [dx] = ts.gradients(ts.nn.avgPool(x, 2, 2, "SAME"), [x], [dy]);
      assert.equal(dx!.type, "AvgPoolGrad");
      const [ddy] = ts.gradients(ts.reduceSum(ts.multiply(dx!, x)), [dy]);
      assert.equal(ddy!.type, "AvgPool");
      assert.deepEqual(rowsOf(new ts.Session(g).run(ddy!, new Map([[dy, ts.zeros([1, 2, 2, 1], "float64")]]))), [
        [3, 4.5],
        [7.5, 9],
      ]);
    });
  });
});

describe("pooling shapes and errors", () => {
  test("unknown batch and rank", () => {
    inGraph(() => {
      assert.deepEqual(ts.nn.maxPool(ts.placeholder({ dtype: "float32", shape: [null, 28, 28, 32] }), 2, 2, "SAME").shape, [null, 14, 14, 32]);
      assert.deepEqual(ts.nn.avgPool(ts.placeholder({ dtype: "float32", shape: [null, 7, 7, 8] }), 3, 2, "VALID").shape, [null, 3, 3, 8]);
      assert.deepEqual(ts.nn.maxPool(ts.placeholder({ dtype: "float32" }), 2, 2, "SAME").shape, [null, null, null, null]);
    });
  });

  test("snake_case names of tf.nn", () => {
    assert.equal(ts.nn.max_pool, ts.nn.maxPool);
    assert.equal(ts.nn.avg_pool, ts.nn.avgPool);
  });

  const zeros = (shape: number[]): ts.Node => ts.constant(ts.zeros(shape));

  test("a window larger than a VALID input names the node and shape", () => {
    throwsWith(
      () => inGraph(() => ts.nn.maxPool(zeros([1, 2, 5, 1]), 3, 1, "VALID", { name: "pool1" })),
      ts.ShapeError,
      /MaxPool 'pool1': the window height 3 is larger than the input height 2 with VALID padding \(input \[1,2,5,1\]\)/,
    );
  });

  test("pooling over channels or batch, NCHW and bad ranks are refused", () => {
    throwsWith(() => inGraph(() => ts.nn.maxPool(zeros([1, 4, 4, 2]), [1, 2, 2, 2], 1, "SAME")), ts.ValueError, /MaxPool 'MaxPool': ksize along the batch and channel dimensions must be 1/);
    throwsWith(() => inGraph(() => ts.nn.avgPool(zeros([1, 2, 4, 4]), 2, 2, "SAME", { dataFormat: "NCHW" })), ts.ValueError, /AvgPool 'AvgPool': data format NCHW is not supported/);
    throwsWith(() => inGraph(() => ts.nn.avgPool(zeros([4, 4]), 2, 2, "SAME")), ts.ShapeError, /AvgPool 'AvgPool': the input must have rank 4 .*\[4,4\]/);
  });

  test("at run time, the fed shape is checked and named", () => {
    throwsWith(
      atRun([ts.zeros([1, 3, 8, 1])], ([x]) => ts.nn.avgPool(x!, 4, 1, "VALID")),
      ts.ShapeError,
      /AvgPool 'AvgPool': the window height 4 is larger than the input height 3 with VALID padding \(input \[1,3,8,1\]\)/,
    );
  });
});
