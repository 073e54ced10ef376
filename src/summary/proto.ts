/**
 * The messages of TensorBoard's event files, declared for protobufjs with TensorFlow's field
 * numbers (tensorflow/core/util/event.proto, framework/summary.proto, graph.proto, node_def.proto,
 * attr_value.proto, tensor_shape.proto, versions.proto), encoded through the shared lazy
 * protobufjs loader (io/protobuf.ts).
 */
import { field as f, protobufEncoder } from "../io/protobuf.js";
import { TensorSlowError } from "../tensor/index.js";
import type { Histogram } from "./histogram.js";

export interface ShapeProto {
  dim?: { size: number }[];
  unknownRank?: boolean;
}
export interface AttrValue {
  type?: number;
  shape?: ShapeProto;
  list?: { shape?: ShapeProto[] };
  s?: Uint8Array;
  b?: boolean;
}
export interface NodeDef {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, AttrValue>;
}
export interface GraphDef {
  node: NodeDef[];
  versions: { producer: number };
}
export interface SummaryValue {
  tag: string;
  simpleValue?: number;
  histo?: Histogram;
}
export interface Event {
  wallTime: number;
  step?: number;
  fileVersion?: string;
  graphDef?: Uint8Array;
  summary?: { value: SummaryValue[] };
}

const SCHEMA = {
  nested: {
    tensorflow: {
      nested: {
        Event: {
          oneofs: { what: { oneof: ["fileVersion", "graphDef", "summary"] } },
          fields: { wallTime: f("double", 1), step: f("int64", 2), fileVersion: f("string", 3), graphDef: f("bytes", 4), summary: f("Summary", 5) },
        },
        Summary: {
          fields: { value: f("Value", 1, true) },
          nested: {
            Value: {
              oneofs: { value: { oneof: ["simpleValue", "histo"] } },
              fields: { tag: f("string", 1), simpleValue: f("float", 2), histo: f("HistogramProto", 5) },
            },
          },
        },
        HistogramProto: {
          fields: {
            min: f("double", 1),
            max: f("double", 2),
            num: f("double", 3),
            sum: f("double", 4),
            sumSquares: f("double", 5),
            bucketLimit: f("double", 6, true),
            bucket: f("double", 7, true),
          },
        },
        GraphDef: { fields: { node: f("NodeDef", 1, true), versions: f("VersionDef", 4) } },
        VersionDef: { fields: { producer: f("int32", 1) } },
        NodeDef: {
          // attr is map<string, AttrValue>.
          fields: { name: f("string", 1), op: f("string", 2), input: f("string", 3, true), attr: { keyType: "string", type: "AttrValue", id: 5 } },
        },
        AttrValue: {
          oneofs: { value: { oneof: ["list", "s", "b", "type", "shape"] } },
          fields: { list: f("ListValue", 1), s: f("bytes", 2), b: f("bool", 5), type: f("int32", 6), shape: f("TensorShapeProto", 7) },
          nested: { ListValue: { fields: { shape: f("TensorShapeProto", 7, true) } } },
        },
        TensorShapeProto: {
          fields: { dim: f("Dim", 2, true), unknownRank: f("bool", 3) },
          nested: { Dim: { fields: { size: f("int64", 1) } } },
        },
      },
    },
  },
};

const encode = protobufEncoder(
  SCHEMA,
  { event: "tensorflow.Event", graphDef: "tensorflow.GraphDef" },
  (reason) => new TensorSlowError(`summary.FileWriter encodes events with the protobufjs package, which could not be loaded (${reason}); install it (npm install protobufjs)`),
);

/** An Event message as bytes. */
export function encodeEvent(event: Event): Promise<Uint8Array> {
  return encode("event", event);
}

/** A GraphDef message as bytes. */
export function encodeGraphDef(graphDef: GraphDef): Promise<Uint8Array> {
  return encode("graphDef", graphDef);
}
