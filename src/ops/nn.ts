/**
 * Neural-network building blocks: biasAdd (with its dedicated gradient op BiasAddGrad) and the
 * random mask behind dropout.
 */
import type { Node, TensorSpec } from "../graph/index.js";
import { DTypeError, ShapeError, formatShape, type Dim, type StaticShape } from "../tensor/index.js";
import { broadcastLike } from "./reduce.js";
import { apply, defineOp, type NodeLike, type NameArg } from "./define.js";
import { requireFloat, requireNumeric, requireSameDtype } from "./infer.js";
import type { DropoutMaskAttrs } from "../kernels/attrs.js";

type NoAttrs = Record<string, never>;

/** The channel count of an NHWC value (its last dimension), requiring rank >= 2 as TensorFlow does. */
function channels(type: string, name: string, value: TensorSpec): Dim {
  if (value.shape === null) return null;
  if (value.shape.length < 2) {
    throw new ShapeError(`${type} '${name}': the value must be at least rank 2 (a batch of rows), got shape ${formatShape(value.shape)}`);
  }
  return value.shape[value.shape.length - 1]!;
}

/** value + bias, the bias ([C]) added along the last axis of value ([..., C]). */
export const BiasAdd = defineOp<NoAttrs>({
  type: "BiasAdd",
  infer: ([value, bias], _attrs, name) => {
    requireSameDtype("BiasAdd", name, value!.dtype, bias!.dtype);
    requireNumeric("BiasAdd", name, value!);
    const c = channels("BiasAdd", name, value!);
    const fail = (why: string): never => {
      throw new ShapeError(`BiasAdd '${name}': ${why} (value ${formatShape(value!.shape)}, bias ${formatShape(bias!.shape)})`);
    };
    if (bias!.shape !== null && bias!.shape.length !== 1) fail("the bias must be a vector");
    const b = bias!.shape === null ? null : bias!.shape[0]!;
    if (c !== null && b !== null && c !== b) fail(`the bias has ${b} elements, but the value's last dimension is ${c}`);
    if (value!.shape === null) return { dtype: value!.dtype, shape: null };
    return { dtype: value!.dtype, shape: [...value!.shape.slice(0, -1), c ?? b] };
  },
  gradient: (op, dy) => [dy, biasAddGrad(dy)],
  // The bias [C] against a value [..., C] lines up by numpy's rules.
  elementwise: { formula: "Add" },
});

/** The sum of `dy` ([..., C]) over every axis but the last: the bias's gradient, shape [C]. */
export const BiasAddGrad = defineOp<NoAttrs>({
  type: "BiasAddGrad",
  infer: ([dy], _attrs, name) => {
    requireNumeric("BiasAddGrad", name, dy!);
    return { dtype: dy!.dtype, shape: [channels("BiasAddGrad", name, dy!)] };
  },
  // Each element of the output is a sum of one column of dy, so its gradient is g along every row.
  gradient: (op, g) => [broadcastLike(g, op.inputs[0]!)],
});

/** The shape of the mask for x of `shape` under `noiseShape`, checking it broadcasts onto x. */
function maskShape(x: StaticShape, noiseShape: readonly (number | null)[] | undefined, name: string): StaticShape {
  if (noiseShape === undefined) return x;
  const shown = `[${noiseShape.map((d) => d ?? "?").join(",")}]`;
  if (noiseShape.some((d) => d !== null && !(Number.isInteger(d) && d >= 0))) {
    throw new ShapeError(`DropoutMask '${name}': the noise shape ${shown} must hold sizes (integers >= 0) or null`);
  }
  if (x === null) return [...noiseShape];
  if (noiseShape.length !== x.length) throw new ShapeError(`DropoutMask '${name}': the noise shape ${shown} must have the rank of x ${formatShape(x)}`);
  return noiseShape.map((d, i) => {
    const xd = x[i]!;
    if (d === null) return xd;
    if (d !== 1 && xd !== null && d !== xd) {
      throw new ShapeError(`DropoutMask '${name}': dimension ${i} of the noise shape ${shown} is ${d}; it must be 1 or x's dimension ${xd} (x ${formatShape(x)})`);
    }
    return d;
  });
}

function requireScalar(name: string, what: string, spec: TensorSpec, dtype: string): void {
  if (spec.dtype !== dtype) throw new DTypeError(`DropoutMask '${name}': ${what} must be a ${dtype} scalar, got ${spec.dtype}`);
  if (spec.shape !== null && spec.shape.length !== 0) {
    throw new ShapeError(`DropoutMask '${name}': ${what} must be a ${dtype} scalar, got shape ${formatShape(spec.shape)}`);
  }
}

/**
 * A random mask for dropout: each element is 0 with probability `rate`, else 1/(1 − rate), so that
 * x·mask keeps x's expected value. Inputs: x (for its shape and dtype), the rate (a scalar of x's
 * dtype, so that it may be fed, as TensorFlow 1.x scripts feed keep_prob) and, optionally, a bool
 * scalar `training`: when it is false the mask is all ones and nothing is drawn.
 */
export const DropoutMask = defineOp<DropoutMaskAttrs>({
  type: "DropoutMask",
  infer: ([x, rate, training], { noiseShape }, name) => {
    requireFloat("DropoutMask", name, x!);
    requireScalar(name, "the rate", rate!, x!.dtype);
    if (training !== undefined) requireScalar(name, "training", training, "bool");
    return { dtype: x!.dtype, shape: maskShape(x!.shape, noiseShape, name) };
  },
  gradient: { notDifferentiable: "a random mask: it does not depend on x's values, and the draw is discontinuous in the rate" },
});

/** value + bias along the last axis (TensorFlow's `nn.bias_add`, NHWC). */
export function biasAdd(value: NodeLike, bias: NodeLike, name?: NameArg): Node {
  return apply(BiasAdd, [value, bias], {}, name);
}

export function biasAddGrad(dy: Node, name?: NameArg): Node {
  return apply(BiasAddGrad, [dy], {}, name);
}

/** The DropoutMask node for `x` and `rate`; `training` (a bool scalar node) switches it to all ones when false. */
export function dropoutMask(x: Node, rate: NodeLike, attrs: DropoutMaskAttrs, training?: Node, name?: NameArg): Node {
  return apply(DropoutMask, training === undefined ? [x, rate] : [x, rate, training], attrs, name);
}
