/**
 * What both exporters write: the part of a graph between the given inputs and outputs, with the
 * values its variables and constants hold. Variables take the session's current values (or, for a
 * bare Graph, their initial values); constants their own.
 */
import { Constant, Graph, GraphNode, Node, Operation, Placeholder, Variable } from "../../graph/index.js";
import { Session } from "../../runtime/session.js";
import { Tensor, formatShape } from "../../tensor/index.js";
import { ExportError } from "./errors.js";

export interface ExportSelection {
  /**
   * The graph inputs, in order: usually placeholders, but any node may be cut off here (its
   * producers are then not exported). Nodes or node names.
   */
  inputs: readonly (Node | string)[];
  /** The graph outputs, in order: nodes with a value, or their names. */
  outputs: readonly (Node | string)[];
}

export interface InferenceSubgraph {
  graph: Graph;
  inputs: Node[];
  outputs: Node[];
  /** The variables and constants the outputs read, with the values they export as. */
  values: Map<Node, Tensor>;
  /** The operations to export, in a topological order (the graph's creation order). */
  ops: Operation[];
  /** Whether variables hold a session's values (true) or their initial values (false). */
  fromSession: boolean;
}

/**
 * The op's inputs an inference graph needs. Every input, except where the op reads one only in
 * training (the `training` switch of a dropout mask).
 */
export type InputsUsed = (op: Operation) => readonly number[];

/**
 * Walks back from the outputs to the inputs; `what` names the exporter in messages. `effects` are
 * nodes run for what they do (a train op, update ops, groups): with them, control inputs are
 * followed too, as a session run follows them, and the outputs may be empty.
 */
export function collectSubgraph(source: Graph | Session, selection: ExportSelection, what: string, inputsUsed: InputsUsed, effects: readonly (GraphNode | string)[] = []): InferenceSubgraph {
  const session = source instanceof Session ? source : null;
  if (session === null && !(source instanceof Graph)) {
    throw new ExportError(`${what}: the first argument must be a Graph or a Session, got ${String(source)}`);
  }
  const graph = session?.graph ?? (source as Graph);
  if (selection === null || typeof selection !== "object" || !Array.isArray(selection.inputs) || !Array.isArray(selection.outputs)) {
    throw new ExportError(`${what}: give { inputs, outputs }, each an array of nodes or node names`);
  }
  const inputs = selection.inputs.map((x) => resolve(graph, x, what, "input"));
  const outputs = selection.outputs.map((x) => resolve(graph, x, what, "output"));
  const effectNodes = effects.map((x) => resolveGraphNode(graph, x, what, "update"));
  if (outputs.length === 0 && effectNodes.length === 0) throw new ExportError(`${what}: no outputs given`);
  for (const [list, kind] of [[inputs, "input"], [outputs, "output"]] as const) {
    const seen = new Set<Node>();
    for (const n of list) {
      if (seen.has(n)) throw new ExportError(`${what}: ${n} is given twice as an ${kind}`);
      seen.add(n);
    }
  }

  const inputSet = new Set(inputs);
  // The output that first reached each node: a missing input is reported with what needs it.
  const reachedFrom = new Map<GraphNode, GraphNode>();
  const followControl = effectNodes.length > 0;
  for (const out of [...outputs, ...effectNodes]) {
    const stack: GraphNode[] = [out];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (reachedFrom.has(n)) continue;
      reachedFrom.set(n, out);
      if (n instanceof Node && inputSet.has(n)) continue;
      if (followControl) stack.push(...n.controlInputs);
      if (n instanceof Placeholder) {
        throw new ExportError(
          `${what}: the output ${out} needs the placeholder ${n} (${n.dtype} ${formatShape(n.shape)}), which is not among the inputs ` +
            `[${inputs.map((i) => `'${i.name}'`).join(", ")}]; add it to inputs`,
        );
      }
      if (n instanceof Operation) for (const i of inputsUsed(n)) stack.push(n.inputs[i]!);
    }
  }

  // Nodes without a value (groups) only make their members needed.
  const reached = [...reachedFrom.keys()].filter((n): n is Node => n instanceof Node && !inputSet.has(n)).sort((a, b) => a.id - b.id);
  const variables = reached.filter((n): n is Variable => n instanceof Variable);
  const values = new Map<Node, Tensor>();
  // readVariable, not run: it answers on every engine (an asynchronous one refuses run).
  const current = session !== null && variables.length > 0 ? variables.map((v) => session.readVariable(v)) : null;
  variables.forEach((v, i) => {
    const value = current?.[i] ?? v.initialValue;
    if (!(value instanceof Tensor)) {
      throw new ExportError(`${what}: ${v} is initialized by the node ${value}, whose value only a session has: export from a session`);
    }
    values.set(v, value);
  });
  for (const n of reached) if (n instanceof Constant) values.set(n, n.value);
  const ops = reached.filter((n): n is Operation => n instanceof Operation);
  for (const n of reached) {
    if (!(n instanceof Operation || n instanceof Variable || n instanceof Constant)) {
      throw new ExportError(`${what}: cannot export ${n}: it is neither an operation, a variable nor a constant`);
    }
  }
  return { graph, inputs, outputs, values, ops, fromSession: session !== null };
}

function resolve(graph: Graph, x: Node | string, what: string, kind: string): Node {
  const node = resolveGraphNode(graph, x, what, kind);
  if (!(node instanceof Node)) throw new ExportError(`${what}: the ${kind} ${node} has no value (it only groups other nodes) and cannot be exported`);
  return node;
}

/** A node of `graph` given as a node or a name (a group too); `kind` says what it was given as. */
export function resolveGraphNode(graph: Graph, x: GraphNode | string, what: string, kind: string): GraphNode {
  const node = typeof x === "string" ? (graph.hasNode(x) ? graph.getNodeByName(x) : undefined) : x;
  if (node === undefined) throw new ExportError(`${what}: the graph has no node named '${x as string}' (given as an ${kind})`);
  if (!(node instanceof GraphNode)) throw new ExportError(`${what}: each ${kind} must be a node or a node name, got ${String(x)}`);
  if (node.graph !== graph) throw new ExportError(`${what}: the ${kind} ${node} belongs to another graph than the one exported`);
  return node;
}

/** Every input of an op: what most ops use in inference. */
export const allInputs: InputsUsed = (op) => op.inputs.map((_, i) => i);
