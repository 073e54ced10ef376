/**
 * The optimizer base, as TensorFlow 1.x's `tf.train.Optimizer`: `computeGradients` adds gradient
 * nodes, `applyGradients` adds one update node per variable (grouped into one), and `minimize`
 * does both. Subclasses say how one variable is updated.
 */
import { gradients } from "../autodiff/gradients.js";
import { GraphNode, Group, Node, Variable } from "../graph/index.js";
import { assignAdd, group, toNode, type NodeLike } from "../ops/index.js";
import { GradientError, isFloatDType } from "../tensor/index.js";

export type GradAndVar = [grad: Node | null, variable: Variable];

export interface MinimizeOptions {
  /** Variables to train; by default every trainable variable the loss depends on. */
  varList?: readonly Variable[];
  /** An int32 Variable counting steps; incremented by one each time the update runs. */
  globalStep?: Variable;
  name?: string;
}

/** Trainable variables among the ancestors of `loss`, in creation order. */
export function trainableVariablesOf(loss: Node): Variable[] {
  const seen = new Set<GraphNode>();
  const stack: GraphNode[] = [loss];
  const found: Variable[] = [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n instanceof Variable && n.trainable) found.push(n);
    stack.push(...n.inputs);
  }
  return found.sort((a, b) => a.id - b.id);
}

export abstract class Optimizer {
  constructor(readonly name: string) {}

  /** Pairs of (gradient node, variable); the gradient is null where the loss does not depend on it. */
  computeGradients(loss: Node, options: { varList?: readonly Variable[] } = {}): GradAndVar[] {
    const vars = options.varList ?? trainableVariablesOf(loss);
    for (const v of vars) {
      if (!(v instanceof Variable)) throw new GradientError(`${this.name}: varList must hold Variables, got ${String(v)}`);
    }
    const grads = gradients(loss, vars);
    return vars.map((v, i) => [grads[i]!, v]);
  }

  /** One node that applies every non-null gradient to its variable. */
  applyGradients(gradsAndVars: readonly GradAndVar[], options: { globalStep?: Variable; name?: string } = {}): Group {
    const usable = gradsAndVars.filter(([g]) => g !== null) as [Node, Variable][];
    if (usable.length === 0) {
      const names = gradsAndVars.map(([, v]) => v.name).join(", ");
      throw new GradientError(`${this.name}: no gradients provided for any variable (variables: ${names || "none"}); check that the loss depends on them`);
    }
    const graph = usable[0]![1].graph;
    return graph.nameScope(options.name ?? this.name, () => {
      const updates: GraphNode[] = usable.map(([g, v]) => {
        if (!isFloatDType(v.dtype)) throw new GradientError(`${this.name}: cannot train ${v}: it has dtype ${v.dtype}`);
        return this.applyDense(g, v);
      });
      if (options.globalStep !== undefined) updates.push(assignAdd(options.globalStep, 1));
      return group(updates, "update");
    });
  }

  /** Adds the nodes that minimize `loss` by one step; running the returned node takes the step. */
  minimize(loss: Node, options: MinimizeOptions = {}): Group {
    const gradsAndVars = this.computeGradients(loss, options.varList ? { varList: options.varList } : {});
    const applyOptions: { globalStep?: Variable; name?: string } = {};
    if (options.globalStep) applyOptions.globalStep = options.globalStep;
    if (options.name) applyOptions.name = options.name;
    return this.applyGradients(gradsAndVars, applyOptions);
  }

  /** The update node for one variable given its gradient. */
  protected abstract applyDense(grad: Node, variable: Variable): GraphNode;

  /** A hyper-parameter as a node of the variable's dtype (numbers become constants). */
  protected hyper(value: NodeLike, variable: Variable): Node {
    return toNode(value, variable.graph, variable.dtype, "learning rate");
  }
}
