/**
 * Adagrad (TensorFlow 1.x's AdagradOptimizer), as its ApplyAdagrad kernel:
 *   accum ← accum + grad²
 *   var   ← var − lr·grad / √accum
 * The accumulator is the slot `<var>/Adagrad`, starting at `initialAccumulatorValue`.
 */
import type { GraphNode, Node, Variable } from "../graph/index.js";
import { assignAdd, assignSub, divide, multiply, sqrt, square } from "../ops/index.js";
import { HYPER, Optimizer, checkNumber, optimizerOptions, type HyperParameter } from "./optimizer.js";

export interface AdagradOptions {
  /** The accumulators' starting value; must be positive (default 0.1). */
  initialAccumulatorValue?: number;
  name?: string;
}

export class AdagradOptimizer extends Optimizer {
  readonly initialAccumulatorValue: number;

  constructor(
    readonly learningRate: HyperParameter,
    given: AdagradOptions = {},
  ) {
    const options = optimizerOptions<AdagradOptions>("AdagradOptimizer", [{ name: "initialAccumulatorValue", check: HYPER }], given);
    super(options.name ?? "Adagrad");
    this.initialAccumulatorValue = options.initialAccumulatorValue ?? 0.1;
    checkNumber(this.name, "learning rate", learningRate, { min: 0 });
    // A zero accumulator would divide the first step by zero; TensorFlow refuses it too.
    checkNumber(this.name, "initial accumulator value", this.initialAccumulatorValue, { min: 0, minOpen: true });
  }

  protected hyperParameters(): Record<string, HyperParameter> {
    return { learning_rate: this.learningRate };
  }

  protected override createSlots(vars: readonly Variable[]): void {
    for (const v of vars) this.slot(v, "accumulator", this.initialAccumulatorValue);
  }

  protected applyDense(grad: Node, variable: Variable): GraphNode {
    const accum = this.slot(variable, "accumulator", this.initialAccumulatorValue);
    const accumT = assignAdd(accum, square(grad));
    return assignSub(variable, divide(multiply(grad, this.hyper("learning_rate", variable.dtype)), sqrt(accumT)));
  }
}
