/**
 * Loss kernels: log-softmax and the softmax cross-entropies along a class axis, each with the
 * maximum subtracted before exponentiating (log-sum-exp), and the stable logistic loss.
 */
import type { ClassAxisAttrs } from "../../kernels/attrs.js";
import { ValueError, normalizeAxes, stridesOf, type Tensor } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";
import { binaryKernel } from "./elementwise.js";

/**
 * A tensor seen as `outer` blocks of `len` classes whose elements lie `inner` apart: the row
 * starting at flat index p·len·inner + q holds the classes of output element p·inner + q.
 */
export function classLayout(x: Tensor, axis: number, type: string): { outer: number; len: number; inner: number } {
  const [a] = normalizeAxes(axis, x.rank, type);
  const len = x.shape[a!]!;
  const inner = stridesOf(x.shape)[a!]!;
  return { outer: len === 0 ? 0 : x.size / (len * inner), len, inner };
}

/** log Σ e^x over one row, shifted by the row's maximum so that no exponential overflows. */
function logSumExp(xd: Tensor["data"], base: number, len: number, stride: number): number {
  let max = -Infinity;
  for (let i = 0; i < len; i++) max = Math.max(max, xd[base + i * stride]!);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < len; i++) sum += Math.exp(xd[base + i * stride]! - max);
  return max + Math.log(sum);
}

export function logSoftmaxKernel(inputs: readonly Tensor[], out: Tensor, attrs: ClassAxisAttrs): void {
  const x = inputs[0]!;
  const { outer, len, inner } = classLayout(x, attrs.axis, "LogSoftmax");
  const xd = x.data;
  const o = out.data;
  for (let p = 0; p < outer; p++) {
    for (let q = 0; q < inner; q++) {
      const base = p * len * inner + q;
      const lse = logSumExp(xd, base, len, inner);
      for (let i = 0; i < len; i++) o[base + i * inner] = xd[base + i * inner]! - lse;
    }
  }
}

/** Σ labels·(lse − logits) per row: −Σ labels·log_softmax(logits) without forming the softmax. */
export function softmaxXentKernel(inputs: readonly Tensor[], out: Tensor, attrs: ClassAxisAttrs): void {
  const [labels, logits] = inputs as [Tensor, Tensor];
  const { outer, len, inner } = classLayout(logits, attrs.axis, "SoftmaxCrossEntropyWithLogits");
  const xd = logits.data;
  const zd = labels.data;
  const o = out.data;
  for (let p = 0; p < outer; p++) {
    for (let q = 0; q < inner; q++) {
      const base = p * len * inner + q;
      const lse = logSumExp(xd, base, len, inner);
      let loss = 0;
      for (let i = 0; i < len; i++) {
        const z = zd[base + i * inner]!;
        if (z !== 0) loss += z * (lse - xd[base + i * inner]!);
      }
      o[p * inner + q] = loss;
    }
  }
}

/** Throws unless every label is a class index of logits [..., classes] (one out of range would read another row). */
export function checkSparseLabels(labels: Tensor, logits: Tensor): void {
  const classes = logits.shape[logits.rank - 1]!;
  for (let r = 0; r < labels.size; r++) {
    const k = labels.data[r]!;
    if (k < 0 || k >= classes) {
      throw new ValueError(`Received a label value of ${k} (row ${r}) which is outside the valid range of [0, ${classes})`);
    }
  }
}

/**
 * Calls fn(row, label, base, lse) for each row of logits [..., classes]: the row's label (all
 * checked first), the row's offset and its log-sum-exp.
 */
function forEachLabelledRow(labels: Tensor, logits: Tensor, fn: (r: number, k: number, base: number, lse: number) => void): void {
  checkSparseLabels(labels, logits);
  const classes = logits.shape[logits.rank - 1]!;
  for (let r = 0; r < labels.size; r++) {
    fn(r, labels.data[r]!, r * classes, logSumExp(logits.data, r * classes, classes, 1));
  }
}

/** lse − logits[label] per row. */
export function sparseXentKernel(inputs: readonly Tensor[], out: Tensor): void {
  const [labels, logits] = inputs as [Tensor, Tensor];
  const xd = logits.data;
  const o = out.data;
  forEachLabelledRow(labels, logits, (r, k, base, lse) => (o[r] = lse - xd[base + k]!));
}

/** softmax(logits) − one_hot(labels), row by row. */
export function sparseXentBackpropKernel(inputs: readonly Tensor[], out: Tensor): void {
  const [labels, logits] = inputs as [Tensor, Tensor];
  const classes = logits.shape[logits.rank - 1]!;
  const xd = logits.data;
  const o = out.data;
  forEachLabelledRow(labels, logits, (_r, k, base, lse) => {
    for (let i = 0; i < classes; i++) o[base + i] = Math.exp(xd[base + i]! - lse);
    o[base + k] = o[base + k]! - 1;
  });
}

/** max(x, 0) − x·z + log(1 + e^−|x|): e^−|x| <= 1, so nothing overflows. Inputs (labels z, logits x). */
export const sigmoidXentKernel: Kernel = binaryKernel((z, x) => Math.max(x, 0) - x * z + Math.log1p(Math.exp(-Math.abs(x))));

export function l2LossKernel(inputs: readonly Tensor[], out: Tensor): void {
  const xd = inputs[0]!.data;
  let sum = 0;
  for (let i = 0; i < xd.length; i++) sum += xd[i]! * xd[i]!;
  out.data[0] = sum / 2;
}
