/**
 * Ops whose result depends on shapes, in ONNX: reading a shape (Shape, Size, Rank), the adjoints
 * of broadcasting (SumToShape, BroadcastLike, SizeRatio) and the reshapes of MatMul's gradient
 * (AsMatrix, LiftMatMulGrad, UnliftMatMulGrad). gradients() builds the last ones where a shape is
 * unknown, so each works from run-time shapes (Shape, NonZero, Compress), and from static ones
 * where they are known.
 */
import type { Operation } from "../../graph/index.js";
import type { AsMatrixAttrs, BroadcastLikeAttrs } from "../../ops/index.js";
import { isFullyKnown } from "../../tensor/index.js";
import { onnxDtype, type OnnxContext, type OnnxEmitter } from "./builder.js";

const INT64 = 7;
const FAR = Number.MAX_SAFE_INTEGER;

const toInt32 = (cx: OnnxContext, x: string, output?: string): string => cx.add("Cast", [x], { to: { int: onnxDtype("int32") } }, output);

export const shape: OnnxEmitter = (cx) => void toInt32(cx, cx.add("Shape", [cx.input(0)]), cx.output);
export const size: OnnxEmitter = (cx) => void toInt32(cx, cx.add("Size", [cx.input(0)]), cx.output);
export const rank: OnnxEmitter = (cx) => void toInt32(cx, cx.add("Size", [cx.add("Shape", [cx.input(0)])]), cx.output);

/** The run-time rank of input `i` as an int64 scalar. */
const rankOf = (cx: OnnxContext, i: number): string => cx.add("Size", [cx.add("Shape", [cx.input(i)])]);

/** An int64 vector of `count` (an int64 scalar, at least 0) ones. */
function onesVector(cx: OnnxContext, count: string): string {
  const dims = cx.add("Unsqueeze", [count, cx.int64s([0], "axes")]);
  return cx.add("ConstantOfShape", [dims], { value: { int64Tensor: { dims: [1], values: [1] } } });
}

/** max(n, 0) for an int64 scalar. */
const nonNegative = (cx: OnnxContext, n: string): string => cx.add("Max", [n, cx.int64s([0], "zero", true)]);

/**
 * SumToShape(x, like): x summed over the axes along which like was broadcast, then shaped like
 * like. With static shapes the axes are written out; otherwise they are where like's shape,
 * padded in front with ones, differs from x's (NonZero), and a ReduceSum over no axes is a copy.
 */
export const sumToShape: OnnxEmitter = (cx) => {
  const [x, like] = cx.op.inputs as [Operation, Operation];
  if (isFullyKnown(x.shape) && isFullyKnown(like.shape)) {
    const [xs, ls] = [x.shape as number[], like.shape as number[]];
    const lead = xs.length - ls.length;
    const axes = xs.flatMap((d, i) => (i < lead || (ls[i - lead] === 1 && d !== 1) ? [i] : []));
    const summed = axes.length === 0 ? cx.input(0) : cx.add("ReduceSum", [cx.input(0), cx.int64s(axes, "axes")], { keepdims: { int: 1 } });
    cx.add("Reshape", [summed, cx.int64s(ls, "shape")], ls.includes(0) ? { allowzero: { int: 1 } } : {}, cx.output);
    return;
  }
  const xShape = cx.add("Shape", [cx.input(0)]);
  const likeShape = cx.add("Shape", [cx.input(1)]);
  const padded = cx.add("Concat", [onesVector(cx, nonNegative(cx, cx.add("Sub", [rankOf(cx, 0), rankOf(cx, 1)]))), likeShape], { axis: { int: 0 } });
  const axes = cx.add("Squeeze", [cx.add("NonZero", [cx.add("Not", [cx.add("Equal", [padded, xShape])])]), cx.int64s([0], "axes")]);
  const summed = cx.add("ReduceSum", [cx.input(0), axes], { keepdims: { int: 1 }, noop_with_empty_axes: { int: 1 } });
  cx.add("Reshape", [summed, likeShape], { allowzero: { int: 1 } }, cx.output);
};

/**
 * BroadcastLike(x, like): x, with the axes a reduction dropped put back as size 1 (Unsqueeze counts
 * negative axes in the output's rank, like's), expanded to like's shape.
 */
export const broadcastLike: OnnxEmitter = (cx) => {
  const { reducedAxis, keepDims } = (cx.op as Operation<BroadcastLikeAttrs>).attrs;
  let x = cx.input(0);
  // "all" leaves a scalar, which Expand broadcasts as it is.
  if (reducedAxis !== undefined && reducedAxis !== "all" && keepDims !== true) {
    const rank = cx.op.inputs[1]!.rank;
    const axes = (typeof reducedAxis === "number" ? [reducedAxis] : [...reducedAxis]).map((a) => (a < 0 && rank !== null ? a + rank : a));
    if (axes.length > 0) x = cx.add("Unsqueeze", [x, cx.int64s(axes, "axes")]);
  }
  cx.add("Expand", [x, cx.add("Shape", [cx.input(1)])], {}, cx.output);
};

/** size(x) / size(y) in x's dtype. */
export const sizeRatio: OnnxEmitter = (cx) => {
  const to = { to: { int: onnxDtype(cx.op.dtype) } };
  const count = (i: number): string => cx.add("Cast", [cx.add("Size", [cx.input(i)])], to);
  cx.add("Div", [count(0), count(1)], {}, cx.output);
};

/**
 * AsMatrix: a vector as a row [1,k] or a column [k,1]. With an unknown rank, max(2 − rank, 0)
 * ones go before (a row) or after (a column) the shape.
 */
export const asMatrix: OnnxEmitter = (cx) => {
  const { vectorAs } = (cx.op as Operation<AsMatrixAttrs>).attrs;
  const x = cx.input(0);
  const rank = cx.op.inputs[0]!.rank;
  if (rank !== null) {
    if (rank !== 1) return void cx.add("Identity", [x], {}, cx.output);
    return void cx.add("Unsqueeze", [x, cx.int64s([vectorAs === "row" ? 0 : 1], "axes")], {}, cx.output);
  }
  const ones = onesVector(cx, nonNegative(cx, cx.add("Sub", [cx.int64s([2], "two", true), rankOf(cx, 0)])));
  const shape = cx.add("Shape", [x]);
  cx.add("Reshape", [x, cx.add("Concat", vectorAs === "row" ? [ones, shape] : [shape, ones], { axis: { int: 0 } })], {}, cx.output);
};

/** 1 where input `i` is a vector, else 0 (int64 scalar). */
const isVector = (cx: OnnxContext, i: number): string => cx.add("Cast", [cx.add("Equal", [rankOf(cx, i), cx.int64s([1], "one", true)])], { to: { int: INT64 } });

/**
 * LiftMatMulGrad(dy, a, b): a 1 at the end of dy's shape for a vector b, then one before the
 * last axis for a vector a (Unsqueeze with known ranks; a shape built from run-time ranks otherwise).
 */
export const liftMatMulGrad: OnnxEmitter = (cx) => {
  const [ra, rb] = [cx.op.inputs[1]!.rank, cx.op.inputs[2]!.rank];
  const dy = cx.input(0);
  if (ra !== null && rb !== null) {
    let g = dy;
    if (rb === 1) g = cx.add("Unsqueeze", [g, cx.int64s([-1], "axes")], {}, ra === 1 ? undefined : cx.output);
    if (ra === 1) g = cx.add("Unsqueeze", [g, cx.int64s([-2], "axes")], {}, cx.output);
    if (g === dy) cx.add("Identity", [dy], {}, cx.output);
    return;
  }
  const cat = (parts: string[]): string => cx.add("Concat", parts, { axis: { int: 0 } });
  const lifted = cat([cx.add("Shape", [dy]), onesVector(cx, isVector(cx, 2))]);
  const slice = (start: number, end: number): string => cx.add("Slice", [lifted, cx.int64s([start], "starts"), cx.int64s([end], "ends")]);
  cx.add("Reshape", [dy, cat([slice(0, -1), onesVector(cx, isVector(cx, 1)), slice(-1, FAR)])], {}, cx.output);
};

/**
 * UnliftMatMulGrad(d, operand): d without the lifted axis (second-to-last for a row, last for a
 * column) when the operand is a vector; with an unknown rank, that entry of d's shape is dropped
 * with Compress where the operand's rank is 1.
 */
export const unliftMatMulGrad: OnnxEmitter = (cx) => {
  const { vectorAs } = (cx.op as Operation<AsMatrixAttrs>).attrs;
  const lifted = vectorAs === "row" ? -2 : -1;
  const d = cx.input(0);
  const rank = cx.op.inputs[1]!.rank;
  if (rank !== null) {
    if (rank !== 1) return void cx.add("Identity", [d], {}, cx.output);
    return void cx.add("Squeeze", [d, cx.int64s([lifted], "axes")], {}, cx.output);
  }
  const dShape = cx.add("Shape", [d]);
  const dRank = cx.add("Size", [dShape]);
  const positions = cx.add("Range", [cx.int64s([0], "zero", true), dRank, cx.int64s([1], "one", true)]);
  const liftedAt = cx.add("Equal", [positions, cx.add("Add", [dRank, cx.int64s([lifted], "lifted", true)])]);
  const vector = cx.add("Cast", [isVector(cx, 1)], { to: { int: onnxDtype("bool") } });
  const keep = cx.add("Not", [cx.add("And", [liftedAt, vector])]);
  cx.add("Reshape", [d, cx.add("Compress", [dShape, keep], { axis: { int: 0 } })], {}, cx.output);
};
