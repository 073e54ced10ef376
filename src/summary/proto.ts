/**
 * The messages of TensorBoard's event files, declared for protobufjs with TensorFlow's field
 * numbers (tensorflow/core/util/event.proto, framework/summary.proto, graph.proto, node_def.proto,
 * attr_value.proto, tensor_shape.proto, versions.proto). protobufjs is imported on the first
 * encoding, so the main entry loads no package at import time.
 */
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

const f = (type: string, id: number, repeated = false, packed = false) =>
  repeated ? { type, id, rule: "repeated", ...(packed ? { options: { packed: true } } : {}) } : { type, id };

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
            bucketLimit: f("double", 6, true, true),
            bucket: f("double", 7, true, true),
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

interface MessageType {
  encode(message: object): { finish(): Uint8Array };
}
interface Types {
  event: MessageType;
  graphDef: MessageType;
}

let types: Promise<Types> | undefined;

function loadTypes(): Promise<Types> {
  types ??= (async () => {
    type Protobuf = { default: { Root: { fromJSON(json: object): { lookupType(name: string): MessageType } } } };
    let mod: Protobuf;
    try {
      mod = (await import("protobufjs/light.js")) as unknown as Protobuf;
    } catch (e) {
      types = undefined;
      throw new TensorSlowError(`summary.FileWriter encodes events with the protobufjs package, which could not be loaded (${(e as Error).message}); install it (npm install protobufjs)`);
    }
    const root = mod.default.Root.fromJSON(SCHEMA);
    return { event: root.lookupType("tensorflow.Event"), graphDef: root.lookupType("tensorflow.GraphDef") };
  })();
  return types;
}

/** An Event message as bytes (a plain copy: protobufjs may hand out a view into a shared pool in Node). */
export async function encodeEvent(event: Event): Promise<Uint8Array> {
  return new Uint8Array((await loadTypes()).event.encode(event).finish());
}

/** A GraphDef message as bytes. */
export async function encodeGraphDef(graphDef: GraphDef): Promise<Uint8Array> {
  return new Uint8Array((await loadTypes()).graphDef.encode(graphDef).finish());
}
