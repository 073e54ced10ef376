/**
 * protobufjs, loaded once on the first encoding, for every format written as protocol buffers
 * (ONNX models, TensorBoard event files). The import is dynamic so that the main entry loads no
 * package at import time; its specifier is a literal so that bundlers put protobufjs in a lazily
 * loaded chunk (test/package/entry.test.ts allows this file alone to import it).
 */

/** One message type of a schema, able to encode a plain object of its shape. */
interface MessageType {
  encode(message: object): { finish(): Uint8Array };
}
interface ProtobufLight {
  Root: { fromJSON(json: object): { lookupType(name: string): MessageType } };
}

let loading: Promise<ProtobufLight> | undefined;

/** The light build of protobufjs (schemas given as JSON, no .proto parser); a failed load is tried again next time. */
function protobufLight(): Promise<ProtobufLight> {
  loading ??= import("protobufjs/light.js").then(
    (mod) => (mod as unknown as { default: ProtobufLight }).default,
    (e: unknown) => {
      loading = undefined;
      throw e;
    },
  );
  return loading;
}

/**
 * A field of a protobufjs JSON schema; `repeated` for a list. protobufjs writes a list of numbers
 * packed (one length-delimited run, as proto3 does), which every reader of proto2 files accepts too.
 */
export function field(type: string, id: number, repeated = false): object {
  return repeated ? { type, id, rule: "repeated" } : { type, id };
}

/**
 * An encoder for the message types of `schema`, keyed by the names the caller uses
 * (`{ event: "tensorflow.Event" }`). The schema is compiled once, on the first encoding. When
 * protobufjs cannot be loaded, `unavailable(reason)` makes the error thrown, so that it names the
 * feature that needed it.
 */
export function protobufEncoder<K extends string>(
  schema: object,
  types: Record<K, string>,
  unavailable: (reason: string) => Error,
): (type: K, message: object) => Promise<Uint8Array> {
  let compiled: Promise<Map<K, MessageType>> | undefined;
  const compile = async (): Promise<Map<K, MessageType>> => {
    let protobuf: ProtobufLight;
    try {
      protobuf = await protobufLight();
    } catch (e) {
      compiled = undefined;
      throw unavailable(e instanceof Error ? e.message : String(e));
    }
    const root = protobuf.Root.fromJSON(schema);
    return new Map((Object.keys(types) as K[]).map((k) => [k, root.lookupType(types[k])]));
  };
  return async (type, message) => {
    compiled ??= compile();
    const messageType = (await compiled).get(type)!;
    // In Node protobufjs gives a Buffer, maybe a view into a shared pool: the caller gets its own plain bytes.
    return new Uint8Array(messageType.encode(message).finish());
  };
}
