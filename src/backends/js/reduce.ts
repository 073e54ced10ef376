/**
 * Reductions and broadcasts over axes: sum, mean, softmax along an axis, the gradient helpers that
 * sum a tensor down to a shape or stretch it up to one, and the further reductions (max, min, prod,
 * any, all, argmax, argmin, and ProdExceptSelf with its gradient, for prod's). Elements are
 * assigned to groups by one rule (groupStrides).
 */
import type { ArgAttrs, AxesAttrs, BroadcastLikeAttrs, ReduceAttrs, SoftmaxAttrs } from "../../kernels/attrs.js";
import { broadcastStrides, insertReducedAxes, normalizeAxes, stridesOf, type Tensor } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";
import { collapse, forEachRun, innerStride, type CollapsedWalk } from "./strided.js";

/**
 * Strides that take each element of a tensor of `shape` to its group of a reduction over `axes`:
 * the row-major position among the kept dimensions.
 */
export function groupStrides(shape: readonly number[], axes: readonly number[]): number[] {
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return stridesOf(keptShape).map((s, i) => (axes.includes(i) ? 0 : s));
}

/** Sums are accumulated in doubles, in a scratch buffer kept between calls (no allocation per run). */
let scratch = new Float64Array(64);

/** Sums `x` over `axes` into `out` (whose element count is the kept dimensions' product). */
function sumAxes(x: Tensor, axes: readonly number[], out: Tensor, scale = 1): void {
  if (x.rank === 1 || x.rank === 2) {
    sumMatrix(x, axes, out, scale);
    return;
  }
  const keptStrides = groupStrides(x.shape, axes);
  if (scratch.length < out.size) scratch = new Float64Array(Math.max(out.size, 2 * scratch.length));
  const acc = scratch;
  acc.fill(0, 0, out.size);
  const xd = x.data;
  const walk = collapse(x.shape, [keptStrides]);
  const step = innerStride(walk, 0);
  const run = (i: number, o: number, len: number): void => {
    if (step === 0) {
      let s = 0;
      for (let j = 0; j < len; j++) s += xd[i + j]!;
      acc[o]! += s;
    } else {
      for (let j = 0; j < len; j++) acc[o + j * step]! += xd[i + j]!;
    }
  };
  if (walk.sizes.length === 2) {
    // Rows of runs (most reductions once axes are merged): the same order without the odometer.
    const [rows, len] = walk.sizes as [number, number];
    const rowStride = walk.strides[0]![0]!;
    for (let r = 0; r < rows; r++) run(r * len, r * rowStride, len);
  } else {
    forEachRun(walk, (i, offsets, len) => run(i, offsets[0]!, len));
  }
  const od = out.data;
  for (let i = 0; i < od.length; i++) od[i] = acc[i]! * scale;
}

/**
 * sumAxes for a vector or a matrix, as plain loops (no walk to build, nothing allocated): the
 * same sums in the same order as the general walk.
 */
function sumMatrix(x: Tensor, axes: readonly number[], out: Tensor, scale: number): void {
  const xd = x.data;
  const od = out.data;
  const cols = x.shape[x.rank - 1]!;
  const rows = x.rank === 2 ? x.shape[0]! : 1;
  const overCols = axes.includes(x.rank - 1);
  const overRows = x.rank === 1 || axes.includes(0);
  if (overCols && overRows) {
    let s = 0;
    for (let i = 0; i < xd.length; i++) s += xd[i]!;
    od[0] = s * scale;
  } else if (overCols) {
    for (let r = 0, i = 0; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += xd[i++]!;
      od[r] = s * scale;
    }
  } else if (overRows) {
    if (scratch.length < cols) scratch = new Float64Array(Math.max(cols, 2 * scratch.length));
    const acc = scratch;
    acc.fill(0, 0, cols);
    for (let r = 0, i = 0; r < rows; r++) for (let j = 0; j < cols; j++) acc[j]! += xd[i++]!;
    for (let j = 0; j < cols; j++) od[j] = acc[j]! * scale;
  } else {
    for (let i = 0; i < xd.length; i++) od[i] = xd[i]! * scale;
  }
}

export function sumKernel(inputs: readonly Tensor[], out: Tensor, attrs: ReduceAttrs): void {
  const x = inputs[0]!;
  sumAxes(x, normalizeAxes(attrs.axis, x.rank, "Sum"), out);
}

export function meanKernel(inputs: readonly Tensor[], out: Tensor, attrs: ReduceAttrs): void {
  const x = inputs[0]!;
  const count = out.size === 0 ? 1 : x.size / out.size;
  sumAxes(x, normalizeAxes(attrs.axis, x.rank, "Mean"), out, 1 / count);
}

/** Sums `x` over the axes along which `like` was broadcast to reach x's shape. */
export function sumToShapeKernel(inputs: readonly Tensor[], out: Tensor): void {
  const [x, like] = inputs as [Tensor, Tensor];
  // Shapes that were only unknown when the graph was built are often equal at run time.
  if (x.size === out.size) {
    out.data.set(x.data);
    return;
  }
  sumAxes(x, sumToShapeAxes(x, like), out);
}

/** The axes along which `like` was broadcast to reach x's shape (those SumToShape sums over). */
export function sumToShapeAxes(x: Tensor, like: Tensor): number[] {
  const lead = x.rank - like.rank;
  const axes: number[] = [];
  for (let i = 0; i < x.rank; i++) if (i < lead || like.shape[i - lead] === 1) axes.push(i);
  return axes;
}

/** The shape of BroadcastLike's input with its reduced axes put back as size 1. */
export function broadcastLikeSource(x: Tensor, like: Tensor, { reducedAxis, keepDims }: BroadcastLikeAttrs): readonly number[] {
  return reducedAxis === undefined || keepDims
    ? x.shape
    : insertReducedAxes(x.shape, reducedAxis === "all" ? undefined : reducedAxis, like.rank, "BroadcastLike");
}

/** Stretches `x` (with reduced axes put back as size 1) to the shape of `like`. */
export function broadcastLikeKernel(inputs: readonly Tensor[], out: Tensor, attrs: BroadcastLikeAttrs): void {
  const [x, like] = inputs as [Tensor, Tensor];
  const shape = broadcastLikeSource(x, like, attrs);
  const xd = x.data;
  const o = out.data;
  const walk = collapse(out.shape, [broadcastStrides(shape, out.rank)]);
  if (walk.sizes.length <= 2) {
    // Rows of runs (a row or a column stretched to a matrix, most gradients' broadcasts): plain
    // loops, the same order as the walk, without a call per row.
    const rows = walk.sizes.length === 2 ? walk.sizes[0]! : 1;
    const len = walk.sizes.length === 0 ? 1 : walk.sizes[walk.sizes.length - 1]!;
    const strides = walk.strides[0]!;
    const rowStride = walk.sizes.length === 2 ? strides[0]! : 0;
    const step = walk.sizes.length === 0 ? 0 : strides[strides.length - 1]!;
    for (let r = 0, i = 0; r < rows; r++) {
      const offset = r * rowStride;
      if (step === 0) {
        const v = xd[offset]!;
        for (let j = 0; j < len; j++) o[i++] = v;
      } else {
        for (let j = 0; j < len; j++) o[i++] = xd[offset + j * step]!;
      }
    }
    return;
  }
  const step = innerStride(walk, 0);
  forEachRun(walk, (i, [offset], len) => {
    if (step !== 0) for (let j = 0; j < len; j++) o[i + j] = xd[offset! + j * step]!;
    else if (len >= 64) o.fill(xd[offset!]!, i, i + len);
    else {
      // A short run (a row of a few classes) is written in a loop: a call of the fill builtin
      // costs about 40 ns, twenty times the loop, and a gradient broadcasts one value per row.
      const v = xd[offset!]!;
      for (let j = 0; j < len; j++) o[i + j] = v;
    }
  });
}

/** Softmax along one axis, max-shifted so that exp never overflows. */
export function softmaxKernel(inputs: readonly Tensor[], out: Tensor, attrs: SoftmaxAttrs): void {
  const x = inputs[0]!;
  const [axis] = normalizeAxes(attrs.axis, x.rank, "Softmax");
  const len = x.shape[axis!]!;
  const inner = stridesOf(x.shape)[axis!]!;
  const outer = len === 0 ? 0 : x.size / (len * inner);
  const xd = x.data;
  const o = out.data;
  if (inner === 1) {
    // Along the last axis (the usual softmax over classes): contiguous rows, the same arithmetic.
    for (let p = 0, base = 0; p < outer; p++, base += len) {
      let max = -Infinity;
      for (let i = 0; i < len; i++) max = Math.max(max, xd[base + i]!);
      let sum = 0;
      for (let i = 0; i < len; i++) {
        const e = Math.exp(xd[base + i]! - max);
        o[base + i] = e;
        sum += e;
      }
      for (let i = 0; i < len; i++) o[base + i] = o[base + i]! / sum;
    }
    return;
  }
  for (let p = 0; p < outer; p++) {
    for (let q = 0; q < inner; q++) {
      const base = p * len * inner + q;
      let max = -Infinity;
      for (let i = 0; i < len; i++) max = Math.max(max, xd[base + i * inner]!);
      let sum = 0;
      for (let i = 0; i < len; i++) {
        const e = Math.exp(xd[base + i * inner]! - max);
        o[base + i * inner] = e;
        sum += e;
      }
      for (let i = 0; i < len; i++) o[base + i * inner] = o[base + i * inner]! / sum;
    }
  }
}

// The further reductions.

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** The walk over x with, per element, its group (output position) in a reduction over `axis`. */
function groupWalk(x: Tensor, axis: AxesAttrs["axis"]): { walk: CollapsedWalk; step: number; count: number } {
  const axes = normalizeAxes(axis, x.rank, "reduction");
  const walk = collapse(x.shape, [groupStrides(x.shape, axes)]);
  return { walk, step: innerStride(walk, 0), count: x.shape.reduce((p, d, i) => (axes.includes(i) ? p : p * d), 1) };
}

/** The group of each element of x, and how many groups there are (for kernels that walk x twice). */
function groupsOf(x: Tensor, axis: AxesAttrs["axis"]): { groups: Int32Array; count: number } {
  const { walk, step, count } = groupWalk(x, axis);
  const groups = new Int32Array(x.size);
  forEachRun(walk, (i, [g], len) => {
    for (let j = 0; j < len; j++) groups[i + j] = g! + j * step;
  });
  return { groups, count };
}

function reduction(init: (out: Tensor) => number, combine: (acc: number, v: number) => number): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: ReduceAttrs) => {
    const x = inputs[0]!;
    const acc = new Float64Array(out.size).fill(init(out));
    const xd = x.data;
    const { walk, step } = groupWalk(x, attrs.axis);
    forEachRun(walk, (i, [g], len) => {
      for (let j = 0; j < len; j++) acc[g! + j * step] = combine(acc[g! + j * step]!, xd[i + j]!);
    });
    out.data.set(acc);
  }) as Kernel;
}

// NaN wins, as in numpy: once the accumulator is NaN no comparison replaces it.
const max = (a: number, v: number): number => (v > a || v !== v ? v : a);
const min = (a: number, v: number): number => (v < a || v !== v ? v : a);

/** Position of the first largest (or smallest) element along one axis; the first NaN wins, as in numpy. */
function argReduce(better: (v: number, best: number) => boolean): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, { axis }: ArgAttrs) => {
    const x = inputs[0]!;
    const [ax] = normalizeAxes(axis, x.rank, "ArgMax");
    const len = x.shape[ax!]!;
    const inner = stridesOf(x.shape)[ax!]!;
    const xd = x.data;
    const o = out.data;
    for (let k = 0; k < o.length; k++) {
      const q = k % inner;
      const base = (k - q) * len + q;
      let best = xd[base]!;
      let at = 0;
      for (let i = 1; i < len && best === best; i++) {
        const v = xd[base + i * inner]!;
        if (better(v, best) || v !== v) {
          best = v;
          at = i;
        }
      }
      o[k] = at;
    }
  }) as Kernel;
}

/** Products of the elements before each one (in row-major order within its group), and after it. */
const prodExceptSelf = ((inputs: readonly Tensor[], out: Tensor, attrs: AxesAttrs) => {
  const x = inputs[0]!;
  const { groups, count } = groupsOf(x, attrs.axis);
  const xd = x.data;
  const n = xd.length;
  const acc = new Float64Array(count).fill(1);
  const before = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = groups[i]!;
    before[i] = acc[g]!;
    acc[g]! *= xd[i]!;
  }
  acc.fill(1);
  const o = out.data;
  for (let i = n - 1; i >= 0; i--) {
    const g = groups[i]!;
    o[i] = before[i]! * acc[g]!;
    acc[g]! *= xd[i]!;
  }
}) as Kernel;

/**
 * (x, g): h_j = Σ_{i≠j} g_i Π_{k∉{i,j}} x_k within each group, as left·right products: with P the
 * products and S the g-weighted sums of products-but-one of the elements before j (and P', S'
 * after it), h_j = S·P' + P·S'.
 */
const prodExceptSelfGrad = ((inputs: readonly Tensor[], out: Tensor, attrs: AxesAttrs) => {
  const [x, gt] = inputs as [Tensor, Tensor];
  const { groups, count } = groupsOf(x, attrs.axis);
  const xd = x.data;
  const gd = gt.data;
  const n = xd.length;
  const prod = new Float64Array(count).fill(1);
  const sum = new Float64Array(count);
  const prodBefore = new Float64Array(n);
  const sumBefore = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = groups[i]!;
    prodBefore[i] = prod[g]!;
    sumBefore[i] = sum[g]!;
    sum[g] = sum[g]! * xd[i]! + gd[i]! * prod[g]!;
    prod[g]! *= xd[i]!;
  }
  prod.fill(1);
  sum.fill(0);
  const o = out.data;
  for (let i = n - 1; i >= 0; i--) {
    const g = groups[i]!;
    o[i] = sumBefore[i]! * prod[g]! + prodBefore[i]! * sum[g]!;
    sum[g] = sum[g]! * xd[i]! + gd[i]! * prod[g]!;
    prod[g]! *= xd[i]!;
  }
}) as Kernel;

export const furtherReductionKernels: Record<string, Kernel> = {
  Max: reduction((out) => (out.dtype === "int32" ? INT32_MIN : -Infinity), max),
  Min: reduction((out) => (out.dtype === "int32" ? INT32_MAX : Infinity), min),
  Prod: reduction(() => 1, (a, v) => a * v),
  Any: reduction(() => 0, (a, v) => (a !== 0 || v !== 0 ? 1 : 0)),
  All: reduction(() => 1, (a, v) => (a !== 0 && v !== 0 ? 1 : 0)),
  ArgMax: argReduce((v, best) => v > best),
  ArgMin: argReduce((v, best) => v < best),
  ProdExceptSelf: prodExceptSelf,
  ProdExceptSelfGrad: prodExceptSelfGrad,
};
