/**
 * Reductions over one or several axes, with keepDims: reduceSum, reduceMean, reduceMax, reduceMin,
 * reduceProd, reduceAny, reduceAll (TensorFlow's Sum, Mean, Max, Min, Prod, Any, All) and argmax,
 * argmin, with the ops their gradients are built from.
 *
 * Max and Min send the gradient to the elements equal to the result, shared equally among ties
 * (TensorFlow's rule). Prod's gradient is the product of the other elements of each group, which
 * ProdExceptSelf computes from prefix and suffix products, without dividing by x, so it is exact
 * when x has zeros (TensorFlow reaches the same with exclusive cumprods).
 *
 * Their adjoints live here too: BroadcastLike (a reduction's gradient, its result stretched back
 * over the reduced axes) and SumToShape (the gradient of broadcasting, summed over the axes an
 * input was stretched along; gradients() applies it to every input an op declares it broadcasts,
 * OpDef.broadcasts). Both read only the *shape* of their second input, so they work when shapes
 * are known only at run time.
 */
import type { Node, OpDef, Operation, TensorSpec } from "../graph/index.js";
import type { ArgAttrs, AxesAttrs, BroadcastLikeAttrs, ReduceAttrs } from "../kernels/attrs.js";
import {
  DTypeError,
  ShapeError,
  broadcastStatic,
  formatShape,
  insertReducedAxes,
  is,
  isFloatDType,
  isFullyKnown,
  normalizeAxes,
  requireArg,
  shapesEqual,
  signature,
  sizeOf,
  staticCompatible,
  type DType,
  type StaticShape,
} from "../tensor/index.js";
import { equal } from "./compare.js";
import { apply, defineOp, isNodeLike, type NodeLike, type NameArg } from "./define.js";
import { requireNumeric, requireSameDtype } from "./infer.js";
import { cast, divide, multiply, subtract } from "./math.js";

/** The options of a reduction, under any of TensorFlow's names. */
export interface ReduceOptions {
  axis?: number | readonly number[] | null;
  reduction_indices?: number | readonly number[] | null;
  reductionIndices?: number | readonly number[] | null;
  keepdims?: boolean;
  keep_dims?: boolean;
  keepDims?: boolean;
  name?: string;
}

type Axis = number | readonly number[] | undefined;

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

function numericReduce(type: string) {
  return ([x]: TensorSpec[], attrs: ReduceAttrs, name: string): TensorSpec => {
    requireNumeric(type, name, x!);
    return reducedSpec(x!, attrs, `${type} '${name}'`);
  };
}

function boolReduce(type: string) {
  return ([x]: TensorSpec[], attrs: ReduceAttrs, name: string): TensorSpec => {
    if (x!.dtype !== "bool") throw new DTypeError(`${type} '${name}' takes bool values, got ${x!.dtype} of shape ${formatShape(x!.shape)}`);
    return reducedSpec(x!, attrs, `${type} '${name}'`);
  };
}

export const Sum = defineOp<ReduceAttrs>({
  type: "Sum",
  infer: numericReduce("Sum"),
  gradient: (op, dy) => [broadcastBack(op, dy)],
});

export const Mean = defineOp<ReduceAttrs>({
  type: "Mean",
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
export function ownAxis(axis: Axis): Axis {
  return typeof axis === "object" ? [...axis] : axis;
}

/**
 * TensorFlow's gradient of Max and Min: the elements equal to the result share dy equally (ties
 * split it), built from Equal, Cast and Sum.
 */
function extremumGradient(op: Operation<ReduceAttrs>, dy: Node): Node[] {
  const x = op.inputs[0]!;
  const reduced = { reducedAxis: op.attrs.axis ?? ("all" as const), keepDims: op.attrs.keepDims };
  const indicators = cast(equal(x, broadcastLike(op, x, reduced)), x.dtype);
  const count = reduceSum(indicators, op.attrs.axis, { keepDims: true });
  return [multiply(divide(indicators, count), broadcastBack(op, dy))];
}

export const Max = defineOp<ReduceAttrs>({ type: "Max", infer: numericReduce("Max"), gradient: extremumGradient });
export const Min = defineOp<ReduceAttrs>({ type: "Min", infer: numericReduce("Min"), gradient: extremumGradient });

export const Prod = defineOp<ReduceAttrs>({
  type: "Prod",
  infer: numericReduce("Prod"),
  gradient: (op, dy) => [multiply(broadcastBack(op, dy), prodExceptSelf(op.inputs[0]!, op.attrs.axis))],
});

const LOGICAL = { notDifferentiable: "it takes and gives bool values" };
export const Any = defineOp<ReduceAttrs>({ type: "Any", infer: boolReduce("Any"), gradient: LOGICAL });
export const All = defineOp<ReduceAttrs>({ type: "All", infer: boolReduce("All"), gradient: LOGICAL });

function sameShapeOverAxes(type: string) {
  return (inputs: TensorSpec[], { axis }: AxesAttrs, name: string): TensorSpec => {
    const [x] = inputs;
    requireNumeric(type, name, x!);
    if (inputs.length > 1) requireSameDtype(type, name, x!.dtype, inputs[1]!.dtype);
    if (inputs.length > 1 && !staticCompatible(x!.shape, inputs[1]!.shape)) {
      throw new ShapeError(`${type} '${name}': the inputs must have one shape, got ${formatShape(x!.shape)} and ${formatShape(inputs[1]!.shape)}`);
    }
    if (x!.shape !== null) normalizeAxes(axis, x!.shape.length, `${type} '${name}'`);
    return { dtype: x!.dtype, shape: x!.shape ?? inputs[1]?.shape ?? null };
  };
}

/** Each element replaced by the product of the other elements of its group (the groups a Prod over `axis` reduces). */
export const ProdExceptSelf: OpDef<AxesAttrs> = defineOp<AxesAttrs>({
  type: "ProdExceptSelf",
  infer: sameShapeOverAxes("ProdExceptSelf"),
  gradient: (op, g) => [apply(ProdExceptSelfGrad, [op.inputs[0]!, g], { ...op.attrs }, "ProdExceptSelfGrad")],
});

/**
 * ProdExceptSelfGrad(x, g): the gradient of Σ g·ProdExceptSelf(x), h_j = Σ_{i≠j} g_i Π_{k∉{i,j}} x_k
 * per group, from prefix and suffix sums of products (exact when x has zeros).
 */
export const ProdExceptSelfGrad: OpDef<AxesAttrs> = defineOp<AxesAttrs>({
  type: "ProdExceptSelfGrad",
  infer: sameShapeOverAxes("ProdExceptSelfGrad"),
  gradient: (op, u) => {
    // h is linear in g with a symmetric kernel, so its gradient with respect to g is h(x, u). With
    // respect to x_m, every term not containing x_m drops out: for x_m ≠ 0 that is
    // (Σ u·h − u_m·h_m − g_m·h(x, u)_m) / x_m. This third derivative of a product divides by x and is
    // not defined where x has a zero; the first and second are exact.
    const [x, g] = op.inputs as [Node, Node];
    const hu: Node = apply(ProdExceptSelfGrad, [x, u], { ...op.attrs }, "ProdExceptSelfGrad");
    const uh = multiply(u, op);
    const total = reduceSum(uh, op.attrs.axis, { keepDims: true });
    return [divide(subtract(subtract(total, uh), multiply(g, hu)), x), hu];
  },
});

function prodExceptSelf(x: Node, axis: Axis): Node {
  return apply(ProdExceptSelf, [x], axis === undefined ? {} : { axis }, "ProdExceptSelf");
}

function argReduce(type: string) {
  return ([x]: TensorSpec[], { axis }: ArgAttrs, name: string): TensorSpec => {
    const context = `${type} '${name}'`;
    requireNumeric(type, name, x!);
    if (x!.shape === null) return { dtype: "int32", shape: null };
    if (x!.shape.length === 0) throw new ShapeError(`${context} needs an input of rank at least 1, got a scalar`);
    const [ax] = normalizeAxes(axis, x!.shape.length, context);
    if (x!.shape[ax!] === 0) throw new ShapeError(`${context}: axis ${ax} of the input of shape ${formatShape(x!.shape)} is empty, there is no ${type === "ArgMax" ? "largest" : "smallest"} element`);
    return { dtype: "int32", shape: x!.shape.filter((_, i) => i !== ax) };
  };
}

const ARG = { notDifferentiable: "its output is integer positions, piecewise constant in the input" };
export const ArgMax = defineOp<ArgAttrs>({ type: "ArgMax", infer: argReduce("ArgMax"), gradient: ARG });
export const ArgMin = defineOp<ArgAttrs>({ type: "ArgMin", infer: argReduce("ArgMin"), gradient: ARG });

/**
 * A reduction under TensorFlow 1.x's signature `(input_tensor, axis=None, keepdims=None, name=None)`,
 * with its older keywords `reduction_indices` and `keep_dims` in the options object; `axis: null`
 * reduces every axis, as an omitted one does.
 */
function reduction(fn: string, def: OpDef<ReduceAttrs>) {
  const sig = signature<{ inputTensor: NodeLike; axis?: number | number[] | null; keepdims?: boolean; name?: string }>(fn, [
    { name: "inputTensor", check: isNodeLike, aliases: ["input", "x"] },
    { name: "axis", check: is.optional(is.axes), aliases: ["reduction_indices", "reductionIndices"] },
    { name: "keepdims", check: is.optional(is.boolean), aliases: ["keep_dims", "keepDims"] },
    { name: "name", check: is.optional(is.string) },
  ]);
  function reduce(x: NodeLike, axis?: Axis | null, options?: ReduceOptions): Node;
  function reduce(x: NodeLike, axis?: Axis | null, keepdims?: boolean, name?: string): Node;
  function reduce(x: NodeLike, options: ReduceOptions & { axis?: Axis | null }): Node;
  function reduce(...args: unknown[]): Node {
    const { inputTensor, axis, keepdims, name } = sig.parse(args);
    return apply(def, [inputTensor], { axis: ownAxis(axis ?? undefined), keepDims: keepdims ?? false }, name);
  }
  return reduce;
}

/** The sum of elements along `axis` (all axes when omitted), as TensorFlow's `reduce_sum`. */
export const reduceSum = reduction("reduceSum", Sum);
/** The mean of elements along `axis` (all axes when omitted), as TensorFlow's `reduce_mean`. */
export const reduceMean = reduction("reduceMean", Mean);
/** The largest element along `axis` (all axes when omitted); an empty reduction gives -Infinity (the lowest int32 for int32). */
export const reduceMax = reduction("reduceMax", Max);
/** The smallest element along `axis` (all axes when omitted); an empty reduction gives Infinity (the highest int32). */
export const reduceMin = reduction("reduceMin", Min);
/** The product of elements along `axis` (all axes when omitted). */
export const reduceProd = reduction("reduceProd", Prod);
/** Logical or of bool elements along `axis` (all axes when omitted). */
export const reduceAny = reduction("reduceAny", Any);
/** Logical and of bool elements along `axis` (all axes when omitted). */
export const reduceAll = reduction("reduceAll", All);

/** The int32 position of the largest element along `axis` (default 0); the first one at ties, as numpy. */
export function argmax(x: NodeLike, axis = 0, name?: NameArg): Node {
  requireArg("argmax", "axis", axis, is.integer);
  return apply(ArgMax, [x], { axis }, name);
}

/** The int32 position of the smallest element along `axis` (default 0); the first one at ties. */
export function argmin(x: NodeLike, axis = 0, name?: NameArg): Node {
  requireArg("argmin", "axis", axis, is.integer);
  return apply(ArgMin, [x], { axis }, name);
}

// Broadcasting back: the adjoints of reducing and of broadcasting.

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
  relabels: true,
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
  relabels: true,
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
  shapeOnly: true,
});

/** size(x) / size(y) as a scalar of x's dtype: a constant when both shapes are known. */
export function sizeRatio(x: Node, y: Node): Node | number {
  if (isFullyKnown(x.shape) && isFullyKnown(y.shape)) {
    return sizeOf(x.shape) / sizeOf(y.shape);
  }
  return apply(SizeRatio, [x, y], {}, "SizeRatio");
}
