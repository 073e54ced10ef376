/**
 * Ops that make tensors from a shape: fill (Fill) and range (Range).
 *
 * `tf.zeros(shape)` and `tf.ones(shape)` are no op types of their own in TensorFlow 1.x: they
 * build a Const (or a Fill for large shapes). Here `zeros` and `ones` give Tensor values, which
 * every op accepts and turns into a Const; `fill(dims, 0)` is the op form.
 */
import type { Node, TensorSpec } from "../graph/index.js";
import { isIntegerList, is, requireArg, DTypeError, ShapeError, ValueError, formatShape, type DType } from "../tensor/index.js";
import { apply, defineOp, type NodeLike, type NameArg } from "./define.js";
import { reduceSum } from "./reduce.js";
import type { RangeAttrs } from "../kernels/attrs.js";

export interface FillAttrs {
  dims: readonly number[];
}

export const Fill = defineOp<FillAttrs>({
  type: "Fill",
  infer: ([value], { dims }, name): TensorSpec => {
    if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new ShapeError(`Fill '${name}': dims must be integers >= 0, got [${dims.join(",")}]`);
    if (value!.shape !== null && value!.shape.length !== 0) {
      throw new ShapeError(`Fill '${name}': the value must be a scalar, got shape ${formatShape(value!.shape)}`);
    }
    return { dtype: value!.dtype, shape: [...dims] };
  },
  gradient: (_op, dy) => [reduceSum(dy)],
});

/** How many values `start, start+delta, ...` stay before `limit`, checked as TensorFlow does. */
export function rangeLength({ start, limit, delta, dtype }: RangeAttrs, context: string): number {
  if (![start, limit, delta].every(Number.isFinite)) throw new ValueError(`${context}: start, limit and delta must be finite numbers, got ${start}, ${limit}, ${delta}`);
  if (delta === 0) throw new ValueError(`${context}: delta must not be 0`);
  if (delta > 0 ? start > limit : start < limit) {
    throw new ValueError(`${context}: with delta ${delta} ${delta > 0 ? "> 0, start must be <= limit" : "< 0, start must be >= limit"}, got start ${start} and limit ${limit}`);
  }
  if (dtype === "int32" && ![start, limit, delta].every(Number.isInteger)) {
    throw new DTypeError(`${context}: an int32 range needs integer start, limit and delta, got ${start}, ${limit}, ${delta}`);
  }
  if (dtype === "bool") throw new DTypeError(`${context}: a range cannot be bool`);
  return Math.ceil(Math.abs((limit - start) / delta));
}

export const Range = defineOp<RangeAttrs>({
  type: "Range",
  infer: (_inputs, attrs, name): TensorSpec => ({ dtype: attrs.dtype, shape: [rangeLength(attrs, `Range '${name}'`)] }),
  gradient: { notDifferentiable: "it has no inputs: its values are fixed by its attributes" },
});

/** A tensor of shape `dims` whose every element is the scalar `value` (of value's dtype). */
export function fill(dims: readonly number[], value: NodeLike, name?: NameArg): Node {
  requireArg("fill", "dims", dims, isIntegerList);
  return apply(Fill, [value], { dims: [...dims] }, name ?? "Fill");
}

export interface RangeOptions {
  dtype?: DType;
  name?: string;
}

/**
 * `start, start+delta, ...` up to but not including `limit`; `range(n)` is 0..n-1. The dtype is
 * int32 when every argument is an integer, else float32 (TensorFlow's inference), unless given.
 */
export function range(start: number, limit?: number, delta = 1, options: RangeOptions = {}): Node {
  requireArg("range", "start", start, is.number);
  requireArg("range", "limit", limit, is.optional(is.number));
  requireArg("range", "delta", delta, is.number);
  const [first, last] = limit === undefined ? [0, start] : [start, limit];
  const dtype = options.dtype ?? ([first, last, delta].every(Number.isInteger) ? "int32" : "float32");
  return apply(Range, [], { start: first, limit: last, delta, dtype }, options.name ?? "range");
}
