/** Activations: sigmoid (and its gradient op) and softmax. */
import type { Node } from "../graph/index.js";
import { ShapeError, normalizeAxes } from "../tensor/index.js";
import { sumToShape } from "./broadcast.js";
import { apply, defineOp, type NodeLike } from "./define.js";
import { broadcastBinary, floatUnary, requireFloat } from "./infer.js";
import { multiply, subtract } from "./math.js";
import { reduceSum } from "./reduce.js";
import type { SoftmaxAttrs } from "../kernels/attrs.js";

type NoAttrs = Record<string, never>;

export const Sigmoid = defineOp<NoAttrs>({
  type: "Sigmoid",
  kernel: "Sigmoid",
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
  kernel: "SigmoidGrad",
  infer: broadcastBinary("SigmoidGrad"),
  elementwise: { formula: "SigmoidGrad" },
  gradient: (op, g) => {
    const [y, dy] = op.inputs as [Node, Node];
    // ∂/∂y [dy·y·(1−y)] = dy·(1 − 2y);  ∂/∂dy = y·(1 − y).
    // SigmoidGrad broadcasts its inputs, so both terms have the output's shape and are summed back
    // to each input's shape, as for every broadcasting binary op.
    return [sumToShape(multiply(multiply(g, dy), subtract(1, multiply(2, y))), y), sumToShape(sigmoidGrad(y, g), dy)];
  },
});

export const Softmax = defineOp<SoftmaxAttrs>({
  type: "Softmax",
  kernel: "Softmax",
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

/** The logistic function 1 / (1 + e^−x), computed without overflow for large |x|. */
export function sigmoid(x: NodeLike, name?: string): Node {
  return apply(Sigmoid, [x], {}, name);
}

export function sigmoidGrad(y: Node, dy: Node, name?: string): Node {
  return apply(SigmoidGrad, [y, dy], {}, name);
}

/**
 * exp(x) / Σ exp(x) along `axis` (the last by default). The kernel subtracts the maximum first,
 * so large logits do not overflow.
 */
export function softmax(logits: NodeLike, axis = -1, name?: string): Node {
  return apply(Softmax, [logits], { axis }, name);
}
