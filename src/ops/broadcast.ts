/**
 * The ops that undo and redo broadcasting in gradients. `sumToShape` sums a gradient over the
 * axes its input was stretched along; gradients() applies it to every input an op declares it
 * broadcasts (OpDef.broadcasts), and BroadcastLike's own gradient is it. Both ops read only the
 * *shape* of their second input, so they work when shapes are known only at run time.
 */
import type { Node, TensorSpec } from "../graph/index.js";
import {
  ShapeError,
  broadcastStatic,
  formatShape,
  isFullyKnown,
  insertReducedAxes,
  shapesEqual,
  staticCompatible,
  type StaticShape,
  sizeOf,
} from "../tensor/index.js";
import { apply, defineOp } from "./define.js";
import { reduceSum } from "./reduce.js";
import type { BroadcastLikeAttrs } from "../kernels/attrs.js";

export const SumToShape = defineOp<Record<string, never>>({
  type: "SumToShape",
  infer: ([x, like], _attrs, name) => {
    // `x` must be `like` broadcast: broadcasting them together gives x's shape back.
    const joint = broadcastStatic(x!.shape, like!.shape, `SumToShape '${name}'`);
    // Every dimension must come back, not only the rank (x [1] cannot be "summed" to like [3]).
    if (joint !== null && x!.shape !== null && (joint.length !== x!.shape.length || !staticCompatible(joint, x!.shape))) {
      throw new ShapeError(`SumToShape '${name}': cannot sum shape ${formatShape(x!.shape)} down to ${formatShape(like!.shape)}`);
    }
    return { dtype: x!.dtype, shape: like!.shape };
  },
  gradient: (op, dy) => [broadcastLike(dy, op.inputs[0]!), null],
  // A copy when nothing was broadcast (shapes unknown when the graph was built are often equal).
  elementwise: { formula: "Identity", args: [0], argShape: (shape, _index, out) => (sizeOf(shape) === sizeOf(out) ? out : null) },
});

/** The shape `x` has once its reduced axes are put back as size-1 dimensions. */
export function restoreReducedShape(x: StaticShape, likeRank: number, attrs: BroadcastLikeAttrs, context: string): StaticShape {
  if (attrs.reducedAxis === undefined || attrs.keepDims || x === null) return x;
  return insertReducedAxes(x, attrs.reducedAxis === "all" ? undefined : attrs.reducedAxis, likeRank, context);
}

export const BroadcastLike = defineOp<BroadcastLikeAttrs>({
  type: "BroadcastLike",
  infer: ([x, like], attrs, name) => {
    const context = `BroadcastLike '${name}'`;
    if (like!.shape === null) return { dtype: x!.dtype, shape: null };
    const restored = restoreReducedShape(x!.shape, like!.shape.length, attrs, context);
    const joint = broadcastStatic(restored, like!.shape, context);
    // The result must have like's shape in every dimension, not only its rank (x [3] cannot be
    // broadcast to like [1]).
    if (joint !== null && (joint.length !== like!.shape.length || !staticCompatible(joint, like!.shape))) {
      throw new ShapeError(`${context}: cannot broadcast ${formatShape(x!.shape)} to ${formatShape(like!.shape)}`);
    }
    return { dtype: x!.dtype, shape: like!.shape };
  },
  gradient: (op, dy) => {
    const { reducedAxis, keepDims } = op.attrs;
    const x = op.inputs[0]!;
    if (reducedAxis === undefined) return [sumToShape(dy, x), null];
    return [reduceSum(dy, reducedAxis === "all" ? undefined : reducedAxis, { keepDims: keepDims ?? false }), null];
  },
  elementwise: {
    formula: "Identity",
    args: [0],
    argShape: (shape, _index, out, attrs) => restoreReducedShape([...shape], out.length, attrs, "BroadcastLike") as number[],
  },
});

function sameKnownShape(a: StaticShape, b: StaticShape): boolean {
  return isFullyKnown(a) && isFullyKnown(b) && shapesEqual(a, b);
}

/** `dy` summed over the axes along which `x` was broadcast; `dy` itself when the shapes already agree. */
export function sumToShape(dy: Node, x: Node): Node {
  if (sameKnownShape(dy.shape, x.shape)) return dy;
  return apply(SumToShape, [dy, x], {}, "SumToShape");
}

/** `dy` broadcast to the shape of `like` (after putting back reduced axes, see BroadcastLikeAttrs). */
export function broadcastLike(dy: Node, like: Node, attrs: BroadcastLikeAttrs = {}): Node {
  if (sameKnownShape(dy.shape, like.shape)) return dy;
  return apply(BroadcastLike, [dy, like], attrs, "BroadcastLike");
}

export const SizeRatio = defineOp<Record<string, never>>({
  type: "SizeRatio",
  infer: ([x]): TensorSpec => ({ dtype: x!.dtype, shape: [] }),
  gradient: { notDifferentiable: "its value depends only on the shapes of its inputs" },
});

/** size(x) / size(y) as a scalar of x's dtype: a constant when both shapes are known. */
export function sizeRatio(x: Node, y: Node): Node | number {
  if (isFullyKnown(x.shape) && isFullyKnown(y.shape)) {
    return sizeOf(x.shape) / sizeOf(y.shape);
  }
  return apply(SizeRatio, [x, y], {}, "SizeRatio");
}
