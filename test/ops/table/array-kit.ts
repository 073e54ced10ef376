/**
 * Plain-JS references for the array op tables (shape-ops, join-split, indexing, tile-pad,
 * reduce), written from numpy's and Python's definitions: basic indexing with Python's
 * `slice.indices`, `np.take`, `np.add.at`, `np.tile`, `np.pad`, reductions by folding each group.
 * None of them calls the library.
 */
import { sizeOfShape, unravel } from "../../helpers/assert-close.js";
import { mk, normAxes, type R64 } from "./kit.js";

/** Row-major flat index of a multi-index. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d]! + idx[d]!;
  return flat;
}

/** out[i] = x[source(i)] for every multi-index of `shape`. */
export function pick(x: R64, shape: readonly number[], source: (idx: number[]) => number[]): R64 {
  const out = mk(shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = x.data[ravel(source(unravel(i, shape)), x.shape)]!;
  return out;
}

/** Zeros of `shape` with src[i] added at target(i) for every multi-index i of src (np.add.at). */
export function addAt(src: R64, shape: readonly number[], target: (idx: number[]) => number[]): R64 {
  const out = mk(shape);
  for (let i = 0; i < src.data.length; i++) out.data[ravel(target(unravel(i, src.shape)), shape)]! += src.data[i]!;
  return out;
}

/** Folds the elements of each group of a reduction over `axis` with `fn`, starting from `init`. */
export function foldRef(x: R64, axis: number | readonly number[] | undefined, keepDims: boolean, init: number, fn: (acc: number, v: number) => number): R64 {
  const axes = normAxes(axis, x.shape.length);
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const acc = new Float64Array(sizeOfShape(kept)).fill(init);
  for (let i = 0; i < x.data.length; i++) {
    const g = ravel(unravel(i, x.shape).map((v, d) => (axes.includes(d) ? 0 : v)), kept);
    acc[g] = fn(acc[g]!, x.data[i]!);
  }
  return mk(keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i)), acc);
}

/** The flat indices of the elements of each group of a reduction over `axis`, in row-major order. */
export function groupsRef(shape: readonly number[], axis: number | readonly number[] | undefined): number[][] {
  const axes = normAxes(axis, shape.length);
  const groups = new Map<string, number[]>();
  for (let i = 0; i < sizeOfShape(shape); i++) {
    const key = unravel(i, shape).filter((_, d) => !axes.includes(d)).join(",");
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  }
  return [...groups.values()];
}

/** Python's `range(start, stop, step)`. */
function pyRange(start: number, stop: number, step: number): number[] {
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

/** Python's `slice(start, stop, step).indices(length)`, then the indices it selects. */
export function pySlice(start: number | null, stop: number | null, step: number, length: number): number[] {
  const lower = step < 0 ? -1 : 0;
  const upper = step < 0 ? length - 1 : length;
  const fix = (v: number | null, dflt: number): number => (v === null ? dflt : v < 0 ? Math.max(v + length, lower) : Math.min(v, upper));
  return pyRange(fix(start, step < 0 ? upper : lower), fix(stop, step < 0 ? lower : upper), step);
}

export interface StridedCaseAttrs {
  begin: number[];
  end: number[];
  strides: number[];
  beginMask?: number;
  endMask?: number;
  ellipsisMask?: number;
  newAxisMask?: number;
  shrinkAxisMask?: number;
}

type Item = { kind: "ellipsis" } | { kind: "newaxis" } | { kind: "index"; i: number } | { kind: "slice"; start: number | null; stop: number | null; step: number };

/**
 * numpy basic indexing `x[items]` of a shape: for each output element, the flat index it reads.
 * The masks say which item is which, as in tf.strided_slice's Python front end.
 */
export function basicIndex(shape: readonly number[], a: StridedCaseAttrs): { shape: number[]; sources: number[] } {
  const bit = (m: number | undefined, i: number): boolean => ((m ?? 0) & (1 << i)) !== 0;
  const items: Item[] = a.begin.map((b, i): Item => {
    if (bit(a.ellipsisMask, i)) return { kind: "ellipsis" };
    if (bit(a.newAxisMask, i)) return { kind: "newaxis" };
    if (bit(a.shrinkAxisMask, i)) return { kind: "index", i: b };
    return { kind: "slice", start: bit(a.beginMask, i) ? null : b, stop: bit(a.endMask, i) ? null : a.end[i]!, step: a.strides[i]! };
  });
  const real = items.filter((it) => it.kind === "index" || it.kind === "slice").length;
  const at = items.findIndex((it) => it.kind === "ellipsis");
  const full: Item = { kind: "slice", start: null, stop: null, step: 1 };
  const fill = Array.from({ length: shape.length - real }, () => full);
  const expanded = at < 0 ? [...items, ...fill] : [...items.slice(0, at), ...fill, ...items.slice(at + 1)];
  // Per input axis the list of indices taken; output axes in order (new axes are size 1).
  const perAxis: number[][] = [];
  const outShape: number[] = [];
  const outAxisOf: (number | "new")[] = [];
  let axis = 0;
  for (const it of expanded) {
    if (it.kind === "newaxis") {
      outShape.push(1);
      outAxisOf.push("new");
    } else if (it.kind === "index") {
      const len = shape[axis]!;
      const i = it.i < 0 ? it.i + len : it.i;
      if (i < 0 || i >= len) throw new Error(`reference: index ${it.i} out of range`);
      perAxis.push([i]);
      axis++;
    } else if (it.kind === "slice") {
      const taken = pySlice(it.start, it.stop, it.step, shape[axis]!);
      perAxis.push(taken);
      outShape.push(taken.length);
      outAxisOf.push(axis);
      axis++;
    }
  }
  const sources: number[] = [];
  for (let o = 0; o < sizeOfShape(outShape); o++) {
    const oi = unravel(o, outShape);
    const idx = perAxis.map((taken) => (taken.length === 1 ? taken[0]! : 0));
    outAxisOf.forEach((ax, k) => {
      if (ax !== "new") idx[ax] = perAxis[ax]![oi[k]!]!;
    });
    sources.push(ravel(idx, shape));
  }
  return { shape: outShape, sources };
}

/** The index of the input element that element i of a padded axis mirrors (np.pad reflect/symmetric). */
export function mirrorIndex(i: number, n: number, mode: "REFLECT" | "SYMMETRIC"): number {
  if (mode === "REFLECT") {
    if (n === 1) return 0;
    const period = 2 * (n - 1);
    const j = ((i % period) + period) % period;
    return j < n ? j : period - j;
  }
  const period = 2 * n;
  const j = ((i % period) + period) % period;
  return j < n ? j : period - 1 - j;
}
