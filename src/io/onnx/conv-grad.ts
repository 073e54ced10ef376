/**
 * The gradients of convolution and pooling in ONNX, which has no op for them outside its training
 * domain: the filter gradient as a convolution of the input by dy, max pooling's as a scatter of
 * dy to the positions MaxPool's indices name, average pooling's as a transposed convolution by
 * ones. Layouts as in conv.ts (NHWC values transposed to NCHW and back).
 */
import type { Operation } from "../../graph/index.js";
import type { Conv2DBackpropFilterAttrs, PoolAttrs } from "../../ops/index.js";
import { ones, Tensor, windowDim } from "../../tensor/index.js";
import type { OnnxContext, OnnxEmitter } from "./builder.js";
import { hw, NCHW_TO_NHWC, NHWC_TO_NCHW, spatialDims, transpose, transposedPads, windowAttrs } from "./conv.js";

/** NHWC with the channels first as the batch and the batch as the channels: [C, N, H, W]. */
const CHANNELS_AS_BATCH = [3, 0, 1, 2];
/** [C, O, kh, kw] from the filter gradient's convolution, back to HWIO. */
const CO_HW_TO_HWIO = [2, 3, 0, 1];
const FAR = Number.MAX_SAFE_INTEGER;

/**
 * dfilter[i, j, c, o] = Σ_{n, y, x} input[n, y·s + i·d − pad, x·s + j·d − pad, c] · dy[n, y, x, o]: a
 * convolution of the input, channels taken as the batch and the batch as channels, by dy as the
 * filter, with the forward strides as dilations and the forward dilations as strides. The end
 * padding makes the result the filter's size; rows a VALID window never read are cropped first.
 */
export const conv2dBackpropFilter: OnnxEmitter = (cx) => {
  const { strides, padding, dilations, filterSizes } = (cx.op as Operation<Conv2DBackpropFilterAttrs>).attrs;
  const dyIndex = filterSizes !== undefined ? 1 : 2;
  const why = "(the filter gradient's padding is computed from the input's, dy's and the filter's height and width)";
  const input = spatialDims(cx, 0, why);
  const kernel = (filterSizes ?? cx.staticShape(1, why)).slice(0, 2);
  const out = input.map((size, a) => windowDim(size, kernel[a]!, strides[a + 1]!, dilations[a + 1]!, padding).size);
  const begin: number[] = [];
  const end: number[] = [];
  const crop: number[] = [];
  for (const a of [0, 1]) {
    const [k, s, d] = [kernel[a]!, strides[a + 1]!, dilations[a + 1]!];
    const before = windowDim(input[a]!, k, s, d, padding).padBefore;
    const after = (k - 1) * d + (out[a]! - 1) * s + 1 - input[a]! - before;
    begin.push(before);
    end.push(Math.max(after, 0));
    crop.push(Math.min(after, 0));
  }
  // An empty batch sums nothing: zeros, not a convolution over no channels (which onnxruntime 1.30
  // never finishes with the engine's session options).
  const filterShape = filterSizes ?? cx.op.inputs[1]!.shape;
  if (cx.op.inputs[0]!.shape?.[0] === 0 && filterShape !== null && filterShape.every((d) => d !== null)) {
    cx.add("ConstantOfShape", [cx.int64s(filterShape as number[], "shape")], { value: { tensor: new Tensor([1], cx.op.dtype) } }, cx.output);
    return;
  }
  let x = cx.input(0);
  if (crop.some((v) => v < 0)) {
    const ends = crop.map((v, a) => (v < 0 ? input[a]! + v : FAR));
    x = cx.add("Slice", [x, cx.int64s([0, 0], "starts"), cx.int64s(ends, "ends"), cx.int64s([1, 2], "axes")]);
  }
  const attrs = { strides: { ints: hw(dilations) }, dilations: { ints: hw(strides) }, pads: { ints: [...begin, ...end] } };
  const product = cx.add("Conv", [transpose(cx, x, CHANNELS_AS_BATCH), transpose(cx, cx.input(dyIndex), CHANNELS_AS_BATCH)], attrs);
  transpose(cx, product, CO_HW_TO_HWIO, cx.output);
};

/** MaxPool over the NCHW input 0 with its Indices: each window's first maximum as a flat NCHW position. */
function maxIndices(cx: OnnxContext): string {
  const { ksize, strides, padding } = (cx.op as Operation<PoolAttrs>).attrs;
  const attrs = { ...windowAttrs(cx, 0, hw(ksize), strides, [1, 1, 1, 1], padding), kernel_shape: { ints: hw(ksize) } };
  return cx.addOutputs("MaxPool", [transpose(cx, cx.input(0), NHWC_TO_NCHW)], 2, attrs)[1]!;
}

const flat = (cx: OnnxContext, x: string): string => cx.add("Reshape", [x, cx.int64s([-1], "flat")]);

/** MaxPoolGrad(input, output, dy): dy added at each window's first maximum (ScatterElements with add). */
export const maxPoolGrad: OnnxEmitter = (cx) => {
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
