/** Plain gradient descent: v ← v − learningRate · ∇v (TensorFlow's GradientDescentOptimizer). */
import type { GraphNode, Node, Variable } from "../graph/index.js";
import { assignSub, multiply } from "../ops/index.js";
import { is, requireArg } from "../tensor/index.js";
import { Optimizer, checkNumber, type HyperParameter } from "./optimizer.js";

export class GradientDescentOptimizer extends Optimizer {
  constructor(
    readonly learningRate: HyperParameter,
    name = "GradientDescent",
  ) {
    super(name);
    requireArg("GradientDescentOptimizer", "name", name, is.string);
    checkNumber(name, "learning rate", learningRate, { min: 0 });
  }

  protected hyperParameters(): Record<string, HyperParameter> {
    return { learning_rate: this.learningRate };
  }

  protected applyDense(grad: Node, variable: Variable): GraphNode {
    return assignSub(variable, multiply(this.hyper("learning_rate", variable.dtype), grad));
  }
}
