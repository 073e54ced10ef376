/**
 * `io.exportOnnx`: the inference part of a graph as an ONNX model (opset 17), with the variables'
 * values as initializers, for onnxruntime and every other ONNX runtime.
 */
import type { Graph, Node } from "../../graph/index.js";
import type { Session } from "../../runtime/session.js";
import type { DType } from "../../tensor/index.js";
import { ExportError } from "../export/errors.js";
import { emitterFor, inferenceInputs } from "../export/inference.js";
import { collectSubgraph, type ExportSelection, type InferenceSubgraph } from "../export/subgraph.js";
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
  /** The output names are the output nodes' names (an output that is also an input or a variable gets a new name). */
  outputs: OnnxValueInfo[];
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

/** Builds the ModelProto of a collected subgraph (synchronous; encoding is separate). */
export function buildOnnxModel(sub: InferenceSubgraph, options: Pick<OnnxExportOptions, "dimName" | "docString"> = {}): { proto: ModelProto; inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[] } {
  const builder = new OnnxGraphBuilder(sub.graph);
  const dimName = options.dimName ?? defaultDimName;
  const inputs: OnnxValueInfo[] = sub.inputs.map((n) => ({
    name: builder.names.reserve(n.name),
    dtype: n.dtype,
    shape: n.shape === null ? null : n.shape.map((d, axis) => d ?? dimName(n.name, axis)),
  }));
  for (const [node, value] of sub.values) builder.addInitializer(builder.names.reserve(node.name), value);
  for (const op of sub.ops) {
    builder.names.reserve(op.name);
    builder.emit(op, emitterFor(ONNX_OPS, op, "ONNX"));
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
  return { proto, inputs, outputs };
}

/**
 * The inference subgraph between `inputs` and `outputs` as an ONNX model (opset 17): inputs become
 * graph inputs (unknown dimensions symbolic), variables and constants initializers, and every op
 * on the way is written through the ONNX export table (an op without a mapping fails the export,
 * naming the node). From a Session, variables export the session's current values; from a Graph,
 * their initial values. With `path`, the model is also written to that file.
 */
export async function exportOnnx(source: Graph | Session, options: OnnxExportOptions): Promise<OnnxModel> {
  if (options?.path !== undefined && (typeof options.path !== "string" || options.path === "")) {
    throw new ExportError(`exportOnnx: path must be a non-empty string, got ${JSON.stringify(options.path)}`);
  }
  const sub = collectSubgraph(source, options, "exportOnnx", inferenceInputs);
  const { proto, inputs, outputs } = buildOnnxModel(sub, options);
  const bytes = await encodeModel(proto);
  if (options.path !== undefined) await writeFileAtomic(options.path, bytes, ONNX_FILE);
  return { bytes, opset: ONNX_OPSET, inputs, outputs };
}
