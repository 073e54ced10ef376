/**
 * Gradient ops of activations, bias, losses and products in ONNX, composed from elementary ops
 * with the formulas our kernels compute (ONNX's training ops live in a domain onnxruntime's
 * inference builds do not have). A comparison that is false for NaN picks the same branch as ours.
 */
import type { Operation } from "../../graph/index.js";
import type { LeakyReluAttrs, ReduceAttrs } from "../../ops/index.js";
import { ones, scalar, zeros, type DType, type Tensor } from "../../tensor/index.js";
import { onnxDtype, type OnnxContext, type OnnxEmitter } from "./builder.js";

// TensorFlow's SELU constants (as in ops.ts's Selu entry and the kernels).
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** A one-element 1 of `dtype` (ConstantOfShape's value). */
const onesOf = (dtype: DType): Tensor => ones([1], dtype);

/** A scalar constant of the op's dtype. */
const c = (cx: OnnxContext, v: number): string => cx.constant(scalar(v, cx.op.dtype), "const");

/** dy·y·(1 − y) for SigmoidGrad(y, dy). */
export const sigmoidGrad: OnnxEmitter = (cx) => {
  const [y, dy] = [cx.input(0), cx.input(1)];
  cx.add("Mul", [cx.add("Mul", [dy, y]), cx.add("Sub", [c(cx, 1), y])], {}, cx.output);
};

/** dy·((1 − y)(1 + y)) for TanhGrad(y, dy): 1 − y stays exact near 1, where 1 − y² would cancel. */
export const tanhGrad: OnnxEmitter = (cx) => {
  const [y, dy] = [cx.input(0), cx.input(1)];
  cx.add("Mul", [dy, cx.add("Mul", [cx.add("Sub", [c(cx, 1), y]), cx.add("Add", [c(cx, 1), y])])], {}, cx.output);
};

/** dy where y > 0, else 0: ReluGrad(dy, y). */
export const reluGrad: OnnxEmitter = (cx) => {
  const [dy, y] = [cx.input(0), cx.input(1)];
  cx.add("Where", [cx.add("Greater", [y, c(cx, 0)]), dy, c(cx, 0)], {}, cx.output);
};

/** dy where 0 < y < 6, else 0: Relu6Grad(dy, y). */
export const relu6Grad: OnnxEmitter = (cx) => {
  const [dy, y] = [cx.input(0), cx.input(1)];
  const inside = cx.add("And", [cx.add("Greater", [y, c(cx, 0)]), cx.add("Less", [y, c(cx, 6)])]);
  cx.add("Where", [inside, dy, c(cx, 0)], {}, cx.output);
};

/** dy where x > 0, else alpha·dy: LeakyReluGrad(dy, x). */
export const leakyReluGrad: OnnxEmitter = (cx) => {
  const [dy, x] = [cx.input(0), cx.input(1)];
  const { alpha } = (cx.op as Operation<LeakyReluAttrs>).attrs;
  cx.add("Where", [cx.add("Greater", [x, c(cx, 0)]), dy, cx.add("Mul", [dy, c(cx, alpha)])], {}, cx.output);
};

/** dy·(y + shift) where y < 0, else dy·scale: EluGrad (shift 1, scale 1) and SeluGrad from the unit's output y. */
const expUnitGrad =
  (shift: number, scale: number): OnnxEmitter =>
  (cx) => {
    const [dy, y] = [cx.input(0), cx.input(1)];
    const negative = cx.add("Mul", [dy, cx.add("Add", [y, c(cx, shift)])]);
    const positive = scale === 1 ? dy : cx.add("Mul", [dy, c(cx, scale)]);
    cx.add("Where", [cx.add("Less", [y, c(cx, 0)]), negative, positive], {}, cx.output);
  };

export const eluGrad = expUnitGrad(1, 1);
export const seluGrad = expUnitGrad(SELU_SCALE * SELU_ALPHA, SELU_SCALE);

/**
 * The sum of dy ([..., C]) over every axis but the last: first over the middle axes (onnxruntime
 * 1.30 reduces those fast, where a ReduceSum over the leading axes of the CNN's [64,28,28,32]
 * gradient runs about 13× slower), then over the rows by a product with a row of ones (about 3×
 * faster than ReduceSum over axis 0 of the MLP's [128,256]). With an unknown rank, dy is first
 * reshaped to [-1, C] (a ReduceSum over computed axes would reduce everything for a vector).
 */
export const biasAddGrad: OnnxEmitter = (cx) => {
  const dy = cx.input(0);
  const rank = cx.op.inputs[0]!.rank;
  if (rank === 1) return void cx.add("Identity", [dy], {}, cx.output);
  let rows: string;
  if (rank === 2) rows = dy;
  else if (rank !== null) rows = cx.add("ReduceSum", [dy, cx.int64s([...Array(rank - 2).keys()].map((a) => a + 1), "axes")], { keepdims: { int: 0 } });
  else {
    const channels = cx.add("Slice", [cx.add("Shape", [dy]), cx.int64s([-1], "starts"), cx.int64s([Number.MAX_SAFE_INTEGER], "ends")]);
    rows = cx.add("Reshape", [dy, cx.add("Concat", [cx.int64s([-1], "rows"), channels], { axis: { int: 0 } })]);
  }
  const count = cx.add("Slice", [cx.add("Shape", [rows]), cx.int64s([0], "starts"), cx.int64s([1], "ends")]);
  const ones = cx.add("ConstantOfShape", [count], { value: { tensor: onesOf(cx.op.dtype) } });
  cx.add("MatMul", [ones, rows], {}, cx.output);
};

/**
 * softmax(logits) − one_hot(labels) along the last axis: the one-hot row compares each label
 * with the class positions (a label out of range gives a row without a one, as in our kernel).
 */
export const sparseSoftmaxCrossEntropyBackprop: OnnxEmitter = (cx) => {
  const [labels, logits] = [cx.input(0), cx.input(1)];
  const classes = cx.add("Gather", [cx.add("Shape", [logits]), cx.int64s([-1], "last", true)], { axis: { int: 0 } });
  const positions = cx.add("Range", [cx.int64s([0], "zero", true), classes, cx.int64s([1], "one", true)]);
  const wide = cx.add("Cast", [cx.add("Unsqueeze", [labels, cx.int64s([-1], "axes")])], { to: { int: 7 } });
  const hot = cx.add("Cast", [cx.add("Equal", [wide, positions])], { to: { int: onnxDtype(cx.op.dtype) } });
  cx.add("Sub", [cx.add("Softmax", [logits], { axis: { int: -1 } }), hot], {}, cx.output);
};

/** The axes attribute of a reduction over `axis` (every axis when undefined). */
function reduceAxes(cx: OnnxContext): { axes?: { ints: number[] } } {
  const { axis } = (cx.op as Operation<ReduceAttrs>).attrs;
  const rank = cx.op.inputs[0]!.rank;
  if (axis === undefined) return {};
  const axes = (typeof axis === "number" ? [axis] : [...axis]).map((a) => (a < 0 && rank !== null ? a + rank : a));
  return { axes: { ints: axes } };
}

/** The zero mask of x, x with its zeros replaced by 1, and the count of zeros per group (int32, kept dims). */
function zeroParts(cx: OnnxContext, x: string, k: (v: number) => string): { isZero: string; safe: string; counts: string } {
  const isZero = cx.add("Equal", [x, k(0)]);
  const safe = cx.add("Where", [isZero, k(1), x]);
  const counts = cx.add("ReduceSum", [cx.add("Cast", [isZero], { to: { int: onnxDtype("int32") } }), ...axesInput(cx)], { keepdims: { int: 1 } });
  return { isZero, safe, counts };
}

const zeroCount = (cx: OnnxContext, counts: string, n: number): string => cx.add("Equal", [counts, cx.constant(scalar(n, "int32"), "count")]);

/**
 * ProdExceptSelf: each element replaced by the product of the others in its group, from the
 * product P of the group's non-zero elements and its count of zeros z: P/x where z = 0; at a zero,
 * P where it is the only one; 0 everywhere else (exact for int32 too: P is a multiple of x).
 */
export const prodExceptSelf: OnnxEmitter = (cx) => {
  if (emptyReduction(cx)) return;
  const k = (v: number): string => c(cx, v);
  const { isZero, safe, counts } = zeroParts(cx, cx.input(0), k);
  const product = cx.add("ReduceProd", [safe], { ...reduceAxes(cx), keepdims: { int: 1 } });
  const atZero = cx.add("Where", [zeroCount(cx, counts, 1), product, k(0)]);
  const elsewhere = cx.add("Where", [zeroCount(cx, counts, 0), cx.add("Div", [product, safe]), k(0)]);
  cx.add("Where", [isZero, atZero, elsewhere], {}, cx.output);
};

/**
 * ProdExceptSelfGrad(x, g): h_j = Σ_{i≠j} g_i Π_{k∉{i,j}} x_k per group. With Q the product of the
 * group's non-zero elements, S = Σ g_i/x_i over them and G the sum of g at zeros: (Q/x_j)(S − g_j/x_j)
 * without zeros; with one zero, Q·S at it and G·Q/x_j elsewhere; with two, (G − g_j)·Q at each zero
 * and 0 elsewhere; 0 with more. int32 is computed in float64 and rounded (S is not an integer).
 */
export const prodExceptSelfGrad: OnnxEmitter = (cx) => {
  if (emptyReduction(cx)) return;
  const int = cx.op.dtype === "int32";
  const toF64 = (v: string): string => (int ? cx.add("Cast", [v], { to: { int: onnxDtype("float64") } }) : v);
  const k = (v: number): string => cx.constant(scalar(v, int ? "float64" : cx.op.dtype), "const");
  const [x, g] = [toF64(cx.input(0)), toF64(cx.input(1))];
  const { isZero, safe, counts } = zeroParts(cx, x, k);
  const sum = (v: string): string => cx.add("ReduceSum", [v, ...axesInput(cx)], { keepdims: { int: 1 } });
  const q = cx.add("ReduceProd", [safe], { ...reduceAxes(cx), keepdims: { int: 1 } });
  const gOverX = cx.add("Div", [g, safe]);
  const s = sum(cx.add("Where", [isZero, k(0), gOverX]));
  const gz = sum(cx.add("Where", [isZero, g, k(0)]));
  const qOverX = cx.add("Div", [q, safe]);
  const none = cx.add("Mul", [qOverX, cx.add("Sub", [s, gOverX])]);
  const one = cx.add("Where", [isZero, cx.add("Mul", [q, s]), cx.add("Mul", [gz, qOverX])]);
  const two = cx.add("Where", [isZero, cx.add("Mul", [cx.add("Sub", [gz, g]), q]), k(0)]);
  const h = cx.add("Where", [zeroCount(cx, counts, 0), none, cx.add("Where", [zeroCount(cx, counts, 1), one, cx.add("Where", [zeroCount(cx, counts, 2), two, k(0)])])]);
  if (!int) return void cx.add("Identity", [h], {}, cx.output);
  cx.add("Cast", [cx.add("Round", [h])], { to: { int: onnxDtype("int32") } }, cx.output);
};

/**
 * A reduction over no axes makes every element its own group: the product of the others is 1,
 * and its gradient 0 (ONNX would read an empty axes list as every axis).
 */
function emptyReduction(cx: OnnxContext): boolean {
  const { axes } = reduceAxes(cx);
  if (axes === undefined || axes.ints.length > 0) return false;
  const value = (cx.op.type === "ProdExceptSelf" ? ones : zeros)([1], cx.op.dtype);
  cx.add("ConstantOfShape", [cx.add("Shape", [cx.input(0)])], { value: { tensor: value } }, cx.output);
  return true;
}

/** ReduceSum's axes as an input (opset 13), none for every axis. */
function axesInput(cx: OnnxContext): string[] {
  const { axes } = reduceAxes(cx);
  return axes === undefined ? [] : [cx.int64s(axes.ints, "axes")];
}
