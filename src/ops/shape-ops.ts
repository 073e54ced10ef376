/** Ops that rearrange axes without changing values: transpose and squeeze. */
import type { Node, TensorSpec } from "../graph/index.js";
import { ShapeError, formatShape, is, isIntegerList, normalizeAxes, requireArg, type Dim } from "../tensor/index.js";
import { reshapeLike } from "./array.js";
import { apply, defineOp, type NodeLike, type NameArg } from "./define.js";
import type { TransposeAttrs } from "../kernels/attrs.js";

/** `perm`, checked to be a permutation of the axes of a rank-`rank` tensor; the reversal when absent. */
export function resolvePerm(perm: readonly number[] | undefined, rank: number, context: string): number[] {
  if (perm === undefined) return Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const seen = new Set<number>();
  const valid = perm.length === rank && perm.every((p) => Number.isInteger(p) && p >= 0 && p < rank && !seen.has(p) && seen.add(p));
  if (!valid) {
    throw new ShapeError(`${context}: perm [${perm.join(",")}] is not a permutation of the ${rank} axes of its input (0 to ${rank - 1}, each once)`);
  }
  return [...perm];
}

export const Transpose = defineOp<TransposeAttrs>({
  type: "Transpose",
  infer: ([x], { perm }, name): TensorSpec => {
    const context = `Transpose '${name}'`;
    if (x!.shape === null) {
      if (perm !== undefined) resolvePerm(perm, perm.length, context);
      return { dtype: x!.dtype, shape: perm === undefined ? null : perm.map(() => null) };
    }
    const shape = x!.shape;
    return { dtype: x!.dtype, shape: resolvePerm(perm, shape.length, `${context} (input shape ${formatShape(shape)})`).map((p) => shape[p]!) };
  },
  gradient: (op, dy) => {
    const { perm } = op.attrs;
    if (perm === undefined) return [transpose(dy)];
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [transpose(dy, inverse)];
  },
});

export interface SqueezeAttrs {
  /** The size-1 axes to remove; absent removes every size-1 axis. */
  axis?: readonly number[];
}

export const Squeeze = defineOp<SqueezeAttrs>({
  type: "Squeeze",
  kernel: "Reshape",
  infer: ([x], { axis }, name): TensorSpec => {
    const shape = x!.shape;
    if (shape === null) return { dtype: x!.dtype, shape: null };
    if (axis === undefined) {
      // Which axes go depends on the unknown sizes: the rank is unknown too (as in TensorFlow).
      if (shape.some((d) => d === null)) return { dtype: x!.dtype, shape: null };
      return { dtype: x!.dtype, shape: shape.filter((d) => d !== 1) };
    }
    const axes = normalizeAxes(axis, shape.length, `Squeeze '${name}'`);
    for (const a of axes) {
      if (shape[a] !== null && shape[a] !== 1) {
        throw new ShapeError(`Squeeze '${name}': cannot squeeze axis ${a}, its size is ${shape[a]} and not 1 (input shape ${formatShape(shape)})`);
      }
    }
    return { dtype: x!.dtype, shape: shape.filter((_, i) => !axes.includes(i)) as Dim[] };
  },
  gradient: (op, dy) => [reshapeLike(dy, op.inputs[0]!)],
  relabels: true,
});

/** Permutes the axes of `x`: output axis i is input axis perm[i] (reversed when `perm` is omitted). */
export function transpose(x: NodeLike, perm?: readonly number[], name?: NameArg): Node {
  requireArg("transpose", "perm", perm, is.optional(isIntegerList));
  return apply(Transpose, [x], perm === undefined ? {} : { perm: [...perm] }, name ?? "transpose");
}

/**
 * Removes size-1 axes: those in `axis` (an error when one is not of size 1), or all of them when
 * `axis` is omitted or empty (TensorFlow's `squeeze(x, [])`).
 */
export function squeeze(x: NodeLike, axis?: number | readonly number[], name?: NameArg): Node {
  requireArg("squeeze", "axis", axis, is.optional(is.either(is.integer, isIntegerList)));
  const list = axis === undefined ? [] : typeof axis === "number" ? [axis] : [...axis];
  const attrs = list.length === 0 ? {} : { axis: list };
  return apply(Squeeze, [x], attrs, name ?? "Squeeze");
}
