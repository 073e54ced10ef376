/**
 * Kernels of the further reductions: max, min, prod, any, all, argmax, argmin, and the ops their
 * gradients use (ProdExceptSelf and its gradient). Elements are assigned to groups by
 * the same strides as sum (groupStrides).
 */
import type { ArgAttrs, AxesAttrs, ReduceAttrs } from "../../kernels/attrs.js";
import { normalizeAxes, stridesOf, type Tensor } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";
import { groupStrides } from "./reduce.js";
import { collapse, forEachRun, innerStride, type CollapsedWalk } from "./strided.js";

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

export const reduceExtKernels: Record<string, Kernel> = {
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
