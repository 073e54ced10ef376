/**
 * A safetensors header, read and checked: the 8-byte length, the JSON (depth bounded before it is
 * parsed), every entry's dtype, shape and offsets against the bytes actually present, and the
 * entries tiling the data section exactly. Nothing is allocated for a tensor here.
 */
import { DataError, ValueError, formatShape, type DType } from "../../tensor/index.js";
import { FORMAT_DTYPES } from "./dtypes.js";
import { isPlainObject, preview, quote } from "./messages.js";

// Global in Node and browsers; declared here because the core compiles without DOM or Node types.
declare const TextDecoder: new (label: string, options: { fatal: boolean }) => { decode(input: Uint8Array): string };

/**
 * How deep a header's JSON may nest: the object of entries, an entry, its shape or offsets. A
 * deeper header is refused before it is parsed, and nothing deeper is ever formatted into a message.
 */
const MAX_HEADER_DEPTH = 3;

/** The reference implementation's limit: a larger header is an attack or an accident. */
export const MAX_HEADER_BYTES = 100_000_000;
export const METADATA_KEY = "__metadata__";

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
