/**
 * Max and average pooling over NHWC data, as TensorFlow 1.x defines them (MaxPool, AvgPool), with
 * their gradient ops (MaxPoolGrad, MaxPoolGradGrad, AvgPoolGrad). Windows are ksize [1, kh, kw, 1]
 * moved by strides [1, sh, sw, 1]; SAME padding adds no values: padded positions are left out of
 * the max and of the average's count, as in TensorFlow.
 *
 * Max pooling routes gradients to each window's maximum; on ties, to the first maximum in
 * row-major order within the window, as TensorFlow's CPU kernel does. MaxPoolGrad and
 * MaxPoolGradGrad are the two linear maps "scatter to the argmax" and "gather from the argmax",
 * each other's gradient (TensorFlow's _MaxPoolGradGrad and _MaxPoolGradGradGrad), so max pooling
 * is twice differentiable.
 */
import type { Node, OpDef, TensorSpec } from "../graph/index.js";
import { ShapeError, formatShape, is, signature, type Dim, type Padding, type StaticShape } from "../tensor/index.js";
import type { PoolWindowAttrs } from "../kernels/attrs.js";
import { apply, defineOp, isNodeLike, type NodeLike } from "./define.js";
import { requireFloat, requireSameDtype } from "./infer.js";
import { checkDataFormat, checkPadding, checkWindowAttr, dimFits, nhwc, rank4, windowedSize, type WindowArg } from "./window.js";

export interface PoolAttrs extends PoolWindowAttrs {
  /** Only "NHWC" runs (see Conv2DAttrs). */
  readonly dataFormat: string;
}

/** The pooled shape [batch, outHeight, outWidth, channels] of an input of shape `x`. */
function pooledShape(type: string, name: string, x: StaticShape, attrs: PoolAttrs, shapes: string): Dim[] {
  checkDataFormat(type, name, attrs.dataFormat);
  checkPadding(type, name, attrs.padding);
  checkWindowAttr(type, name, "ksize", attrs.ksize);
  checkWindowAttr(type, name, "strides", attrs.strides);
  const [n, h, w, c] = rank4(type, name, "input", x);
  const [, kh, kw] = attrs.ksize as [number, number, number];
  const [, sh, sw] = attrs.strides as [number, number, number];
  return [n, windowedSize(type, name, "height", h, kh, sh, 1, attrs.padding, shapes), windowedSize(type, name, "width", w, kw, sw, 1, attrs.padding, shapes), c];
}

/** Checks that `actual` (an operand of the pooled shape) fits `expected`; returns what both know. */
function fitPooled(type: string, name: string, what: string, actual: StaticShape, expected: Dim[], shapes: string): Dim[] {
  const a = rank4(type, name, what, actual);
  if (!a.every((d, i) => dimFits(d, expected[i]!))) {
    throw new ShapeError(`${type} '${name}': the ${what} has shape ${formatShape(a)} but pooling the input gives ${formatShape(expected)} (${shapes})`);
  }
  return a.map((d, i) => d ?? expected[i]!);
}

/** Operands of one float dtype. */
function requireFloats(type: string, name: string, specs: TensorSpec[]): void {
  requireFloat(type, name, specs[0]!);
  for (const s of specs.slice(1)) requireSameDtype(type, name, specs[0]!.dtype, s.dtype);
}

function describe(parts: [string, StaticShape][]): string {
  return parts.map(([what, s]) => `${what} ${formatShape(s)}`).join(", ");
}

/** Output of a pooling op: float, and of the pooled shape. */
function poolInfer(type: string) {
  return ([x]: TensorSpec[], attrs: PoolAttrs, name: string): TensorSpec => {
    requireFloat(type, name, x!);
    return { dtype: x!.dtype, shape: pooledShape(type, name, x!.shape, attrs, describe([["input", x!.shape]])) };
  };
}

export const MaxPool = defineOp<PoolAttrs>({
  type: "MaxPool",
  infer: poolInfer("MaxPool"),
  gradient: (op, dy) => [maxPoolGrad(op.inputs[0]!, op, dy, op.attrs)],
});

/**
 * MaxPoolGrad(input, output, dy): dy[n, y, x, c] added at the first maximum of window (y, x) of
 * input channel c; the result has the input's shape. Like TensorFlow's CPU kernel, it finds the
 * maxima in `input`; of `output` (the pooled values) only the shape is used.
 */
export const MaxPoolGrad = defineOp<PoolAttrs>({
  type: "MaxPoolGrad",
  infer: ([x, y, dy], attrs, name): TensorSpec => {
    const type = "MaxPoolGrad";
    requireFloats(type, name, [x!, y!, dy!]);
    const shapes = describe([["input", x!.shape], ["output", y!.shape], ["output gradient", dy!.shape]]);
    const pooled = pooledShape(type, name, x!.shape, attrs, shapes);
    const out = fitPooled(type, name, "output gradient", dy!.shape, fitPooled(type, name, "output", y!.shape, pooled, shapes), shapes);
    const [n, h, w, c] = rank4(type, name, "input", x!.shape);
    return { dtype: x!.dtype, shape: [n ?? out[0]!, h, w, c ?? out[3]!] };
  },
  // The routing depends on the input only through which element is largest (locally constant).
  gradient: (op, g) => [null, null, maxPoolGradGrad(op.inputs[0]!, op.inputs[1]!, g, op.attrs)],
});

/**
 * MaxPoolGradGrad(input, output, g): for each window (y, x) and channel c, g at the window's first
 * maximum in `input`; the result has the pooled shape. The adjoint of MaxPoolGrad in its third input.
 */
export const MaxPoolGradGrad = defineOp<PoolAttrs>({
  type: "MaxPoolGradGrad",
  infer: ([x, y, g], attrs, name): TensorSpec => {
    const type = "MaxPoolGradGrad";
    requireFloats(type, name, [x!, y!, g!]);
    const shapes = describe([["input", x!.shape], ["output", y!.shape], ["gradient", g!.shape]]);
    const input = rank4(type, name, "input", x!.shape);
    const gs = rank4(type, name, "gradient", g!.shape);
    if (!gs.every((d, i) => dimFits(d, input[i]!))) {
      throw new ShapeError(`${type} '${name}': the gradient must have the input's shape (${shapes})`);
    }
    const pooled = pooledShape(type, name, input.map((d, i) => d ?? gs[i]!), attrs, shapes);
    return { dtype: x!.dtype, shape: fitPooled(type, name, "output", y!.shape, pooled, shapes) };
  },
  gradient: (op, g) => [null, null, maxPoolGrad(op.inputs[0]!, op.inputs[1]!, g, op.attrs)],
});

export const AvgPool: OpDef<PoolAttrs> = defineOp<PoolAttrs>({
  type: "AvgPool",
  infer: poolInfer("AvgPool"),
  gradient: (op, dy): Node[] => [apply(AvgPoolGrad, [op.inputs[0]!, dy], op.attrs, "AvgPoolGrad")],
});

/**
 * AvgPoolGrad(like, dy): each dy[n, y, x, c] shared equally among the input positions its window
 * averaged (the valid ones only, under SAME padding); the result has the shape of `like` (the
 * pooled input, whose values are not read). Linear in dy: its gradient is average pooling.
 */
export const AvgPoolGrad: OpDef<PoolAttrs> = defineOp<PoolAttrs>({
  type: "AvgPoolGrad",
  infer: ([like, dy], attrs, name): TensorSpec => {
    const type = "AvgPoolGrad";
    requireFloat(type, name, dy!);
    const shapes = describe([["input", like!.shape], ["output gradient", dy!.shape]]);
    const pooled = pooledShape(type, name, like!.shape, attrs, shapes);
    const out = fitPooled(type, name, "output gradient", dy!.shape, pooled, shapes);
    const [n, h, w, c] = rank4(type, name, "input", like!.shape);
    return { dtype: dy!.dtype, shape: [n ?? out[0]!, h, w, c ?? out[3]!] };
  },
  gradient: (op, g): (Node | null)[] => [null, apply(AvgPool, [g], op.attrs, "AvgPool")],
});

function maxPoolGrad(x: Node, y: Node, dy: Node, attrs: PoolAttrs): Node {
  return apply(MaxPoolGrad, [x, y, dy], attrs, "MaxPoolGrad");
}

function maxPoolGradGrad(x: Node, y: Node, g: Node, attrs: PoolAttrs): Node {
  return apply(MaxPoolGradGrad, [x, y, g], attrs, "MaxPoolGradGrad");
}

export interface PoolOptions {
  /** Only "NHWC" (the default) is supported. */
  dataFormat?: string;
  name?: string;
}

function poolAttrs(ksize: WindowArg, strides: WindowArg, padding: Padding, options: PoolOptions): PoolAttrs {
  return { ksize: nhwc(ksize), strides: nhwc(strides), padding, dataFormat: options.dataFormat ?? "NHWC" };
}

/**
 * tf.nn.max_pool: the maximum of each ksize window of an NHWC `value`, windows moved by
 * `strides`. ksize and strides are [1, height, width, 1], or a number, or [height, width].
 */
export function maxPool(value: NodeLike, ksize: WindowArg, strides: WindowArg, padding: Padding, options?: PoolOptions): Node;
export function maxPool(value: NodeLike, options: PoolOptions & { ksize: WindowArg; strides: WindowArg; padding: Padding }): Node;
export function maxPool(...args: unknown[]): Node {
  const { value, ksize, strides, padding, ...options } = MAX_POOL.parse(args);
  return apply(MaxPool, [value], poolAttrs(ksize, strides, padding, options), options.name);
}

function poolSignature(fn: string) {
  return signature<{ value: NodeLike; ksize: WindowArg; strides: WindowArg; padding: Padding } & PoolOptions>(fn, [
    { name: "value", check: isNodeLike },
    { name: "ksize", check: is.opChecked },
    { name: "strides", check: is.opChecked },
    { name: "padding", check: is.opChecked },
    { name: "dataFormat", check: is.optional(is.string) },
    { name: "name", check: is.optional(is.string) },
  ]);
}
const MAX_POOL = poolSignature("maxPool");
const AVG_POOL = poolSignature("avgPool");

/**
 * tf.nn.avg_pool: the mean of each ksize window of an NHWC `value`; under SAME padding, the mean of
 * the window's positions inside the input.
 */
export function avgPool(value: NodeLike, ksize: WindowArg, strides: WindowArg, padding: Padding, options?: PoolOptions): Node;
export function avgPool(value: NodeLike, options: PoolOptions & { ksize: WindowArg; strides: WindowArg; padding: Padding }): Node;
export function avgPool(...args: unknown[]): Node {
  const { value, ksize, strides, padding, ...options } = AVG_POOL.parse(args);
  return apply(AvgPool, [value], poolAttrs(ksize, strides, padding, options), options.name);
}
