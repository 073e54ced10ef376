/**
 * Declaring op types and building op nodes: the registry of every op type (exporters and the test
 * suite walk it), turning plain JS values into constants, and the graph an op belongs to.
 */
import { Constant, GraphNode, Node, Operation, getDefaultGraph, type Graph, type OpDef } from "../graph/index.js";
import { ArgumentError, GraphError, Tensor, TensorSlowError, ValueError, check, checkElementCount, isPlainObject, tensor, type DType, type TensorLike } from "../tensor/index.js";

/** A node, or a plain value that becomes a constant. */
export type NodeLike = Node | TensorLike;

/** The argument check of a NodeLike. */
export const isNodeLike = check<NodeLike>(
  "a node with a value, or a number, a boolean, a (nested) array of them, a typed array or a Tensor",
  (v) => v instanceof Node || v instanceof Tensor || typeof v === "number" || typeof v === "boolean" || Array.isArray(v) || ArrayBuffer.isView(v),
);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const registry = new Map<string, OpDef<any>>();

/** Registers an op type. Each TensorFlow type name may be defined once. */
export function defineOp<A>(def: OpDef<A>): OpDef<A> {
  if (registry.has(def.type)) throw new Error(`op type '${def.type}' is defined twice`);
  registry.set(def.type, def);
  return def;
}

/** Every registered op type, in definition order. */
export function registeredOps(): readonly OpDef<unknown>[] {
  return [...registry.values()];
}

export function getOpDef(type: string): OpDef<unknown> | undefined {
  return registry.get(type);
}

/** The graph of the first node among `values`, else the default graph. */
export function graphOf(values: readonly unknown[]): Graph {
  for (const v of values) if (v instanceof GraphNode) return v.graph;
  return getDefaultGraph();
}

/**
 * A node for `x`: nodes pass through (they must have a value), anything else becomes a constant of
 * `dtype` (the other operand's dtype, so that `multiply(2, x)` works for float64 `x` too).
 */
export function toNode(x: NodeLike | GraphNode, graph: Graph, dtype?: DType, argName = "input"): Node {
  if (x instanceof Node) return x;
  if (x instanceof GraphNode) {
    throw new GraphError(`${x} has no value and cannot be used as the ${argName} of an operation`);
  }
  if (x === undefined || x === null) throw new ValueError(`the ${argName} of an operation is ${String(x)}`);
  return new Constant(x, dtype !== undefined && !(x instanceof Tensor) ? { dtype } : {}, graph);
}

/** An op function's `name` argument: a string, or TF1's keyword form `{ name }` (see nodeName). */
export type NameArg = string | { name?: string };

/** The check of a `name` argument: a string, or `{ name }` (see nodeName). */
export const isNameArg = check<string | { name?: string } | undefined>("a string (the node's name) or { name }", (v) => v === undefined || typeof v === "string" || isPlainObject(v));

/**
 * The `name` argument an op function passes on: a string, or TF1's keyword form `{ name }` as the
 * trailing options object of a function whose only keyword is its name (`relu(x, { name: "r" })`).
 */
export function nodeName(type: string, name: unknown): string {
  if (name === undefined) return type;
  if (typeof name === "string") return name;
  if (isPlainObject(name)) {
    const unknown = Object.keys(name).find((k) => k !== "name");
    if (unknown !== undefined) throw new TensorSlowError(`${type}: unknown option '${unknown}' (it takes name)`);
    if (name.name === undefined || typeof name.name === "string") return name.name ?? type;
  }
  throw new ArgumentError(type, "name", "a string (the node's name) or { name }", isPlainObject(name) ? name.name : name);
}

/**
 * Builds an operation node of type `def` on `inputs`. Inputs that are plain values become
 * constants, but only once inference has accepted them: an op that fails to build adds nothing
 * to the graph.
 */
export function apply<A>(def: OpDef<A>, inputs: readonly NodeLike[], attrs: A, name?: NameArg): Operation<A> {
  const graph = graphOf(inputs);
  const opName = nodeName(def.type, name);
  for (const x of inputs) {
    if (x instanceof GraphNode && x.graph !== graph) {
      throw new GraphError(`${x} belongs to another graph and cannot be an input of '${graph.peekName(opName)}' (${def.type})`);
    }
  }
  inputs.forEach((x, i) => {
    if (!(x instanceof GraphNode) && !isNodeLike.test(x)) throw new ArgumentError(`${def.type} '${graph.peekName(opName)}'`, `input ${i}`, isNodeLike.expected, x);
  });
  const firstNode = inputs.find((v): v is Node => v instanceof Node);
  const values = inputs.map((x, i) => {
    if (x instanceof GraphNode) return toNode(x, graph);
    try {
      return toTensor(x, firstNode?.dtype, `input ${i}`);
    } catch (e) {
      // A plain value that the other operand's dtype cannot hold (0.5 for an int32 op, say).
      if (e instanceof ValueError) throw new ValueError(`${def.type} '${graph.peekName(opName)}', input ${i}: ${e.message}`);
      throw e;
    }
  });
  const specs = values.map((v) => ({ dtype: v.dtype, shape: v instanceof Node ? v.shape : [...v.shape] }));
  const spec = def.infer(specs, attrs, graph.peekName(opName));
  if (spec.shape !== null) checkElementCount(spec.shape, `${def.type} '${graph.peekName(opName)}'`);
  const nodes = values.map((v) => (v instanceof Node ? v : new Constant(v, {}, graph)));
  return new Operation(def, graph, nodes, attrs, opName, spec);
}

/** A plain value as a tensor of `dtype` (the other operand's), or its own dtype for a Tensor. */
function toTensor(x: TensorLike, dtype: DType | undefined, argName: string): Tensor {
  if (x === undefined || x === null) throw new ValueError(`the ${argName} of an operation is ${String(x)}`);
  return x instanceof Tensor || dtype === undefined ? tensor(x) : tensor(x, { dtype });
}
