/**
 * A Graph as TensorFlow's GraphDef, for TensorBoard's graph view: one NodeDef per node with its op
 * type (our op types are TensorFlow's names: "Placeholder", "VariableV2", "Const", "MatMul", "NoOp",
 * ...), its inputs ("^name" for a control input), its dtype, and its static shape as
 * `_output_shapes`, which TensorBoard prints on the edges.
 */
import { Constant, Node, Placeholder, Variable, type Graph, type GraphNode } from "../graph/index.js";
import type { DType, StaticShape } from "../tensor/index.js";
import type { AttrValue, GraphDef, ShapeProto } from "./proto.js";

/** TensorFlow's DataType enum (types.proto). */
const DATA_TYPE: Record<DType, number> = { float32: 1, float64: 2, int32: 3, bool: 10 };

function shapeProto(shape: StaticShape): ShapeProto {
  return shape === null ? { unknownRank: true } : { dim: shape.map((d) => ({ size: d ?? -1 })) };
}

/** The NodeDefs of every node of `graph`, in creation order (a topological order). */
export function graphDefOf(graph: Graph): GraphDef {
  return { node: graph.nodes.map(nodeDef), versions: { producer: 27 } };
}

function nodeDef(node: GraphNode): GraphDef["node"][number] {
  const attr: Record<string, AttrValue> = {};
  if (node instanceof Node) {
    const declaresDtype = node instanceof Placeholder || node instanceof Variable || node instanceof Constant;
    attr[declaresDtype ? "dtype" : "T"] = { type: DATA_TYPE[node.dtype] };
    if (node instanceof Placeholder || node instanceof Variable) attr["shape"] = { shape: shapeProto(node.shape) };
    attr["_output_shapes"] = { list: { shape: [shapeProto(node.shape)] } };
  }
  return {
    name: node.name,
    op: node.type,
    input: [...node.inputs.map((n) => n.name), ...node.controlInputs.map((n) => `^${n.name}`)],
    attr,
  };
}
