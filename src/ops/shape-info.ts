/**
 * TensorFlow's `shape`, `size` and `rank` as ops: int32 values computed from the input's shape when
 * the graph runs, so that they follow a batch dimension known only then. (A node's static shape is
 * `node.shape`, or TensorFlow's `node.getShape().asList()`.)
 */
import type { Node, TensorSpec } from "../graph/index.js";
import { is, requireArg } from "../tensor/index.js";
import { apply, defineOp, type NodeLike, type NameArg } from "./define.js";

type NoAttrs = Record<string, never>;
const METADATA = { notDifferentiable: "its value is the input's shape, which does not change with the input's values" } as const;

export const Shape = defineOp<NoAttrs>({
  type: "Shape",
  infer: ([x]): TensorSpec => ({ dtype: "int32", shape: [x!.shape === null ? null : x!.shape.length] }),
  gradient: METADATA,
  shapeOnly: true,
});
export const Size = defineOp<NoAttrs>({ type: "Size", infer: (): TensorSpec => ({ dtype: "int32", shape: [] }), gradient: METADATA, shapeOnly: true });
export const Rank = defineOp<NoAttrs>({ type: "Rank", infer: (): TensorSpec => ({ dtype: "int32", shape: [] }), gradient: METADATA, shapeOnly: true });

/** The shape of `x` as an int32 vector, when the graph runs (TensorFlow's `tf.shape`). */
export function shape(x: NodeLike, name?: NameArg): Node {
  requireArg("shape", "name", name, is.optional(is.string));
  return apply(Shape, [x], {}, name);
}
/** The number of elements of `x`, an int32 scalar (TensorFlow's `tf.size`). */
export function size(x: NodeLike, name?: NameArg): Node {
  requireArg("size", "name", name, is.optional(is.string));
  return apply(Size, [x], {}, name);
}
/** The number of dimensions of `x`, an int32 scalar (TensorFlow's `tf.rank`). */
export function rank(x: NodeLike, name?: NameArg): Node {
  requireArg("rank", "name", name, is.optional(is.string));
  return apply(Rank, [x], {}, name);
}
