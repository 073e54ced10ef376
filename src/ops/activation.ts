/**
 * Activations: sigmoid, softmax, relu, relu6, leakyRelu, elu, selu, softplus and tanh, with
 * TensorFlow's gradient ops (SigmoidGrad, ReluGrad, Relu6Grad, LeakyReluGrad, EluGrad, SeluGrad,
 * TanhGrad), each with a gradient of its own so that second derivatives work.
 */
import type { Node, OpDef, TensorSpec } from "../graph/index.js";
import type { SoftmaxAttrs } from "../kernels/attrs.js";
import { ShapeError, ValueError, is, normalizeAxes, requireArg } from "../tensor/index.js";
import { zerosLike } from "./array.js";
import { less } from "./compare.js";
import { apply, defineOp, type NodeLike, type NameArg } from "./define.js";
import { broadcastBinary, floatUnary, numericUnary, requireFloat } from "./infer.js";
import { multiply, subtract } from "./math.js";
import { reduceSum } from "./reduce.js";
import { where } from "./select.js";

type NoAttrs = Record<string, never>;

export const Sigmoid = defineOp<NoAttrs>({
  type: "Sigmoid",
  infer: floatUnary("Sigmoid"),
  gradient: (op, dy) => [sigmoidGrad(op, dy)],
  elementwise: { formula: "Sigmoid" },
});

/**
 * dy · y · (1 − y) for y = sigmoid(x), as one kernel (TensorFlow's SigmoidGrad). Its own gradient
 * makes second derivatives work.
 */
export const SigmoidGrad = defineOp<NoAttrs>({
  type: "SigmoidGrad",
  infer: broadcastBinary("SigmoidGrad"),
  broadcasts: true,
  elementwise: { formula: "SigmoidGrad" },
  gradient: (op, g) => {
    const [y, dy] = op.inputs as [Node, Node];
    // ∂/∂y [dy·y·(1−y)] = dy·(1 − 2y);  ∂/∂dy = y·(1 − y).
    return [multiply(multiply(g, dy), subtract(1, multiply(2, y))), sigmoidGrad(y, g)];
  },
});

export const Softmax = defineOp<SoftmaxAttrs>({
  type: "Softmax",
  infer: ([x], { axis }, name) => {
    requireFloat("Softmax", name, x!);
    if (x!.shape !== null) {
      if (x!.shape.length === 0) throw new ShapeError(`Softmax '${name}' needs an input of rank at least 1, got a scalar`);
      normalizeAxes(axis, x!.shape.length, `Softmax '${name}'`);
    }
    return { dtype: x!.dtype, shape: x!.shape };
  },
  // dx = y · (dy − Σ_axis dy·y)
  gradient: (op, dy) => [multiply(op, subtract(dy, reduceSum(multiply(dy, op), op.attrs.axis, { keepDims: true })))],
});

export interface LeakyReluAttrs {
  alpha: number;
}

/**
 * A gradient op dy·f'(v) whose factor f'(v) is piecewise constant in v (relu, relu6, leakyRelu).
 * Its gradient is the same op again for dy, and zero for v (zeros, as TensorFlow gives).
 */
function defineMaskGrad<A>(type: string, floatOnly: boolean, params?: (attrs: A) => readonly number[]): OpDef<A> {
  const def: OpDef<A> = defineOp<A>({
    type,
    infer: broadcastBinary(type, floatOnly),
    // dy broadcasts; v's gradient is zeros of v's own shape.
    broadcasts: [0],
    elementwise: params === undefined ? { formula: type } : { formula: type, params },
    gradient: (op, g) => {
      const v = op.inputs[1]!;
      return [apply(def, [g, v], op.attrs, type), zerosLike(v)];
    },
  });
  return def;
}

/**
 * A gradient op dy·f'(y) of an exponential unit, read from its output y: for y < 0 the factor is
 * y + c (c = 1 for elu, scale·alpha for selu), so ∂/∂y is dy there and 0 elsewhere.
 */
function defineExpUnitGrad(type: string): OpDef<NoAttrs> {
  const def: OpDef<NoAttrs> = defineOp<NoAttrs>({
    type,
    infer: broadcastBinary(type, true),
    broadcasts: true,
    elementwise: { formula: type },
    gradient: (op, g) => {
      const [dy, y] = op.inputs as [Node, Node];
      return [apply(def, [g, y], {}, type), where(less(y, 0), multiply(g, dy), 0)];
    },
  });
  return def;
}

/** ReluGrad(dy, y) = dy where y > 0, else 0 (y: relu's output, as in TensorFlow). */
export const ReluGrad = defineMaskGrad<NoAttrs>("ReluGrad", false);
/** Relu6Grad(dy, y) = dy where 0 < y < 6, else 0. */
export const Relu6Grad = defineMaskGrad<NoAttrs>("Relu6Grad", false);
/** LeakyReluGrad(dy, x) = dy where x > 0, else alpha·dy (x: leakyRelu's input). */
export const LeakyReluGrad = defineMaskGrad<LeakyReluAttrs>("LeakyReluGrad", true, ({ alpha }) => [alpha]);
/** EluGrad(dy, y) = dy·(y + 1) where y < 0, else dy (y: elu's output). */
export const EluGrad = defineExpUnitGrad("EluGrad");
/** SeluGrad(dy, y) = dy·(y + scale·alpha) where y < 0, else dy·scale (y: selu's output). */
export const SeluGrad = defineExpUnitGrad("SeluGrad");

/** TanhGrad(y, dy) = dy·(1 − y²), computed as dy·(1 − y)(1 + y), for y = tanh(x); argument order as TensorFlow's. */
export const TanhGrad = defineOp<NoAttrs>({
  type: "TanhGrad",
  infer: broadcastBinary("TanhGrad", true),
  broadcasts: true,
  elementwise: { formula: "TanhGrad" },
  gradient: (op, g) => {
    const [y, dy] = op.inputs as [Node, Node];
    // ∂/∂y [dy·(1 − y²)] = −2·y·dy;  ∂/∂dy = 1 − y².
    return [multiply(multiply(g, dy), multiply(-2, y)), tanhGrad(y, g)];
  },
});

/** An activation whose gradient is `grad(dy, y)` of its output y, as TensorFlow builds it. */
function defineByOutput(type: string, infer: OpDef<NoAttrs>["infer"], grad: OpDef<NoAttrs>): OpDef<NoAttrs> {
  return defineOp<NoAttrs>({ type, infer, gradient: (op, dy) => [apply(grad, [dy, op], {}, grad.type)], elementwise: { formula: type } });
}

export const Relu = defineByOutput("Relu", numericUnary("Relu"), ReluGrad);

export const Relu6 = defineByOutput("Relu6", numericUnary("Relu6"), Relu6Grad);

export const LeakyRelu = defineOp<LeakyReluAttrs>({
  type: "LeakyRelu",
  infer: (inputs, { alpha }, name): TensorSpec => {
    requireFloat("LeakyRelu", name, inputs[0]!);
    if (typeof alpha !== "number" || !Number.isFinite(alpha)) throw new ValueError(`LeakyRelu '${name}': alpha must be a finite number, got ${String(alpha)}`);
    return inputs[0]!;
  },
  gradient: (op, dy) => [apply(LeakyReluGrad, [dy, op.inputs[0]!], { alpha: op.attrs.alpha }, "LeakyReluGrad")],
  elementwise: { formula: "LeakyRelu", params: ({ alpha }) => [alpha] },
});

export const Elu = defineByOutput("Elu", floatUnary("Elu"), EluGrad);

export const Selu = defineByOutput("Selu", floatUnary("Selu"), SeluGrad);

export const Softplus = defineOp<NoAttrs>({
  type: "Softplus",
  infer: floatUnary("Softplus"),
  // d/dx log(1 + e^x) = sigmoid(x); second derivatives come through Sigmoid's own gradient.
  gradient: (op, dy) => [multiply(dy, sigmoid(op.inputs[0]!))],
  elementwise: { formula: "Softplus" },
});

export const Tanh = defineOp<NoAttrs>({
  type: "Tanh",
  infer: floatUnary("Tanh"),
  gradient: (op, dy) => [tanhGrad(op, dy)],
  elementwise: { formula: "Tanh" },
});

/** The logistic function 1 / (1 + e^−x), computed without overflow for large |x|. */
export function sigmoid(x: NodeLike, name?: NameArg): Node {
  return apply(Sigmoid, [x], {}, name);
}

export function sigmoidGrad(y: Node, dy: Node, name?: NameArg): Node {
  return apply(SigmoidGrad, [y, dy], {}, name);
}

/**
 * exp(x) / Σ exp(x) along `axis` (the last by default). The kernel subtracts the maximum first,
 * so large logits do not overflow.
 */
export function softmax(logits: NodeLike, axis = -1, name?: NameArg): Node {
  requireArg("softmax", "axis", axis, is.integer);
  return apply(Softmax, [logits], { axis }, name);
}
/** max(x, 0) elementwise. */
export function relu(features: NodeLike, name?: NameArg): Node {
  return apply(Relu, [features], {}, name);
}
/** min(max(x, 0), 6) elementwise. */
export function relu6(features: NodeLike, name?: NameArg): Node {
  return apply(Relu6, [features], {}, name);
}
/** x where x > 0, else alpha·x (TensorFlow's default alpha is 0.2). */
export function leakyRelu(features: NodeLike, alpha = 0.2, name?: NameArg): Node {
  return apply(LeakyRelu, [features], { alpha }, name);
}
/** x where x >= 0, else e^x − 1. */
export function elu(features: NodeLike, name?: NameArg): Node {
  return apply(Elu, [features], {}, name);
}
/** scale·x where x >= 0, else scale·alpha·(e^x − 1), with the self-normalizing constants. */
export function selu(features: NodeLike, name?: NameArg): Node {
  return apply(Selu, [features], {}, name);
}
/** log(1 + e^x), computed as log1p(e^−|x|) + max(x, 0) so that no e^x overflows. */
export function softplus(features: NodeLike, name?: NameArg): Node {
  return apply(Softplus, [features], {}, name);
}
export function tanh(x: NodeLike, name?: NameArg): Node {
  return apply(Tanh, [x], {}, name);
}
export function tanhGrad(y: Node, dy: Node, name?: NameArg): Node {
  return apply(TanhGrad, [y, dy], {}, name);
}
