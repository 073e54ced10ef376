/**
 * The nodes of a graph. A `Node` has a value (TensorFlow's Tensor): placeholders, variables,
 * constants and operations. A `Group` has none: it only makes its inputs run (`tf.group`,
 * `minimize`, the variable initializer). Every node knows its inputs and its consumers, and has a
 * unique name, a dtype and a shape inferred when it is built.
 */
import {
  DEFAULT_DTYPE,
  DTypeError,
  GraphError,
  ShapeError,
  Tensor,
  isDType,
  tensor,
  type DType,
  type StaticShape,
  type TensorLike,
} from "../tensor/index.js";
import { getDefaultGraph, type Graph } from "./graph.js";
import type { OpDef, TensorSpec } from "./op-def.js";

export abstract class GraphNode {
  readonly graph: Graph;
  readonly name: string;
  /** The TensorFlow op type: "Placeholder", "VariableV2", "Const", "MatMul", "NoOp", ... */
  readonly type: string;
  readonly inputs: readonly Node[];
  /** Nodes that must run before this one although no value flows (a Group's members). */
  readonly controlInputs: readonly GraphNode[];
  /** The nodes that take this one as an input or a control input, in the order they were built. */
  readonly consumers: GraphNode[] = [];
  /** Position in the graph's creation order: a topological order of the whole graph. */
  readonly id: number;
  abstract readonly hasOutput: boolean;

  protected constructor(graph: Graph, type: string, name: string, inputs: Node[], controlInputs: GraphNode[] = []) {
    for (const n of [...inputs, ...controlInputs]) {
      if (n.graph !== graph) {
        throw new GraphError(`'${n.name}' belongs to another graph and cannot be an input of '${name}' (${type})`);
      }
    }
    this.graph = graph;
    this.type = type;
    this.name = name;
    this.inputs = Object.freeze([...inputs]);
    this.controlInputs = Object.freeze([...controlInputs]);
    this.id = graph.addNode(this);
    for (const n of new Set([...inputs, ...controlInputs])) n.consumers.push(this);
  }

  toString(): string {
    return `'${this.name}' (${this.type})`;
  }
}

/** A node with a value: it has a dtype and a (possibly partly unknown) static shape. */
export abstract class Node extends GraphNode {
  readonly hasOutput = true as const;
  readonly dtype: DType;
  readonly shape: StaticShape;

  protected constructor(
    graph: Graph,
    type: string,
    name: string,
    spec: TensorSpec,
    inputs: Node[] = [],
    controlInputs: GraphNode[] = [],
  ) {
    super(graph, type, name, inputs, controlInputs);
    this.dtype = spec.dtype;
    this.shape = spec.shape === null ? null : Object.freeze([...spec.shape]) as StaticShape;
  }

  /** The rank when it is known. */
  get rank(): number | null {
    return this.shape === null ? null : this.shape.length;
  }
}

export type ShapeLike = readonly (number | null | undefined)[];

function staticShape(shape: ShapeLike | null | undefined, what: string): StaticShape {
  if (shape === undefined || shape === null) return null;
  return shape.map((d) => {
    if (d === null || d === undefined || d === -1) return null;
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${what}: invalid dimension ${d} in shape [${shape.join(",")}]`);
    return d;
  });
}

export interface PlaceholderOptions {
  dtype?: DType;
  shape?: ShapeLike | null;
  name?: string;
}

/** A value given at run time through the feed dict. */
export class Placeholder extends Node {
  constructor(options: PlaceholderOptions = {}) {
    const graph = getDefaultGraph();
    const dtype = options.dtype ?? DEFAULT_DTYPE;
    if (!isDType(dtype)) throw new DTypeError(`placeholder: unknown dtype ${JSON.stringify(dtype)}`);
    const shape = staticShape(options.shape, `placeholder '${graph.peekName(options.name ?? "Placeholder")}'`);
    super(graph, "Placeholder", graph.uniqueName(options.name ?? "Placeholder"), { dtype, shape });
  }
}

/**
 * `placeholder({ dtype, shape, name })`, or TensorFlow's positional `placeholder(dtype, shape, name)`.
 * With no arguments (the tutorial's form) it takes float32 values of any shape.
 */
export function placeholder(options?: PlaceholderOptions): Placeholder;
export function placeholder(dtype: DType, shape?: ShapeLike | null, name?: string): Placeholder;
export function placeholder(a?: PlaceholderOptions | DType, shape?: ShapeLike | null, name?: string): Placeholder {
  if (typeof a === "string") {
    const options: PlaceholderOptions = { dtype: a, shape };
    if (name !== undefined) options.name = name;
    return new Placeholder(options);
  }
  return new Placeholder(a);
}

export interface VariableOptions {
  name?: string;
  trainable?: boolean;
  dtype?: DType;
}

/**
 * A value that persists across runs of a session and that optimizers change. Each session holds its
 * own value, starting from `initialValue`.
 */
export class Variable extends Node {
  readonly initialValue: Tensor;
  readonly trainable: boolean;

  constructor(initialValue: TensorLike, options: VariableOptions = {}) {
    const graph = getDefaultGraph();
    const value = options.dtype !== undefined ? tensor(initialValue, { dtype: options.dtype }) : tensor(initialValue);
    const name = graph.uniqueName(options.name ?? "Variable");
    super(graph, "VariableV2", name, { dtype: value.dtype, shape: [...value.shape] });
    // A private copy: later changes to the caller's array must not change the initial value.
    this.initialValue = ownStorage(value, initialValue);
    this.trainable = options.trainable ?? true;
    graph.addVariable(this);
  }
}

/**
 * `t`, copied when it shares storage with the caller's `source`: `tensor()` wraps a Tensor or a
 * typed array of the right dtype without copying, and a node's value must not follow later
 * changes to the caller's array.
 */
function ownStorage(t: Tensor, source: TensorLike): Tensor {
  const shared = source instanceof Tensor ? t.data === source.data : ArrayBuffer.isView(source) && t.data === source;
  return shared ? t.clone() : t;
}

export interface ConstantOptions {
  dtype?: DType;
  shape?: readonly number[];
  name?: string;
}

/** A fixed value stored in the graph. */
export class Constant extends Node {
  readonly value: Tensor;

  constructor(value: TensorLike, options: ConstantOptions = {}, graph: Graph = getDefaultGraph()) {
    const t = tensor(value, options);
    super(graph, "Const", graph.uniqueName(options.name ?? "Const"), { dtype: t.dtype, shape: [...t.shape] });
    // A constant is fixed: it must not follow later changes to the caller's Tensor or typed array.
    this.value = ownStorage(t, value);
  }
}

export function constant(value: TensorLike, options: ConstantOptions = {}): Constant {
  return new Constant(value, options);
}

/** An instance of an op type: inputs, attributes, and the output inferred from them. */
export class Operation<A = unknown> extends Node {
  readonly def: OpDef<A>;
  readonly attrs: A;

  /** `spec` is the output inferred beforehand (by `apply`); without it, inference runs here. */
  constructor(def: OpDef<A>, graph: Graph, inputs: Node[], attrs: A, name: string, spec?: TensorSpec) {
    // Inference runs before the name is taken, so a failed op leaves the graph as it was.
    spec ??= def.infer(
      inputs.map((n) => ({ dtype: n.dtype, shape: n.shape })),
      attrs,
      graph.peekName(name),
    );
    super(graph, def.type, graph.uniqueName(name), spec, inputs);
    this.def = def;
    this.attrs = Object.freeze(attrs);
  }
}

/** A node without a value that runs all its inputs: `group(...)`, `minimize(...)`. */
export class Group extends GraphNode {
  readonly hasOutput = false as const;

  constructor(graph: Graph, members: GraphNode[], name: string) {
    // Checked before the name is taken: a group that fails to build leaves its name free.
    for (const m of members) {
      if (m.graph !== graph) {
        throw new GraphError(`'${m.name}' belongs to another graph and cannot be an input of '${graph.peekName(name)}' (NoOp)`);
      }
    }
    super(graph, "NoOp", graph.uniqueName(name), [], members);
  }
}
