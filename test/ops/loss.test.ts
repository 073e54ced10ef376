/**
 * Losses by hand: log-softmax, the softmax cross-entropies, the logistic loss and l2Loss on values
 * worked out in the comments; stability at logits of magnitude 1e4 in float32 and float64 (finite
 * losses and gradients); which inputs get gradients (v1 vs V2); and errors that name the node.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { inGraph, throwsWith } from "../helpers/graph-run.js";

// lse([1,2,3]) = 3 + log(1 + e^-1 + e^-2) = 3 + log(1.5032147244) = 3.4076059644
const LSE123 = 3.4076059644443806;
const TIGHT = { atol: 1e-12, rtol: 1e-12 };

describe("logSoftmax by hand", () => {
  test("[1,2,3] is x − lse", () => {
    const out = inGraph((g) => new ts.Session(g).run(ts.nn.logSoftmax(ts.constant([1, 2, 3], { dtype: "float64" }))));
    assertClose(out, [1 - LSE123, 2 - LSE123, 3 - LSE123], TIGHT);
  });

  test("logits ±1e4 in float32: finite, no log of an underflowed softmax", () => {
    // lse([1e4, 0, -1e4]) = 1e4 + log(1 + e^-1e4 + e^-2e4) = 1e4 exactly in floating point.
    const out = inGraph((g) => new ts.Session(g).run(ts.nn.logSoftmax(ts.constant([1e4, 0, -1e4]))));
    assertClose(out, [0, -1e4, -2e4], { atol: 0, rtol: 0, dtype: "float32" });
  });
});

describe("softmaxCrossEntropyWithLogits by hand", () => {
  test("one row: lse − the labelled logit", () => {
    // labels [0,1,0], logits [1,2,3]: −log softmax_1 = lse − 2 = 1.4076059644
    const out = inGraph((g) =>
      new ts.Session(g).run(ts.nn.softmaxCrossEntropyWithLogits({ labels: ts.constant([[0, 1, 0]], { dtype: "float64" }), logits: ts.constant([[1, 2, 3]], { dtype: "float64" }) })),
    );
    assert.deepEqual(out.shape, [1]);
    assertClose(out, [LSE123 - 2], TIGHT);
  });

  test("soft labels and axis 0", () => {
    // Columns are the rows: logits column 0 = [1,2,3], labels column 0 = [0.5,0.5,0] → lse − 1.5;
    // column 1 = [0,0,0] with labels [0,0,1] → log 3.
    const out = inGraph((g) => {
      const labels = ts.constant([[0.5, 0], [0.5, 0], [0, 1]], { dtype: "float64" });
      const logits = ts.constant([[1, 0], [2, 0], [3, 0]], { dtype: "float64" });
      return new ts.Session(g).run(ts.nn.softmaxCrossEntropyWithLogitsV2({ labels, logits, axis: 0 }));
    });
    assertClose(out, [LSE123 - 1.5, Math.log(3)], TIGHT);
  });

  for (const dtype of ["float32", "float64"] as const) {
    test(`logits of magnitude 1e4 give a finite loss and finite gradients (${dtype})`, () => {
      inGraph((g) => {
        // Row 0: labels [0,1,0], logits [1e4, 0, −1e4]: lse = 1e4, loss = 1e4 − 0 = 1e4;
        //        softmax = [1, e^-1e4, e^-2e4] = [1, 0, 0], ∂/∂logits = [1, −1, 0].
        // Row 1: labels [1,0,0], logits [−1e4, 1e4, 1e4]: lse = 1e4 + log 2, loss = 2e4 + log 2;
        //        softmax = [0, ½, ½], ∂/∂logits = [−1, ½, ½].
        const logits = ts.placeholder(dtype, [2, 3]);
        const labels = ts.placeholder(dtype, [2, 3]);
        const loss = ts.nn.softmaxCrossEntropyWithLogitsV2({ labels, logits });
        const [dLabels, dLogits] = ts.gradients(ts.reduceSum(loss), [labels, logits]);
        const [l, gz, gx] = new ts.Session(g).run([loss, dLabels!, dLogits!], new Map([
          [logits, ts.tensor([[1e4, 0, -1e4], [-1e4, 1e4, 1e4]], { dtype })],
          [labels, ts.tensor([[0, 1, 0], [1, 0, 0]], { dtype })],
        ]));
        const tol = dtype === "float32" ? { atol: 1e-3, rtol: 1e-6 } : TIGHT;
        assertClose(l, [1e4, 2e4 + Math.log(2)], { ...tol, dtype });
        assertClose(gx, [[1, -1, 0], [-1, 0.5, 0.5]], { ...tol, dtype });
        // ∂/∂labels = −log_softmax(logits) = lse − logits.
        assertClose(gz, [[0, 1e4, 2e4], [2e4 + Math.log(2), Math.log(2), Math.log(2)]], { ...tol, dtype });
      });
    });
  }

  test("v1 stops gradients into the labels, V2 lets them through", () => {
    inGraph(() => {
      const labels = ts.placeholder("float32", [null, 3]);
      const logits = ts.placeholder("float32", [null, 3]);
      const v1 = ts.nn.softmaxCrossEntropyWithLogits({ labels, logits });
      const v2 = ts.nn.softmaxCrossEntropyWithLogitsV2({ labels, logits });
      const [g1z, g1x] = ts.gradients(v1, [labels, logits]);
      const [g2z, g2x] = ts.gradients(v2, [labels, logits]);
      assert.equal(g1z, null);
      assert.ok(g1x !== null && g2z !== null && g2x !== null);
      assert.equal(v1.type, "SoftmaxCrossEntropyWithLogits");
      assert.deepEqual(v1.shape, [null]);
    });
  });

  test("the logits gradient is exact for labels that do not sum to 1", () => {
    // loss = Σ z·(lse − x) with z = [2, 0, 0] and x = [0, 0, 0]: ∂/∂x = softmax·Σz − z = [2/3 − 2, 2/3, 2/3].
    inGraph((g) => {
      const logits = ts.constant([0, 0, 0], { dtype: "float64" });
      const [dx] = ts.gradients(ts.nn.softmaxCrossEntropyWithLogitsV2({ labels: ts.constant([2, 0, 0], { dtype: "float64" }), logits }), [logits]);
      assertClose(new ts.Session(g).run(dx!), [2 / 3 - 2, 2 / 3, 2 / 3], TIGHT);
    });
  });

  test("labels and logits of different shapes name the node and both shapes", () => {
    throwsWith(
      () => inGraph(() => ts.nn.softmaxCrossEntropyWithLogits({ labels: ts.placeholder("float32", [2, 4]), logits: ts.placeholder("float32", [2, 3]), name: "xent" })),
      ts.ShapeError,
      /SoftmaxCrossEntropyWithLogits 'xent': labels and logits must have the same shape, got labels \[2,4\] and logits \[2,3\]/,
    );
  });

  test("scalar logits are refused", () => {
    throwsWith(() => inGraph(() => ts.nn.softmaxCrossEntropyWithLogitsV2({ labels: ts.constant(1), logits: ts.constant(1) })), ts.ShapeError, /rank at least 1, got a scalar/);
  });
});

describe("sparseSoftmaxCrossEntropyWithLogits by hand", () => {
  test("labels [1, 0] against the rows [1,2,3] and [1,2,3]", () => {
    // Row 0: lse − 2 = 1.4076; row 1: lse − 1 = 2.4076.
    const out = inGraph((g) =>
      new ts.Session(g).run(ts.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: ts.constant([1, 0], { dtype: "int32" }), logits: ts.constant([[1, 2, 3], [1, 2, 3]], { dtype: "float64" }) })),
    );
    assertClose(out, [LSE123 - 2, LSE123 - 1], TIGHT);
  });

  for (const dtype of ["float32", "float64"] as const) {
    test(`logits of magnitude 1e4 give a finite loss and gradient (${dtype})`, () => {
      inGraph((g) => {
        // logits [1e4, −1e4, 1e4], label 1: lse = 1e4 + log 2, loss = 2e4 + log 2;
        // ∂/∂logits = softmax − one_hot = [½, −1, ½].
        const logits = ts.placeholder(dtype, [1, 3]);
        const loss = ts.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: ts.constant([1], { dtype: "int32" }), logits });
        const [dx] = ts.gradients(loss, [logits]);
        const [l, gx] = new ts.Session(g).run([loss, dx!], new Map([[logits, ts.tensor([[1e4, -1e4, 1e4]], { dtype })]]));
        const tol = dtype === "float32" ? { atol: 1e-3, rtol: 1e-6 } : TIGHT;
        assertClose(l, [2e4 + Math.log(2)], { ...tol, dtype });
        assertClose(gx, [[0.5, -1, 0.5]], { ...tol, dtype });
      });
    });
  }

  test("an out-of-range label is an error naming the node and the label", () => {
    for (const bad of [3, -1]) {
      throwsWith(
        () =>
          inGraph((g) => {
            const labels = ts.placeholder("int32", [null]);
            const loss = ts.nn.sparseSoftmaxCrossEntropyWithLogits({ labels, logits: ts.constant([[1, 2, 3], [1, 2, 3]]), name: "loss" });
            return new ts.Session(g).run(loss, new Map([[labels, ts.tensor([0, bad], { dtype: "int32" })]]));
          }),
        ts.ValueError,
        new RegExp(`'loss' \\(SparseSoftmaxCrossEntropyWithLogits\\) at run time: Received a label value of ${bad} \\(row 1\\) which is outside the valid range of \\[0, 3\\)`),
      );
    }
  });

  test("the gradient's backprop op checks labels too", () => {
    throwsWith(
      () =>
        inGraph((g) => {
          const labels = ts.placeholder("int32", [1]);
          const logits = ts.constant([[1, 2]]);
          // With gradYs given, the run needs only the gradient graph, not the loss itself.
          const [dx] = ts.gradients(ts.nn.sparseSoftmaxCrossEntropyWithLogits({ labels, logits }), [logits], [ts.constant([1])]);
          return new ts.Session(g).run(dx!, new Map([[labels, ts.tensor([7], { dtype: "int32" })]]));
        }),
      ts.ValueError,
      /'.*' \(SparseSoftmaxCrossEntropyBackprop\) at run time: Received a label value of 7/,
    );
  });

  test("float labels and mismatched shapes are refused when built", () => {
    throwsWith(
      () => inGraph(() => ts.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: ts.constant([1, 0]), logits: ts.constant([[1, 2], [3, 4]]) })),
      ts.DTypeError,
      /labels must be int32 class indices, got float32/,
    );
    throwsWith(
      () => inGraph(() => ts.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: ts.constant([1, 0, 1], { dtype: "int32" }), logits: ts.constant([[1, 2], [3, 4]]) })),
      ts.ShapeError,
      /labels must have the shape of logits without its last \(class\) dimension, got labels \[3\] and logits \[2,2\]/,
    );
  });
});

describe("sigmoidCrossEntropyWithLogits by hand", () => {
  test("values and gradients at 0 and at ±1e4", () => {
    inGraph((g) => {
      // z=1, x=0: log 2.  z=0, x=1e4: max(x,0) − 0 + log1p(e^-1e4) = 1e4.  z=1, x=1e4: 1e4 − 1e4 + 0 = 0.
      // z=0.5, x=−1e4: 0 + 5e3 + 0 = 5e3.
      const logits = ts.constant([0, 1e4, 1e4, -1e4], { dtype: "float64" });
      const labels = ts.constant([1, 0, 1, 0.5], { dtype: "float64" });
      const loss = ts.nn.sigmoidCrossEntropyWithLogits({ labels, logits });
      assert.equal(loss.name, "logistic_loss");
      const [dz, dx] = ts.gradients(loss, [labels, logits]);
      const [l, gz, gx] = new ts.Session(g).run([loss, dz!, dx!]);
      assertClose(l, [Math.LN2, 1e4, 0, 5e3], TIGHT);
      // ∂/∂x = sigmoid(x) − z = [½ − 1, 1, 0, −½]; ∂/∂z = −x.
      assertClose(gx, [-0.5, 1, 0, -0.5], TIGHT);
      assertClose(gz, [0, -1e4, -1e4, 1e4], TIGHT);
    });
  });
});

describe("l2Loss by hand", () => {
  test("sum of squares over two, gradient t", () => {
    inGraph((g) => {
      // (1 + 4 + 9)/2 = 7
      const t = ts.constant([[1, 2, 3]], { dtype: "float64" });
      const loss = ts.nn.l2Loss(t);
      const [dt] = ts.gradients(loss, [t]);
      const [l, gt] = new ts.Session(g).run([loss, dt!]);
      assertClose(l, 7, TIGHT);
      assertClose(gt, [[1, 2, 3]], TIGHT);
    });
  });

  test("integers are refused", () => {
    throwsWith(() => inGraph(() => ts.nn.l2Loss(ts.constant([1, 2], { dtype: "int32" }), "decay")), ts.DTypeError, /L2Loss 'decay' needs a float32 or float64 input, got int32/);
  });
});
