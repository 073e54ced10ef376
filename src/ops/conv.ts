/**
 * 2-D convolution over NHWC data, as TensorFlow 1.x defines it (Conv2D), and its two gradient ops
 * (Conv2DBackpropInput, Conv2DBackpropFilter), each differentiable in turn so that second
 * derivatives work. TensorFlow's "convolution" is a cross-correlation:
 *
 *   out[n, y, x, o] = Σ_{i, j, c} input[n, y·sh + i·dh − padTop, x·sw + j·dw − padLeft, c] · filter[i, j, c, o]
 *
 * with zeros outside the input, and padding as in tensor/window.ts.
 *
 * The gradient ops need a shape at run time (the input's, or the filter's). TensorFlow passes it as
 * an int32 tensor; here it is either a fixed list of sizes (an attribute) or a `like` input whose
 * shape, not its values, is used, so gradients work when placeholders have unknown dimensions.
 */
import type { Node, Operation, TensorSpec } from "../graph/index.js";
import { ShapeError, ValueError, formatShape, is, signature, type Dim, type Padding, type StaticShape } from "../tensor/index.js";
import type { ConvWindowAttrs } from "../kernels/attrs.js";
import { apply, defineOp, isNodeLike, type NodeLike } from "./define.js";
import { requireFloat, requireSameDtype } from "./infer.js";
import { checkDataFormat, checkPadding, checkWindowAttr, dimFits, nhwc, rank4, windowedSize, type WindowArg } from "./window.js";

export interface Conv2DAttrs extends ConvWindowAttrs {
  /** Only "NHWC" runs; kept as an attribute so that NCHW is refused by name, as TensorFlow names it. */
  readonly dataFormat: string;
}

export interface Conv2DBackpropInputAttrs extends Conv2DAttrs {
  /** The input's shape, when fixed; otherwise the op's first input is a tensor shaped like the input. */
  readonly inputSizes?: readonly number[];
}

export interface Conv2DBackpropFilterAttrs extends Conv2DAttrs {
  /** The filter's shape, when fixed; otherwise the op's second input is a tensor shaped like the filter. */
  readonly filterSizes?: readonly number[];
}

function checkAttrs(type: string, name: string, attrs: Conv2DAttrs): void {
  checkDataFormat(type, name, attrs.dataFormat);
  checkPadding(type, name, attrs.padding);
  checkWindowAttr(type, name, "strides", attrs.strides);
  checkWindowAttr(type, name, "dilations", attrs.dilations);
}

function checkSizes(type: string, name: string, what: string, sizes: readonly number[]): void {
  if (!Array.isArray(sizes) || sizes.length !== 4 || sizes.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ValueError(`${type} '${name}': ${what} must be 4 non-negative integers, got ${JSON.stringify(sizes)}`);
  }
}

/**
 * The output shape [batch, outHeight, outWidth, outChannels] of a convolution of an input of shape
 * `input` by a filter of shape `filter`, checking ranks and channels. `shapes` describes the
 * operands for messages.
 */
function convShape(type: string, name: string, input: StaticShape, filter: StaticShape, attrs: Conv2DAttrs, shapes: string): Dim[] {
  const [n, h, w, c] = rank4(type, name, "input", input);
  const [kh, kw, fc, o] = rank4(type, name, "filter", filter);
  if (c !== null && fc !== null && c !== fc) {
    throw new ShapeError(`${type} '${name}': the input has ${c} channels but the filter expects ${fc} (dimension 2 of the filter) (${shapes})`);
  }
  for (const k of [kh, kw]) {
    if (k === 0) throw new ShapeError(`${type} '${name}': the filter's height and width must be at least 1 (${shapes})`);
  }
  const [, sh, sw] = attrs.strides as [number, number, number];
  const [, dh, dw] = attrs.dilations as [number, number, number];
  return [
    n,
    windowedSize(type, name, "height", h, kh, sh, dh, attrs.padding, shapes),
    windowedSize(type, name, "width", w, kw, sw, dw, attrs.padding, shapes),
    o,
  ];
}

/** Checks that the output gradient has the shape the convolution gives. */
function checkOutBackprop(type: string, name: string, dy: StaticShape, expected: Dim[], shapes: string): Dim[] {
  const d = rank4(type, name, "output gradient", dy);
  if (!d.every((v, i) => dimFits(v, expected[i]!))) {
    throw new ShapeError(`${type} '${name}': the output gradient has shape ${formatShape(d)} but the convolution gives ${formatShape(expected)} (${shapes})`);
  }
  return d.map((v, i) => v ?? expected[i]!);
}

function describe(parts: [string, StaticShape | readonly number[]][]): string {
  return parts.map(([what, s]) => `${what} ${formatShape(s as StaticShape)}`).join(", ");
}

const LIKE_HINT = " (it gives the shape only: pass a tensor shaped like it, or the sizes as an array of numbers)";

export const Conv2D = defineOp<Conv2DAttrs>({
  type: "Conv2D",
  infer: ([x, f], attrs, name): TensorSpec => {
    checkAttrs("Conv2D", name, attrs);
    requireFloat("Conv2D", name, x!);
    requireSameDtype("Conv2D", name, x!.dtype, f!.dtype);
    const shapes = describe([["input", x!.shape], ["filter", f!.shape]]);
    return { dtype: x!.dtype, shape: convShape("Conv2D", name, x!.shape, f!.shape, attrs, shapes) };
  },
  // TensorFlow's _Conv2DGrad.
  gradient: (op, dy) => {
    const [x, f] = op.inputs as [Node, Node];
    return [backpropInput(x, f, dy, op.attrs), backpropFilter(x, f, dy, op.attrs)];
  },
});

/** Inputs of a Conv2DBackpropInput node: [like?, filter, outBackprop]. */
function backpropInputOperands(op: Operation<Conv2DBackpropInputAttrs>): { like: Node | null; f: Node; dy: Node } {
  const ins = op.inputs as Node[];
  return ins.length === 3 ? { like: ins[0]!, f: ins[1]!, dy: ins[2]! } : { like: null, f: ins[0]!, dy: ins[1]! };
}

/** Inputs of a Conv2DBackpropFilter node: [input, like?, outBackprop]. */
function backpropFilterOperands(op: Operation<Conv2DBackpropFilterAttrs>): { x: Node; like: Node | null; dy: Node } {
  const ins = op.inputs as Node[];
  return ins.length === 3 ? { x: ins[0]!, like: ins[1]!, dy: ins[2]! } : { x: ins[0]!, like: null, dy: ins[1]! };
}

/**
 * Inference of the two gradient ops. One convolution operand (`which`) is known only by its shape:
 * the `sizes` attribute, or a like-shaped input; `other` is the other operand and dy the output
 * gradient. The result has that shape, with what the other operands know filled in.
 */
function inferBackprop(type: string, which: "input" | "filter", attrs: Conv2DAttrs, sizes: readonly number[] | undefined, like: TensorSpec | null, other: TensorSpec, dy: TensorSpec, name: string): TensorSpec {
  checkAttrs(type, name, attrs);
  requireFloat(type, name, other);
  requireSameDtype(type, name, other.dtype, dy.dtype);
  if (sizes !== undefined) checkSizes(type, name, `${which}Sizes`, sizes);
  const own: Dim[] = sizes !== undefined ? [...sizes] : rank4(type, name, `${which}-shape operand`, like!.shape, LIKE_HINT);
  const [input, filter] = which === "input" ? [own, other.shape] : [other.shape, own];
  const shapes = describe([["input", input], ["filter", filter], ["output gradient", dy.shape]]);
  const d = checkOutBackprop(type, name, dy.shape, convShape(type, name, input, filter, attrs, shapes), shapes);
  const o = rank4(type, name, which === "input" ? "filter" : "input", other.shape);
  // The input's batch comes from dy and its channels from the filter; the filter's channels in and out from the input and dy.
  const known = which === "input" ? [d[0]!, null, null, o[2]!] : [null, null, o[3]!, d[3]!];
  return { dtype: other.dtype, shape: own.map((v, i) => v ?? known[i]!) };
}

/**
 * The gradient of a convolution with respect to its input: given the output gradient dy, each
 * input element gets Σ dy[n, y, x, o] · filter[i, j, c, o] over the windows that read it.
 */
export const Conv2DBackpropInput = defineOp<Conv2DBackpropInputAttrs>({
  type: "Conv2DBackpropInput",
  infer: (specs, attrs, name): TensorSpec => {
    const sized = attrs.inputSizes !== undefined;
    const [like, f, dy] = sized ? [null, specs[0]!, specs[1]!] : [specs[0]!, specs[1]!, specs[2]!];
    return inferBackprop("Conv2DBackpropInput", "input", attrs, attrs.inputSizes, like, f, dy, name);
  },
  // TensorFlow's _Conv2DBackpropInputGrad: g has the input's shape.
  gradient: (op, g) => {
    const { like, f, dy } = backpropInputOperands(op);
    const attrs = convAttrsOf(op.attrs);
    const df = backpropFilter(g, f, dy, attrs);
    const ddy = apply(Conv2D, [g, f], attrs, "Conv2D");
    return like === null ? [df, ddy] : [null, df, ddy];
  },
});

/**
 * The gradient of a convolution with respect to its filter:
 * dfilter[i, j, c, o] = Σ_{n, y, x} input[n, y·sh + i·dh − padTop, x·sw + j·dw − padLeft, c] · dy[n, y, x, o].
 */
export const Conv2DBackpropFilter = defineOp<Conv2DBackpropFilterAttrs>({
  type: "Conv2DBackpropFilter",
  infer: (specs, attrs, name): TensorSpec => {
    const sized = attrs.filterSizes !== undefined;
    const [x, like, dy] = sized ? [specs[0]!, null, specs[1]!] : [specs[0]!, specs[1]!, specs[2]!];
    return inferBackprop("Conv2DBackpropFilter", "filter", attrs, attrs.filterSizes, like, x, dy, name);
  },
  // TensorFlow's _Conv2DBackpropFilterGrad: g has the filter's shape.
  gradient: (op, g) => {
    const { x, like, dy } = backpropFilterOperands(op);
    const attrs = convAttrsOf(op.attrs);
    const dx = backpropInput(x, g, dy, attrs);
    const ddy = apply(Conv2D, [x, g], attrs, "Conv2D");
    return like === null ? [dx, ddy] : [dx, null, ddy];
  },
});

/** The convolution attributes alone (without a gradient op's sizes). */
function convAttrsOf({ strides, padding, dilations, dataFormat }: Conv2DAttrs): Conv2DAttrs {
  return { strides, padding, dilations, dataFormat };
}

/** The input gradient of conv(x, f) for output gradient dy, x giving the shape at run time. */
function backpropInput(x: Node, f: Node, dy: Node, attrs: Conv2DAttrs): Node {
  return apply(Conv2DBackpropInput, [x, f, dy], convAttrsOf(attrs), "Conv2DBackpropInput");
}

/** The filter gradient of conv(x, f) for output gradient dy, f giving the shape at run time. */
function backpropFilter(x: Node, f: Node, dy: Node, attrs: Conv2DAttrs): Node {
  return apply(Conv2DBackpropFilter, [x, f, dy], convAttrsOf(attrs), "Conv2DBackpropFilter");
}

export interface Conv2DOptions {
  /** The dilation rate: n, [height, width] or [1, height, width, 1]; 1 by default. */
  dilations?: WindowArg;
  /** Only "NHWC" (the default) is supported. */
  dataFormat?: string;
  name?: string;
}

function attrsFrom(strides: WindowArg, padding: Padding, options: Conv2DOptions): Conv2DAttrs {
  return { strides: nhwc(strides), padding, dilations: nhwc(options.dilations ?? 1), dataFormat: options.dataFormat ?? "NHWC" };
}

/**
 * tf.nn.conv2d: the cross-correlation of an NHWC `input` [batch, height, width, inChannels] with
 * `filter` [filterHeight, filterWidth, inChannels, outChannels]. `strides` is TensorFlow's
 * [1, height, width, 1], or a number, or [height, width]; `padding` is "SAME" (output size
 * ceil(in / stride), zeros around the input, the odd one after) or "VALID" (windows inside the input).
 */
export function conv2d(input: NodeLike, filter: NodeLike, strides: WindowArg, padding: Padding, options?: Conv2DOptions): Node;
export function conv2d(input: NodeLike, filter: NodeLike, options: Conv2DOptions & { strides: WindowArg; padding: Padding }): Node;
export function conv2d(...args: unknown[]): Node {
  const { input, filter, strides, padding, ...options } = CONV2D.parse(args);
  return apply(Conv2D, [input, filter], attrsFrom(strides, padding, options), options.name);
}

const CONV2D = signature<{ input: NodeLike; filter: NodeLike; strides: WindowArg; padding: Padding } & Conv2DOptions>("conv2d", [
  { name: "input", check: isNodeLike },
  { name: "filter", check: isNodeLike },
  { name: "strides", check: is.opChecked },
  { name: "padding", check: is.opChecked },
  { name: "useCudnnOnGpu", check: is.optional(is.boolean) },
  { name: "dataFormat", check: is.optional(is.string) },
  { name: "dilations", check: is.opChecked },
  { name: "name", check: is.optional(is.string) },
]);

/**
 * tf.nn.conv2d_backprop_input: the gradient of conv2d with respect to its input. `inputSizes` is
 * the input's shape as 4 numbers, or a tensor shaped like the input (only its shape is read).
 */
export function conv2dBackpropInput(
  inputSizes: readonly number[] | Node,
  filter: NodeLike,
  outBackprop: NodeLike,
  strides: WindowArg,
  padding: Padding,
  options: Conv2DOptions = {},
): Node {
  const attrs = attrsFrom(strides, padding, options);
  if (Array.isArray(inputSizes)) return apply(Conv2DBackpropInput, [filter, outBackprop], { ...attrs, inputSizes: [...inputSizes] }, options.name);
  return apply(Conv2DBackpropInput, [inputSizes as Node, filter, outBackprop], attrs, options.name);
}

/**
 * tf.nn.conv2d_backprop_filter: the gradient of conv2d with respect to its filter. `filterSizes` is
 * the filter's shape as 4 numbers, or a tensor shaped like the filter (only its shape is read).
 */
export function conv2dBackpropFilter(
  input: NodeLike,
  filterSizes: readonly number[] | Node,
  outBackprop: NodeLike,
  strides: WindowArg,
  padding: Padding,
  options: Conv2DOptions = {},
): Node {
  const attrs = attrsFrom(strides, padding, options);
  if (Array.isArray(filterSizes)) return apply(Conv2DBackpropFilter, [input, outBackprop], { ...attrs, filterSizes: [...filterSizes] }, options.name);
  return apply(Conv2DBackpropFilter, [input, filterSizes as Node, outBackprop], attrs, options.name);
}
