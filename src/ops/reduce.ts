/** Reductions: reduceSum and reduceMean over one or several axes, with keepDims. */
import type { Node, TensorSpec } from "../graph/index.js";
import { normalizeAxes, type DType, isFloatDType, DTypeError } from "../tensor/index.js";
import { broadcastLike, sizeRatio } from "./broadcast.js";
import { apply, defineOp, type NodeLike } from "./define.js";
import { divide } from "./math.js";
import { requireNumeric } from "./infer.js";
import type { ReduceAttrs } from "../kernels/attrs.js";

export interface ReduceOptions {
  keepDims?: boolean;
  name?: string;
}

/** The output spec of a reduction over `attrs.axis`. */
export function reducedSpec(x: TensorSpec, attrs: ReduceAttrs, context: string, dtype: DType = x.dtype): TensorSpec {
  if (x.shape === null) return { dtype, shape: null };
  const axes = normalizeAxes(attrs.axis, x.shape.length, context);
  const shape = attrs.keepDims
    ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : x.shape.filter((_, i) => !axes.includes(i));
  return { dtype, shape };
}

/** dy broadcast back to the shape of the reduction's input. */
export function broadcastBack(op: { inputs: readonly Node[]; attrs: ReduceAttrs }, dy: Node): Node {
  const { axis, keepDims } = op.attrs;
  return broadcastLike(dy, op.inputs[0]!, { reducedAxis: axis ?? "all", keepDims });
}

export const Sum = defineOp<ReduceAttrs>({
  type: "Sum",
  kernel: "Sum",
  infer: ([x], attrs, name) => {
    requireNumeric("Sum", name, x!);
    return reducedSpec(x!, attrs, `Sum '${name}'`);
  },
  gradient: (op, dy) => [broadcastBack(op, dy)],
});

export const Mean = defineOp<ReduceAttrs>({
  type: "Mean",
  kernel: "Mean",
  infer: ([x], attrs, name) => {
    if (!isFloatDType(x!.dtype)) throw new DTypeError(`Mean '${name}' needs a float input, got ${x!.dtype}`);
    return reducedSpec(x!, attrs, `Mean '${name}'`);
  },
  gradient: (op, dy) => [divide(broadcastBack(op, dy), sizeRatio(op.inputs[0]!, op))],
});

/**
 * The attrs keep their own copy of an axis array, so a later change to the caller's array cannot
 * change the node.
 */
export function ownAxis(axis: number | readonly number[] | undefined): number | readonly number[] | undefined {
  return typeof axis === "object" ? [...axis] : axis;
}

/** The sum of elements along `axis` (all axes when omitted), as TensorFlow's `reduce_sum`. */
export function reduceSum(x: NodeLike, axis?: number | readonly number[], options: ReduceOptions = {}): Node {
  return apply(Sum, [x], { axis: ownAxis(axis), keepDims: options.keepDims ?? false }, options.name);
}

/** The mean of elements along `axis` (all axes when omitted), as TensorFlow's `reduce_mean`. */
export function reduceMean(x: NodeLike, axis?: number | readonly number[], options: ReduceOptions = {}): Node {
  return apply(Mean, [x], { axis: ownAxis(axis), keepDims: options.keepDims ?? false }, options.name);
}
