/**
 * A session plan as one ONNX model: the nodes its fetches need (compile.ts's neededNodes), written
 * through the exporter's builder and tables, with
 * - fed nodes and the variables' values at the start of the run as model inputs (a variable's reads
 *   all see that value, as in the runtime's own plans);
 * - each variable's updates chained in plan order (an update starts from the variable's newest
 *   value in the run, never from a value fed for its reads, as op-step.ts composes them), and its
 *   last value a model output, which the engine swaps in as the variable's storage after the run;
 * - ops the model cannot run (no ONNX mapping, a per-run random draw, an export the op's unknown
 *   shapes refuse) computed by the session's own kernels before the model, as model inputs: this
 *   is possible when nothing they need is updated in the same run. Otherwise the plan is refused
 *   before anything runs, with an error listing every such op and why.
 * Fetched values the model does not compute (a fed value, a variable, a constant, an op computed
 * before the model) come from where they are.
 */
import { Constant, Node, Operation, Variable, type GraphNode } from "../../graph/index.js";
import { neededNodes } from "../../runtime/compile.js";
import { IR_VERSION, valueInfoProto } from "../../io/onnx/export.js";
import { OnnxGraphBuilder } from "../../io/onnx/builder.js";
import { ONNX_OPSET } from "../../io/onnx/ops.js";
import type { ModelProto } from "../../io/onnx/proto.js";
import { ExportError } from "../../io/export/errors.js";
import { GraphError, type Tensor } from "../../tensor/index.js";
import { engineEntry } from "./decisions.js";

/** Where a model input's value comes from at each run. */
export type InputSource =
  | { readonly kind: "feed"; readonly node: Node }
  | { readonly kind: "variable"; readonly variable: Variable }
  | { readonly kind: "before"; readonly index: number };

/** Where a fetched value comes from. */
export type FetchSource =
  | { readonly kind: "output"; readonly name: string }
  | { readonly kind: "feed"; readonly node: Node }
  | { readonly kind: "variable"; readonly variable: Variable }
  | { readonly kind: "before"; readonly index: number }
  | { readonly kind: "constant"; readonly value: Tensor }
  | { readonly kind: "none" };

export interface PlanModel {
  /** The model, or null when the plan computes nothing in it (it only reads values). */
  readonly proto: ModelProto | null;
  readonly inputs: readonly { readonly name: string; readonly source: InputSource }[];
  /** The model's outputs, each once. */
  readonly outputs: readonly string[];
  /** Each variable the run updates, with the output holding its last value. */
  readonly updates: readonly { readonly variable: Variable; readonly output: string }[];
  readonly fetches: readonly FetchSource[];
  /** The ops the session computes before the model runs (their values are model inputs). */
  readonly before: readonly Operation[];
}

/** An op the model does not run, and why. */
interface Unmapped {
  readonly op: Operation;
  readonly why: string;
}

/**
 * The model for these fetches and fed nodes (synchronous; the engine encodes it). With `bake`, the
 * variables' values are the model's initializers instead of inputs (for a plan that updates none:
 * ONNX Runtime prepares constant weights once, e.g. pre-packs a MatMul's, where it must prepare an
 * input's at every run); the engine bakes them only while they do not change.
 */
export function planModel(fetches: readonly GraphNode[], fed: ReadonlySet<Node>, bake?: (v: Variable) => Tensor): PlanModel {
  const unmapped = new Map<Operation, string>();
  // Each round moves the ops found unmapped before the model and tries again; an op only ever
  // joins the set, so this ends.
  for (;;) {
    const before = [...unmapped.keys()];
    const order = neededNodes(fetches, new Set<Node>([...fed, ...before]));
    const found = order.filter((n): n is Operation => n instanceof Operation && !fed.has(n) && !unmapped.has(n) && typeof engineEntry(n.type) !== "function");
    for (const op of found) unmapped.set(op, whyUnmapped(op));
    if (found.length > 0) continue;
    refuseUnmovable([...unmapped].map(([op, why]) => ({ op, why })), fed);
    try {
      return build(fetches, fed, order, before, bake);
    } catch (e) {
      if (!(e instanceof EmitError)) throw e;
      unmapped.set(e.op, e.message);
    }
  }
}

function whyUnmapped(op: Operation): string {
  const entry = engineEntry(op.type);
  return entry === undefined ? "it has no ONNX mapping yet" : typeof entry === "function" ? "" : entry.notExported;
}

/** Refuses the plan when an unmapped op cannot run before the model, listing every such op. */
function refuseUnmovable(unmapped: readonly Unmapped[], fed: ReadonlySet<Node>): void {
  const stuck = unmapped.flatMap(({ op, why }) => {
    const update = updateAmongInputs(op, fed);
    return update === undefined ? [] : [`'${op.name}' (${op.type}): ${why}; and it cannot run before the model since it needs ${update === op ? "to update a variable" : `the update '${update.name}'`}`];
  });
  if (stuck.length === 0) return;
  throw new GraphError(
    `the onnxruntime engine cannot run this plan: ${stuck.length} op${stuck.length === 1 ? "" : "s"} ha${stuck.length === 1 ? "s" : "ve"} no place in its model:\n  ${stuck.join("\n  ")}\n` +
      `Run the plan on the default engine, or change these ops (ts.engineSupport("onnxruntime") lists the engine's decision for every op type).`,
  );
}

/** An update op that `op` is or needs within this run, if any. */
function updateAmongInputs(op: Operation, fed: ReadonlySet<Node>): Operation | undefined {
  const seen = new Set<GraphNode>();
  const stack: GraphNode[] = [op];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n) || (n instanceof Node && fed.has(n))) continue;
    seen.add(n);
    if (n instanceof Operation && n.def.writesVariable !== undefined) return n;
    stack.push(...n.inputs, ...n.controlInputs);
  }
  return undefined;
}

/** An op whose entry refused it (an ExportError): it moves before the model. */
class EmitError extends Error {
  constructor(
    readonly op: Operation,
    message: string,
  ) {
    super(message);
  }
}

function build(fetches: readonly GraphNode[], fed: ReadonlySet<Node>, order: readonly GraphNode[], before: readonly Operation[], bake: ((v: Variable) => Tensor) | undefined): PlanModel {
  const graph = order[0]?.graph ?? fetches[0]!.graph;
  const builder = new OnnxGraphBuilder(graph);
  const beforeIndex = new Map<Node, number>(before.map((op, i) => [op, i]));
  const inputs: { name: string; source: InputSource }[] = [];
  const inputInfo: Parameters<typeof valueInfoProto>[0][] = [];
  const addInput = (name: string, node: Node, source: InputSource): string => {
    inputs.push({ name: builder.names.reserve(name), source });
    inputInfo.push({ name, dtype: node.dtype, shape: node.shape === null ? null : [...node.shape] });
    return name;
  };
  /** Per variable: the name of its newest value in the run. */
  const state = new Map<Variable, string>();
  const updated: Variable[] = [];
  for (const node of order) {
    if (!(node instanceof Node)) continue;
    if (fed.has(node)) addInput(node.name, node, { kind: "feed", node });
    else if (beforeIndex.has(node)) addInput(node.name, node, { kind: "before", index: beforeIndex.get(node)! });
    else if (node instanceof Variable && bake !== undefined) builder.addInitializer(builder.names.reserve(node.name), bake(node));
    else if (node instanceof Variable) state.set(node, addInput(node.name, node, { kind: "variable", variable: node }));
    else if (node instanceof Constant) builder.addInitializer(builder.names.reserve(node.name), node.value);
    else if (node instanceof Operation) {
      const w = node.def.writesVariable;
      const names = node.inputs.map((x) => x.name);
      if (w !== undefined) {
        const v = node.inputs[w] as Variable;
        // A variable fed for its reads is still updated from its stored value.
        let current = state.get(v);
        if (current === undefined) current = addInput(builder.names.fresh(`${v.name}/stored`), v, { kind: "variable", variable: v });
        names[w] = current;
      }
      builder.names.reserve(node.name);
      const entry = engineEntry(node.type) as Parameters<OnnxGraphBuilder["emit"]>[1];
      try {
        builder.emit(node, entry, names);
      } catch (e) {
        if (e instanceof ExportError) throw new EmitError(node, e.message);
        throw e;
      }
      if (w !== undefined) {
        const v = node.inputs[w] as Variable;
        if (!updated.includes(v)) updated.push(v);
        state.set(v, node.name);
      }
    }
  }
  const updates = updated.map((variable) => ({ variable, output: state.get(variable)! }));
  const outputs: string[] = [];
  const outputInfo: Parameters<typeof valueInfoProto>[0][] = [];
  const addOutput = (name: string, node: Node): void => {
    if (outputs.includes(name)) return;
    outputs.push(name);
    outputInfo.push({ name, dtype: node.dtype, shape: node.shape === null ? null : [...node.shape] });
  };
  for (const { variable, output } of updates) addOutput(output, variable);
  const fetchSources = fetches.map((f): FetchSource => {
    if (!(f instanceof Node)) return { kind: "none" };
    if (fed.has(f)) return { kind: "feed", node: f };
    if (beforeIndex.has(f)) return { kind: "before", index: beforeIndex.get(f)! };
    if (f instanceof Variable) return { kind: "variable", variable: f };
    if (f instanceof Constant) return { kind: "constant", value: f.value };
    addOutput(f.name, f);
    return { kind: "output", name: f.name };
  });
  const proto: ModelProto | null =
    outputs.length === 0
      ? null
      : {
          irVersion: IR_VERSION,
          opsetImport: [{ domain: "", version: ONNX_OPSET }],
          producerName: "tensorslow",
          producerVersion: "",
          docString: "",
          graph: {
            name: "tensorslow-plan",
            docString: "A TensorSlow session plan, run by the onnxruntime engine.",
            node: builder.nodes,
            initializer: builder.initializers,
            input: inputInfo.map(valueInfoProto),
            output: outputInfo.map(valueInfoProto),
          },
        };
  return { proto, inputs: proto === null ? [] : inputs, outputs, updates, fetches: fetchSources, before };
}
