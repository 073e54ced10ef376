/**
 * `io.exportOnnx`: the inference part of a graph as an ONNX model (opset 17), with the variables'
 * values as initializers, for onnxruntime and every other ONNX runtime; or one training step, with
 * the variables as inputs and their new values as outputs.
 */
import { Variable, type Graph, type GraphNode, type Node } from "../../graph/index.js";
import type { Session } from "../../runtime/session.js";
import type { DType, Tensor } from "../../tensor/index.js";
import { ExportError } from "../export/errors.js";
import { emitterFor, inferenceInputs } from "../export/inference.js";
import { allInputs, collectSubgraph, type ExportSelection, type InferenceSubgraph } from "../export/subgraph.js";
import { writeFileAtomic } from "../files.js";
import { ONNX_FILE } from "../export/write.js";
import { OnnxGraphBuilder, onnxDtype } from "./builder.js";
import { ONNX_OPS, ONNX_OPSET } from "./ops.js";
import { encodeModel, type DimensionProto, type ModelProto, type ValueInfoProto } from "./proto.js";

/** ONNX IR version 8 is the one that goes with opset 17 (ONNX 1.12). */
export const IR_VERSION = 8;

export interface OnnxExportOptions extends ExportSelection {
  /** Also write the model to this file (atomically: a failed write leaves any old file as it was). */
  path?: string;
  /**
   * The symbolic name of an unknown dimension of an input. By default "N" for the first axis (the
   * batch, which the inputs of one model share) and `<input>_dim<axis>` for the others.
   */
  dimName?: (input: string, axis: number) => string;
  /** The model's doc_string. */
  docString?: string;
  /**
   * Nodes run for their effect: a train op (what `minimize` returns), update ops, or groups of them.
   * The model is then one training step, as one session run: every read of a variable sees its value
   * at the start of the step, several updates of one variable compose in graph order, and each
   * updated variable's new value is an output (see OnnxModel.variables). `outputs` may be empty.
   */
  updates?: readonly (GraphNode | string)[];
  /**
   * "constants" (the default without updates): the variables are initializers. "inputs" (the
   * default, and the only choice, with updates): each variable the model reads is a graph input of
   * its name, which the caller feeds (OnnxModel.variables gives the exported values to start
   * from). They are not also initializers: onnxruntime's JavaScript API never feeds an input that
   * has one (its inputNames leave such inputs out), so the default would silently win.
   */
  variables?: "constants" | "inputs";
}

/** A variable of a model whose variables are inputs: its input, and the output of its new value when the model updates it. */
export interface OnnxVariableInfo {
  /** The variable's node name, which is also its input's name. */
  name: string;
  dtype: DType;
  shape: number[];
  input: string;
  output: string | null;
  /** The value exported for it (the session's current value, or from a Graph the initial value): the first step's input. */
  value: Tensor;
}

/** A graph input or output of the exported model: a dimension is a number or a symbolic name, or null when unknown. */
export interface OnnxValueInfo {
  name: string;
  dtype: DType;
  shape: (number | string | null)[] | null;
}

export interface OnnxModel {
  /** The model file's bytes (an ONNX ModelProto). */
  bytes: Uint8Array;
  opset: number;
  inputs: OnnxValueInfo[];
  /**
   * The output names are the output nodes' names (an output that is also an input or a variable
   * gets a new name); then, in a training step, the updated variables' new values.
   */
  outputs: OnnxValueInfo[];
  /** With variables as inputs, each of them (in graph order); empty when they are constants. */
  variables: OnnxVariableInfo[];
}

const defaultDimName = (input: string, axis: number): string => (axis === 0 ? "N" : `${input}_dim${axis}`);

export function valueInfoProto(info: OnnxValueInfo): ValueInfoProto {
  const tensorType: ValueInfoProto["type"]["tensorType"] = { elemType: onnxDtype(info.dtype) };
  if (info.shape !== null) {
    tensorType.shape = {
      dim: info.shape.map((d): DimensionProto => (typeof d === "number" ? { dimValue: d } : d === null ? {} : { dimParam: d })),
    };
  }
  return { name: info.name, type: { tensorType } };
}

type BuildOptions = Pick<OnnxExportOptions, "dimName" | "docString" | "variables">;

interface BuiltModel {
  proto: ModelProto;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  variables: OnnxVariableInfo[];
}

/** Builds the ModelProto of a collected subgraph (synchronous; encoding is separate). */
export function buildOnnxModel(sub: InferenceSubgraph, options: BuildOptions = {}): BuiltModel {
  const builder = new OnnxGraphBuilder(sub.graph);
  const dimName = options.dimName ?? defaultDimName;
  const asInputs = options.variables === "inputs";
  const inputs: OnnxValueInfo[] = sub.inputs.map((n) => ({
    name: builder.names.reserve(n.name),
    dtype: n.dtype,
    shape: n.shape === null ? null : n.shape.map((d, axis) => d ?? dimName(n.name, axis)),
  }));
  const variables: OnnxVariableInfo[] = [];
  for (const [node, value] of sub.values) {
    builder.names.reserve(node.name);
    if (asInputs && node instanceof Variable) {
      variables.push({ name: node.name, dtype: value.dtype, shape: [...value.shape], input: node.name, output: null, value });
      inputs.push({ name: node.name, dtype: value.dtype, shape: [...value.shape] });
      continue;
    }
    builder.addInitializer(node.name, value);
  }
  // An update reads its variable's newest value in the step: the start value, or an earlier update's.
  const newest = new Map<Node, string>();
  for (const op of sub.ops) {
    builder.names.reserve(op.name);
    const w = op.def.writesVariable;
    const variable = w === undefined ? undefined : op.inputs[w]!;
    const inputNames = variable === undefined || !newest.has(variable) ? undefined : op.inputs.map((n, i) => (i === w ? newest.get(variable)! : n.name));
    builder.emit(op, emitterFor(ONNX_OPS, op, "ONNX"), inputNames);
    if (variable !== undefined) newest.set(variable, op.name);
  }
  // A graph output must be produced by a node: an input or an initializer passes through Identity.
  const produced = new Set(sub.ops as readonly Node[]);
  const outputs: OnnxValueInfo[] = sub.outputs.map((n) => {
    let name = n.name;
    if (!produced.has(n)) {
      name = builder.names.fresh(`${n.name}_output`);
      builder.addNode("Identity", name, [n.name], [name]);
    }
    return { name, dtype: n.dtype, shape: n.shape === null ? null : [...n.shape] };
  });
  for (const v of variables) {
    const value = newest.get(sub.graph.getNodeByName(v.name) as Node);
    if (value === undefined) continue;
    v.output = builder.names.fresh(`${v.name}/updated`);
    builder.addNode("Identity", v.output, [value], [v.output]);
    outputs.push({ name: v.output, dtype: v.dtype, shape: [...v.shape] });
  }
  const source = sub.fromSession ? "the session's values of the variables" : "the variables' initial values (exported from a Graph, not a Session)";
  const proto: ModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: "", version: ONNX_OPSET }],
    producerName: "tensorslow",
    producerVersion: "",
    docString: options.docString ?? "",
    graph: {
      name: "tensorslow",
      docString: `Exported by TensorSlow; initializers hold ${source}.`,
      node: builder.nodes,
      initializer: builder.initializers,
      input: inputs.map(valueInfoProto),
      output: outputs.map(valueInfoProto),
    },
  };
  return { proto, inputs, outputs, variables };
}

/** Checks the training-step options; returns where the variables go. */
function variablePlacement(options: OnnxExportOptions): "constants" | "inputs" {
  const { updates, variables } = options;
  if (updates !== undefined && !Array.isArray(updates)) {
    throw new ExportError(`exportOnnx: updates must be an array of nodes or node names (a train op, update ops, groups), got ${String(updates)}`);
  }
  if (variables !== undefined && variables !== "constants" && variables !== "inputs") {
    throw new ExportError(`exportOnnx: variables must be "constants" or "inputs", got ${JSON.stringify(variables)}`);
  }
  const training = updates !== undefined && updates.length > 0;
  if (training && variables === "constants") {
    throw new ExportError(`exportOnnx: a training step (updates given) needs its variables as inputs, so that each step can start from the last one's values; leave out variables or give "inputs"`);
  }
  return variables ?? (training ? "inputs" : "constants");
}

/**
 * The inference subgraph between `inputs` and `outputs` as an ONNX model (opset 17): inputs become
 * graph inputs (unknown dimensions symbolic), variables and constants initializers, and every op
 * on the way is written through the ONNX export table (an op without a mapping fails the export,
 * naming the node). From a Session, variables export the session's current values; from a Graph,
 * their initial values. With `path`, the model is also written to that file.
 *
 * With `updates` (a train op), the model is one training step: the variables are inputs and their
 * new values outputs, listed in `variables` with the exported values. An op that
 * draws random values (dropout's mask in training, random initializers) cannot be part of it: the
 * model would not draw what a session draws.
 */
export async function exportOnnx(source: Graph | Session, options: OnnxExportOptions): Promise<OnnxModel> {
  if (options?.path !== undefined && (typeof options.path !== "string" || options.path === "")) {
    throw new ExportError(`exportOnnx: path must be a non-empty string, got ${JSON.stringify(options.path)}`);
  }
  const placement = variablePlacement(options ?? ({} as OnnxExportOptions));
  const training = (options?.updates?.length ?? 0) > 0;
  const sub = collectSubgraph(source, options, "exportOnnx", training ? allInputs : inferenceInputs, options?.updates ?? []);
  if (training) {
    const drawing = sub.ops.filter((op) => op.def.random === true || op.type === "DropoutMask");
    if (drawing.length > 0) {
      throw new ExportError(
        `exportOnnx: a training step cannot contain ops that draw random values, which the exported model would not draw as a session does: ${drawing.map((op) => `'${op.name}' (${op.type})`).join(", ")}`,
      );
    }
  }
  const { proto, inputs, outputs, variables } = buildOnnxModel(sub, { ...options, variables: placement });
  const bytes = await encodeModel(proto);
  if (options.path !== undefined) await writeFileAtomic(options.path, bytes, ONNX_FILE);
  return { bytes, opset: ONNX_OPSET, inputs, outputs, variables };
}
