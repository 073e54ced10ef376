/** tf.losses by hand: weights, the reductions, label smoothing, and no gradient into the labels. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";

function run(build: () => ts.Node): ts.Tensor {
  const g = new ts.Graph();
  return g.asDefault(() => new ts.Session(g).run(build()));
}

const f64 = (v: ts.NestedArray): ts.Node => ts.constant(v, { dtype: "float64" });
const TIGHT = { atol: 1e-12, rtol: 1e-12 };
// lse([1,2,3]) = 3.4076059644
const LSE123 = 3.4076059644443806;

describe("losses.meanSquaredError", () => {
  // labels [[1,2],[3,4]], predictions [[1,3],[5,4]]: squared errors [[0,1],[4,0]], sum 5.
  const labels = (): ts.Node => f64([[1, 2], [3, 4]]);
  const preds = (): ts.Node => f64([[1, 3], [5, 4]]);

  test("the default reduction is the mean over elements: 5/4", () => {
    assertClose(run(() => ts.losses.meanSquaredError(labels(), preds())), 1.25, TIGHT);
  });

  test("a number weight: 3·5/4 by nonzero weights, 5/4 for MEAN, 0 for weight 0, 15 for SUM", () => {
    assertClose(run(() => ts.losses.meanSquaredError(labels(), preds(), { weights: 3 })), 3.75, TIGHT);
    assertClose(run(() => ts.losses.meanSquaredError(labels(), preds(), { weights: 3, reduction: ts.losses.Reduction.MEAN })), 1.25, TIGHT);
    assertClose(run(() => ts.losses.meanSquaredError(labels(), preds(), { weights: 0 })), 0, TIGHT);
    assertClose(run(() => ts.losses.meanSquaredError(labels(), preds(), { weights: 3, reduction: ts.losses.Reduction.SUM })), 15, TIGHT);
  });

  test("per-example weights [[1],[0.5]]: NONE, SUM, MEAN and SUM_OVER_BATCH_SIZE", () => {
    // weighted: [[0,1],[2,0]], sum 3; Σ weights broadcast = 1+1+0.5+0.5 = 3; 4 elements.
    const w = (): ts.Node => f64([[1], [0.5]]);
    const R = ts.losses.Reduction;
    assertClose(run(() => ts.losses.meanSquaredError(labels(), preds(), { weights: w(), reduction: R.NONE })), [[0, 1], [2, 0]], TIGHT);
    assertClose(run(() => ts.losses.meanSquaredError(labels(), preds(), { weights: w(), reduction: R.SUM })), 3, TIGHT);
    assertClose(run(() => ts.losses.meanSquaredError(labels(), preds(), { weights: w(), reduction: R.MEAN })), 1, TIGHT);
    assertClose(run(() => ts.losses.meanSquaredError(labels(), preds(), { weights: w(), reduction: R.SUM_OVER_BATCH_SIZE })), 0.75, TIGHT);
  });

  test("per-example weights with the default reduction divide by the count of nonzero weights", () => {
    // weights [[2],[0]]: weighted [[0,2],[0,0]], sum 2; two loss elements have a nonzero weight → 1.
    assertClose(run(() => ts.losses.meanSquaredError(labels(), preds(), { weights: f64([[2], [0]]) })), 1, TIGHT);
    // [[1],[0.5]]: sum 3 over 4 nonzero-weighted elements.
    assertClose(run(() => ts.losses.meanSquaredError(labels(), preds(), { weights: f64([[1], [0.5]]) })), 0.75, TIGHT);
  });

  test("all-zero weights give a zero loss and a zero (not NaN) gradient, for nonzero-count and MEAN reductions", () => {
    for (const reduction of [ts.losses.Reduction.SUM_BY_NONZERO_WEIGHTS, ts.losses.Reduction.MEAN]) {
      const g = new ts.Graph();
      g.asDefault(() => {
        const p = preds();
        const loss = ts.losses.meanSquaredError(labels(), p, { weights: f64([[0], [0]]), reduction });
        const [dp] = ts.gradients(loss, [p]);
        const [l, gp] = new ts.Session(g).run([loss, dp!]);
        assertClose(l, 0, { atol: 0, rtol: 0 });
        assertClose(gp, [[0, 0], [0, 0]], { atol: 0, rtol: 0 });
      });
    }
  });

  test("shapes that differ, and weights that do not broadcast, are errors", () => {
    assert.throws(() => run(() => ts.losses.meanSquaredError(f64([1, 2]), f64([1, 2, 3]))), /predictions \[3\] and labels \[2\] must have the same shape/);
    assert.throws(() => run(() => ts.losses.meanSquaredError(labels(), preds(), { weights: f64([1, 2, 3]) })), /weights of shape \[3\] cannot be broadcast to the losses' shape \[2,2\]/);
  });

  test("the loss lives under the scope mean_squared_error", () => {
    const g = new ts.Graph();
    g.asDefault(() => assert.equal(ts.losses.meanSquaredError(labels(), preds()).name, "mean_squared_error/value"));
  });
});

describe("losses.softmaxCrossEntropy and sparseSoftmaxCrossEntropy", () => {
  // Rows [1,2,3] labelled 1 and 0: losses lse − 2 and lse − 1, mean lse − 1.5.
  test("one-hot labels: the mean over the batch", () => {
    assertClose(run(() => ts.losses.softmaxCrossEntropy(f64([[0, 1, 0], [1, 0, 0]]), f64([[1, 2, 3], [1, 2, 3]]))), LSE123 - 1.5, TIGHT);
  });

  test("sparse labels give the same", () => {
    assertClose(run(() => ts.losses.sparseSoftmaxCrossEntropy(ts.constant([1, 0], { dtype: "int32" }), f64([[1, 2, 3], [1, 2, 3]]))), LSE123 - 1.5, TIGHT);
  });

  test("label smoothing 0.3 over 3 classes: labels·0.7 + 0.1", () => {
    // Row 0: labels [0.1,0.8,0.1], loss lse − (0.1 + 1.6 + 0.3) = lse − 2.0;
    // row 1: labels [0.8,0.1,0.1], loss lse − (0.8 + 0.2 + 0.3) = lse − 1.3. Mean lse − 1.65.
    const out = run(() => ts.losses.softmaxCrossEntropy(f64([[0, 1, 0], [1, 0, 0]]), f64([[1, 2, 3], [1, 2, 3]]), { labelSmoothing: 0.3 }));
    assertClose(out, LSE123 - 1.65, TIGHT);
  });

  test("label smoothing with an unknown class count takes it at run time", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const labels = ts.placeholder("float64", null);
      const logits = ts.placeholder("float64", null);
      const loss = ts.losses.softmaxCrossEntropy(labels, logits, { labelSmoothing: 0.3 });
      const out = new ts.Session(g).run(loss, new Map([
        [labels, ts.tensor([[0, 1, 0], [1, 0, 0]], { dtype: "float64" })],
        [logits, ts.tensor([[1, 2, 3], [1, 2, 3]], { dtype: "float64" })],
      ]));
      assertClose(out, LSE123 - 1.65, TIGHT);
    });
  });

  test("no gradient flows into the labels; the logits get (softmax − labels)/batch", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const labels = f64([[0, 1, 0]]);
      const logits = f64([[0, 0, 0]]);
      const [dz, dx] = ts.gradients(ts.losses.softmaxCrossEntropy(labels, logits), [labels, logits]);
      assert.equal(dz, null);
      assertClose(new ts.Session(g).run(dx!), [[1 / 3, 1 / 3 - 1, 1 / 3]], TIGHT);
    });
  });

  test("sigmoidCrossEntropy: the mean logistic loss", () => {
    // z=1, x=0: log 2; z=0, x=0: log 2. Mean log 2.
    assertClose(run(() => ts.losses.sigmoidCrossEntropy(f64([1, 0]), f64([0, 0]))), Math.LN2, TIGHT);
  });
});

describe("TF1's signatures of tf.losses: positional arguments in TF1's order or by name", () => {
  test("weights, scope and reduction by position equal the same by name", () => {
    const labels = (): ts.Node => f64([[1, 2], [3, 4]]);
    const preds = (): ts.Node => f64([[1, 3], [5, 4]]);
    // Squared errors [[0,1],[4,0]] weighted by 3, summed: 15.
    assertClose(run(() => ts.losses.meanSquaredError(labels(), preds(), 3, "mse", ts.losses.Reduction.SUM)), 15, TIGHT);
    assertClose(run(() => ts.losses.meanSquaredError(labels(), preds(), { weights: 3, reduction: ts.losses.Reduction.SUM })), 15, TIGHT);
    assertClose(run(() => ts.losses.computeWeightedLoss(f64([1, 2, 3]), 2, undefined, ts.losses.Reduction.SUM)), 12, TIGHT);
    // softmax_cross_entropy(onehot_labels, logits, weights, label_smoothing): smoothing 1 makes the labels uniform,
    // so the loss is lse − mean(logits) = lse([1,2,3]) − 2.
    assertClose(run(() => ts.losses.softmaxCrossEntropy(f64([[0, 0, 1]]), f64([[1, 2, 3]]), 1, 1)), LSE123 - 2, TIGHT);
    const byName = ts.losses.softmaxCrossEntropy as unknown as (args: object) => ts.Node;
    assertClose(run(() => byName({ onehot_labels: f64([[0, 0, 1]]), logits: f64([[1, 2, 3]]), label_smoothing: 1 })), LSE123 - 2, TIGHT);
  });

  test("the scope of computeWeightedLoss names its nodes", () => {
    const g = new ts.Graph();
    const loss = g.asDefault(() => ts.losses.computeWeightedLoss(f64([1, 2]), { scope: "weighted" }));
    assert.match(loss.name, /^weighted\//);
  });

  test("wrong kinds name the function and the argument", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      assert.throws(() => ts.losses.meanSquaredError(f64([1]), f64([1]), { reduction: "mean" as never }), /meanSquaredError: argument 'reduction' must be one of "none", /);
      assert.throws(() => ts.losses.sigmoidCrossEntropy(f64([1]), f64([1]), { labelSmoothing: 2 }), /sigmoidCrossEntropy: argument 'labelSmoothing' must be a number in \[0, 1\] \(or undefined\), got number 2/);
      assert.throws(() => ts.losses.computeWeightedLoss([1, 2] as never), /computeWeightedLoss: argument 'losses' must be a node with a value \(the losses\)/);
    });
  });
});
