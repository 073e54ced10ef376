/**
 * Convolution kernels over NHWC typed arrays: Conv2D and its input and filter gradients, by im2col
 * and a blocked matrix product (gemm.ts), one batch element at a time. The patch matrix of a batch
 * element has a row per output position and a column per filter tap (i, j, c), the filter's own
 * row order, so the filter [kh, kw, C, O] is already a (kh·kw·C)×O matrix:
 *
 *   forward:  out[n]   = cols(x[n]) · F
 *   input:    dx[n]    = col2im(dy[n] · Fᵀ)         (col2im adds each patch entry back where it was read)
 *   filter:   dF       = Σ_n cols(x[n])ᵀ · dy[n]
 *
 * Scratch matrices are Float64Arrays kept between calls (grown when too small), so a training step
 * allocates nothing; sums are accumulated in doubles for float32 data too.
 */
import type { ConvWindowAttrs, FusedConv2DAttrs, FusedConv2DMaxPoolAttrs } from "../../kernels/attrs.js";
import { biasActivation } from "./matmul.js";
import { Tensor, allocate, window2D, type TypedArray, type Window2D } from "../../tensor/index.js";
import { gemm } from "./gemm.js";
import { maxPoolKernel } from "./pool.js";

/** A convolution's geometry: the window walk plus channel counts. */
export interface ConvGeometry extends Window2D {
  readonly inC: number;
  readonly outC: number;
}

/**
 * The geometry of a convolution of an input of shape `input` by a filter of shape `filter`. (The
 * channel counts are added to the window's own object: spreading it into a new literal took V8's
 * slow path, 2.5 µs a call, twice a run of a small CNN.)
 */
export function convGeometry(input: readonly number[], filter: readonly number[], attrs: ConvWindowAttrs): ConvGeometry {
  return Object.assign(window2D(input, filter[0]!, filter[1]!, attrs.strides, attrs.dilations, attrs.padding), { inC: input[3]!, outC: filter[3]! });
}

const scratch: Float64Array[] = [0, 1, 2, 3, 4].map(() => new Float64Array(0));
const COLS = 0;
const ACC = 1;
const FILTER = 2;
const GRAD = 3;
let offsetBuffer = new Int32Array(0);

/** Scratch buffer `slot` with room for `size` doubles (contents undefined). */
function scratchBuffer(slot: number, size: number): Float64Array {
  if (scratch[slot]!.length < size) scratch[slot] = new Float64Array(size);
  return scratch[slot]!;
}

/**
 * Where each patch row reads: for output position r and filter tap (i, j), the offset of the
 * input pixel within one batch element's image, or −1 in the padding. Computed once per call and
 * shared by every batch element, so im2col and col2im are plain copies.
 */
function tapOffsets(g: ConvGeometry): Int32Array {
  const { inH, inW, inC, kH, kW, outH, outW, strideH, strideW, dilationH, dilationW, padTop, padLeft } = g;
  const size = outH * outW * kH * kW;
  if (offsetBuffer.length < size) offsetBuffer = new Int32Array(size);
  const offsets = offsetBuffer;
  let t = 0;
  for (let oh = 0; oh < outH; oh++) {
    for (let ow = 0; ow < outW; ow++) {
      for (let i = 0; i < kH; i++) {
        const ih = oh * strideH - padTop + i * dilationH;
        for (let j = 0; j < kW; j++, t++) {
          const iw = ow * strideW - padLeft + j * dilationW;
          offsets[t] = ih < 0 || ih >= inH || iw < 0 || iw >= inW ? -1 : (ih * inW + iw) * inC;
        }
      }
    }
  }
  return offsets;
}

/**
 * `length` values of `src` from `offset` as doubles: `src` itself when it is a Float64Array, else
 * a copy in scratch `slot` (gemm takes Float64Arrays only, see gemm.ts).
 */
function doubles(src: TypedArray, offset: number, length: number, slot: number): { data: Float64Array; offset: number } {
  if (src instanceof Float64Array) return { data: src, offset };
  const d = scratchBuffer(slot, length);
  for (let i = 0; i < length; i++) d[i] = src[offset + i]!;
  return { data: d, offset: 0 };
}

/** The patch matrix of the image at `base`: row oh·outW + ow, column (i·kW + j)·C + c; zeros in the padding. */
function im2col(x: TypedArray, base: number, offsets: Int32Array, count: number, channels: number, cols: Float64Array): void {
  for (let t = 0, r = 0; t < count; t++, r += channels) {
    const src = offsets[t]!;
    if (src < 0) cols.fill(0, r, r + channels);
    else for (let c = 0; c < channels; c++) cols[r + c] = x[base + src + c]!;
  }
}

/** Adds each patch entry back to the input position it was read from (the adjoint of im2col). */
function col2im(cols: Float64Array, offsets: Int32Array, count: number, channels: number, image: Float64Array): void {
  for (let t = 0, r = 0; t < count; t++, r += channels) {
    const dst = offsets[t]!;
    if (dst >= 0) for (let c = 0; c < channels; c++) image[dst + c]! += cols[r + c]!;
  }
}

/** out[n, oh, ow, o] = Σ_{i, j, c} x[n, oh·sh + i·dh − padTop, ow·sw + j·dw − padLeft, c] · f[i, j, c, o]. */
export function conv2d(x: TypedArray, f: TypedArray, out: TypedArray, g: ConvGeometry): void {
  const rows = g.outH * g.outW;
  const patch = g.kH * g.kW * g.inC;
  const size = rows * g.outC;
  const cols = scratchBuffer(COLS, rows * patch);
  const filter = doubles(f, 0, patch * g.outC, FILTER);
  const direct = out instanceof Float64Array;
  const result = direct ? out : scratchBuffer(ACC, size);
  const offsets = tapOffsets(g);
  for (let n = 0; n < g.batch; n++) {
    im2col(x, n * g.inH * g.inW * g.inC, offsets, rows * g.kH * g.kW, g.inC, cols);
    gemm(rows, g.outC, patch, { data: cols, offset: 0, rowStride: patch, colStride: 1 }, { ...filter, rowStride: g.outC, colStride: 1 }, result, direct ? n * size : 0, false);
    if (!direct) for (let i = 0, o = n * size; i < size; i++) out[o + i] = result[i]!;
  }
}

/** dx (the input's shape) from the output gradient dy and the filter f. */
export function conv2dBackpropInput(dy: TypedArray, f: TypedArray, dx: TypedArray, g: ConvGeometry): void {
  const rows = g.outH * g.outW;
  const patch = g.kH * g.kW * g.inC;
  const image = g.inH * g.inW * g.inC;
  const dcols = scratchBuffer(COLS, rows * patch);
  const acc = scratchBuffer(ACC, image);
  const filter = doubles(f, 0, patch * g.outC, FILTER);
  const offsets = tapOffsets(g);
  for (let n = 0; n < g.batch; n++) {
    // dcols[r, t] = Σ_o dy[n, r, o] · f[t, o]
    const grad = doubles(dy, n * rows * g.outC, rows * g.outC, GRAD);
    gemm(rows, patch, g.outC, { ...grad, rowStride: g.outC, colStride: 1 }, { ...filter, rowStride: 1, colStride: g.outC }, dcols, 0, false);
    acc.fill(0, 0, image);
    col2im(dcols, offsets, rows * g.kH * g.kW, g.inC, acc);
    for (let i = 0, o = n * image; i < image; i++) dx[o + i] = acc[i]!;
  }
}

/** df (the filter's shape) from the input x and the output gradient dy. */
export function conv2dBackpropFilter(x: TypedArray, dy: TypedArray, df: TypedArray, g: ConvGeometry): void {
  const rows = g.outH * g.outW;
  const patch = g.kH * g.kW * g.inC;
  const cols = scratchBuffer(COLS, rows * patch);
  const acc = scratchBuffer(ACC, patch * g.outC);
  acc.fill(0, 0, patch * g.outC);
  const offsets = tapOffsets(g);
  for (let n = 0; n < g.batch; n++) {
    im2col(x, n * g.inH * g.inW * g.inC, offsets, rows * g.kH * g.kW, g.inC, cols);
    // acc[t, o] += Σ_r cols[r, t] · dy[n, r, o]
    const grad = doubles(dy, n * rows * g.outC, rows * g.outC, GRAD);
    gemm(patch, g.outC, rows, { data: cols, offset: 0, rowStride: 1, colStride: patch }, { ...grad, rowStride: g.outC, colStride: 1 }, acc, 0, true);
  }
  for (let i = 0; i < patch * g.outC; i++) df[i] = acc[i]!;
}

// Kernels, in the backend's (inputs, out, attrs) form. The gradient ops' outputs have the shape of
// the input (or filter) they stand for, so that shape comes from `out`, whichever form gave it.

export function conv2dKernel(inputs: readonly Tensor[], out: Tensor, attrs: ConvWindowAttrs): void {
  const [x, f] = inputs as [Tensor, Tensor];
  conv2d(x.data, f.data, out.data, convGeometry(x.shape, f.shape, attrs));
}

/** The fused convolution (_FusedConv2D): inputs [x, filter, bias], then bias per channel and the activation. */
export function fusedConv2dKernel(inputs: readonly Tensor[], out: Tensor, attrs: FusedConv2DAttrs): void {
  conv2dKernel(inputs, out, attrs);
  biasActivation(out, inputs[2]!, attrs.activation);
}

/** The fused convolution then its max pool (_FusedConv2DMaxPool): the convolution's result in a temporary, then pooled into `out`. */
export function fusedConv2dMaxPoolKernel(inputs: readonly Tensor[], out: Tensor, attrs: FusedConv2DMaxPoolAttrs): void {
  const [x, f] = inputs as [Tensor, Tensor];
  const g = convGeometry(x.shape, f.shape, attrs);
  const shape = [g.batch, g.outH, g.outW, g.outC];
  const conv = new Tensor(shape, out.dtype, allocate(out.dtype, g.batch * g.outH * g.outW * g.outC));
  fusedConv2dKernel(inputs, conv, attrs);
  maxPoolKernel([conv], out, attrs.pool);
}

export function conv2dBackpropInputKernel(inputs: readonly Tensor[], out: Tensor, attrs: ConvWindowAttrs): void {
  const f = inputs[inputs.length - 2]!;
  const dy = inputs[inputs.length - 1]!;
  conv2dBackpropInput(dy.data, f.data, out.data, convGeometry(out.shape, f.shape, attrs));
}

export function conv2dBackpropFilterKernel(inputs: readonly Tensor[], out: Tensor, attrs: ConvWindowAttrs): void {
  const x = inputs[0]!;
  const dy = inputs[inputs.length - 1]!;
  conv2dBackpropFilter(x.data, dy.data, out.data, convGeometry(x.shape, out.shape, attrs));
}
