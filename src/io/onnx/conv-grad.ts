/**
 * The gradients of convolution and pooling in ONNX, which has no op for them outside its training
 * domain: the filter gradient as products of the input's window slices by dy, max pooling's as dy
 * put back at each window's maximum (by slices where the windows tile the input, otherwise a
 * scatter to the positions MaxPool's indices name), average pooling's as a transposed convolution
 * by ones. Layouts as in conv.ts (NHWC values, transposed to NCHW and back around ONNX's windowed ops).
 */
import type { Operation } from "../../graph/index.js";
import type { Conv2DBackpropFilterAttrs, PoolAttrs } from "../../ops/index.js";
import { ones, Tensor, windowDim } from "../../tensor/index.js";
import type { OnnxContext, OnnxEmitter } from "./builder.js";
import { hw, NCHW_TO_NHWC, NHWC_TO_NCHW, spatialDims, transpose, transposedPads, windowAttrs } from "./conv.js";

/** Columns (g·C, of g window offsets' channels) per product of the filter gradient: wide enough for a fast GEMM. */
const GROUP_COLUMNS = 64;

/**
 * dfilter[i, j, c, o] = Σ_{n, y, x} input[n, y·s + i·d − pad, x·s + j·d − pad, c] · dy[n, y, x, o]:
 * for each window offset (i, j), the input rows that offset reads (a strided Slice of the padded
 * NHWC input) as an [N·oh·ow, C] matrix, transposed, times dy as [N·oh·ow, O] (Gemm with transA).
 * Offsets are taken a few at a time (their slices concatenated along channels, up to
 * GROUP_COLUMNS columns), and the products stacked in HWIO order. On onnxruntime 1.30 (2 threads)
 * this runs the CNN's second filter gradient ([64,14,14,32] by [64,14,14,64]) in about 40% of the
 * time of the other formulation, a convolution of the input by dy with batch and channels swapped
 * (a 14×14 kernel over a 3×3 output), and the first ([64,28,28,1]) in about 60%.
 */
export const conv2dBackpropFilter: OnnxEmitter = (cx) => {
  const { strides, padding, dilations, filterSizes } = (cx.op as Operation<Conv2DBackpropFilterAttrs>).attrs;
  const dyIndex = filterSizes !== undefined ? 1 : 2;
  const why = "(the window offsets' slices are computed from the input's height and width and the filter's shape)";
  const input = spatialDims(cx, 0, why);
  const filter = filterSizes ?? cx.staticShape(1, why);
  const [kh, kw, channels] = [filter[0]!, filter[1]!, filter[2]!];
  const out = input.map((size, a) => windowDim(size, filter[a]!, strides[a + 1]!, dilations[a + 1]!, padding));
  // An empty batch sums nothing: zeros (onnxruntime 1.30 never finished a product over none with
  // the engine's session options).
  if (cx.op.inputs[0]!.shape?.[0] === 0) {
    cx.add("ConstantOfShape", [cx.int64s(filter, "shape")], { value: { tensor: new Tensor([1], cx.op.dtype) } }, cx.output);
    return;
  }
  const before = out.map((o) => o.padBefore);
  const after = out.map((o, a) => Math.max((filter[a]! - 1) * dilations[a + 1]! + (o.size - 1) * strides[a + 1]! + 1 - input[a]! - o.padBefore, 0));
  let x = cx.input(0);
  if ([...before, ...after].some((p) => p > 0)) x = cx.add("Pad", [x, cx.int64s([0, ...before, 0, 0, ...after, 0], "pads")]);
  const offsets: string[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const starts = [i * dilations[1]!, j * dilations[2]!];
      const ends = starts.map((b, a) => b + (out[a]!.size - 1) * strides[a + 1]! + 1);
      offsets.push(cx.add("Slice", [x, cx.int64s(starts, "starts"), cx.int64s(ends, "ends"), cx.int64s([1, 2], "axes"), cx.int64s(hw(strides), "steps")]));
    }
  }
  const dy = cx.add("Flatten", [cx.input(dyIndex)], { axis: { int: 3 } });
  const group = Math.min(offsets.length, Math.max(1, Math.ceil(GROUP_COLUMNS / channels)));
  const products: string[] = [];
  for (let k = 0; k < offsets.length; k += group) {
    const taken = offsets.slice(k, k + group);
    const columns = taken.length === 1 ? taken[0]! : cx.add("Concat", taken, { axis: { int: 3 } });
    products.push(cx.add("Gemm", [cx.add("Flatten", [columns], { axis: { int: 3 } }), dy], { transA: { int: 1 } }));
  }
  const stacked = products.length === 1 ? products[0]! : cx.add("Concat", products, { axis: { int: 0 } });
  cx.add("Reshape", [stacked, cx.int64s(filter, "shape")], {}, cx.output);
};

/** MaxPool over the NCHW input 0 with its Indices: each window's first maximum as a flat NCHW position. */
function maxIndices(cx: OnnxContext): string {
  const { ksize, strides, padding } = (cx.op as Operation<PoolAttrs>).attrs;
  const attrs = { ...windowAttrs(cx, 0, hw(ksize), strides, [1, 1, 1, 1], padding), kernel_shape: { ints: hw(ksize) } };
  return cx.addOutputs("MaxPool", [transpose(cx, cx.input(0), NHWC_TO_NCHW)], 2, attrs)[1]!;
}

const flat = (cx: OnnxContext, x: string): string => cx.add("Reshape", [x, cx.int64s([-1], "flat")]);

/** The most window positions the tiled form of MaxPoolGrad unrolls (one Slice and a few ops each). */
const MAX_TILE = 16;

/**
 * MaxPoolGrad where the windows tile the input (strides equal to the window, the window dividing the
 * known height and width, so no padding either way): the window's k-th positions, in row-major order,
 * are the strided Slice k of the NHWC input, all of the output's shape. The running maximum follows
 * the kernels' rule (the first position, then each strictly greater one: Greater and Where, so NaN
 * behaves as there); dy then goes to the last position that raised it, walking back from the last
 * position with what no later position took. The pieces are interleaved back by Unsqueeze and Concat.
 * Returns false where the windows do not tile the input.
 */
function tiledMaxPoolGrad(cx: OnnxContext): boolean {
  const { ksize, strides } = (cx.op as Operation<PoolAttrs>).attrs;
  const shape = cx.op.inputs[0]!.shape;
  const [kh, kw] = hw(ksize);
  if (shape === null || shape.length !== 4 || kh * kw > MAX_TILE || kh !== strides[1] || kw !== strides[2]) return false;
  const [height, width] = [shape[1], shape[2]];
  if (height === null || width === null || height === 0 || width === 0 || height % kh !== 0 || width % kw !== 0) return false;
  const pieces: string[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      pieces.push(cx.add("Slice", [cx.input(0), cx.int64s([i, j], "starts"), cx.int64s([height, width], "ends"), cx.int64s([1, 2], "axes"), cx.int64s([kh, kw], "steps")]));
    }
  }
  const raised: string[] = [];
  let max = pieces[0]!;
  for (let k = 1; k < pieces.length; k++) {
    raised[k] = cx.add("Greater", [pieces[k]!, max]);
    if (k < pieces.length - 1) max = cx.add("Where", [raised[k]!, pieces[k]!, max]);
  }
  const zero = cx.constant(new Tensor([], cx.op.dtype), "zero");
  const grads: string[] = [];
  let rest = cx.input(2);
  for (let k = pieces.length - 1; k > 0; k--) {
    grads[k] = cx.add("Where", [raised[k]!, rest, zero]);
    rest = cx.add("Where", [raised[k]!, zero, rest]);
  }
  grads[0] = rest;
  const window = cx.int64s([2, 4], "window");
  const rows = Array.from({ length: kh }, (_, i) => {
    const row = grads.slice(i * kw, (i + 1) * kw).map((g) => cx.add("Unsqueeze", [g, window]));
    return row.length === 1 ? row[0]! : cx.add("Concat", row, { axis: { int: 4 } });
  });
  const tiles = rows.length === 1 ? rows[0]! : cx.add("Concat", rows, { axis: { int: 2 } });
  cx.add("Reshape", [tiles, cx.add("Shape", [cx.input(0)])], {}, cx.output);
  return true;
}

/**
 * MaxPoolGrad(input, output, dy): dy added at each window's first maximum. Where the windows tile
 * the input, tiledMaxPoolGrad; otherwise dy is scattered (ScatterElements with add) to the positions
 * MaxPool's indices name (on the CNN's first pooling, [64,28,28,32], onnxruntime 1.30 took about
 * twice as long for that form, its MaxPool with indices, scatter and transposes, as for the tiled one).
 */
export const maxPoolGrad: OnnxEmitter = (cx) => {
  if (tiledMaxPoolGrad(cx)) return;
  const indices = maxIndices(cx);
  const nchw = transpose(cx, cx.input(0), NHWC_TO_NCHW);
  const size = cx.add("Reshape", [cx.add("Size", [nchw]), cx.int64s([1], "one")]);
  const zeros = cx.add("ConstantOfShape", [size], { value: { tensor: new Tensor([1], cx.op.dtype) } });
  const dy = flat(cx, transpose(cx, cx.input(2), NHWC_TO_NCHW));
  const scattered = cx.add("ScatterElements", [zeros, flat(cx, indices), dy], { axis: { int: 0 }, reduction: { string: "add" } });
  transpose(cx, cx.add("Reshape", [scattered, cx.add("Shape", [nchw])]), NCHW_TO_NHWC, cx.output);
};

/** MaxPoolGradGrad(input, output, g): g at each window's first maximum (GatherElements). */
export const maxPoolGradGrad: OnnxEmitter = (cx) => {
  const indices = maxIndices(cx);
  const g = flat(cx, transpose(cx, cx.input(2), NHWC_TO_NCHW));
  const picked = cx.add("GatherElements", [g, flat(cx, indices)], { axis: { int: 0 } });
  transpose(cx, cx.add("Reshape", [picked, cx.add("Shape", [indices])]), NCHW_TO_NHWC, cx.output);
};

/** How many input positions each output position's window averages (padding excluded), as [oh, ow, 1]. */
function windowCounts(input: readonly number[], kernel: readonly number[], strides: readonly number[], padding: PoolAttrs["padding"], dtype: Tensor["dtype"]): Tensor {
  const dims = [0, 1].map((a) => windowDim(input[a]!, kernel[a]!, strides[a + 1]!, 1, padding));
  const along = (a: number): number[] =>
    Array.from({ length: dims[a]!.size }, (_, o) => {
      const start = o * strides[a + 1]! - dims[a]!.padBefore;
      return Math.min(start + kernel[a]!, input[a]!) - Math.max(start, 0);
    });
  const [rows, cols] = [along(0), along(1)];
  const values = rows.flatMap((r) => cols.map((c) => r * c));
  return new Tensor([rows.length, cols.length, 1], dtype, dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values));
}

/**
 * AvgPoolGrad(like, dy): dy divided by its window's count, then spread over the window by a
 * transposed convolution of ones, channel by channel (batch and channels folded into one axis).
 */
export const avgPoolGrad: OnnxEmitter = (cx) => {
  const { ksize, strides, padding } = (cx.op as Operation<PoolAttrs>).attrs;
  const why = "(the windows' counts and the transposed window's padding are computed from the input's height and width)";
  const input = spatialDims(cx, 0, why);
  const kernel = hw(ksize);
  const counts = windowCounts(input, kernel, strides, padding, cx.op.dtype);
  const [oh, ow] = [counts.shape[0]!, counts.shape[1]!];
  const scaled = cx.add("Div", [cx.input(1), cx.constant(counts, "counts")]);
  const planes = cx.add("Reshape", [transpose(cx, scaled, NHWC_TO_NCHW), cx.int64s([-1, 1, oh, ow], "planes")]);
  const attrs = transposedPads(input, [oh, ow], kernel, strides, [1, 1, 1, 1], padding);
  const spread = cx.add("ConvTranspose", [planes, cx.constant(ones([1, 1, ...kernel], cx.op.dtype), "window")], attrs);
  const nchw = cx.add("Gather", [cx.add("Shape", [cx.input(0)]), cx.int64s(NHWC_TO_NCHW, "nchw")], { axis: { int: 0 } });
  transpose(cx, cx.add("Reshape", [spread, nchw]), NCHW_TO_NHWC, cx.output);
};
