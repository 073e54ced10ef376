/**
 * Convolution and pooling in ONNX. Ours work on NHWC data with HWIO filters, as TensorFlow's; ONNX's
 * on NCHW data with OIHW filters: values are transposed in and out (onnxruntime folds the filter's
 * transpose into a constant). TensorFlow's SAME padding puts the odd padded row after (ONNX's
 * SAME_UPPER, written as explicit pads where the sizes are known); padded positions take no part
 * in a max or in an average's count (count_include_pad = 0), as in TensorFlow.
 */
import type { Operation } from "../../graph/index.js";
import type { Conv2DAttrs, Conv2DBackpropInputAttrs, PoolAttrs } from "../../ops/index.js";
import { windowDim, type Padding } from "../../tensor/index.js";
import type { OnnxAttr, OnnxContext, OnnxEmitter } from "./builder.js";

export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const NCHW_TO_NHWC = [0, 2, 3, 1];
const HWIO_TO_OIHW = [3, 2, 0, 1];

/** The height and width entries of an NHWC window attribute [1, h, w, 1]. */
export const hw = (a: readonly number[]): number[] => [a[1]!, a[2]!];

export function transpose(cx: OnnxContext, value: string, perm: number[], output?: string): string {
  return cx.add("Transpose", [value], { perm: { ints: perm } }, output);
}

/**
 * Strides and padding of a window over input `i`: explicit pads (TensorFlow's, from the input's
 * height and width) where those are known, else auto_pad, which onnxruntime refuses to combine
 * with dilations.
 */
export function windowAttrs(cx: OnnxContext, i: number, kernel: readonly (number | null)[], strides: readonly number[], dilations: readonly number[], padding: Padding): Record<string, OnnxAttr> {
  const attrs: Record<string, OnnxAttr> = { strides: { ints: hw(strides) } };
  const shape = cx.op.inputs[i]!.shape;
  const spatial = shape === null ? [null, null] : [shape[1]!, shape[2]!];
  if (padding === "VALID") return { ...attrs, auto_pad: { string: "VALID" } };
  if (spatial.every((d) => d !== null) && kernel.every((k) => k !== null)) {
    const pads = [0, 1].map((a) => {
      const [size, k, s, d] = [spatial[a]!, kernel[a]!, strides[a + 1]!, dilations[a + 1]!];
      const { size: out, padBefore } = windowDim(size, k, s, d, padding);
      return [padBefore, Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0) - padBefore];
    });
    return { ...attrs, pads: { ints: [pads[0]![0]!, pads[1]![0]!, pads[0]![1]!, pads[1]![1]!] } };
  }
  if (dilations.some((d) => d > 1)) cx.staticShape(i, "(a dilated window with SAME padding needs explicit padding, computed from the height and width)");
  return { ...attrs, auto_pad: { string: "SAME_UPPER" } };
}

export const conv2d: OnnxEmitter = (cx) => {
  const { strides, padding, dilations } = (cx.op as Operation<Conv2DAttrs>).attrs;
  const filter = cx.op.inputs[1]!.shape;
  const kernel = filter === null ? [null, null] : [filter[0]!, filter[1]!];
  const x = transpose(cx, cx.input(0), NHWC_TO_NCHW);
  const w = transpose(cx, cx.input(1), HWIO_TO_OIHW);
  const y = cx.add("Conv", [x, w], { ...windowAttrs(cx, 0, kernel, strides, dilations, padding), dilations: { ints: hw(dilations) } });
  transpose(cx, y, NCHW_TO_NHWC, cx.output);
};

const pool =
  (onnxType: "MaxPool" | "AveragePool"): OnnxEmitter =>
  (cx) => {
    const { ksize, strides, padding } = (cx.op as Operation<PoolAttrs>).attrs;
    const attrs: Record<string, OnnxAttr> = { ...windowAttrs(cx, 0, hw(ksize), strides, [1, 1, 1, 1], padding), kernel_shape: { ints: hw(ksize) } };
    if (onnxType === "AveragePool") attrs["count_include_pad"] = { int: 0 };
    const y = cx.add(onnxType, [transpose(cx, cx.input(0), NHWC_TO_NCHW)], attrs);
    transpose(cx, y, NCHW_TO_NHWC, cx.output);
  };

export const maxPool = pool("MaxPool");
export const avgPool = pool("AveragePool");

/**
 * The height and width of input `i` (NHWC), which must be known; batch and channels may be unknown.
 * `sizes` (a gradient op's fixed input or filter sizes) answers instead where given.
 */
export function spatialDims(cx: OnnxContext, i: number, why: string, sizes?: readonly number[]): [number, number] {
  if (sizes !== undefined) return [sizes[1]!, sizes[2]!];
  const shape = cx.op.inputs[i]!.shape;
  if (shape === null || shape.length !== 4 || shape[1] === null || shape[2] === null) {
    cx.fail(`the shape of its input ${cx.op.inputs[i]} must be known in height and width ${why}, got ${shape === null ? "an unknown shape" : `[${shape.map((d) => d ?? "?").join(",")}]`}`);
  }
  return [shape[1]!, shape[2]!];
}

/**
 * The padding of a transposed window (the adjoint of a forward window over `input` giving `out`):
 * the forward top/left padding at the start, and at the end whatever makes the result the input's
 * size (rows a VALID window never read come back as output_padding).
 */
export function transposedPads(input: readonly number[], out: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[], padding: Padding): Record<string, OnnxAttr> {
  const begin: number[] = [];
  const end: number[] = [];
  const extra: number[] = [];
  for (const a of [0, 1]) {
    const [k, s, d] = [kernel[a]!, strides[a + 1]!, dilations[a + 1]!];
    const before = windowDim(input[a]!, k, s, d, padding).padBefore;
    const rest = s * (out[a]! - 1) + (k - 1) * d + 1 - before - input[a]!;
    begin.push(before);
    end.push(Math.max(rest, 0));
    extra.push(Math.max(-rest, 0));
  }
  return { strides: { ints: hw(strides) }, dilations: { ints: hw(dilations) }, pads: { ints: [...begin, ...end] }, output_padding: { ints: extra } };
}

/**
 * conv2dBackpropInput (a transposed convolution) as ONNX's ConvTranspose, with explicit padding
 * (transposedPads): that needs the input's, dy's and the filter's height and width, statically.
 */
export const conv2dBackpropInput: OnnxEmitter = (cx) => {
  const { strides, padding, dilations, inputSizes } = (cx.op as Operation<Conv2DBackpropInputAttrs>).attrs;
  const sized = inputSizes !== undefined;
  const filterIndex = sized ? 0 : 1;
  const dyIndex = sized ? 1 : 2;
  const why = "(ONNX's ConvTranspose needs explicit padding, computed from the input's and dy's height and width)";
  const input = spatialDims(cx, 0, why, inputSizes);
  const dy = spatialDims(cx, dyIndex, why);
  const filter = cx.staticShape(filterIndex, why);
  const attrs = transposedPads(input, dy, filter, strides, dilations, padding);
  const y = cx.add("ConvTranspose", [transpose(cx, cx.input(dyIndex), NHWC_TO_NCHW), transpose(cx, cx.input(filterIndex), HWIO_TO_OIHW)], attrs);
  transpose(cx, y, NCHW_TO_NHWC, cx.output);
};
