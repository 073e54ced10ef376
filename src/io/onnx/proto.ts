/**
 * The part of onnx.proto an exported model uses, declared for protobufjs (field numbers as in
 * onnx/onnx.proto3), and the encoder, through the shared lazy protobufjs loader (io/protobuf.ts).
 */
import { ExportError } from "../export/errors.js";
import { field as f, protobufEncoder } from "../protobuf.js";

/** Plain objects in the shape of the ONNX messages (camelCase field names). */
export interface TensorProto {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}
export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
}
export interface NodeProto {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}
export interface DimensionProto {
  dimValue?: number;
  dimParam?: string;
}
export interface ValueInfoProto {
  name: string;
  type: { tensorType: { elemType: number; shape?: { dim: DimensionProto[] } } };
}
export interface GraphProto {
  name: string;
  docString: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
}
export interface ModelProto {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: GraphProto;
}

/** AttributeProto.AttributeType values. */
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

const SCHEMA = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: f("int64", 1),
            producerName: f("string", 2),
            producerVersion: f("string", 3),
            docString: f("string", 6),
            graph: f("GraphProto", 7),
            opsetImport: f("OperatorSetIdProto", 8, true),
          },
        },
        OperatorSetIdProto: { fields: { domain: f("string", 1), version: f("int64", 2) } },
        GraphProto: {
          fields: {
            node: f("NodeProto", 1, true),
            name: f("string", 2),
            initializer: f("TensorProto", 5, true),
            docString: f("string", 10),
            input: f("ValueInfoProto", 11, true),
            output: f("ValueInfoProto", 12, true),
          },
        },
        NodeProto: {
          fields: {
            input: f("string", 1, true),
            output: f("string", 2, true),
            name: f("string", 3),
            opType: f("string", 4),
            attribute: f("AttributeProto", 5, true),
          },
        },
        AttributeProto: {
          fields: {
            name: f("string", 1),
            f: f("float", 2),
            i: f("int64", 3),
            s: f("bytes", 4),
            t: f("TensorProto", 5),
            floats: f("float", 7, true),
            ints: f("int64", 8, true),
            type: f("int32", 20),
          },
        },
        TensorProto: {
          fields: { dims: f("int64", 1, true), dataType: f("int32", 2), name: f("string", 8), rawData: f("bytes", 9) },
        },
        ValueInfoProto: { fields: { name: f("string", 1), type: f("TypeProto", 2) } },
        TypeProto: {
          oneofs: { value: { oneof: ["tensorType"] } },
          fields: { tensorType: f("Tensor", 1) },
          nested: { Tensor: { fields: { elemType: f("int32", 1), shape: f("TensorShapeProto", 2) } } },
        },
        TensorShapeProto: {
          fields: { dim: f("Dimension", 1, true) },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ["dimValue", "dimParam"] } },
              fields: { dimValue: f("int64", 1), dimParam: f("string", 2) },
            },
          },
        },
      },
    },
  },
};

const encode = protobufEncoder(
  SCHEMA,
  { model: "onnx.ModelProto" },
  (reason) => new ExportError(`ONNX export encodes with the protobufjs package, which could not be loaded (${reason}); install it (npm install protobufjs)`),
);

/** The model as ONNX bytes. */
export function encodeModel(model: ModelProto): Promise<Uint8Array> {
  return encode("model", model);
}
