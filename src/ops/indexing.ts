/**
 * Selecting elements by position: slice (Slice), stridedSlice (StridedSlice, whose adjoint
 * StridedSliceGrad is also Slice's gradient), gather (GatherV2, whose adjoint GatherGrad adds the
 * gradient into zeros shaped like the params) and oneHot (OneHot).
 */
import { GraphNode, type Node, type TensorSpec } from "../graph/index.js";
import { check, is, isDTypeArg, isIntegerList, requireArg, signature, storageDType, DTypeError, ShapeError, ValueError, checkStridedSliceSpec, formatShape, normalizeAxes, resolveStridedSlice, sliceAsStrided, staticCompatible, tensor, Tensor, type DTypeLike, type StaticShape, type StridedSliceSpec, type TensorLike } from "../tensor/index.js";
import { apply, defineOp, isNodeLike, type NodeLike, type NameArg } from "./define.js";
import { requireNumeric } from "./infer.js";
import type { GatherAttrs, OneHotAttrs, SliceAttrs } from "../kernels/attrs.js";

function sliceShape(x: StaticShape, { begin, size }: SliceAttrs, context: string): StaticShape {
  if (begin.length !== size.length) throw new ShapeError(`${context}: begin and size must have the same length, got ${begin.length} and ${size.length}`);
  begin.forEach((b, i) => {
    if (!Number.isInteger(b) || b < 0) throw new ShapeError(`${context}: begin[${i}] must be an integer >= 0, got ${b}`);
    if (!Number.isInteger(size[i]) || size[i]! < -1) throw new ShapeError(`${context}: size[${i}] must be an integer >= -1, got ${size[i]}`);
  });
  if (x === null) return size.map((s) => (s === -1 ? null : s));
  if (x.length !== begin.length) {
    throw new ShapeError(`${context}: begin and size have ${begin.length} entries, but the input has rank ${x.length} (shape ${formatShape(x)})`);
  }
  return x.map((d, i) => {
    const b = begin[i]!;
    const s = size[i]!;
    if (d === null) return s === -1 ? null : s;
    if (b > d || (s !== -1 && b + s > d)) {
      throw new ShapeError(
        `${context}: begin[${i}] = ${b} with size[${i}] = ${s} runs past the end of axis ${i}, whose size is ${d} (input shape ${formatShape(x)})`,
      );
    }
    return s === -1 ? d - b : s;
  });
}

export const Slice = defineOp<SliceAttrs>({
  type: "Slice",
  infer: ([x], attrs, name): TensorSpec => ({ dtype: x!.dtype, shape: sliceShape(x!.shape, attrs, `Slice '${name}'`) }),
  gradient: (op, dy) => [stridedSliceGrad(op.inputs[0]!, dy, sliceAsStrided(op.attrs.begin, op.attrs.size))],
});

function stridedShape(x: StaticShape, spec: StridedSliceSpec, context: string): StaticShape {
  checkStridedSliceSpec(spec, context);
  return x === null ? null : resolveStridedSlice(x, spec, context).shape;
}

export const StridedSlice = defineOp<StridedSliceSpec>({
  type: "StridedSlice",
  infer: ([x], spec, name): TensorSpec => ({ dtype: x!.dtype, shape: stridedShape(x!.shape, spec, `StridedSlice '${name}'`) }),
  gradient: (op, dy) => [stridedSliceGrad(op.inputs[0]!, dy, op.attrs)],
});

/** StridedSliceGrad(xLike, dy): zeros shaped like xLike with dy written where the slice took its values. */
export const StridedSliceGrad = defineOp<StridedSliceSpec>({
  type: "StridedSliceGrad",
  infer: ([x, dy], spec, name): TensorSpec => {
    const expected = stridedShape(x!.shape, spec, `StridedSliceGrad '${name}'`);
    if (!staticCompatible(expected, dy!.shape)) {
      throw new ShapeError(`StridedSliceGrad '${name}': the gradient has shape ${formatShape(dy!.shape)}, but the slice of a tensor of shape ${formatShape(x!.shape)} has shape ${formatShape(expected)}`);
    }
    return { dtype: dy!.dtype, shape: x!.shape };
  },
  gradient: (op, g) => [null, apply(StridedSlice, [g], { ...op.attrs }, "StridedSlice")],
});

function stridedSliceGrad(x: Node, dy: Node, spec: StridedSliceSpec): Node {
  return apply(StridedSliceGrad, [x, dy], spec, "StridedSliceGrad");
}

function requireIndices(type: string, name: string, indices: TensorSpec): void {
  if (indices.dtype !== "int32") {
    throw new DTypeError(`${type} '${name}': indices must be int32, got ${indices.dtype} (shape ${formatShape(indices.shape)})`);
  }
}

/** params[:axis] + indices.shape + params[axis+1:], checking the axis. */
function gatherShape(type: string, name: string, params: TensorSpec, indices: TensorSpec, axis: number): StaticShape {
  requireIndices(type, name, indices);
  const p = params.shape;
  if (p === null) return null;
  if (p.length === 0) throw new ShapeError(`${type} '${name}': params must have rank at least 1, got a scalar`);
  const [ax] = normalizeAxes(axis, p.length, `${type} '${name}' (params shape ${formatShape(p)})`);
  if (indices.shape === null) return null;
  return [...p.slice(0, ax), ...indices.shape, ...p.slice(ax! + 1)];
}

export const GatherV2 = defineOp<GatherAttrs>({
  type: "GatherV2",
  infer: ([params, indices], { axis }, name): TensorSpec => ({ dtype: params!.dtype, shape: gatherShape("GatherV2", name, params!, indices!, axis) }),
  gradient: (op, dy) => [apply(GatherGrad, [op.inputs[0]!, op.inputs[1]!, dy], { axis: op.attrs.axis }, "GatherGrad"), null],
});

/** GatherGrad(paramsLike, indices, dy): zeros shaped like params, with each slice of dy added at its index. */
export const GatherGrad = defineOp<GatherAttrs>({
  type: "GatherGrad",
  infer: ([params, indices, dy], { axis }, name): TensorSpec => {
    requireNumeric("GatherGrad", name, dy!);
    const expected = gatherShape("GatherGrad", name, params!, indices!, axis);
    if (!staticCompatible(expected, dy!.shape)) {
      throw new ShapeError(`GatherGrad '${name}': the gradient has shape ${formatShape(dy!.shape)}, expected ${formatShape(expected)} (params ${formatShape(params!.shape)}, indices ${formatShape(indices!.shape)}, axis ${axis})`);
    }
    return { dtype: dy!.dtype, shape: params!.shape };
  },
  gradient: (op, g) => [null, null, gather(g, op.inputs[1]!, { axis: op.attrs.axis })],
});

export const OneHot = defineOp<OneHotAttrs>({
  type: "OneHot",
  infer: ([indices], { depth, onValue, offValue, axis, dtype }, name): TensorSpec => {
    const context = `OneHot '${name}'`;
    requireIndices("OneHot", name, indices!);
    if (!Number.isInteger(depth) || depth < 0) throw new ShapeError(`${context}: depth must be an integer >= 0, got ${depth}`);
    for (const v of [onValue, offValue]) {
      if ((dtype === "int32" && !Number.isInteger(v)) || (dtype === "bool" && v !== 0 && v !== 1)) {
        throw new DTypeError(`${context}: ${v} is not a ${dtype} value (onValue ${onValue}, offValue ${offValue})`);
      }
    }
    const shape = indices!.shape;
    const rank = shape?.length ?? Infinity;
    if (!Number.isInteger(axis) || axis < -1 || axis > rank) {
      throw new ShapeError(`${context}: axis must be -1 or in [0, ${rank}] for indices of shape ${formatShape(shape)}, got ${axis}`);
    }
    if (shape === null) return { dtype, shape: null };
    const out = [...shape];
    out.splice(axis === -1 ? shape.length : axis, 0, depth);
    return { dtype, shape: out };
  },
  gradient: { notDifferentiable: "its input is integer indices, and its output depends on them only through comparisons" },
});

/** Plain index values as an int32 tensor (nodes and Tensors pass as they are, and are checked by the op). */
function indexValue(x: NodeLike, what: string): NodeLike {
  if (x instanceof GraphNode || x instanceof Tensor) return x;
  try {
    return tensor(x as TensorLike, { dtype: "int32" });
  } catch (e) {
    if (e instanceof ValueError) throw new ValueError(`${what}: ${e.message}`);
    throw e;
  }
}

/** `x[begin : begin+size]` along each axis; a size of -1 takes the rest of the axis. */
export function slice(x: NodeLike, begin: readonly number[], size: readonly number[], name?: NameArg): Node {
  requireArg("slice", "begin", begin, isIntegerList);
  requireArg("slice", "size", size, isIntegerList);
  return apply(Slice, [x], { begin: [...begin], size: [...size] }, name ?? "Slice");
}

export interface StridedSliceOptions {
  beginMask?: number;
  endMask?: number;
  ellipsisMask?: number;
  newAxisMask?: number;
  shrinkAxisMask?: number;
  name?: string;
  /** TensorFlow's keyword names. */
  begin_mask?: number;
  end_mask?: number;
  ellipsis_mask?: number;
  new_axis_mask?: number;
  shrink_axis_mask?: number;
}

const MASK = is.optional(is.integer);
const STRIDED_SLICE = signature<{ input: NodeLike; begin: number[]; end: number[]; strides?: number[] } & StridedSliceOptions>("stridedSlice", [
  { name: "input", check: isNodeLike, aliases: ["input_", "x"] },
  { name: "begin", check: isIntegerList },
  { name: "end", check: isIntegerList },
  { name: "strides", check: is.optional(isIntegerList) },
  { name: "beginMask", check: MASK },
  { name: "endMask", check: MASK },
  { name: "ellipsisMask", check: MASK },
  { name: "newAxisMask", check: MASK },
  { name: "shrinkAxisMask", check: MASK },
  { name: "name", check: is.optional(is.string), keywordOnly: true },
]);

/**
 * TensorFlow's `strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0,
 * ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0, name=None)`: `x[begin[i]:end[i]:strides[i]]`
 * for each entry i, where negative indices count from the end and negative strides walk backwards;
 * bit i of beginMask/endMask ignores begin[i]/end[i] (take from the start/to the end), of
 * shrinkAxisMask takes the single index begin[i] and drops the axis, of newAxisMask inserts a
 * size-1 axis, of ellipsisMask stands for as many whole axes as needed. Strides default to 1.
 */
export function stridedSlice(x: NodeLike, begin: readonly number[], end: readonly number[], strides?: readonly number[], options?: StridedSliceOptions): Node;
export function stridedSlice(x: NodeLike, begin: readonly number[], end: readonly number[], strides?: readonly number[], beginMask?: number, endMask?: number, ellipsisMask?: number, newAxisMask?: number, shrinkAxisMask?: number): Node;
export function stridedSlice(...args: unknown[]): Node {
  const a = STRIDED_SLICE.parse(args);
  const spec: StridedSliceSpec = {
    begin: [...a.begin],
    end: [...a.end],
    strides: a.strides === undefined ? a.begin.map(() => 1) : [...a.strides],
    beginMask: a.beginMask ?? 0,
    endMask: a.endMask ?? 0,
    ellipsisMask: a.ellipsisMask ?? 0,
    newAxisMask: a.newAxisMask ?? 0,
    shrinkAxisMask: a.shrinkAxisMask ?? 0,
  };
  return apply(StridedSlice, [a.input], spec, a.name ?? "StridedSlice");
}

/** Only TF1's default: batched gathers are not implemented. */
const isBatchDims = check<0 | null | undefined>("0 (batch_dims other than 0 is not supported)", (v) => v === undefined || v === null || v === 0);

const GATHER = signature<{ params: NodeLike; indices: NodeLike; validateIndices?: boolean | null; name?: string; axis?: number | null; batchDims?: 0 | null }>("gather", [
  { name: "params", check: isNodeLike },
  { name: "indices", check: isNodeLike },
  // Deprecated in TensorFlow, where it does nothing; indices are always checked here. A number here
  // is refused rather than taken for the axis: TensorFlow 1.x would gather along axis 0 instead.
  {
    name: "validateIndices",
    check: check<boolean | null | undefined>("true, false or null (TF1's deprecated validate_indices; give the axis by keyword: gather(params, indices, { axis }))", (v) => v === undefined || v === null || typeof v === "boolean"),
  },
  { name: "name", check: is.optional(is.string) },
  { name: "axis", check: check<number | null | undefined>("an integer or null", (v) => v === undefined || v === null || Number.isInteger(v)) },
  { name: "batchDims", check: isBatchDims },
]);

export interface GatherOptions {
  /** Default 0. */
  axis?: number | null;
  name?: string;
  /** Ignored, as in TensorFlow (indices are always checked). */
  validateIndices?: boolean | null;
  validate_indices?: boolean | null;
  /** Only 0. */
  batchDims?: 0 | null;
  batch_dims?: 0 | null;
}

/**
 * TensorFlow 1.x's `gather(params, indices, validate_indices=None, name=None, axis=None,
 * batch_dims=0)`: slices of `params` along `axis` at the int32 `indices` (of any rank); the output
 * has params' shape with that axis replaced by the indices' shape. An index outside [0, size) is an
 * error. The axis is the fifth positional argument, so it is usually given as `{ axis }`.
 */
export function gather(params: NodeLike, indices: NodeLike, options?: GatherOptions): Node;
export function gather(params: NodeLike, indices: NodeLike, validateIndices?: boolean | null, name?: string, axis?: number | null, batchDims?: 0 | null): Node;
export function gather(...args: unknown[]): Node {
  const { params, indices, axis, name } = GATHER.parse(args);
  return apply(GatherV2, [params, indexValue(indices, "gather indices")], { axis: axis ?? 0 }, name ?? "GatherV2");
}

export interface OneHotOptions {
  onValue?: number;
  offValue?: number;
  axis?: number;
  dtype?: DTypeLike;
  name?: string;
  /** TensorFlow's keyword names. */
  on_value?: number;
  off_value?: number;
}

const ONE_HOT = signature<{ indices: NodeLike; depth: number } & OneHotOptions>("oneHot", [
  { name: "indices", check: isNodeLike },
  { name: "depth", check: is.integer },
  { name: "onValue", check: is.optional(is.number) },
  { name: "offValue", check: is.optional(is.number) },
  { name: "axis", check: is.optional(is.integer) },
  { name: "dtype", check: is.optional(isDTypeArg) },
  { name: "name", check: is.optional(is.string) },
]);

/**
 * TensorFlow's `one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None,
 * name=None)`: a new axis of size `depth` (last by default) holding onValue (1) at each index and
 * offValue (0) elsewhere; an index outside [0, depth) gives a row of offValue, as in TensorFlow.
 */
export function oneHot(indices: NodeLike, depth: number, options?: OneHotOptions): Node;
export function oneHot(indices: NodeLike, depth: number, onValue?: number, offValue?: number, axis?: number, dtype?: DTypeLike, name?: string): Node;
export function oneHot(...args: unknown[]): Node {
  const o = ONE_HOT.parse(args);
  const attrs: OneHotAttrs = {
    depth: o.depth,
    onValue: o.onValue ?? 1,
    offValue: o.offValue ?? 0,
    axis: o.axis ?? -1,
    dtype: storageDType(o.dtype ?? "float32"),
  };
  return apply(OneHot, [indexValue(o.indices, "oneHot indices")], attrs, o.name ?? "one_hot");
}
