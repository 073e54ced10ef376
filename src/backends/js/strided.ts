/**
 * Strided walks for the JS kernels. A kernel that reads (or accumulates into) arrays through
 * strides (0 along stretched or reduced axes) walks the output, or the input of a reduction, in
 * row-major order. Merging adjacent axes whose strides continue each other in every array turns
 * most walks into one or two long loops ([n,k] + [k] is "n rows of a k-long run"), so the
 * per-element work is a tight loop and the per-row work an odometer step.
 */
import type { Shape } from "../../tensor/index.js";

export interface CollapsedWalk {
  sizes: number[];
  /** One stride list per array, aligned with `sizes`. */
  strides: number[][];
}

/**
 * Drops size-1 axes and merges axis d into d+1 where, for every array, stride[d] equals
 * stride[d+1]·size[d+1] (walking d+1 to its end lands on the next d). The walk visits the same
 * elements in the same order.
 */
export function collapse(shape: Shape, strideLists: readonly (readonly number[])[]): CollapsedWalk {
  // Plain loops (no callbacks): kernels of small tensors call this once per run, and it is most of their set-up.
  const arrays = strideLists.length;
  const sizes: number[] = [];
  const strides: number[][] = [];
  for (let k = 0; k < arrays; k++) strides.push([]);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = sizes.length - 1;
    let merge = last >= 0;
    for (let k = 0; merge && k < arrays; k++) merge = strides[k]![last] === strideLists[k]![d]! * n;
    if (merge) {
      sizes[last] = sizes[last]! * n;
      for (let k = 0; k < arrays; k++) strides[k]![last] = strideLists[k]![d]!;
    } else {
      sizes.push(n);
      for (let k = 0; k < arrays; k++) strides[k]!.push(strideLists[k]![d]!);
    }
  }
  return { sizes, strides };
}

/**
 * Calls `row(start, offsets, len)` for each innermost run of a collapsed walk: `start` is the
 * row-major index of the run's first element, `offsets[k]` its offset in array k (whose innermost
 * stride is `walk.strides[k][last]`). `offsets` is reused between calls.
 */
export function forEachRun(walk: CollapsedWalk, row: (start: number, offsets: readonly number[], len: number) => void): void {
  const { sizes, strides } = walk;
  const rank = sizes.length;
  const arrays = strides.length;
  const offsets = new Array<number>(arrays).fill(0);
  if (rank === 0) {
    row(0, offsets, 1);
    return;
  }
  const len = sizes[rank - 1]!;
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= sizes[d]!;
  if (len === 0 || rows === 0) return;
  const idx = new Array<number>(rank).fill(0);
  for (let r = 0; r < rows; r++) {
    row(r * len, offsets, len);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      for (let k = 0; k < arrays; k++) offsets[k] += strides[k]![d]!;
      if (idx[d]! < sizes[d]!) break;
      for (let k = 0; k < arrays; k++) offsets[k] -= strides[k]![d]! * idx[d]!;
      idx[d] = 0;
    }
  }
}

/** The innermost stride of array `k` of a walk (0 when the walk has no axes). */
export function innerStride(walk: CollapsedWalk, k: number): number {
  const s = walk.strides[k]!;
  return s.length === 0 ? 0 : s[s.length - 1]!;
}
