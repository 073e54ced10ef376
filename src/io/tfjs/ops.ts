/**
 * The TensorFlow.js export table: one entry per op type, writing TensorFlow GraphDef nodes (our op
 * types are TensorFlow's names, so most map one to one), or the reason the op is not written.
 * test/io/op-export.test.ts fails when a registered op type has no entry here.
 */
import type { Operation } from "../../graph/index.js";
import type { ArgAttrs, CastAttrs, ClassAxisAttrs, ExpandDimsAttrs, LeakyReluAttrs, MatMulAttrs, ReduceAttrs, ReshapeAttrs, SoftmaxAttrs } from "../../ops/index.js";
import { notInInference, type ExportEntry } from "../export/inference.js";
import { concat, fill, gather, mirrorPad, oneHot, pack, pad, range, slice, split, splitV, squeeze, stridedSlice, tile, transpose, unpack } from "./array.js";
import { tfDtype, type TfjsContext, type TfjsEmitter } from "./builder.js";
import { INT32, T, alongAxis, everyAxis, ints, same, str } from "./common.js";
import { avgPool, conv2d, conv2dBackpropInput, maxPool } from "./conv.js";
import { dropoutMask, l2Loss, sigmoidCrossEntropy, softmaxCrossEntropy, sparseSoftmaxCrossEntropy } from "./nn.js";


/** `x` (rank `rank`) broadcast along its batch axes to the batch shape it forms with `other`. */
function broadcastBatch(cx: TfjsContext, x: string, rank: number, other: string, otherRank: number, hint: string): string {
  const shapeOf = (v: string) => cx.add("Shape", [v], { ...T(cx), out_type: INT32 });
  const slice = (v: string, begin: number, size: number, what: string) =>
    cx.add("Slice", [v, cx.int32s([begin], `${hint}_${what}_begin`), cx.int32s([size], `${hint}_${what}_size`)], { T: INT32, Index: INT32 });
  const shape = shapeOf(x);
  const batch = cx.add("BroadcastArgs", [slice(shape, 0, rank - 2, "batch"), slice(shapeOf(other), 0, otherRank - 2, "other_batch")], { T: INT32 });
  const target = cx.add("ConcatV2", [batch, slice(shape, rank - 2, 2, "matrix"), cx.int32s([0], `${hint}_concat_axis`, true)], { N: { i: "2" }, T: INT32, Tidx: INT32 });
  return cx.add("BroadcastTo", [x, target], { ...T(cx), Tidx: INT32 });
}

function sameStaticShape(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((d, i) => d !== null && d === b[i]);
}

/**
 * TensorFlow's MatMul takes matrices and BatchMatMulV2 stacks of them; neither takes vectors. A
 * vector operand becomes a one-row (a) or one-column (b) matrix, and the added axis is squeezed
 * out of the product, which gives numpy's semantics back. Batch axes that differ are broadcast
 * beforehand: TensorFlow.js 4.22's matMul gets some batch broadcasts wrong (a [2,1,2,3] times a
 * [3,3,2] gives half the values).
 */
const matMul: TfjsEmitter = (cx) => {
  const { transposeA, transposeB } = (cx.op as Operation<MatMulAttrs>).attrs;
  const rankA = cx.rank(0, "(TensorFlow's MatMul needs to know whether it is a vector)");
  const rankB = cx.rank(1, "(TensorFlow's MatMul needs to know whether it is a vector)");
  let a = cx.input(0);
  let b = cx.input(1);
  if (rankA > 2 && rankB > 2 && !sameStaticShape(cx.op.inputs[0]!.shape!.slice(0, -2), cx.op.inputs[1]!.shape!.slice(0, -2))) {
    [a, b] = [broadcastBatch(cx, a, rankA, b, rankB, "a"), broadcastBatch(cx, b, rankB, a, rankA, "b")];
  }
  if (rankA === 1) a = cx.add("ExpandDims", [a, cx.int32s([0], "a_row", true)], { ...T(cx), Tdim: INT32 });
  if (rankB === 1) b = cx.add("ExpandDims", [b, cx.int32s([-1], "b_column", true)], { ...T(cx), Tdim: INT32 });
  const squeeze = [...(rankA === 1 ? [-2] : []), ...(rankB === 1 ? [-1] : [])];
  const flags = { a: rankA > 1 && transposeA, b: rankB > 1 && transposeB };
  const batched = rankA > 2 || rankB > 2;
  const attr = batched ? { adj_x: { b: flags.a }, adj_y: { b: flags.b }, ...T(cx) } : { transpose_a: { b: flags.a }, transpose_b: { b: flags.b }, ...T(cx) };
  const product = cx.add(batched ? "BatchMatMulV2" : "MatMul", [a, b], attr, squeeze.length === 0 ? cx.output : undefined);
  if (squeeze.length > 0) cx.add("Squeeze", [product], { squeeze_dims: ints(squeeze), ...T(cx) }, cx.output);
};

const softmax: TfjsEmitter = (cx) => void alongAxis(cx, "Softmax", 0, (cx.op as Operation<SoftmaxAttrs>).attrs.axis, cx.output);

/** Reductions take their axes as an int32 input; "every axis" of an unknown rank is Range(Rank(x)). */
const reduce =
  (tfOp: "Sum" | "Mean" | "Max" | "Min" | "Prod" | "Any" | "All"): TfjsEmitter =>
  (cx) => {
    const { axis, keepDims } = (cx.op as Operation<ReduceAttrs>).attrs;
    const axes = axis === undefined ? undefined : typeof axis === "number" ? [axis] : [...axis];
    if (axes !== undefined && axes.length === 0) return void cx.add("Identity", [cx.input(0)], T(cx), cx.output);
    const indices = axes === undefined ? everyAxis(cx, 0) : cx.int32s(axes, "reduction_indices");
    cx.add(tfOp, [cx.input(0), indices], { keep_dims: { b: keepDims }, ...T(cx), Tidx: INT32 }, cx.output);
  };

const argReduce =
  (tfOp: "ArgMax" | "ArgMin"): TfjsEmitter =>
  (cx) => {
    const axis = cx.int32s([(cx.op as Operation<ArgAttrs>).attrs.axis], "dimension", true);
    cx.add(tfOp, [cx.input(0), axis], { T: tfDtype(cx.op.inputs[0]!.dtype), Tidx: INT32, output_type: INT32 }, cx.output);
  };

const reshape: TfjsEmitter = (cx) => {
  const { shape } = (cx.op as Operation<ReshapeAttrs>).attrs;
  const target = shape === undefined ? cx.add("Shape", [cx.input(1)], { ...T(cx), out_type: INT32 }) : cx.int32s(shape, "shape");
  cx.add("Reshape", [cx.input(0), target], { ...T(cx), Tshape: INT32 }, cx.output);
};

export const TFJS_OPS: Readonly<Record<string, ExportEntry<TfjsEmitter>>> = {
  ...notInInference<TfjsEmitter>(),
  Add: same("Add"),
  Sub: same("Sub"),
  Mul: same("Mul"),
  RealDiv: same("RealDiv"),
  Neg: same("Neg"),
  Log: same("Log"),
  Log1p: same("Log1p"),
  Exp: same("Exp"),
  Sqrt: same("Sqrt"),
  Floor: same("Floor"),
  Square: same("Square"),
  Cast: (cx) => {
    const attr = { SrcT: tfDtype(cx.op.inputs[0]!.dtype), DstT: tfDtype((cx.op as Operation<CastAttrs>).attrs.DstT), Truncate: { b: false } };
    cx.add("Cast", [cx.input(0)], attr, cx.output);
  },
  MatMul: matMul,
  Sigmoid: same("Sigmoid"),
  Softmax: softmax,
  Sum: reduce("Sum"),
  Mean: reduce("Mean"),
  Max: reduce("Max"),
  Min: reduce("Min"),
  Prod: reduce("Prod"),
  Any: reduce("Any"),
  // TensorFlow.js 4.22's All of an empty group gives false (TensorFlow: true): not any(not x).
  All: (cx) => {
    const none = cx.add("LogicalNot", [cx.input(0)], {});
    const attrs = (cx.op as Operation<ReduceAttrs>).attrs;
    const axes = attrs.axis === undefined ? everyAxis(cx, 0) : cx.int32s(typeof attrs.axis === "number" ? [attrs.axis] : [...attrs.axis], "reduction_indices");
    cx.add("LogicalNot", [cx.add("Any", [none, axes], { keep_dims: { b: attrs.keepDims }, Tidx: INT32 })], {}, cx.output);
  },
  ArgMax: argReduce("ArgMax"),
  ArgMin: argReduce("ArgMin"),
  Identity: same("Identity"),
  StopGradient: same("StopGradient"),
  // A debugging check: exported models drop it, as TensorFlow's graph transforms strip debug ops.
  CheckNumerics: same("Identity"),
  Reshape: reshape,
  ExpandDims: (cx) => {
    const axis = cx.int32s([(cx.op as Operation<ExpandDimsAttrs>).attrs.axis], "dim", true);
    cx.add("ExpandDims", [cx.input(0), axis], { ...T(cx), Tdim: INT32 }, cx.output);
  },
  OnesLike: same("OnesLike"),
  ZerosLike: same("ZerosLike"),
  Relu: same("Relu"),
  Relu6: same("Relu6"),
  LeakyRelu: (cx) => void cx.add("LeakyRelu", [cx.input(0)], { alpha: { f: (cx.op as Operation<LeakyReluAttrs>).attrs.alpha }, ...T(cx) }, cx.output),
  Elu: same("Elu"),
  Selu: same("Selu"),
  Softplus: same("Softplus"),
  Tanh: same("Tanh"),
  Abs: same("Abs"),
  Sign: same("Sign"),
  Pow: same("Pow"),
  Maximum: same("Maximum"),
  Minimum: same("Minimum"),
  // TensorFlow.js's ClipByValue takes scalar bounds only (and refuses min > max); ours broadcast.
  // min(t, max) first, then max(·, min), so that min wins where min > max, as in TensorFlow.
  ClipByValue: (cx) => void cx.add("Maximum", [cx.add("Minimum", [cx.input(0), cx.input(2)], T(cx)), cx.input(1)], T(cx), cx.output),
  SelectV2: same("SelectV2"),
  Equal: same("Equal"),
  NotEqual: same("NotEqual"),
  Greater: same("Greater"),
  GreaterEqual: same("GreaterEqual"),
  Less: same("Less"),
  LessEqual: same("LessEqual"),
  LogicalAnd: same("LogicalAnd"),
  LogicalOr: same("LogicalOr"),
  LogicalNot: same("LogicalNot"),
  Conv2D: conv2d,
  Conv2DBackpropInput: conv2dBackpropInput,
  MaxPool: maxPool,
  AvgPool: avgPool,
  Transpose: transpose,
  Squeeze: squeeze,
  ConcatV2: concat,
  Pack: pack,
  Unpack: unpack,
  Split: split,
  SplitV: splitV,
  Slice: slice,
  StridedSlice: stridedSlice,
  GatherV2: gather,
  OneHot: oneHot,
  Tile: tile,
  Pad: pad,
  PadV2: pad,
  MirrorPad: mirrorPad,
  Fill: fill,
  Range: range,
  LogSoftmax: (cx) => void alongAxis(cx, "LogSoftmax", 0, (cx.op as Operation<ClassAxisAttrs>).attrs.axis, cx.output),
  SoftmaxCrossEntropyWithLogits: softmaxCrossEntropy,
  SparseSoftmaxCrossEntropyWithLogits: sparseSoftmaxCrossEntropy,
  SigmoidCrossEntropyWithLogits: sigmoidCrossEntropy,
  L2Loss: l2Loss,
  BiasAdd: (cx) => void cx.add("BiasAdd", [cx.input(0), cx.input(1)], { ...T(cx), data_format: str("NHWC") }, cx.output),
  DropoutMask: dropoutMask,
};
