/**
 * The ONNX export table, for opset 17: one entry per op type, writing the ONNX nodes of one op
 * from its attributes (and static shapes where ONNX needs them), or the reason it is not written.
 * test/io/op-export.test.ts fails when a registered op type has no entry here.
 */
import type { Operation } from "../../graph/index.js";
import type { ArgAttrs, CastAttrs, ExpandDimsAttrs, LeakyReluAttrs, MatMulAttrs, ReduceAttrs, ReshapeAttrs, SoftmaxAttrs } from "../../ops/index.js";
import { ones, scalar, zeros, type DType, type Tensor } from "../../tensor/index.js";
import { notInInference, type ExportEntry } from "../export/inference.js";
import { concat, fill, gather, mirrorPad, oneHot, pack, pad, range, slice, split, splitV, squeeze, stridedSlice, tile, transpose, unpack } from "./array.js";
import { avgPool, conv2d, conv2dBackpropInput, maxPool } from "./conv.js";
import { gatherGrad, mirrorPadGrad, splitGrad, stridedSliceGrad, tileGrad } from "./array-grad.js";
import { avgPoolGrad, conv2dBackpropFilter, maxPoolGrad, maxPoolGradGrad } from "./conv-grad.js";
import { dropoutMask, l2Loss, logSoftmax, sigmoidCrossEntropy, softmaxCrossEntropy, sparseSoftmaxCrossEntropy } from "./nn.js";
import { onnxDtype, type OnnxAttr, type OnnxContext, type OnnxEmitter } from "./builder.js";
import { biasAddGrad, eluGrad, leakyReluGrad, prodExceptSelf, prodExceptSelfGrad, relu6Grad, reluGrad, seluGrad, sigmoidGrad, sparseSoftmaxCrossEntropyBackprop, tanhGrad } from "./grad.js";
import { asMatrix, broadcastLike, liftMatMulGrad, rank, shape, size, sizeRatio, sumToShape, unliftMatMulGrad } from "./shape.js";

export const ONNX_OPSET = 17;

/** One ONNX op of the same inputs. */
const same =
  (onnxType: string): OnnxEmitter =>
  (cx) => {
    cx.add(onnxType, cx.op.inputs.map((_, i) => cx.input(i)), {}, cx.output);
  };

/** Swaps the last two axes of a matrix operand (a vector's transpose flag means nothing). */
function transposedMatrix(cx: OnnxContext, i: number, flag: boolean, hint: string): string {
  if (!flag) return cx.input(i);
  const rank = cx.rank(i, `to transpose it (transpose${hint})`);
  if (rank < 2) return cx.input(i);
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return cx.add("Transpose", [cx.input(i)], { perm: { ints: perm } });
}

/**
 * ONNX MatMul has numpy's semantics for vectors and batches, as ours; transposes come first. A
 * vector multiplied with a transposed matrix is lifted to a matrix and squeezed back afterwards:
 * onnxruntime fuses Transpose into MatMul and then reads a vector operand wrongly (seen with
 * onnxruntime 1.30 at its default optimization level).
 */
const matMul: OnnxEmitter = (cx) => {
  const { transposeA, transposeB } = (cx.op as Operation<MatMulAttrs>).attrs;
  let a = transposedMatrix(cx, 0, transposeA, "A");
  let b = transposedMatrix(cx, 1, transposeB, "B");
  const why = "(a vector times a transposed matrix is lifted to a matrix first)";
  const liftA = b !== cx.input(1) && cx.rank(0, why) === 1;
  const liftB = a !== cx.input(0) && cx.rank(1, why) === 1;
  if (liftA) a = cx.add("Unsqueeze", [a, cx.int64s([0], "a_row")]);
  if (liftB) b = cx.add("Unsqueeze", [b, cx.int64s([1], "b_column")]);
  if (!liftA && !liftB) return void cx.add("MatMul", [a, b], {}, cx.output);
  const product = cx.add("MatMul", [a, b]);
  cx.add("Squeeze", [product, cx.int64s(liftA ? [-2] : [-1], "lifted_axis")], {}, cx.output);
};

/**
 * A reduction entry. `build` gets the axes as a list, counted from the front where the rank is
 * known (onnxruntime 1.30 ignores a negative axis when it reduces an empty tensor), or undefined
 * for every axis, and the keepdims attribute; an empty list reduces nothing, which is Identity.
 */
const reduction =
  (build: (cx: OnnxContext, axes: number[] | undefined, keepdims: OnnxAttr) => void): OnnxEmitter =>
  (cx) => {
    const { axis, keepDims } = (cx.op as Operation<ReduceAttrs>).attrs;
    const rank = cx.op.inputs[0]!.rank;
    const axes = axis === undefined ? undefined : (typeof axis === "number" ? [axis] : [...axis]).map((a) => (a < 0 && rank !== null ? a + rank : a));
    if (axes !== undefined && axes.length === 0) return void cx.add("Identity", [cx.input(0)], {}, cx.output);
    build(cx, axes, { int: keepDims ? 1 : 0 });
  };

/** Opset 13 made ReduceSum take its axes as an input (none: every axis). */
function reduceSum(cx: OnnxContext, x: string, axes: number[] | undefined, keepdims: OnnxAttr, output?: string): string {
  return cx.add("ReduceSum", axes === undefined ? [x] : [x, cx.int64s(axes, "axes")], { keepdims }, output);
}

const sum = reduction((cx, axes, keepdims) => void reduceSum(cx, cx.input(0), axes, keepdims, cx.output));

/** A reduction whose axes are an attribute until opset 18 (ReduceMean, ReduceMax, ReduceMin, ReduceProd). */
const reduceByAttr = (onnxType: string): OnnxEmitter =>
  reduction((cx, axes, keepdims) => void cx.add(onnxType, [cx.input(0)], { keepdims, ...(axes === undefined ? {} : { axes: { ints: axes } }) }, cx.output));

/**
 * Any and All over bools: ONNX has no logical reduction, so they count (as int32) the true values,
 * or the false ones: any = count > 0, all = no false value. An empty reduction gives false and
 * true, as in TensorFlow.
 */
const logicalReduce = (all: boolean): OnnxEmitter =>
  reduction((cx, axes, keepdims) => {
    const counted = cx.add("Cast", [all ? cx.add("Not", [cx.input(0)]) : cx.input(0)], { to: { int: onnxDtype("int32") } });
    const zero = cx.constant(scalar(0, "int32"), "zero");
    cx.add(all ? "Equal" : "Greater", [reduceSum(cx, counted, axes, keepdims), zero], {}, cx.output);
  });

/** ONNX's ArgMax/ArgMin give int64 (the first extremum at ties, as ours); ours are int32. */
const argReduce =
  (onnxType: "ArgMax" | "ArgMin"): OnnxEmitter =>
  (cx) => {
    const index = cx.add(onnxType, [cx.input(0)], { axis: { int: (cx.op as Operation<ArgAttrs>).attrs.axis }, keepdims: { int: 0 } });
    cx.add("Cast", [index], { to: { int: onnxDtype("int32") } }, cx.output);
  };

const reshape: OnnxEmitter = (cx) => {
  const { shape } = (cx.op as Operation<ReshapeAttrs>).attrs;
  if (shape === undefined) {
    // The shape of a second input, known at run time.
    cx.add("Reshape", [cx.input(0), cx.add("Shape", [cx.input(1)])], {}, cx.output);
    return;
  }
  // ONNX reads 0 in a target shape as "copy this dimension" unless allowzero is set; ours means
  // an empty dimension. (allowzero cannot be combined with -1; our reshape refuses that case.)
  const allowZero: Record<string, OnnxAttr> = shape.includes(0) ? { allowzero: { int: 1 } } : {};
  cx.add("Reshape", [cx.input(0), cx.int64s(shape, "shape")], allowZero, cx.output);
};

/** A tensor of `fill` (ones or zeros) shaped like the input, of its dtype. */
const filledLike =
  (fill: (shape: number[], dtype: DType) => Tensor): OnnxEmitter =>
  (cx) => {
    const dtype: DType = cx.op.inputs[0]!.dtype;
    cx.add("ConstantOfShape", [cx.add("Shape", [cx.input(0)])], { value: { tensor: fill([1], dtype) } }, cx.output);
  };

/** One ONNX op of the same inputs followed by Not (NotEqual is Not(Equal)). */
const negated =
  (onnxType: string): OnnxEmitter =>
  (cx) => {
    cx.add("Not", [cx.add(onnxType, cx.op.inputs.map((_, i) => cx.input(i)))], {}, cx.output);
  };

// TensorFlow's SELU constants, which ONNX's defaults round.
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/**
 * An activation as its own ONNX op in float32, and composed of elementary ops in float64, for
 * which onnxruntime (1.30, CPU) has no Elu, Selu or Softplus kernel.
 */
const activation =
  (native: OnnxEmitter, composed: (cx: OnnxContext, c: (v: number) => string) => void): OnnxEmitter =>
  (cx) => {
    if (cx.op.dtype !== "float64") return native(cx);
    composed(cx, (v) => cx.constant(scalar(v, "float64"), "const"));
  };

/** (e^x − 1)·alpha where x < 0, else x. */
function expUnit(cx: OnnxContext, c: (v: number) => string, alpha: number, output?: string): string {
  const x = cx.input(0);
  const negative = cx.add("Mul", [cx.add("Sub", [cx.add("Exp", [x]), c(1)]), c(alpha)]);
  return cx.add("Where", [cx.add("Less", [x, c(0)]), negative, x], {}, output);
}

const elu = activation(
  (cx) => void cx.add("Elu", [cx.input(0)], { alpha: { float: 1 } }, cx.output),
  (cx, c) => void expUnit(cx, c, 1, cx.output),
);

const selu = activation(
  (cx) => void cx.add("Selu", [cx.input(0)], { alpha: { float: SELU_ALPHA }, gamma: { float: SELU_SCALE } }, cx.output),
  (cx, c) => void cx.add("Mul", [expUnit(cx, c, SELU_ALPHA), c(SELU_SCALE)], {}, cx.output),
);

/** max(x, 0) + log(1 + e^−|x|): no e^x overflows. */
const softplus = activation(same("Softplus"), (cx, c) => {
  const x = cx.input(0);
  const tail = cx.add("Log", [cx.add("Add", [c(1), cx.add("Exp", [cx.add("Neg", [cx.add("Abs", [x])])])])]);
  cx.add("Add", [cx.add("Max", [x, c(0)]), tail], {}, cx.output);
});

export const ONNX_OPS: Readonly<Record<string, ExportEntry<OnnxEmitter>>> = {
  ...notInInference<OnnxEmitter>(),
  Add: same("Add"),
  Sub: same("Sub"),
  Mul: same("Mul"),
  RealDiv: same("Div"),
  Neg: same("Neg"),
  Log: same("Log"),
  // ONNX has no log1p: log(1 + x), which loses the low digits of small x as 1 + x rounds.
  Log1p: (cx) => void cx.add("Log", [cx.add("Add", [cx.input(0), cx.constant(scalar(1, cx.op.dtype), "one")])], {}, cx.output),
  Exp: same("Exp"),
  Sqrt: same("Sqrt"),
  Floor: same("Floor"),
  Square: (cx) => void cx.add("Mul", [cx.input(0), cx.input(0)], {}, cx.output),
  Cast: (cx) => void cx.add("Cast", [cx.input(0)], { to: { int: onnxDtype((cx.op as Operation<CastAttrs>).attrs.DstT) } }, cx.output),
  MatMul: matMul,
  Sigmoid: same("Sigmoid"),
  // Since opset 13, ONNX's Softmax normalizes along the one axis given, as ours does.
  Softmax: (cx) => void cx.add("Softmax", [cx.input(0)], { axis: { int: (cx.op as Operation<SoftmaxAttrs>).attrs.axis } }, cx.output),
  Sum: sum,
  Mean: reduceByAttr("ReduceMean"),
  Max: reduceByAttr("ReduceMax"),
  Min: reduceByAttr("ReduceMin"),
  Prod: reduceByAttr("ReduceProd"),
  Any: logicalReduce(false),
  All: logicalReduce(true),
  ArgMax: argReduce("ArgMax"),
  ArgMin: argReduce("ArgMin"),
  Identity: same("Identity"),
  StopGradient: same("Identity"),
  // A debugging check: exported models drop it, as TensorFlow's graph transforms strip debug ops.
  CheckNumerics: same("Identity"),
  Reshape: reshape,
  ExpandDims: (cx) => void cx.add("Unsqueeze", [cx.input(0), cx.int64s([(cx.op as Operation<ExpandDimsAttrs>).attrs.axis], "axes")], {}, cx.output),
  OnesLike: filledLike(ones),
  ZerosLike: filledLike(zeros),
  Relu: same("Relu"),
  Relu6: (cx) => void cx.add("Clip", [cx.input(0), cx.constant(scalar(0, cx.op.dtype), "min"), cx.constant(scalar(6, cx.op.dtype), "max")], {}, cx.output),
  LeakyRelu: (cx) => void cx.add("LeakyRelu", [cx.input(0)], { alpha: { float: (cx.op as Operation<LeakyReluAttrs>).attrs.alpha } }, cx.output),
  Elu: elu,
  Selu: selu,
  Softplus: softplus,
  Tanh: same("Tanh"),
  Abs: same("Abs"),
  Sign: same("Sign"),
  Pow: same("Pow"),
  Maximum: same("Max"),
  Minimum: same("Min"),
  // ONNX's Clip takes scalar bounds only; ours broadcast. min(t, max) first, then max(·, min),
  // so that min wins where min > max, as in TensorFlow.
  ClipByValue: (cx) => void cx.add("Max", [cx.add("Min", [cx.input(0), cx.input(2)]), cx.input(1)], {}, cx.output),
  SelectV2: same("Where"),
  Equal: same("Equal"),
  NotEqual: negated("Equal"),
  Greater: same("Greater"),
  GreaterEqual: same("GreaterOrEqual"),
  Less: same("Less"),
  LessEqual: same("LessOrEqual"),
  LogicalAnd: same("And"),
  LogicalOr: same("Or"),
  LogicalNot: same("Not"),
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
  LogSoftmax: logSoftmax,
  SoftmaxCrossEntropyWithLogits: softmaxCrossEntropy,
  SparseSoftmaxCrossEntropyWithLogits: sparseSoftmaxCrossEntropy,
  SigmoidCrossEntropyWithLogits: sigmoidCrossEntropy,
  L2Loss: l2Loss,
  BiasAdd: same("Add"),
  DropoutMask: dropoutMask,
  Shape: shape,
  Size: size,
  Rank: rank,
  // Gradient ops (what gradients() builds), for exported training steps.
  SigmoidGrad: sigmoidGrad,
  TanhGrad: tanhGrad,
  ReluGrad: reluGrad,
  Relu6Grad: relu6Grad,
  LeakyReluGrad: leakyReluGrad,
  EluGrad: eluGrad,
  SeluGrad: seluGrad,
  BiasAddGrad: biasAddGrad,
  Conv2DBackpropFilter: conv2dBackpropFilter,
  MaxPoolGrad: maxPoolGrad,
  MaxPoolGradGrad: maxPoolGradGrad,
  AvgPoolGrad: avgPoolGrad,
  SparseSoftmaxCrossEntropyBackprop: sparseSoftmaxCrossEntropyBackprop,
  SplitGrad: splitGrad,
  StridedSliceGrad: stridedSliceGrad,
  GatherGrad: gatherGrad,
  TileGrad: tileGrad,
  MirrorPadGrad: mirrorPadGrad,
  ProdExceptSelf: prodExceptSelf,
  ProdExceptSelfGrad: prodExceptSelfGrad,
  SumToShape: sumToShape,
  BroadcastLike: broadcastLike,
  SizeRatio: sizeRatio,
  AsMatrix: asMatrix,
  LiftMatMulGrad: liftMatMulGrad,
  UnliftMatMulGrad: unliftMatMulGrad,
  // An update's value is the variable's new value; an exported training step makes it an output
  // (the variable's own input is its newest value in the step, see export.ts).
  Assign: (cx) => void cx.add("Identity", [cx.input(1)], {}, cx.output),
  AssignAdd: same("Add"),
  AssignSub: same("Sub"),
};
