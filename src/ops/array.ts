/** Ops that move or relabel values: identity, stopGradient, reshape, expandDims, onesLike, zerosLike. */
import { Constant, type Elementwise, type Node, type TensorSpec } from "../graph/index.js";
import { is, isIntegerList, requireArg, ShapeError, formatShape, isFullyKnown, ones, sizeOf, type Dim } from "../tensor/index.js";
import { apply, defineOp, type NodeLike, type NameArg } from "./define.js";
import { sameAsInput } from "./infer.js";

type NoAttrs = Record<string, never>;

/** Reshapes keep the row-major order: element i of the output is element i of the input. */
const relabelling: Elementwise<unknown> = { formula: "Identity", args: [0], argShape: (_shape, _index, out) => out };

export const Identity = defineOp<NoAttrs>({
  type: "Identity",
  infer: sameAsInput,
  gradient: (_op, dy) => [dy],
  elementwise: { formula: "Identity" },
  relabels: true,
});

export const StopGradient = defineOp<NoAttrs>({
  type: "StopGradient",
  kernel: "Identity",
  infer: sameAsInput,
  gradient: { notDifferentiable: "it passes values forward and, by definition, no gradient back" },
  elementwise: { formula: "Identity" },
  relabels: true,
});

export interface ReshapeAttrs {
  /** The target shape, with at most one -1; absent when the shape is taken from a second input. */
  shape?: readonly number[];
}

/** The shape a reshape of `from` to `target` (with one -1 at most) gives, checking element counts. */
function reshapeTarget(from: readonly Dim[] | null, target: readonly number[], name: string): Dim[] {
  const wild = target.filter((d) => d === -1).length;
  if (wild > 1 || target.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new ShapeError(`Reshape '${name}': invalid target shape [${target.join(",")}] (dimensions >= 0 and at most one -1)`);
  }
  const known = target.reduce((p, d) => (d === -1 ? p : p * d), 1);
  if (from === null || !isFullyKnown(from)) return target.map((d) => (d === -1 ? null : d));
  const size = sizeOf(from);
  const inferred = wild === 1 && known > 0 ? size / known : known;
  if ((wild === 1 && !Number.isInteger(inferred)) || (wild === 0 && known !== size) || (wild === 1 && known === 0)) {
    throw new ShapeError(`Reshape '${name}': cannot reshape a tensor of shape ${formatShape(from)} (${size} elements) into shape [${target.join(",")}]`);
  }
  return target.map((d) => (d === -1 ? inferred : d));
}

export const Reshape = defineOp<ReshapeAttrs>({
  type: "Reshape",
  infer: ([x, like], attrs, name): TensorSpec => {
    if (attrs.shape !== undefined) return { dtype: x!.dtype, shape: reshapeTarget(x!.shape, attrs.shape, name) };
    // The `like` form must keep the element count too, or the copy kernel would run off the end.
    if (isFullyKnown(x!.shape) && isFullyKnown(like!.shape)) {
      if (sizeOf(x!.shape) !== sizeOf(like!.shape)) {
        throw new ShapeError(
          `Reshape '${name}': cannot reshape a tensor of shape ${formatShape(x!.shape)} (${sizeOf(x!.shape)} elements) into the shape ${formatShape(like!.shape)} of its second input (${sizeOf(like!.shape)} elements)`,
        );
      }
    }
    return { dtype: x!.dtype, shape: like!.shape };
  },
  gradient: (op, dy) => (op.inputs.length === 2 ? [reshapeLike(dy, op.inputs[0]!), null] : [reshapeLike(dy, op.inputs[0]!)]),
  elementwise: relabelling,
  relabels: true,
});

export interface ExpandDimsAttrs {
  axis: number;
}

export const ExpandDims = defineOp<ExpandDimsAttrs>({
  type: "ExpandDims",
  kernel: "Reshape",
  infer: ([x], { axis }, name): TensorSpec => {
    if (x!.shape === null) return { dtype: x!.dtype, shape: null };
    const rank = x!.shape.length;
    if (!Number.isInteger(axis) || axis < -rank - 1 || axis > rank) {
      throw new ShapeError(`ExpandDims '${name}': axis ${axis} is out of range for a tensor of rank ${rank}`);
    }
    const shape: Dim[] = [...x!.shape];
    shape.splice(axis < 0 ? axis + rank + 1 : axis, 0, 1);
    return { dtype: x!.dtype, shape };
  },
  gradient: (op, dy) => [reshapeLike(dy, op.inputs[0]!)],
  elementwise: relabelling,
  relabels: true,
});

/** The same values under another name (useful to name an output, or to copy a variable's value). */
export function identity(x: NodeLike, name?: NameArg): Node {
  return apply(Identity, [x], {}, name);
}

/** Passes `x` forward unchanged and blocks gradients through it. */
export function stopGradient(x: NodeLike, name?: NameArg): Node {
  return apply(StopGradient, [x], {}, name);
}

/** The values of `x` in row-major order, arranged in `shape` (one dimension may be -1). */
export function reshape(x: NodeLike, shape: readonly number[], name?: NameArg): Node {
  requireArg("reshape", "shape", shape, isIntegerList);
  return apply(Reshape, [x], { shape: [...shape] }, name);
}

/** `x` reshaped to the run-time shape of `like`. */
export function reshapeLike(x: Node, like: Node): Node {
  if (isFullyKnown(like.shape)) return reshape(x, like.shape);
  return apply(Reshape, [x, like], {}, "Reshape");
}

/** Inserts a dimension of size 1 at `axis`. */
export function expandDims(x: NodeLike, axis: number, name?: NameArg): Node {
  requireArg("expandDims", "axis", axis, is.integer);
  return apply(ExpandDims, [x], { axis }, name);
}

export const OnesLike = defineOp<NoAttrs>({
  type: "OnesLike",
  infer: sameAsInput,
  gradient: { notDifferentiable: "its value does not depend on the input's values" },
  shapeOnly: true,
});

/** A tensor of ones with the dtype and (run-time) shape of `x`. */
export function onesLike(x: NodeLike, name?: NameArg): Node {
  return apply(OnesLike, [x], {}, name);
}

export const ZerosLike = defineOp<NoAttrs>({
  type: "ZerosLike",
  infer: sameAsInput,
  gradient: { notDifferentiable: "its value does not depend on the input's values" },
  shapeOnly: true,
});

/** A tensor of zeros (false for bool) with the dtype and (run-time) shape of `x`. */
export function zerosLike(x: NodeLike, name?: NameArg): Node {
  return apply(ZerosLike, [x], {}, name);
}

/** Ones shaped like `x`: a scalar constant for a scalar, else an OnesLike node (no large constant in the graph). */
export function onesLikeOrScalar(x: Node): Node {
  if (x.shape !== null && x.shape.length === 0) return new Constant(ones([], x.dtype), { name: "grad_ys" }, x.graph);
  return onesLike(x, "grad_ys");
}
