/**
 * The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]},
 * "__metadata__"?: {string: string}}, then the tensors' raw little-endian bytes. Reading runs no
 * code, and the reader trusts nothing: every length, shape and offset is checked against the bytes
 * actually present before anything is allocated for it (header.ts), so a hostile header cannot make
 * it allocate more elements than the input has bytes (an element of the 8-bit dtypes, read as int32
 * or float32, takes four bytes). This file writes a whole file and reads tensors out of a checked
 * one; dtypes.ts converts elements, messages.ts keeps messages bounded.
 */
import { DTypeError, DataError, Tensor, ValueError, allocate, bytesPerElement, type DType } from "../../tensor/index.js";
import { FOREIGN_READERS, FORMAT_DTYPES, FROM_SAFETENSORS, LITTLE_ENDIAN, TO_SAFETENSORS, fitsExactly, isTensorSlowDtype, readElement, writeLittleEndian } from "./dtypes.js";
import { METADATA_KEY, readSafetensorsHeader, type SafetensorsEntry, type SafetensorsHeader } from "./header.js";
import { preview, quote } from "./messages.js";

// Global in Node and browsers; declared here because the core compiles without DOM or Node types.
declare const TextEncoder: new () => { encode(input: string): Uint8Array };

export { isTensorSlowDtype } from "./dtypes.js";
export { MAX_HEADER_BYTES, readSafetensorsHeader, type SafetensorsEntry, type SafetensorsHeader } from "./header.js";

export interface Safetensors {
  readonly tensors: Map<string, Tensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Encodes named tensors (keys in the given order, data ordered widest dtype first so that every
 * tensor sits aligned to its element size) with optional string metadata.
 */
export function encodeSafetensors(
  tensors: Iterable<readonly [string, Tensor]> | Readonly<Record<string, Tensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const list = isIterable(tensors) ? [...tensors] : Object.entries(tensors);
  const seen = new Set<string>();
  for (const [name, t] of list) {
    if (name === METADATA_KEY) throw new ValueError(`safetensors: '${METADATA_KEY}' is reserved and cannot name a tensor`);
    if (seen.has(name)) throw new ValueError(`safetensors: the tensor name '${name}' appears twice`);
    seen.add(name);
    if (!(t instanceof Tensor)) throw new ValueError(`safetensors: '${name}' must be a Tensor, got ${String(t)}`);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") throw new ValueError(`safetensors: metadata values must be strings, '${k}' is ${typeof v}`);
  }
  const ordered = [...list].sort(([, a], [, b]) => bytesPerElement(b.dtype) - bytesPerElement(a.dtype));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  let offset = 0;
  for (const [name, t] of ordered) {
    const end = offset + t.data.byteLength;
    header[name] = { dtype: TO_SAFETENSORS[t.dtype], shape: [...t.shape], data_offsets: [offset, end] };
    offset = end;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  // Spaces after the JSON (allowed by the format) put the data section on an 8-byte boundary.
  const padding = (8 - (json.length % 8)) % 8;
  if (padding > 0) json = concat(json, new Uint8Array(padding).fill(0x20));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length % 2 ** 32, true);
  view.setUint32(4, Math.floor(json.length / 2 ** 32), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, t] of ordered) {
    writeLittleEndian(t, out, at);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Reads every tensor of a safetensors file. `source` names the file in errors. Tensors in dtypes
 * TensorSlow does not have are converted to the dtype of `SafetensorsEntry.dtype` when every value
 * fits exactly (F16, BF16 to float32; U8, I64 to int32, ...); any other is a DTypeError naming it.
 */
export function decodeSafetensors(input: Uint8Array | ArrayBuffer, source = "safetensors data"): Safetensors {
  const bytes = safetensorsBytes(input, "decodeSafetensors");
  const header = readSafetensorsHeader(bytes, source);
  const tensors = new Map<string, Tensor>();
  for (const entry of header.entries) tensors.set(entry.name, decodeTensor(bytes, header, entry, source));
  return { tensors, metadata: header.metadata };
}

/** A file's bytes given as a Uint8Array or an ArrayBuffer (what `fetch(...).arrayBuffer()` gives). */
export function safetensorsBytes(input: unknown, fn: string): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  throw new ValueError(`${fn}: expected the file's bytes as a Uint8Array or an ArrayBuffer, got ${preview(input)}`);
}

/**
 * The values of one checked entry, copied out of `bytes`, as `dtype` (by default the entry's own).
 * A file dtype TensorSlow does not have is converted when every value fits `dtype` exactly;
 * otherwise, and for a different TensorSlow dtype, the error names the tensor.
 */
export function decodeTensor(
  bytes: Uint8Array,
  header: SafetensorsHeader,
  entry: SafetensorsEntry,
  source = "safetensors data",
  dtype: DType | undefined = entry.dtype,
): Tensor {
  const where = `tensor ${quote(entry.name)} of ${source}`;
  if (dtype === undefined) {
    throw new DTypeError(`${where} has dtype ${entry.fileDtype}, which TensorSlow cannot read (it reads ${Object.keys(FORMAT_DTYPES).filter((d) => FORMAT_DTYPES[d]!.reads !== undefined).join(", ")})`);
  }
  const native = isTensorSlowDtype(entry.fileDtype) ? FROM_SAFETENSORS[entry.fileDtype] : undefined;
  if (native !== undefined && native !== dtype) {
    throw new DTypeError(`${where} is ${native}, not ${dtype}`);
  }
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const data = allocate(dtype, count);
  const from = header.dataStart + entry.begin;
  const view = new DataView(bytes.buffer, bytes.byteOffset + from, entry.end - entry.begin);
  if (native !== undefined && LITTLE_ENDIAN) {
    new Uint8Array(data.buffer).set(bytes.subarray(from, header.dataStart + entry.end));
  } else if (native !== undefined) {
    for (let i = 0; i < count; i++) data[i] = readElement(view, native, i);
  } else {
    const read = FOREIGN_READERS[entry.fileDtype]!;
    for (let i = 0; i < count; i++) {
      const v = read(view, i);
      if (!fitsExactly(v, dtype)) {
        throw new DTypeError(`${where} is ${entry.fileDtype}, and its element ${i} (${String(v)}) is not exactly representable as ${dtype}; no value was converted`);
      }
      data[i] = Number(v);
    }
  }
  if (dtype === "bool") {
    const bad = (data as Uint8Array).findIndex((b) => b > 1);
    if (bad >= 0) {
      throw new DataError(`${source} is corrupt: tensor ${quote(entry.name)} is BOOL but element ${bad} holds the byte ${data[bad]} (only 0 and 1 are booleans)`);
    }
  }
  return new Tensor(entry.shape, dtype, data);
}

function isIterable<T>(x: object): x is Iterable<T> {
  return typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
