/**
 * Adam (TensorFlow 1.x's AdamOptimizer), as its ApplyAdam kernel computes it at step t:
 *   lr_t ← lr·√(1 − β2^t) / (1 − β1^t)
 *   m    ← m + (grad − m)·(1 − β1)          (= β1·m + (1 − β1)·grad)
 *   v    ← v + (grad² − v)·(1 − β2)         (= β2·v + (1 − β2)·grad²)
 *   var  ← var − lr_t·m / (√v + ε)
 * m and v are the slots `<var>/Adam` and `<var>/Adam_1`, starting at zero; β1^t and β2^t are the
 * non-trainable variables `beta1_power` and `beta2_power`, starting at β1 and β2 and multiplied by
 * them once per step, after the variables' updates have read them.
 */
import { Node, type GraphNode, type Variable } from "../graph/index.js";
import { add, assign, assignAdd, assignSub, divide, multiply, sqrt, square, subtract } from "../ops/index.js";
import { is } from "../tensor/index.js";
import { HYPER, Optimizer, checkNumber, optimizerOptions, type HyperParameter } from "./optimizer.js";

export interface AdamOptions {
  /** Default 0.001. */
  learningRate?: HyperParameter;
  /** Decay of the first-moment estimate; default 0.9. */
  beta1?: number;
  /** Decay of the second-moment estimate; default 0.999. */
  beta2?: number;
  /** Added to √v so that the step stays finite; default 1e-8. */
  epsilon?: HyperParameter;
  name?: string;
}

export class AdamOptimizer extends Optimizer {
  readonly learningRate: HyperParameter;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: HyperParameter;

  /** `new AdamOptimizer()`, `new AdamOptimizer(0.01)`, `new AdamOptimizer(0.01, { beta1: 0.5 })` or `new AdamOptimizer({ learningRate: 0.01, ... })`. */
  constructor(learningRate?: HyperParameter | AdamOptions, options: Omit<AdamOptions, "learningRate"> = {}) {
    const params = [{ name: "beta1", check: is.optional(is.number) }, { name: "beta2", check: is.optional(is.number) }, { name: "epsilon", check: HYPER }];
    const o: AdamOptions =
      typeof learningRate === "object" && !(learningRate instanceof Node)
        ? optimizerOptions<AdamOptions>("AdamOptimizer", [{ name: "learningRate", check: HYPER }, ...params], learningRate)
        : { ...optimizerOptions<AdamOptions>("AdamOptimizer", params, options), learningRate: learningRate ?? 0.001 };
    super(o.name ?? "Adam");
    this.learningRate = o.learningRate ?? 0.001;
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.epsilon = o.epsilon ?? 1e-8;
    checkNumber(this.name, "learning rate", this.learningRate, { min: 0 });
    // β = 1 would make 1 − β^t zero: the step would divide by it.
    checkNumber(this.name, "beta1", this.beta1, { min: 0, max: 1, maxOpen: true });
    checkNumber(this.name, "beta2", this.beta2, { min: 0, max: 1, maxOpen: true });
    checkNumber(this.name, "epsilon", this.epsilon, { min: 0 });
  }

  protected hyperParameters(): Record<string, HyperParameter> {
    return { learning_rate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  protected override createSlots(vars: readonly Variable[]): void {
    for (const v of vars) this.betaPowers(v);
    for (const v of vars) {
      this.slot(v, "m", 0);
      this.slot(v, "v", 0);
    }
  }

  protected applyDense(grad: Node, variable: Variable): GraphNode {
    const dtype = variable.dtype;
    const [beta1Power, beta2Power] = this.betaPowers(variable);
    const beta1 = this.hyper("beta1", dtype);
    const beta2 = this.hyper("beta2", dtype);
    const lrT = divide(multiply(this.hyper("learning_rate", dtype), sqrt(subtract(1, beta2Power))), subtract(1, beta1Power));
    const m = this.slot(variable, "m", 0);
    const v = this.slot(variable, "v", 0);
    const mT = assignAdd(m, multiply(subtract(grad, m), subtract(1, beta1)));
    const vT = assignAdd(v, multiply(subtract(square(grad), v), subtract(1, beta2)));
    return assignSub(variable, divide(multiply(mT, lrT), add(sqrt(vT), this.hyper("epsilon", dtype))));
  }

  protected override finish(vars: readonly Variable[]): GraphNode[] {
    const byDtype = new Map(vars.map((v) => [v.dtype, v]));
    return [...byDtype.values()].flatMap((v) => {
      const [beta1Power, beta2Power] = this.betaPowers(v);
      return [
        assign(beta1Power, multiply(beta1Power, this.hyper("beta1", v.dtype))),
        assign(beta2Power, multiply(beta2Power, this.hyper("beta2", v.dtype))),
      ];
    });
  }

  /** β1^t and β2^t for variables of `variable`'s dtype (TensorFlow keeps one pair, cast per variable). */
  private betaPowers(variable: Variable): [Variable, Variable] {
    return [
      this.nonSlot(variable.graph, "beta1_power", this.beta1, variable.dtype),
      this.nonSlot(variable.graph, "beta2_power", this.beta2, variable.dtype),
    ];
  }
}
