/** TensorFlow's `nn.in_top_k`: whether each example's target class is among its k highest predictions. */
import type { Node, TensorSpec } from "../graph/index.js";
import type { InTopKAttrs } from "../kernels/attrs.js";
import { DTypeError, ShapeError, formatShape, is, isFloatDType, requireArg } from "../tensor/index.js";
import { apply, defineOp, type NodeLike, type NameArg } from "./define.js";

export const InTopK = defineOp<InTopKAttrs>({
  type: "InTopK",
  infer: ([predictions, targets], _attrs, name): TensorSpec => {
    const p = predictions!;
    const t = targets!;
    if (!isFloatDType(p.dtype)) throw new DTypeError(`InTopK '${name}': predictions must be float32 or float64, got ${p.dtype}`);
    if (t.dtype !== "int32") throw new DTypeError(`InTopK '${name}': targets must be integer class ids (int32, or int64 stored as int32), got ${t.dtype}`);
    if (p.shape !== null && p.shape.length !== 2) throw new ShapeError(`InTopK '${name}': predictions must be [batch, classes], got ${formatShape(p.shape)}`);
    if (t.shape !== null && t.shape.length !== 1) throw new ShapeError(`InTopK '${name}': targets must be [batch], got ${formatShape(t.shape)}`);
    const batch = p.shape?.[0] ?? t.shape?.[0] ?? null;
    if (p.shape !== null && t.shape !== null && p.shape[0] !== null && t.shape[0] !== null && p.shape[0] !== t.shape[0]) {
      throw new ShapeError(`InTopK '${name}': predictions ${formatShape(p.shape)} and targets ${formatShape(t.shape)} have different batch sizes`);
    }
    return { dtype: "bool", shape: [batch] };
  },
  gradient: { notDifferentiable: "its output is bool, a piecewise-constant function of the predictions" },
});

/**
 * For each row of `predictions` ([batch, classes]), whether the prediction for its target class
 * (`targets`, [batch]) is among the `k` largest: fewer than k classes predict strictly more (so
 * ties count in the target's favour, as TensorFlow's). A non-finite prediction is never in the top k.
 */
export function inTopK(predictions: NodeLike, targets: NodeLike, k: number, name?: NameArg): Node {
  requireArg("inTopK", "k", k, is.integer);
  requireArg("inTopK", "name", name, is.optional(is.string));
  return apply(InTopK, [predictions, targets], { k }, name);
}
