/**
 * Pooling kernels over NHWC typed arrays. Each output position's window is clipped to the input
 * (SAME padding adds no values), and channels are the innermost loop, contiguous in memory.
 * Max pooling and its two gradients share one argmax rule: the first maximum in row-major order
 * within the window (TensorFlow's CPU kernel: the first element, then any strictly greater one).
 */
import type { PoolWindowAttrs } from "../../kernels/attrs.js";
import { window2D, type Tensor, type TypedArray, type Window2D } from "../../tensor/index.js";

const NO_DILATION = [1, 1, 1, 1];

export function poolGeometry(input: readonly number[], attrs: PoolWindowAttrs): Window2D {
  return window2D(input, attrs.ksize[1]!, attrs.ksize[2]!, attrs.strides, NO_DILATION, attrs.padding);
}

let best = new Float64Array(0);
let where = new Int32Array(0);

/**
 * Calls `visit(p, arg)` for every output position p (flat over n, oh, ow) with arg[c] the flat
 * input index of channel c's first window maximum.
 */
function argmaxWindows(x: TypedArray, g: Window2D, channels: number, visit: (p: number, arg: Int32Array) => void): void {
  if (best.length < channels) {
    best = new Float64Array(channels);
    where = new Int32Array(channels);
  }
  const max = best;
  const arg = where;
  const { batch, inH, inW, outH, outW } = g;
  let p = 0;
  for (let n = 0; n < batch; n++) {
    for (let oh = 0; oh < outH; oh++) {
      // The window clipped to the input: rows [h0, h1), columns [w0, w1).
      const top = oh * g.strideH - g.padTop;
      const h0 = Math.max(top, 0);
      const h1 = Math.min(top + g.kH, inH);
      for (let ow = 0; ow < outW; ow++, p++) {
        const left = ow * g.strideW - g.padLeft;
        const w0 = Math.max(left, 0);
        const w1 = Math.min(left + g.kW, inW);
        let first = true;
        for (let ih = h0; ih < h1; ih++) {
          for (let iw = w0; iw < w1; iw++) {
            const base = ((n * inH + ih) * inW + iw) * channels;
            if (first) {
              for (let c = 0; c < channels; c++) {
                max[c] = x[base + c]!;
                arg[c] = base + c;
              }
              first = false;
            } else {
              for (let c = 0; c < channels; c++) {
                const v = x[base + c]!;
                if (max[c]! < v) {
                  max[c] = v;
                  arg[c] = base + c;
                }
              }
            }
          }
        }
        visit(p, arg);
      }
    }
  }
}

export function maxPoolKernel(inputs: readonly Tensor[], out: Tensor, attrs: PoolWindowAttrs): void {
  const x = inputs[0]!;
  const channels = x.shape[3]!;
  const xd = x.data;
  const o = out.data;
  argmaxWindows(xd, poolGeometry(x.shape, attrs), channels, (p, arg) => {
    for (let c = 0; c < channels; c++) o[p * channels + c] = xd[arg[c]!]!;
  });
}

/** MaxPoolGrad(x, y, dy): dy scattered to each window's argmax in x. */
export function maxPoolGradKernel(inputs: readonly Tensor[], out: Tensor, attrs: PoolWindowAttrs): void {
  const [x, , dy] = inputs as [Tensor, Tensor, Tensor];
  const channels = x.shape[3]!;
  const d = dy.data;
  const o = out.data;
  o.fill(0);
  argmaxWindows(x.data, poolGeometry(x.shape, attrs), channels, (p, arg) => {
    for (let c = 0; c < channels; c++) o[arg[c]!]! += d[p * channels + c]!;
  });
}

/** MaxPoolGradGrad(x, y, g): g gathered from each window's argmax in x. */
export function maxPoolGradGradKernel(inputs: readonly Tensor[], out: Tensor, attrs: PoolWindowAttrs): void {
  const [x, , grad] = inputs as [Tensor, Tensor, Tensor];
  const channels = x.shape[3]!;
  const gd = grad.data;
  const o = out.data;
  argmaxWindows(x.data, poolGeometry(x.shape, attrs), channels, (p, arg) => {
    for (let c = 0; c < channels; c++) o[p * channels + c] = gd[arg[c]!]!;
  });
}

/**
 * Visits every output position p with its clipped window and the number of input positions in
 * it: the structure AvgPool and AvgPoolGrad share.
 */
function averageWindows(g: Window2D, visit: (p: number, n: number, h0: number, h1: number, w0: number, w1: number, count: number) => void): void {
  let p = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let oh = 0; oh < g.outH; oh++) {
      const top = oh * g.strideH - g.padTop;
      const h0 = Math.max(top, 0);
      const h1 = Math.min(top + g.kH, g.inH);
      for (let ow = 0; ow < g.outW; ow++, p++) {
        const left = ow * g.strideW - g.padLeft;
        const w0 = Math.max(left, 0);
        const w1 = Math.min(left + g.kW, g.inW);
        visit(p, n, h0, h1, w0, w1, (h1 - h0) * (w1 - w0));
      }
    }
  }
}

let sums = new Float64Array(0);

export function avgPoolKernel(inputs: readonly Tensor[], out: Tensor, attrs: PoolWindowAttrs): void {
  const x = inputs[0]!;
  const channels = x.shape[3]!;
  const g = poolGeometry(x.shape, attrs);
  const xd = x.data;
  const o = out.data;
  if (sums.length < channels) sums = new Float64Array(channels);
  const s = sums;
  averageWindows(g, (p, n, h0, h1, w0, w1, count) => {
    s.fill(0, 0, channels);
    for (let ih = h0; ih < h1; ih++) {
      for (let iw = w0; iw < w1; iw++) {
        const base = ((n * g.inH + ih) * g.inW + iw) * channels;
        for (let c = 0; c < channels; c++) s[c]! += xd[base + c]!;
      }
    }
    for (let c = 0; c < channels; c++) o[p * channels + c] = s[c]! / count;
  });
}

/** AvgPoolGrad(like, dy): each dy shared equally among its window's input positions. */
export function avgPoolGradKernel(inputs: readonly Tensor[], out: Tensor, attrs: PoolWindowAttrs): void {
  const dy = inputs[1]!;
  const channels = out.shape[3]!;
  const g = poolGeometry(out.shape, attrs);
  const d = dy.data;
  const o = out.data;
  o.fill(0);
  averageWindows(g, (p, n, h0, h1, w0, w1, count) => {
    for (let ih = h0; ih < h1; ih++) {
      for (let iw = w0; iw < w1; iw++) {
        const base = ((n * g.inH + ih) * g.inW + iw) * channels;
        for (let c = 0; c < channels; c++) o[base + c]! += d[p * channels + c]! / count;
      }
    }
  });
}
