/**
 * Handing fetched values out of a run. The plan's values live in its own buffers (or are the
 * caller's feeds, or variables' storage), which the next run overwrites, so a fetched value is
 * always copied: into a new tensor, or, with `run(..., { into })`, into a tensor the caller gave.
 *
 * Session checks targets against what the graph knows before the run; here, after the steps and
 * before the updates land, each target is checked against its value's concrete shape, and no
 * target is written unless every one fits.
 */
import type { GraphNode } from "../graph/index.js";
import { ShapeError, TensorSlowError, formatShape, shapesEqual, type Tensor, type TypedArray } from "../tensor/index.js";

/** Per fetch: the slot of its value, or null for a Group (which has none). */
export type FetchSlots = readonly (number | null)[];

/** A copy of each fetched value (null for a Group). */
export function copyOut(slots: FetchSlots, values: readonly (Tensor | undefined)[]): (Tensor | null)[] {
  return slots.map((s) => (s === null ? null : values[s]!.clone()));
}

/** The error for the first target in `into` that cannot hold its fetched value, if any. */
export function checkInto(fetches: readonly GraphNode[], slots: FetchSlots, values: readonly (Tensor | undefined)[], into: readonly (Tensor | undefined)[]): TensorSlowError | undefined {
  for (let i = 0; i < slots.length; i++) {
    const target = into[i];
    if (target === undefined) continue;
    const node = fetches[i]!;
    const slot = slots[i]!;
    if (slot === null) return new TensorSlowError(`cannot write ${node} into a tensor: it has no value (a Group only runs its members)`);
    const value = values[slot]!;
    if (target.dtype !== value.dtype || !shapesEqual(target.shape, value.shape)) {
      return new ShapeError(
        `cannot write the value of ${node} (${value.dtype}, shape ${formatShape(value.shape)}) into a tensor of dtype ${target.dtype} and shape ${formatShape(target.shape)}; the run's updates were applied`,
      );
    }
  }
  return undefined;
}

/** The fetched values, copied into the given tensors where there is one (checked by checkInto), else into new ones. */
export function copyInto(slots: FetchSlots, values: readonly (Tensor | undefined)[], into: readonly (Tensor | undefined)[]): (Tensor | null)[] {
  // A value whose storage is also a target (a fed tensor given as a target) is copied first,
  // so that writing the target does not change what is fetched after it.
  const sources = slots.map((s) => (s === null ? undefined : values[s]!));
  for (let j = 0; j < sources.length; j++) {
    const v = sources[j];
    if (v !== undefined && into.some((t) => t !== undefined && t.data.buffer === v.data.buffer && overlaps(t.data, v.data))) sources[j] = v.clone();
  }
  return slots.map((s, i) => {
    if (s === null) return null;
    const target = into[i];
    if (target === undefined) return sources[i]!.clone();
    target.data.set(sources[i]!.data);
    return target;
  });
}

/** Whether two views of one buffer share bytes. */
function overlaps(a: TypedArray, b: TypedArray): boolean {
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
