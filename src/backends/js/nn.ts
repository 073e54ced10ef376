/** Kernels of biasAdd, its gradient, and the dropout mask. */
import type { DropoutMaskAttrs } from "../../kernels/attrs.js";
import { ValueError, type Tensor } from "../../tensor/index.js";

/** out = value + bias, the bias repeating along the last axis. */
export function biasAddKernel(inputs: readonly Tensor[], out: Tensor): void {
  const [value, bias] = inputs as [Tensor, Tensor];
  const c = bias.size;
  const vd = value.data;
  const bd = bias.data;
  const o = out.data;
  if (c === 0) return;
  for (let base = 0; base < o.length; base += c) {
    for (let j = 0; j < c; j++) o[base + j] = vd[base + j]! + bd[j]!;
  }
}

/** The sum of each column of dy seen as [rows, C]. */
export function biasAddGradKernel(inputs: readonly Tensor[], out: Tensor): void {
  const dy = inputs[0]!;
  const c = out.size;
  const acc = new Float64Array(c);
  const d = dy.data;
  if (c === 0) return;
  for (let base = 0; base < d.length; base += c) {
    for (let j = 0; j < c; j++) acc[j] += d[base + j]!;
  }
  out.data.set(acc);
}

/**
 * Keeps each element with probability 1 − rate, drawing u uniform in [0, 1) and keeping when
 * u >= rate (TensorFlow's rule); kept elements are 1/(1 − rate). All ones when `training` is false.
 */
export function dropoutMaskKernel(inputs: readonly Tensor[], out: Tensor, attrs: DropoutMaskAttrs): void {
  const o = out.data;
  const training = inputs[2];
  if (training !== undefined && training.data[0] === 0) {
    o.fill(1);
    return;
  }
  // The rate may be fed, so it is checked here; the session adds the node's name.
  const rate = inputs[1]!.data[0]!;
  if (!(rate >= 0 && rate < 1)) throw new ValueError(`the dropout rate must be in [0, 1), got ${rate} (keep probability ${1 - rate})`);
  const scale = 1 / (1 - rate);
  const { generator } = attrs;
  for (let i = 0; i < o.length; i++) o[i] = generator.nextFloat() >= rate ? scale : 0;
}
