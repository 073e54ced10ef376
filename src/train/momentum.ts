/**
 * Gradient descent with momentum (TensorFlow's MomentumOptimizer), as its ApplyMomentum kernel:
 *   accum ← momentum·accum + grad
 *   var   ← var − lr·accum                          (or, Nesterov: var − lr·grad − lr·momentum·accum)
 * The accumulator is the slot `<var>/Momentum`, starting at zero.
 */
import type { GraphNode, Node, Variable } from "../graph/index.js";
import { add, assign, assignSub, multiply } from "../ops/index.js";
import { is } from "../tensor/index.js";
import { Optimizer, checkNumber, optimizerOptions, type HyperParameter } from "./optimizer.js";

export interface MomentumOptions {
  /** Nesterov's accelerated gradient: the step looks ahead along the updated accumulator. */
  useNesterov?: boolean;
  name?: string;
}

export class MomentumOptimizer extends Optimizer {
  readonly useNesterov: boolean;

  constructor(
    readonly learningRate: HyperParameter,
    readonly momentum: HyperParameter,
    given: MomentumOptions = {},
  ) {
    const options = optimizerOptions<MomentumOptions>("MomentumOptimizer", [{ name: "useNesterov", check: is.optional(is.boolean) }], given);
    super(options.name ?? "Momentum");
    checkNumber(this.name, "learning rate", learningRate, { min: 0 });
    checkNumber(this.name, "momentum", momentum);
    this.useNesterov = options.useNesterov ?? false;
  }

  protected hyperParameters(): Record<string, HyperParameter> {
    return { learning_rate: this.learningRate, momentum: this.momentum };
  }

  protected override createSlots(vars: readonly Variable[]): void {
    for (const v of vars) this.slot(v, "momentum", 0);
  }

  protected applyDense(grad: Node, variable: Variable): GraphNode {
    const lr = this.hyper("learning_rate", variable.dtype);
    const momentum = this.hyper("momentum", variable.dtype);
    const accum = this.slot(variable, "momentum", 0);
    const accumNew = assign(accum, add(multiply(accum, momentum), grad));
    const step = this.useNesterov
      ? add(multiply(grad, lr), multiply(multiply(accumNew, momentum), lr))
      : multiply(accumNew, lr);
    return assignSub(variable, step);
  }
}
