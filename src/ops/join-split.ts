/**
 * Joining tensors along an axis and cutting them apart: concat (ConcatV2), stack (Pack),
 * unstack (Unpack) and split (Split, SplitV).
 *
 * A node here has one output, while TensorFlow's Unpack, Split and SplitV have one output per
 * piece. So `unstack` and `split` build one node per piece, of the TensorFlow op type with an
 * `index` attribute saying which piece it computes, named `<name>/0`, `<name>/1`, ... under one
 * name scope; each node's inference gives its own piece's shape. The gradient of a piece is the
 * piece's gradient written into zeros shaped like the input (SplitGrad); where several pieces are
 * used, autodiff sums those, which is TensorFlow's concat of the pieces' gradients.
 */
import { Constant, GraphNode, Node, type OpDef, type TensorSpec } from "../graph/index.js";
import { isIntegerList, isList, is, requireArg, signature, ShapeError, ValueError, formatShape, normalizeAxes, resolveSplit, staticCompatible, tensor, type Dim, type SplitSpec, type TensorLike } from "../tensor/index.js";
import { expandDims } from "./array.js";
import { apply, defineOp, graphOf, isNodeLike, nodeName, type NodeLike, type NameArg } from "./define.js";
import { requireSameDtype } from "./infer.js";
import type { AxisAttrs } from "../kernels/attrs.js";

/**
 * The shape every input of ConcatV2 (all axes but `skip`) or Pack (all axes) shares, merging
 * unknown dimensions; an error names the clashing inputs and their shapes.
 */
function commonShape(type: string, name: string, xs: TensorSpec[], skip: number): Dim[] | null {
  if (xs.length === 0) throw new ShapeError(`${type} '${name}' needs at least one input`);
  for (const x of xs) requireSameDtype(type, name, xs[0]!.dtype, x.dtype);
  const firstKnown = xs.findIndex((x) => x.shape !== null);
  if (firstKnown < 0) return null;
  const shape = [...xs[firstKnown]!.shape!];
  const source = shape.map(() => firstKnown);
  xs.forEach((x, i) => {
    if (x.shape === null) return;
    if (x.shape.length !== shape.length) {
      throw new ShapeError(
        `${type} '${name}': input ${i} has rank ${x.shape.length}, input ${firstKnown} has rank ${shape.length} (shapes ${formatShape(xs[firstKnown]!.shape)} and ${formatShape(x.shape)})`,
      );
    }
    x.shape.forEach((d, k) => {
      if (k === skip || d === null) return;
      if (shape[k] === null) {
        shape[k] = d;
        source[k] = i;
      } else if (shape[k] !== d) {
        throw new ShapeError(
          `${type} '${name}': dimension ${k} of input ${i} is ${d}, expected ${shape[k]} (shapes ${formatShape(xs[source[k]!]!.shape)} and ${formatShape(x.shape)})`,
        );
      }
    });
  });
  return shape;
}

export const ConcatV2 = defineOp<AxisAttrs>({
  type: "ConcatV2",
  infer: (xs, { axis }, name): TensorSpec => {
    const context = `ConcatV2 '${name}'`;
    const rankOf = xs.find((x) => x.shape !== null)?.shape?.length;
    if (rankOf === 0) throw new ShapeError(`${context}: cannot concatenate scalars (shape []); stack joins them along a new axis`);
    const ax = rankOf === undefined ? -1 : normalizeAxes(axis, rankOf, context)[0]!;
    const shape = commonShape("ConcatV2", name, xs, ax);
    if (shape === null) return { dtype: xs[0]!.dtype, shape: null };
    shape[ax] = xs.reduce<Dim>((s, x) => (s === null || x.shape === null || x.shape[ax] === null ? null : s + x.shape[ax]!), 0);
    return { dtype: xs[0]!.dtype, shape };
  },
  // Each input gets its stretch of dy back: SplitV with the inputs' sizes along the axis, taken
  // from the inputs themselves (like inputs) when they are known only at run time.
  gradient: (op, dy) => {
    const xs = op.inputs;
    const { axis } = op.attrs;
    const rank = xs.find((x) => x.rank !== null)?.rank ?? null;
    const ax = rank === null ? null : axis < 0 ? axis + rank : axis;
    const sizes = ax === null ? null : xs.map((x) => (x.shape === null ? null : x.shape[ax]!));
    if (sizes !== null && sizes.every((d): d is number => d !== null)) {
      return xs.map((_, index) => apply(SplitV, [dy], { axis, index, sizeSplits: sizes }, "SplitV"));
    }
    return xs.map((_, index) => apply(SplitV, [dy, ...xs], { axis, index }, "SplitV"));
  },
});

export const Pack = defineOp<AxisAttrs>({
  type: "Pack",
  infer: (xs, { axis }, name): TensorSpec => {
    const shape = commonShape("Pack", name, xs, -1);
    if (shape === null) return { dtype: xs[0]!.dtype, shape: null };
    const rank = shape.length;
    if (!Number.isInteger(axis) || axis < -rank - 1 || axis > rank) {
      throw new ShapeError(`Pack '${name}': axis ${axis} is out of range for stacking tensors of rank ${rank} (shape ${formatShape(shape)}); it must be in [${-rank - 1}, ${rank}]`);
    }
    shape.splice(axis < 0 ? axis + rank + 1 : axis, 0, xs.length);
    return { dtype: xs[0]!.dtype, shape };
  },
  gradient: (op, dy) => op.inputs.map((_, index) => apply(Unpack, [dy], { num: op.inputs.length, axis: op.attrs.axis, index }, "Unpack")),
});

export interface UnpackAttrs {
  num: number;
  axis: number;
  /** Which of the `num` slices along `axis` this node computes. */
  index: number;
}

export const Unpack: OpDef<UnpackAttrs> = defineOp<UnpackAttrs>({
  type: "Unpack",
  infer: ([x], { num, axis, index }, name): TensorSpec => {
    if (x!.shape === null) return { dtype: x!.dtype, shape: null };
    const shape = x!.shape;
    if (shape.length === 0) throw new ShapeError(`Unpack '${name}': cannot unstack a scalar`);
    const [ax] = normalizeAxes(axis, shape.length, `Unpack '${name}' (input shape ${formatShape(shape)})`);
    if (shape[ax!] !== null && shape[ax!] !== num) {
      throw new ShapeError(`Unpack '${name}': axis ${ax} has size ${shape[ax!]}, expected num = ${num} (shape ${formatShape(shape)})`);
    }
    if (!Number.isInteger(index) || index < 0 || index >= num) throw new ShapeError(`Unpack '${name}': slice ${index} does not exist; there are ${num}`);
    return { dtype: x!.dtype, shape: shape.filter((_, i) => i !== ax) };
  },
  gradient: (op, dy) => [apply(SplitGrad, [op.inputs[0]!, expandDims(dy, op.attrs.axis)], { ...op.attrs }, "SplitGrad")],
});

/** The shape of piece `spec.index` of a split of `x` (null when x's rank is unknown). */
function pieceShape(type: string, name: string, x: TensorSpec, spec: SplitSpec, likes: TensorSpec[]): Dim[] | null {
  if (x.shape === null) return null;
  const piece = resolveSplit(x.shape, spec, likes.map((l) => l.shape), `${type} '${name}'`);
  const shape = [...x.shape];
  shape[piece.axis] = piece.size;
  return shape;
}

export const Split: OpDef<SplitSpec> = defineOp<SplitSpec>({
  type: "Split",
  kernel: "SplitV",
  infer: ([x], spec, name): TensorSpec => ({ dtype: x!.dtype, shape: pieceShape("Split", name, x!, spec, []) }),
  gradient: (op, dy) => [apply(SplitGrad, [op.inputs[0]!, dy], { ...op.attrs }, "SplitGrad")],
});

/** SplitV(x) with `sizeSplits`, or SplitV(x, like_0, ..., like_n-1) taking the sizes from the likes. */
export const SplitV: OpDef<SplitSpec> = defineOp<SplitSpec>({
  type: "SplitV",
  infer: ([x, ...likes], spec, name): TensorSpec => ({ dtype: x!.dtype, shape: pieceShape("SplitV", name, x!, spec, likes) }),
  gradient: (op, dy) => {
    const [x, ...likes] = op.inputs;
    return [apply(SplitGrad, [x!, dy, ...likes], { ...op.attrs }, "SplitGrad"), ...likes.map(() => null)];
  },
});

/**
 * SplitGrad(xLike, dy, ...likes): zeros shaped like xLike with dy written where piece
 * `spec.index` of a split of xLike lies (the adjoint of Split, SplitV and Unpack).
 */
export const SplitGrad: OpDef<SplitSpec> = defineOp<SplitSpec>({
  type: "SplitGrad",
  infer: ([x, dy, ...likes], spec, name): TensorSpec => {
    const expected = pieceShape("SplitGrad", name, x!, spec, likes);
    if (!staticCompatible(expected, dy!.shape)) {
      throw new ShapeError(`SplitGrad '${name}': the gradient has shape ${formatShape(dy!.shape)}, but piece ${spec.index} of a tensor of shape ${formatShape(x!.shape)} has shape ${formatShape(expected)}`);
    }
    return { dtype: dy!.dtype, shape: x!.shape };
  },
  gradient: (op, g) => {
    const [, , ...likes] = op.inputs;
    const piece: Node = op.attrs.num !== undefined ? apply(Split, [g], { ...op.attrs }, "Split") : apply(SplitV, [g, ...likes], { ...op.attrs }, "SplitV");
    return [null, piece, ...likes.map(() => null)];
  },
});

/** Joins `values` along an existing `axis` (negative counts from the end). */
export function concat(values: readonly NodeLike[], axis: number, name?: NameArg): Node {
  requireArg("concat", "values", values, isList);
  return apply(ConcatV2, values, { axis }, name ?? "concat");
}

/** Joins `values`, which share one shape, along a new `axis`. */
export function stack(values: readonly NodeLike[], axis = 0, name?: NameArg): Node {
  requireArg("stack", "values", values, isList);
  return apply(Pack, values, { axis }, name ?? "stack");
}

/**
 * One node per piece, all checked before any is added; plain values become one constant. The
 * pieces are named `<scope>/0`, `<scope>/1`, ...
 */
function applyPieces<A>(def: OpDef<A>, input: NodeLike, attrs: A[], scope: string): Node[] {
  const graph = graphOf([input]);
  const value = input instanceof GraphNode ? input : tensor(input as TensorLike);
  if (value instanceof GraphNode && !(value instanceof Node)) {
    throw new ValueError(`${value} has no value and cannot be split`);
  }
  const spec: TensorSpec = { dtype: value.dtype, shape: value instanceof Node ? value.shape : [...value.shape] };
  const prefix = graph.peekName(scope);
  attrs.forEach((a, i) => def.infer([spec], a, `${prefix}/${i}`));
  if (attrs.length === 0) return [];
  const x = value instanceof Node ? value : new Constant(value, {}, graph);
  return graph.nameScope(scope, () => attrs.map((a, i) => apply(def, [x], a, String(i))));
}

export interface UnstackOptions {
  /** The number of pieces; taken from the static shape when omitted. */
  num?: number;
  axis?: number;
  name?: string;
}

const UNSTACK = signature<{ value: NodeLike } & UnstackOptions>("unstack", [
  { name: "value", check: isNodeLike, aliases: ["x"] },
  { name: "num", check: is.optional(is.integer) },
  { name: "axis", check: is.optional(is.integer) },
  { name: "name", check: is.optional(is.string) },
]);

/**
 * TensorFlow's `unstack(value, num=None, axis=0, name="unstack")`: the slices of `x` along `axis`,
 * each without that axis, one node per slice.
 */
export function unstack(x: NodeLike, options?: UnstackOptions): Node[];
export function unstack(x: NodeLike, num?: number, axis?: number, name?: string): Node[];
export function unstack(...args: unknown[]): Node[] {
  const { value: x, axis = 0, name, num: given } = UNSTACK.parse(args);
  let num = given;
  if (num === undefined) {
    const shape = x instanceof Node ? x.shape : x instanceof GraphNode ? null : tensor(x as TensorLike).shape;
    const rank = shape?.length ?? 0;
    const dim = shape === null || axis < -rank || axis >= rank ? null : shape[axis < 0 ? axis + rank : axis]!;
    if (dim === null) {
      throw new ValueError(`unstack: cannot infer the number of pieces from the shape ${formatShape(shape)} along axis ${axis}; pass num`);
    }
    num = dim;
  }
  if (!Number.isInteger(num) || num < 0) throw new ValueError(`unstack: num must be an integer >= 0, got ${num}`);
  const n = num;
  return applyPieces(Unpack, x, Array.from({ length: n }, (_, index) => ({ num: n, axis, index })), name ?? "unstack");
}

/**
 * Cuts `x` along `axis` into `numOrSizeSplits` equal pieces (Split), or pieces of the given sizes
 * (SplitV; one size may be -1 for the rest): one node per piece.
 */
export function split(x: NodeLike, numOrSizeSplits: number | readonly number[], axis = 0, name?: NameArg): Node[] {
  requireArg("split", "numOrSizeSplits", numOrSizeSplits, is.either(is.integer, isIntegerList));
  if (typeof numOrSizeSplits === "number") {
    const num = numOrSizeSplits;
    if (!Number.isInteger(num) || num < 1) throw new ValueError(`split: the number of pieces must be a positive integer, got ${num}`);
    return applyPieces(Split, x, Array.from({ length: num }, (_, index) => ({ axis, index, num })), nodeName("split", name));
  }
  const sizeSplits = [...numOrSizeSplits];
  return applyPieces(SplitV, x, sizeSplits.map((_, index) => ({ axis, index, sizeSplits })), nodeName("split", name));
}
