/**
 * The optimizer base, as TensorFlow 1.x's `tf.train.Optimizer`: `computeGradients` adds gradient
 * nodes, `applyGradients` adds one update node per variable (grouped into one), and `minimize`
 * does both. Subclasses say how one variable is updated.
 *
 * State an optimizer keeps per variable (a momentum, Adam's moments) lives in slot variables named
 * after the variable and the optimizer (`w/Momentum`, `w/Adam`, `w/Adam_1`), non-trainable, made
 * the first time gradients are applied to that variable, as TensorFlow makes them.
 */
import { gradients } from "../autodiff/gradients.js";
import { Constant, GraphNode, Group, Node, Variable, type Graph } from "../graph/index.js";
import { assignAdd, cast, group } from "../ops/index.js";
import { ArgumentError, DTypeError, GradientError, ShapeError, Tensor, ValueError, check, formatShape, is, isFloatDType, requireArg, signature, type DType, type Param } from "../tensor/index.js";

/** A hyper-parameter: a number, or a scalar float node (a placeholder fed per step, a decayed rate). */
export type HyperParameter = number | Node;

export type GradAndVar = [grad: Node | null, variable: Variable];

export interface MinimizeOptions {
  /** Variables to train; by default every trainable variable the loss depends on. */
  varList?: readonly Variable[];
  /** An integer Variable counting steps; incremented by one each time the update runs. */
  globalStep?: Variable;
  /** TensorFlow's keyword names. */
  global_step?: Variable;
  var_list?: readonly Variable[];
  name?: string;
}

/** TensorFlow's `minimize(loss, global_step=None, var_list=None, ..., name=None)`. */
const MINIMIZE = signature<{ loss: Node } & MinimizeOptions>("minimize", [
  { name: "loss", check: is.instance(Node, "a node with a value (the loss)") },
  { name: "globalStep", check: is.optional(is.instance(Variable, "a Variable (the step counter)")) },
  { name: "varList", check: is.optional(check("an array of Variables", (v) => Array.isArray(v) && v.every((x) => x instanceof Variable))) },
  { name: "name", check: is.optional(is.string), keywordOnly: true },
]);

/** Trainable variables among the ancestors of `loss`, in creation order. */
export function trainableVariablesOf(loss: Node): Variable[] {
  requireArg("trainableVariablesOf", "loss", loss, is.instance(GraphNode, "a node"));
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
  /** Per variable, its slots by slot name ("m", "momentum", ...). */
  private readonly slots = new Map<Variable, Map<string, Variable>>();
  /** State that is not per variable (Adam's beta powers), per graph, by name and dtype. */
  private readonly nonSlots = new Map<Graph, Map<string, Variable>>();
  /** The hyper-parameter nodes of the applyGradients call being built, by name and dtype. */
  private prepared: Map<string, Node> | null = null;

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
    const vars = usable.map(([, v]) => v);
    for (const v of vars) {
      if (!isFloatDType(v.dtype)) throw new GradientError(`${this.name}: cannot train ${v}: it has dtype ${v.dtype}`);
    }
    const dtypes = [...new Set(vars.map((v) => v.dtype))];
    // Checked before anything is built, so that a refused call leaves the graph as it was.
    for (const [what, value] of Object.entries(this.hyperParameters())) this.checkHyper(what, value);
    if (options.globalStep !== undefined) checkGlobalStep(options.globalStep, this.name);
    const graph = vars[0]!.graph;
    this.createSlots(vars);
    return graph.nameScope(options.name ?? this.name, () => {
      this.prepared = this.prepare(dtypes, graph);
      try {
        const updates: GraphNode[] = usable.map(([g, v]) => graph.nameScope(`update_${v.name}`, () => this.applyDense(g, v)));
        updates.push(...this.finish(vars));
        if (options.globalStep !== undefined) updates.push(assignAdd(options.globalStep, 1));
        return group(updates, "update");
      } finally {
        this.prepared = null;
      }
    });
  }

  /** Adds the nodes that minimize `loss` by one step; running the returned node takes the step. */
  minimize(loss: Node, options?: MinimizeOptions): Group;
  minimize(loss: Node, globalStep?: Variable, varList?: readonly Variable[], options?: MinimizeOptions): Group;
  minimize(...args: unknown[]): Group {
    const { loss, ...options } = MINIMIZE.parse(args);
    const gradsAndVars = this.computeGradients(loss, options.varList ? { varList: options.varList } : {});
    const applyOptions: { globalStep?: Variable; name?: string } = {};
    if (options.globalStep) applyOptions.globalStep = options.globalStep;
    if (options.name) applyOptions.name = options.name;
    return this.applyGradients(gradsAndVars, applyOptions);
  }

  /** The slot `slotName` of `variable` ("momentum", "m", ...), or null when it has none (yet). */
  getSlot(variable: Variable, slotName: string): Variable | null {
    return this.slots.get(variable)?.get(slotName) ?? null;
  }

  /** The names of the slots this optimizer has made, sorted. */
  getSlotNames(): string[] {
    const names = new Set<string>();
    for (const byName of this.slots.values()) for (const n of byName.keys()) names.add(n);
    return [...names].sort();
  }

  /** Every variable this optimizer has made (slots and the like), in creation order. */
  variables(): Variable[] {
    const all = [...this.slots.values()].flatMap((m) => [...m.values()]);
    for (const m of this.nonSlots.values()) all.push(...m.values());
    return all.sort((a, b) => a.id - b.id);
  }

  /** The update node for one variable given its gradient. */
  protected abstract applyDense(grad: Node, variable: Variable): GraphNode;

  /**
   * The hyper-parameters the updates read, by TensorFlow's names ("learning_rate", "momentum"):
   * numbers or scalar float nodes. Each becomes one node per dtype per applyGradients call.
   */
  protected abstract hyperParameters(): Record<string, HyperParameter>;

  /** Makes the slots (and other state) `applyDense` and `finish` will need. */
  protected createSlots(_vars: readonly Variable[]): void {}

  /** Updates that run once per step after the per-variable ones (Adam's beta powers). */
  protected finish(_vars: readonly Variable[]): GraphNode[] {
    return [];
  }

  /** A hyper-parameter as a scalar node of `dtype`; only while applyGradients builds updates. */
  protected hyper(what: string, dtype: DType): Node {
    const node = this.prepared?.get(`${what}:${dtype}`);
    if (node === undefined) throw new Error(`${this.name}: hyper-parameter '${what}' (${dtype}) was not prepared`);
    return node;
  }

  /** The slot `slotName` of `variable`, made with every element `initial` if it does not exist. */
  protected slot(variable: Variable, slotName: string, initial: number): Variable {
    let byName = this.slots.get(variable);
    if (byName === undefined) this.slots.set(variable, (byName = new Map()));
    let s = byName.get(slotName);
    if (s === undefined) {
      const graph = variable.graph;
      const value = fill(variable.fullShape, initial, variable.dtype);
      // Named from the root, whatever scope the optimizer is built in: `w/Adam`, then `w/Adam_1`.
      s = graph.rootScope(() => graph.asDefault(() => new Variable(value, { name: `${variable.name}/${this.name}`, trainable: false })));
      byName.set(slotName, s);
    }
    return s;
  }

  /** Optimizer state that is not per variable, one per graph and dtype, made with value `initial`. */
  protected nonSlot(graph: Graph, name: string, initial: number, dtype: DType): Variable {
    let byKey = this.nonSlots.get(graph);
    if (byKey === undefined) this.nonSlots.set(graph, (byKey = new Map()));
    let v = byKey.get(`${name}:${dtype}`);
    if (v === undefined) {
      v = graph.asDefault(() => new Variable(fill([], initial, dtype), { name, trainable: false }));
      byKey.set(`${name}:${dtype}`, v);
    }
    return v;
  }

  /** The nodes of every hyper-parameter in each dtype: numbers become constants, nodes are cast. */
  private prepare(dtypes: readonly DType[], graph: Graph): Map<string, Node> {
    const out = new Map<string, Node>();
    for (const [what, value] of Object.entries(this.hyperParameters())) {
      for (const dtype of dtypes) {
        let node: Node;
        if (value instanceof Node) node = value.dtype === dtype ? value : cast(value, dtype, what);
        else node = new Constant(value, { dtype, name: what }, graph);
        out.set(`${what}:${dtype}`, node);
      }
    }
    return out;
  }

  private checkHyper(what: string, value: HyperParameter): void {
    if (value instanceof Node) {
      if (!isFloatDType(value.dtype)) {
        throw new DTypeError(`${this.name}: the ${what} ${value} must be float32 or float64, got ${value.dtype}`);
      }
      if (value.shape !== null && value.shape.length !== 0) {
        throw new ShapeError(`${this.name}: the ${what} ${value} must be a scalar, got shape ${formatShape(value.shape)}`);
      }
    } else if (typeof value !== "number") {
      throw new ValueError(`${this.name}: the ${what} must be a number or a scalar node, got ${String(value)}`);
    }
  }
}

function checkGlobalStep(step: Variable, optimizer: string): void {
  if (!(step instanceof Variable) || (step.dtype !== "int32" && !isFloatDType(step.dtype))) {
    throw new ValueError(`${optimizer}: globalStep must be a numeric Variable, got ${String(step)}`);
  }
}

/** A hyper-parameter given in an options object (a number, or a scalar float node checked when used). */
export const HYPER = is.optional(check<HyperParameter>("a number or a scalar float node", (v) => typeof v === "number" || v instanceof Node));

/**
 * The options object of an optimizer's constructor, checked: its keys (camelCase or TF1's
 * snake_case), each of the kind `params` says; `useLocking` is accepted and has no effect (a
 * session runs one step at a time).
 */
export function optimizerOptions<T>(optimizer: string, params: readonly Param[], options: unknown): T {
  const all = [...params, { name: "name", check: is.optional(is.string) }, { name: "useLocking", check: is.optional(is.boolean) }];
  return signature<T>(optimizer, all.map((p) => ({ ...p, keywordOnly: true }))).parse(options === undefined ? [] : [options]);
}

/**
 * Checks a hyper-parameter given as a number at construction (nodes are checked when they are
 * used): it must be finite and within [min, max] (`maxOpen`: below max).
 */
export function checkNumber(optimizer: string, what: string, value: HyperParameter, range: { min?: number; max?: number; maxOpen?: boolean; minOpen?: boolean } = {}): void {
  if (value instanceof Node) return;
  if (typeof value !== "number") throw new ArgumentError(optimizer, what, "a number or a scalar float node", value);
  const { min = -Infinity, max = Infinity, minOpen = false, maxOpen = false } = range;
  const ok = Number.isFinite(value) && (minOpen ? value > min : value >= min) && (maxOpen ? value < max : value <= max);
  if (!ok) {
    const lo = min === -Infinity ? "" : `${minOpen ? ">" : ">="} ${min}`;
    const hi = max === Infinity ? "" : `${maxOpen ? "<" : "<="} ${max}`;
    throw new ValueError(`${optimizer}: invalid ${what} ${value} (it must be a finite number${lo || hi ? " " : ""}${[lo, hi].filter(Boolean).join(" and ")})`);
  }
}

function fill(shape: readonly number[], value: number, dtype: DType): Tensor {
  const t = new Tensor(shape, dtype);
  t.data.fill(value);
  return t;
}
