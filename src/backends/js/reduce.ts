/**
 * Reductions and broadcasts over axes: sum, mean, softmax along an axis, and the gradient helpers
 * that sum a tensor down to a shape or stretch it up to one.
 */
import type { BroadcastLikeAttrs, ReduceAttrs, SoftmaxAttrs } from "../../kernels/attrs.js";
import { broadcastStrides, insertReducedAxes, normalizeAxes, stridesOf, type Tensor } from "../../tensor/index.js";
import { collapse, forEachRun, innerStride } from "./strided.js";

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
  const step = innerStride(walk, 0);
  forEachRun(walk, (i, [offset], len) => {
    if (step === 0) o.fill(xd[offset!]!, i, i + len);
    else for (let j = 0; j < len; j++) o[i + j] = xd[offset! + j * step]!;
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
