/** Plain gradient descent: v ← v − learningRate · ∇v (TensorFlow's GradientDescentOptimizer). */
import type { GraphNode, Node, Variable } from "../graph/index.js";
import { assignSub, multiply, type NodeLike } from "../ops/index.js";
import { Optimizer } from "./optimizer.js";

export class GradientDescentOptimizer extends Optimizer {
  constructor(
    readonly learningRate: NodeLike,
    name = "GradientDescent",
  ) {
    super(name);
    if (typeof learningRate === "number" && !(learningRate >= 0 && Number.isFinite(learningRate))) {
      throw new RangeError(`${name}: invalid learning rate ${learningRate} (it must be a finite number >= 0)`);
    }
  }

  protected applyDense(grad: Node, variable: Variable): GraphNode {
    return assignSub(variable, multiply(this.hyper(this.learningRate, variable), grad));
  }
}
