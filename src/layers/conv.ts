/**
 * TensorFlow 1.x's convolutional layers over NHWC inputs: `layers.conv2d` (a kernel variable
 * [kernelHeight, kernelWidth, inChannels, filters] and a bias [filters] under `conv2d/`, `conv2d_1/`,
 * ...) and the pooling layers, thin wrappers over nn.conv2d, nn.maxPool and nn.avgPool.
 */
import type { Graph, Node } from "../graph/index.js";
import { avgPool, biasAdd, conv2d as conv2dOp, isNodeLike, maxPool, toNode, type NodeLike } from "../ops/index.js";
import { DTypeError, ShapeError, ValueError, formatShape, is, isFloatDType, signature, type Padding } from "../tensor/index.js";
import { glorotUniform, zeros, type InitializerLike } from "../initializers/index.js";
import { inLayerScope, layerVariable, type Activation, type LayerOptions, type VariableLayerOptions } from "./core.js";
import { VARIABLE_LAYER_TAIL, checkedLater, withoutNone, type VariableLayerArgs, type VariableLayerKeywords } from "./params.js";

/** A size or stride: n for both spatial dimensions, or [height, width]. */
export type Size2D = number | readonly [number, number];

/** Layers spell padding in lower case ("valid", "same"); TensorFlow accepts either case. */
export type LayerPadding = "valid" | "same" | Padding;

function pair(kind: string, what: string, v: Size2D): [number, number] {
  const p: readonly number[] = typeof v === "number" ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || p.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ValueError(`${kind}: ${what} must be a positive integer or [height, width], got ${JSON.stringify(v)}`);
  }
  return [p[0]!, p[1]!];
}

function paddingOf(kind: string, p: LayerPadding | undefined): Padding {
  const upper = (p ?? "valid").toUpperCase();
  if (upper !== "SAME" && upper !== "VALID") throw new ValueError(`${kind}: padding must be "valid" or "same", got ${JSON.stringify(p)}`);
  return upper;
}

function channelsLast(kind: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== "channels_last") {
    throw new ValueError(`${kind}: only data format "channels_last" (NHWC) is supported, got ${JSON.stringify(dataFormat)}`);
  }
}

/** The inputs as an NHWC node of float dtype and known rank. */
function imageInput(kind: string, scope: string, inputs: NodeLike, graph: Graph): Node {
  const x = toNode(inputs, graph);
  if (!isFloatDType(x.dtype)) throw new DTypeError(`${kind} '${scope}': the inputs must be float32 or float64, got ${x.dtype} ${x}`);
  if (x.shape !== null && x.shape.length !== 4) {
    throw new ShapeError(`${kind} '${scope}': the inputs must have rank 4 [batch, height, width, channels], got ${formatShape(x.shape)}`);
  }
  return x;
}

export interface Conv2DLayerOptions extends VariableLayerOptions, VariableLayerKeywords {
  data_format?: string;
  dilation_rate?: Size2D;
  /** Default 1. */
  strides?: Size2D;
  /** Default "valid". */
  padding?: LayerPadding;
  /** Only "channels_last" (NHWC). */
  dataFormat?: string;
  /** Default 1. */
  dilationRate?: Size2D;
  activation?: Activation | null;
  useBias?: boolean;
  /** Default glorotUniform(), whose fans count the kernel's receptive field. */
  kernelInitializer?: InitializerLike;
  /** Default zeros(). */
  biasInitializer?: InitializerLike;
}

const CONV2D = signature<{ inputs: NodeLike; filters: number; kernelSize: Size2D; strides?: Size2D | null; padding?: LayerPadding | null; dataFormat?: string | null; dilationRate?: Size2D | null } & VariableLayerArgs>(
  "conv2d",
  [
    { name: "inputs", check: isNodeLike },
    { name: "filters", check: is.positiveInteger },
    // Sizes, padding and data format are checked below, with messages that name what is wrong in them.
    { name: "kernelSize", check: checkedLater },
    { name: "strides", check: checkedLater },
    { name: "padding", check: checkedLater },
    { name: "dataFormat", check: checkedLater },
    { name: "dilationRate", check: checkedLater },
    ...VARIABLE_LAYER_TAIL,
  ],
);

/**
 * TensorFlow 1.x's `layers.conv2d(inputs, filters, kernel_size, strides=(1, 1), padding='valid',
 * data_format='channels_last', dilation_rate=(1, 1), activation=None, use_bias=True, ...)`,
 * positionally or with an options object: activation(conv2d(inputs, kernel) + bias) with `filters`
 * output channels and a `kernelSize` window ([height, width] or one number).
 */
export function conv2d(inputs: NodeLike, filters: number, kernelSize: Size2D, options?: Conv2DLayerOptions): Node;
export function conv2d(inputs: NodeLike, filters: number, kernelSize: Size2D, strides: Size2D | null | undefined, padding: LayerPadding | null | undefined, options: Conv2DLayerOptions): Node;
export function conv2d(
  inputs: NodeLike,
  filters: number,
  kernelSize: Size2D,
  strides?: Size2D | null,
  padding?: LayerPadding | null,
  dataFormat?: string | null,
  dilationRate?: Size2D | null,
  activation?: Activation | null,
  ...rest: unknown[]
): Node;
export function conv2d(...args: unknown[]): Node {
  const kind = "conv2d";
  const { inputs, filters, kernelSize, ...tail } = CONV2D.parse(args);
  const options = withoutNone(tail) as Conv2DLayerOptions;
  const [kh, kw] = pair(kind, "kernelSize", kernelSize);
  const strides = pair(kind, "strides", options.strides ?? 1);
  const dilations = pair(kind, "dilationRate", options.dilationRate ?? 1);
  const pad = paddingOf(kind, options.padding);
  channelsLast(kind, options.dataFormat);
  return inLayerScope(kind, [inputs], options, (graph, scope) => {
    const x = imageInput(kind, scope, inputs, graph);
    const inChannels = x.shape?.[3] ?? null;
    if (inChannels === null) {
      throw new ShapeError(`${kind} '${scope}': the channel dimension of the inputs must be known to make the kernel, got inputs of shape ${formatShape(x.shape)}`);
    }
    const kernel = layerVariable(graph, scope, "kernel", [kh, kw, inChannels, filters], x.dtype, options.kernelInitializer ?? glorotUniform(), options);
    let y = conv2dOp(x, kernel, strides, pad, { dilations });
    if (options.useBias ?? true) {
      const bias = layerVariable(graph, scope, "bias", [filters], x.dtype, options.biasInitializer ?? zeros(), options);
      y = biasAdd(y, bias);
    }
    return options.activation ? options.activation(y) : y;
  });
}

export interface PoolingLayerOptions extends LayerOptions {
  data_format?: string;
  /** Default "valid". */
  padding?: LayerPadding;
  /** Only "channels_last" (NHWC). */
  dataFormat?: string;
}

function pooling(kind: string, pool: typeof maxPool, inputs: NodeLike, poolSize: Size2D, strides: Size2D, options: PoolingLayerOptions): Node {
  const window = pair(kind, "poolSize", poolSize);
  const step = pair(kind, "strides", strides);
  const pad = paddingOf(kind, options.padding);
  channelsLast(kind, options.dataFormat);
  return inLayerScope(kind, [inputs], options, (graph, scope) => pool(imageInput(kind, scope, inputs, graph), window, step, pad));
}

function poolingSignature(kind: string) {
  return signature<{ inputs: NodeLike; poolSize: Size2D; strides: Size2D; padding?: LayerPadding | null; dataFormat?: string | null; name?: string }>(kind, [
    { name: "inputs", check: isNodeLike },
    { name: "poolSize", check: checkedLater },
    { name: "strides", check: checkedLater },
    { name: "padding", check: checkedLater },
    { name: "dataFormat", check: checkedLater },
    { name: "name", check: is.optional(is.string) },
  ]);
}
const MAX_POOLING2D = poolingSignature("max_pooling2d");
const AVERAGE_POOLING2D = poolingSignature("average_pooling2d");

function parsePooling(sig: typeof MAX_POOLING2D, pool: typeof maxPool, args: unknown[]): Node {
  const { inputs, poolSize, strides, ...rest } = sig.parse(args);
  return pooling(sig.fn, pool, inputs, poolSize, strides, withoutNone(rest) as PoolingLayerOptions);
}

/**
 * Max pooling over `poolSize` windows moved by `strides`: TensorFlow 1.x's
 * `layers.max_pooling2d(inputs, pool_size, strides, padding='valid', data_format='channels_last', name=None)`.
 */
export function maxPooling2d(inputs: NodeLike, poolSize: Size2D, strides: Size2D, options?: PoolingLayerOptions): Node;
export function maxPooling2d(inputs: NodeLike, poolSize: Size2D, strides: Size2D, padding?: LayerPadding | null, dataFormat?: string | null, name?: string): Node;
export function maxPooling2d(...args: unknown[]): Node {
  return parsePooling(MAX_POOLING2D, maxPool, args);
}

/**
 * Average pooling (TensorFlow 1.x's `layers.average_pooling2d`, same parameters as max_pooling2d);
 * SAME padding averages the positions inside the input.
 */
export function averagePooling2d(inputs: NodeLike, poolSize: Size2D, strides: Size2D, options?: PoolingLayerOptions): Node;
export function averagePooling2d(inputs: NodeLike, poolSize: Size2D, strides: Size2D, padding?: LayerPadding | null, dataFormat?: string | null, name?: string): Node;
export function averagePooling2d(...args: unknown[]): Node {
  return parsePooling(AVERAGE_POOLING2D, avgPool, args);
}
