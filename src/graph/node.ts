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
  check,
  checkElementCount,
  formatShape,
  is,
  isDTypeArg,
  isFullyKnown,
  requireArg,
  signature,
  sizeOf,
  storageDType,
  tensor,
  type DType,
  type DTypeLike,
  type StaticShape,
  type TensorLike,
} from "../tensor/index.js";
import { getDefaultGraph, type Graph } from "./graph.js";
import { TensorShape } from "./tensor-shape.js";
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

  /** The static shape as TensorFlow's TensorShape: `x.getShape().asList()` is `[null, 784]`, say. */
  getShape(): TensorShape {
    return new TensorShape(this.shape);
  }

  /** TensorFlow's `get_shape()`. */
  get_shape(): TensorShape {
    return this.getShape();
  }
}

export type ShapeLike = readonly (number | null | undefined)[];

function staticShape(shape: ShapeLike | number | null | undefined, what: string): StaticShape {
  if (shape === undefined || shape === null) return null;
  // TensorFlow takes an integer as a rank-1 shape (`placeholder(tf.float32, 784)`).
  const dims = typeof shape === "number" ? [shape] : shape;
  const out = dims.map((d) => {
    if (d === null || d === undefined || d === -1) return null;
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${what}: invalid dimension ${d} in shape [${dims.join(",")}]`);
    return d;
  });
  checkElementCount(out, what);
  return out;
}

export interface PlaceholderOptions {
  dtype?: DTypeLike;
  shape?: ShapeLike | number | null;
  name?: string;
}

/** A value given at run time through the feed dict. */
export class Placeholder extends Node {
  constructor(options: PlaceholderOptions = {}) {
    const graph = getDefaultGraph();
    const dtype = options.dtype ?? DEFAULT_DTYPE;
    requireArg("placeholder", "dtype", dtype, isDTypeArg);
    const shape = staticShape(options.shape, `placeholder '${graph.peekName(options.name ?? "Placeholder")}'`);
    super(graph, "Placeholder", graph.uniqueName(options.name ?? "Placeholder"), { dtype: storageDType(dtype), shape });
  }
}

const PLACEHOLDER = signature<PlaceholderOptions>("placeholder", [
  { name: "dtype", check: is.optional(isDTypeArg) },
  { name: "shape", check: is.optional(is.either(is.staticShape, check("null (any shape)", (v) => v === null))) },
  { name: "name", check: is.optional(is.string) },
]);

/**
 * TensorFlow's `placeholder(dtype, shape?, name?)`, or `placeholder({ dtype, shape, name })`. With
 * no arguments (the tutorial's form) it takes float32 values of any shape.
 */
export function placeholder(options?: PlaceholderOptions): Placeholder;
export function placeholder(dtype: DTypeLike, shape?: ShapeLike | number | null, name?: string): Placeholder;
export function placeholder(...args: unknown[]): Placeholder {
  const { dtype, shape, name } = PLACEHOLDER.parse(args);
  const options: PlaceholderOptions = { shape };
  if (dtype !== undefined) options.dtype = dtype;
  if (name !== undefined) options.name = name;
  return new Placeholder(options);
}

export interface VariableOptions {
  name?: string;
  trainable?: boolean;
  dtype?: DTypeLike;
}

const VARIABLE = signature<{ initialValue: TensorLike | Node; trainable?: boolean; name?: string; dtype?: DTypeLike }>("Variable", [
  {
    name: "initialValue",
    check: check("a value (a number, a nested array, a typed array, a Tensor) or a node with a value", (v) =>
      v instanceof Node || v instanceof Tensor || typeof v === "number" || typeof v === "boolean" || Array.isArray(v) || ArrayBuffer.isView(v)),
  },
  { name: "trainable", check: is.optional(is.boolean) },
  { name: "name", check: is.optional(is.string), keywordOnly: true },
  { name: "dtype", check: is.optional(isDTypeArg), keywordOnly: true },
]);

/**
 * A value that persists across runs of a session and that optimizers change. Each session holds its
 * own value, starting from `initialValue`: a value, or (as TensorFlow's `Variable(tf.random_normal(...))`)
 * a node of the graph, evaluated by the variables' initializer at each of its runs — and, since a
 * session gives every variable its initial value the first time it reads it, then too.
 */
export class Variable extends Node {
  /** The initial value, or the node whose value it is (a Constant given becomes its value). */
  readonly initialValue: Tensor | Node;
  readonly trainable: boolean;

  constructor(initialValue: TensorLike | Node, options?: VariableOptions);
  constructor(initialValue: TensorLike | Node, trainable?: boolean, options?: VariableOptions);
  constructor(...args: unknown[]) {
    const { initialValue, trainable, name: given, dtype: dtypeName } = VARIABLE.parse(args);
    const graph = getDefaultGraph();
    const dtype = dtypeName === undefined ? undefined : storageDType(dtypeName);
    const name = given ?? "Variable";
    let value: Tensor | Node;
    if (initialValue instanceof Constant) {
      value = dtype === undefined ? initialValue.value : tensor(initialValue.value, { dtype });
    } else if (initialValue instanceof Node) {
      if (initialValue.graph !== graph) {
        throw new GraphError(`Variable '${graph.peekName(name)}': its initial value ${initialValue} belongs to another graph than the default one`);
      }
      if (!isFullyKnown(initialValue.shape)) {
        throw new ShapeError(`Variable '${graph.peekName(name)}': the initial value ${initialValue} must have a fully known shape, got ${formatShape(initialValue.shape)}`);
      }
      if (dtype !== undefined && dtype !== initialValue.dtype) {
        throw new DTypeError(`Variable '${graph.peekName(name)}': the initial value ${initialValue} is ${initialValue.dtype}, but dtype ${dtypeName} was asked for (cast it first)`);
      }
      value = initialValue;
    } else {
      value = dtypeName !== undefined ? tensor(initialValue, { dtype: dtypeName }) : tensor(initialValue);
    }
    super(graph, "VariableV2", graph.uniqueName(name), { dtype: value.dtype, shape: [...(value.shape as readonly number[])] });
    // A private copy: later changes to the caller's array must not change the initial value.
    this.initialValue = value instanceof Tensor ? ownStorage(value, initialValue instanceof Constant ? value : (initialValue as TensorLike)) : value;
    this.trainable = trainable ?? true;
    graph.addVariable(this);
  }

  /** The shape, which a variable always knows. */
  get fullShape(): readonly number[] {
    return this.shape as readonly number[];
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
  dtype?: DTypeLike;
  shape?: readonly number[];
  name?: string;
}

/** A fixed value stored in the graph. */
export class Constant extends Node {
  readonly value: Tensor;

  constructor(value: TensorLike, options: ConstantOptions = {}, graph: Graph = getDefaultGraph()) {
    const t = constantValue(value, options);
    super(graph, "Const", graph.uniqueName(options.name ?? "Const"), { dtype: t.dtype, shape: [...t.shape] });
    // A constant is fixed: it must not follow later changes to the caller's Tensor or typed array.
    this.value = ownStorage(t, value);
  }
}

/** The value of a constant: a single number with a shape fills it, as TensorFlow's `constant(0.1, shape=[2, 3])`. */
function constantValue(value: TensorLike, options: ConstantOptions): Tensor {
  const { shape, dtype } = options;
  const scalarValue = typeof value === "number" || typeof value === "boolean" || (Array.isArray(value) && value.length === 1 && typeof value[0] !== "object");
  if (shape !== undefined && scalarValue && sizeOf(shape) !== 1) {
    const one = tensor(Array.isArray(value) ? value[0] as number : value, dtype === undefined ? {} : { dtype });
    const out = new Tensor(shape, one.dtype);
    out.data.fill(one.data[0]!);
    return out;
  }
  const o: { dtype?: DTypeLike; shape?: readonly number[] } = {};
  if (dtype !== undefined) o.dtype = dtype;
  if (shape !== undefined) o.shape = shape;
  return tensor(value, o);
}

const CONSTANT = signature<{ value: TensorLike; dtype?: DTypeLike; shape?: readonly number[]; name?: string }>("constant", [
  { name: "value", check: check("a number, a boolean, a (nested) array of them, a typed array or a Tensor", (v) => v instanceof Tensor || typeof v === "number" || typeof v === "boolean" || Array.isArray(v) || ArrayBuffer.isView(v)) },
  { name: "dtype", check: is.optional(isDTypeArg) },
  { name: "shape", check: is.optional(is.shape) },
  { name: "name", check: is.optional(is.string) },
]);

/**
 * TensorFlow's `constant(value, dtype?, shape?, name?)`, each also by name in a trailing options
 * object: `constant(0.1, "float32", [2, 3])` or `constant(0.1, { shape: [2, 3] })`.
 */
export function constant(value: TensorLike, options?: ConstantOptions): Constant;
export function constant(value: TensorLike, dtype?: DTypeLike, shape?: readonly number[], name?: string): Constant;
export function constant(...args: unknown[]): Constant {
  const { value, dtype, shape, name } = CONSTANT.parse(args);
  const options: ConstantOptions = {};
  if (dtype !== undefined) options.dtype = dtype;
  if (shape !== undefined) options.shape = shape;
  if (name !== undefined) options.name = name;
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
