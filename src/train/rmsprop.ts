/**
 * RMSProp (TensorFlow 1.x's RMSPropOptimizer), as its ApplyRMSProp kernel:
 *   ms  ← ms + (grad² − ms)·(1 − decay)                  (= decay·ms + (1 − decay)·grad²)
 *   mom ← momentum·mom + lr·grad / √(ms + ε)
 *   var ← var − mom
 * Centered (ApplyCenteredRMSProp) also tracks the mean gradient and divides by an estimate of
 * its variance instead:
 *   mg  ← mg + (grad − mg)·(1 − decay)
 *   mom ← momentum·mom + lr·grad / √(ms − mg² + ε)
 * ms is the slot `<var>/RMSProp` and starts at one, as TensorFlow 1.x starts it; mg (centered only)
 * and mom are the next slots (`<var>/RMSProp_1`, `<var>/RMSProp_2`) and start at zero.
 */
import type { GraphNode, Node, Variable } from "../graph/index.js";
import { add, assign, assignAdd, assignSub, divide, multiply, sqrt, square, subtract } from "../ops/index.js";
import { is } from "../tensor/index.js";
import { HYPER, Optimizer, checkNumber, optimizerOptions, type HyperParameter } from "./optimizer.js";

export interface RMSPropOptions {
  /** Discount of the running averages; default 0.9. */
  decay?: HyperParameter;
  /** Default 0 (no momentum). */
  momentum?: HyperParameter;
  /** Added to the mean square under the square root; default 1e-10. */
  epsilon?: HyperParameter;
  /** Divide by the estimated variance of the gradient rather than its mean square; default false. */
  centered?: boolean;
  name?: string;
}

export class RMSPropOptimizer extends Optimizer {
  readonly decay: HyperParameter;
  readonly momentum: HyperParameter;
  readonly epsilon: HyperParameter;
  readonly centered: boolean;

  constructor(
    readonly learningRate: HyperParameter,
    given: RMSPropOptions = {},
  ) {
    const options = optimizerOptions<RMSPropOptions>("RMSPropOptimizer", [{ name: "decay", check: HYPER }, { name: "momentum", check: HYPER }, { name: "epsilon", check: HYPER }, { name: "centered", check: is.optional(is.boolean) }], given);
    super(options.name ?? "RMSProp");
    this.decay = options.decay ?? 0.9;
    this.momentum = options.momentum ?? 0;
    this.epsilon = options.epsilon ?? 1e-10;
    this.centered = options.centered ?? false;
    checkNumber(this.name, "learning rate", learningRate, { min: 0 });
    checkNumber(this.name, "decay", this.decay, { min: 0, max: 1 });
    checkNumber(this.name, "momentum", this.momentum);
    checkNumber(this.name, "epsilon", this.epsilon, { min: 0 });
  }

  protected hyperParameters(): Record<string, HyperParameter> {
    return { learning_rate: this.learningRate, decay: this.decay, momentum: this.momentum, epsilon: this.epsilon };
  }

  protected override createSlots(vars: readonly Variable[]): void {
    // In TensorFlow's order, which gives the slots their names: rms, then mg, then momentum.
    for (const v of vars) {
      this.slot(v, "rms", 1);
      if (this.centered) this.slot(v, "mg", 0);
      this.slot(v, "momentum", 0);
    }
  }

  protected applyDense(grad: Node, variable: Variable): GraphNode {
    const dtype = variable.dtype;
    const oneMinusDecay = subtract(1, this.hyper("decay", dtype));
    const ms = this.slot(variable, "rms", 1);
    const msT = assignAdd(ms, multiply(subtract(square(grad), ms), oneMinusDecay));
    let denom = add(msT, this.hyper("epsilon", dtype));
    if (this.centered) {
      const mg = this.slot(variable, "mg", 0);
      const mgT = assignAdd(mg, multiply(subtract(grad, mg), oneMinusDecay));
      denom = add(subtract(msT, square(mgT)), this.hyper("epsilon", dtype));
    }
    const mom = this.slot(variable, "momentum", 0);
    const momT = assign(mom, add(multiply(mom, this.hyper("momentum", dtype)), divide(multiply(grad, this.hyper("learning_rate", dtype)), sqrt(denom))));
    return assignSub(variable, momT);
  }
}
