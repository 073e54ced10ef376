/**
 * The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]},
 * "__metadata__"?: {string: string}}, then the tensors' raw little-endian bytes. Reading runs no
 * code, and the reader trusts nothing: every length, shape and offset is checked against the bytes
 * actually present before anything is allocated for it, so a hostile header cannot make it
 * allocate more than the input's own size.
 */
import { DTypeError, DataError, Tensor, ValueError, allocate, bytesPerElement, formatShape, type DType } from "../tensor/index.js";

// Global in Node and browsers; declared here because the core compiles without DOM or Node types.
declare const TextDecoder: new (label: string, options: { fatal: boolean }) => { decode(input: Uint8Array): string };
declare const TextEncoder: new () => { encode(input: string): Uint8Array };

const TO_SAFETENSORS: Record<DType, string> = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };
const FROM_SAFETENSORS: Record<string, DType> = { F32: "float32", F64: "float64", I32: "int32", BOOL: "bool" };

/** Whether the format's dtype is one of TensorSlow's own (F32, F64, I32, BOOL). */
export function isTensorSlowDtype(fileDtype: string): boolean {
  return Object.hasOwn(FROM_SAFETENSORS, fileDtype);
}

/**
 * Every dtype the format defines: bits per element, and the TensorSlow dtype its values are read
 * as by default (every value of the small floats fits float32, every value of the small integers
 * int32; I64, U64 and U32 values are converted only when each one fits). Without one (complex,
 * 4- and 6-bit floats, exponent-only bytes) a tensor can be skipped but not read.
 */
const FORMAT_DTYPES: Readonly<Record<string, { bits: number; reads?: DType }>> = {
  BOOL: { bits: 8, reads: "bool" },
  U8: { bits: 8, reads: "int32" },
  I8: { bits: 8, reads: "int32" },
  I16: { bits: 16, reads: "int32" },
  U16: { bits: 16, reads: "int32" },
  I32: { bits: 32, reads: "int32" },
  U32: { bits: 32, reads: "int32" },
  I64: { bits: 64, reads: "int32" },
  U64: { bits: 64, reads: "int32" },
  F8_E4M3: { bits: 8, reads: "float32" },
  F8_E5M2: { bits: 8, reads: "float32" },
  F16: { bits: 16, reads: "float32" },
  BF16: { bits: 16, reads: "float32" },
  F32: { bits: 32, reads: "float32" },
  F64: { bits: 64, reads: "float64" },
  F4: { bits: 4 },
  F6_E2M3: { bits: 6 },
  F6_E3M2: { bits: 6 },
  F8_E8M0: { bits: 8 },
  C64: { bits: 64 },
};

/**
 * How deep a header's JSON may nest: the object of entries, an entry, its shape or offsets. A
 * deeper header is refused before it is parsed, and nothing deeper is ever formatted into a message.
 */
const MAX_HEADER_DEPTH = 3;
/** Names and values quoted in messages are cut to this many characters. */
const MAX_QUOTED = 60;

/** The reference implementation's limit: a larger header is an attack or an accident. */
export const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = "__metadata__";

/** One tensor's entry in a header, checked against the data it describes. */
export interface SafetensorsEntry {
  readonly name: string;
  /** The dtype as the file names it (F32, F16, I64, ...). */
  readonly fileDtype: string;
  /** The TensorSlow dtype its values are read as by default; undefined when none can hold them. */
  readonly dtype: DType | undefined;
  readonly shape: readonly number[];
  /** Offsets into the data section (after the header). */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** In the order of their data. */
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Where the data section starts in the bytes. */
  readonly dataStart: number;
}

export interface Safetensors {
  readonly tensors: Map<string, Tensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

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
 * Parses and checks the header: the entries must tile the data section exactly (sorted by offset,
 * each starting where the previous ends, with nothing left over), as the reference implementation
 * requires; so no two tensors share bytes and every byte is accounted for.
 */
export function readSafetensorsHeader(bytes: Uint8Array, source = "safetensors data"): SafetensorsHeader {
  const fail = (why: string): never => {
    throw new DataError(`${source} is not a valid safetensors file: ${why}`);
  };
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`readSafetensorsHeader: expected the file's bytes as a Uint8Array, got ${preview(bytes)}`);
  if (bytes.length < 8) fail(`it holds ${bytes.length} bytes, fewer than the 8 of the header length (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const available = bytes.length - 8;
  if (high !== 0 || low > MAX_HEADER_BYTES) {
    fail(`the header length ${high * 2 ** 32 + low} is beyond the limit of ${MAX_HEADER_BYTES} bytes`);
  }
  const headerLength = low;
  if (headerLength > available) {
    fail(`the header length ${headerLength} is more than the ${available} bytes that follow it (truncated?)`);
  }
  if (headerLength < 2) fail(`the header length ${headerLength} is too small for a JSON object`);
  const headerBytes = bytes.subarray(8, 8 + headerLength);
  if (headerBytes[0] !== 0x7b) fail("the header does not start with '{'");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(headerBytes);
  } catch {
    return fail("the header is not valid UTF-8");
  }
  const depth = nestingDepth(text, MAX_HEADER_DEPTH);
  if (depth > MAX_HEADER_DEPTH) fail(`the header nests JSON more than ${MAX_HEADER_DEPTH} levels deep (a safetensors header needs ${MAX_HEADER_DEPTH})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(parsed)) return fail("the header is not a JSON object");

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(parsed)) {
    if (name === METADATA_KEY) {
      metadata = readMetadata(raw, fail);
      continue;
    }
    entries.push(readEntry(name, raw, dataLength, fail));
  }

  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin < expected) fail(`tensor ${quote(e.name)} (bytes ${e.begin} to ${e.end}) overlaps the tensor before it, which ends at ${expected}`);
    if (e.begin > expected) fail(`tensor ${quote(e.name)} starts at byte ${e.begin}, leaving a gap after byte ${expected}`);
    expected = e.end;
  }
  if (expected !== dataLength) {
    fail(`the tensors describe ${expected} bytes of data but ${dataLength} follow the header`);
  }
  return { entries, metadata, dataStart };
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

/** Whether a value read from a file is exactly representable in `dtype` (NaN and infinities are, in floats). */
function fitsExactly(v: number | bigint, dtype: DType): boolean {
  if (typeof v === "bigint") {
    const n = Number(v);
    return BigInt(n) === v && fitsExactly(n, dtype);
  }
  switch (dtype) {
    case "float64": return true;
    case "float32": return Number.isNaN(v) || Math.fround(v) === v;
    case "int32": return (v | 0) === v;
    case "bool": return v === 0 || v === 1;
  }
}

/** A half-precision float from its 16 bits. */
function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** An 8-bit float with 4 exponent bits (bias 7) and 3 mantissa bits, no infinities, NaN at S.1111.111 (OCP FP8 E4M3). */
function fromE4M3(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exponent = (b >> 3) & 0xf;
  const mantissa = b & 7;
  if (exponent === 0xf && mantissa === 7) return NaN;
  if (exponent === 0) return sign * mantissa * 2 ** -9;
  return sign * (1 + mantissa / 8) * 2 ** (exponent - 7);
}

const float32Bits = new DataView(new ArrayBuffer(4));
function fromBfloat16(h: number): number {
  float32Bits.setUint32(0, h << 16);
  return float32Bits.getFloat32(0);
}

/** Element readers (little-endian) of the format's dtypes that are not TensorSlow's. */
const FOREIGN_READERS: Readonly<Record<string, (view: DataView, i: number) => number | bigint>> = {
  U8: (v, i) => v.getUint8(i),
  I8: (v, i) => v.getInt8(i),
  I16: (v, i) => v.getInt16(2 * i, true),
  U16: (v, i) => v.getUint16(2 * i, true),
  U32: (v, i) => v.getUint32(4 * i, true),
  I64: (v, i) => v.getBigInt64(8 * i, true),
  U64: (v, i) => v.getBigUint64(8 * i, true),
  F8_E4M3: (v, i) => fromE4M3(v.getUint8(i)),
  F8_E5M2: (v, i) => fromHalf(v.getUint8(i) << 8),
  F16: (v, i) => fromHalf(v.getUint16(2 * i, true)),
  BF16: (v, i) => fromBfloat16(v.getUint16(2 * i, true)),
};

/**
 * The deepest nesting of arrays and objects in JSON `text`, counted without parsing (brackets
 * inside strings do not count); stops counting once past `limit`.
 */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return deepest;
}

/** A name or value for a message: quoted, cut to MAX_QUOTED characters; arrays and objects only by kind. */
function quote(x: unknown): string {
  if (typeof x === "string") return x.length > MAX_QUOTED ? `'${x.slice(0, MAX_QUOTED)}...' (${x.length} characters)` : `'${x}'`;
  return preview(x);
}

function preview(x: unknown): string {
  if (typeof x === "string") return JSON.stringify(x.length > MAX_QUOTED ? `${x.slice(0, MAX_QUOTED)}...` : x);
  if (Array.isArray(x)) {
    const shown = x.slice(0, 4).map((e) => (Array.isArray(e) ? "[...]" : isPlainObject(e) ? "{...}" : preview(e)));
    return `[${shown.join(", ")}${x.length > 4 ? `, ... (${x.length} elements)` : ""}]`;
  }
  if (isPlainObject(x)) return `a ${x.constructor?.name ?? "null-prototype"} object`;
  return typeof x === "symbol" ? x.toString() : String(x);
}

function readMetadata(raw: unknown, fail: (why: string) => never): Record<string, string> {
  if (!isPlainObject(raw)) return fail(`'${METADATA_KEY}' is not an object`);
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== "string") fail(`'${METADATA_KEY}' values must be strings, ${quote(k)} is ${v === null ? "null" : typeof v}`);
  }
  return raw as Record<string, string>;
}

function readEntry(name: string, raw: unknown, dataLength: number, fail: (why: string) => never): SafetensorsEntry {
  const where = `tensor ${quote(name)}`;
  if (!isPlainObject(raw)) return fail(`${where}: its entry is not an object`);
  const { dtype: rawDtype, shape: rawShape, data_offsets: rawOffsets } = raw as Record<string, unknown>;
  if (typeof rawDtype !== "string") return fail(`${where}: 'dtype' is missing or not a string`);
  const format = Object.hasOwn(FORMAT_DTYPES, rawDtype) ? FORMAT_DTYPES[rawDtype] : undefined;
  if (format === undefined) {
    return fail(`${where}: unknown dtype ${preview(rawDtype)} (the format defines ${Object.keys(FORMAT_DTYPES).join(", ")})`);
  }
  if (!Array.isArray(rawShape)) return fail(`${where}: 'shape' is missing or not an array`);
  if (!Array.isArray(rawOffsets) || rawOffsets.length !== 2) return fail(`${where}: 'data_offsets' must be an array [begin, end]`);
  const shape = rawShape.map((d, i) => {
    if (!isCount(d)) fail(`${where}: dimension ${i} of its shape is ${preview(d)}, not a non-negative integer`);
    return d as number;
  });
  const [begin, end] = rawOffsets as unknown[];
  if (!isCount(begin) || !isCount(end)) {
    return fail(`${where}: data_offsets ${preview(rawOffsets)} must be non-negative integers`);
  }
  if (begin > end) return fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) {
    return fail(`${where}: data_offsets [${begin}, ${end}] reach past the ${dataLength} bytes of data (truncated?)`);
  }
  // Multiplying out the shape stops as soon as it exceeds what the bytes can hold: no overflow.
  const shapeText = formatShape(shape.length > 8 ? shape.slice(0, 8) : shape) + (shape.length > 8 ? ` (rank ${shape.length})` : "");
  let bitsNeeded = shape.includes(0) ? 0 : format.bits;
  for (const d of shape) {
    bitsNeeded *= d;
    if (bitsNeeded > 8 * dataLength) {
      return fail(`${where}: shape ${shapeText} of ${rawDtype} needs more bytes than the ${dataLength} the file holds`);
    }
  }
  if (bitsNeeded % 8 !== 0) return fail(`${where}: shape ${shapeText} of ${rawDtype} is ${bitsNeeded} bits, not a whole number of bytes`);
  if (bitsNeeded / 8 !== end - begin) {
    return fail(`${where}: shape ${shapeText} of ${rawDtype} needs ${bitsNeeded / 8} bytes, but data_offsets [${begin}, ${end}] give ${end - begin}`);
  }
  return { name, fileDtype: rawDtype, dtype: format.reads, shape, begin, end };
}

function isCount(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
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

function writeLittleEndian(t: Tensor, out: Uint8Array, at: number): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + at, t.data.byteLength);
  for (let i = 0; i < t.size; i++) {
    const v = t.data[i]!;
    if (t.dtype === "float32") view.setFloat32(4 * i, v, true);
    else if (t.dtype === "float64") view.setFloat64(8 * i, v, true);
    else if (t.dtype === "int32") view.setInt32(4 * i, v, true);
    else view.setUint8(i, v);
  }
}

function readElement(view: DataView, dtype: DType, i: number): number {
  switch (dtype) {
    case "float32": return view.getFloat32(4 * i, true);
    case "float64": return view.getFloat64(8 * i, true);
    case "int32": return view.getInt32(4 * i, true);
    case "bool": return view.getUint8(i);
  }
}
