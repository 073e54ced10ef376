/**
 * The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type byte, a rank byte, `rank`
 * big-endian uint32 dimensions, then the values, big-endian, row-major. This parser works on bytes
 * alone (no file system), so it runs in browsers as well as in Node.
 *
 * Files are untrusted input: every header number is checked against the bytes before anything is
 * allocated, so a corrupt or hostile header costs an error, never a huge allocation.
 *
 * Values keep their file type (`IdxArray`: uint8 pixels stay one byte each, 47 MB for
 * Fashion-MNIST's training images instead of 188 MB as int32). TensorSlow's dtypes cannot hold
 * uint8/int8/int16 as such, so `idxToTensor` maps them to the narrowest dtype that holds every
 * value exactly: the integer types to int32, float to float32, double to float64.
 */
import { DataError, Tensor, ValueError, type DType } from "../tensor/index.js";

export type IdxType = "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** The contents of an IDX file, in the file's own element type. */
export interface IdxArray {
  readonly type: IdxType;
  readonly shape: readonly number[];
  readonly data: IdxData;
}

export interface IdxParseOptions {
  /** The file name or URL the bytes came from, for error messages. */
  source?: string;
}

interface TypeInfo {
  type: IdxType;
  bytes: number;
  make: (n: number) => IdxData;
  read: (view: DataView, offset: number) => number;
}

/** The IDX type codes (third byte of the magic number). */
const TYPES: ReadonlyMap<number, TypeInfo> = new Map([
  [0x08, { type: "uint8", bytes: 1, make: (n) => new Uint8Array(n), read: (v, o) => v.getUint8(o) }],
  [0x09, { type: "int8", bytes: 1, make: (n) => new Int8Array(n), read: (v, o) => v.getInt8(o) }],
  [0x0b, { type: "int16", bytes: 2, make: (n) => new Int16Array(n), read: (v, o) => v.getInt16(o) }],
  [0x0c, { type: "int32", bytes: 4, make: (n) => new Int32Array(n), read: (v, o) => v.getInt32(o) }],
  [0x0d, { type: "float32", bytes: 4, make: (n) => new Float32Array(n), read: (v, o) => v.getFloat32(o) }],
  [0x0e, { type: "float64", bytes: 8, make: (n) => new Float64Array(n), read: (v, o) => v.getFloat64(o) }],
] as [number, TypeInfo][]);

/** The most elements an IDX array may claim: typed arrays and tensors index with int32. */
export const MAX_IDX_ELEMENTS = 2 ** 31 - 1;

function hex(b: number): string {
  return `0x${b.toString(16).padStart(2, "0")}`;
}

/** The error prefix: "IDX file 'path'" or "IDX data" when no name is known. */
export function idxWhat(source: string | undefined): string {
  return source === undefined ? "IDX data" : `IDX file '${source}'`;
}

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The bytes of an IDX file given as a Uint8Array or an ArrayBuffer (what `fetch(...).arrayBuffer()` gives). */
export function idxBytes(input: unknown, fn: string): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  const got = input === null ? "null" : typeof input === "object" ? `a ${(input as object).constructor?.name ?? "null-prototype"} object` : typeof input;
  throw new ValueError(`${fn}: expected the file's bytes as a Uint8Array or an ArrayBuffer, got ${got}`);
}

interface IdxHeader {
  readonly info: TypeInfo;
  readonly shape: readonly number[];
  readonly count: number;
  /** Bytes of the header: the data starts there. */
  readonly headerBytes: number;
}

/**
 * Reads and checks the header at the start of `bytes`, or returns undefined when `bytes` stops
 * before the header's end and `partial` says more may follow (a stream being decompressed).
 */
function readIdxHeader(bytes: Uint8Array, what: string, partial: boolean): IdxHeader | undefined {
  if (bytes.length < 4) {
    if (partial) return undefined;
    throw new DataError(`${what} is too short for an IDX header: ${bytes.length} bytes, the magic number alone takes 4`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(`${what} is not an IDX file: its magic number starts ${hex(bytes[0]!)} ${hex(bytes[1]!)}, not 0x00 0x00`);
  }
  const info = TYPES.get(bytes[2]!);
  if (info === undefined) {
    throw new DataError(
      `${what} has unknown type code ${hex(bytes[2]!)} (known: ${[...TYPES].map(([c, t]) => `${hex(c)} ${t.type}`).join(", ")})`,
    );
  }
  const rank = bytes[3]!;
  if (rank === 0) throw new DataError(`${what} declares rank 0: an IDX array needs at least one dimension`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    if (partial) return undefined;
    throw new DataError(`${what} is truncated in its header: rank ${rank} needs ${headerBytes} header bytes, the file holds ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i);
    // Dimensions are int32 in the format's reference readers: 2^31 and up read as negative.
    if (d > MAX_IDX_ELEMENTS) {
      throw new DataError(`${what} has an invalid size ${d} for dimension ${i} (dimensions must be in 0..${MAX_IDX_ELEMENTS})`);
    }
    shape.push(d);
    count *= d;
    if (count > MAX_IDX_ELEMENTS) {
      throw new DataError(`${what} claims shape [${shape.join(", ")}${i < rank - 1 ? ", ..." : ""}]: more than ${MAX_IDX_ELEMENTS} elements`);
    }
  }
  return { info, shape, count, headerBytes };
}

/**
 * The size in bytes (header and data) of the IDX file that `prefix` starts, once it holds the
 * whole header; undefined before. A header that is wrong already is a DataError.
 */
export function idxDeclaredSize(prefix: Uint8Array, source?: string): number | undefined {
  const header = readIdxHeader(prefix, idxWhat(source), true);
  return header === undefined ? undefined : header.headerBytes + header.count * header.info.bytes;
}

/**
 * Parses uncompressed IDX bytes (a Uint8Array or an ArrayBuffer). Gzipped bytes are refused with
 * a pointer to `decodeIdx`, which decompresses first (decompression is asynchronous in browsers).
 */
export function parseIdx(input: Uint8Array | ArrayBuffer, options: IdxParseOptions = {}): IdxArray {
  const bytes = idxBytes(input, "parseIdx");
  const what = idxWhat(options.source);
  if (isGzip(bytes)) {
    throw new DataError(`${what} is gzip-compressed: decompress it first (ts.data.decodeIdx and ts.data.readIdx do)`);
  }
  const { info, shape, count, headerBytes } = readIdxHeader(bytes, what, false)!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const claimed = count * info.bytes;
  const held = bytes.length - headerBytes;
  if (claimed > held) {
    throw new DataError(
      `${what} is truncated: shape [${shape.join(", ")}] of ${info.type} needs ${claimed} data bytes, the file holds ${held}`,
    );
  }
  if (claimed < held) throw trailingData(what, held - claimed, claimed, shape, info.type);
  let data: IdxData;
  if (info.bytes === 1) {
    const raw = bytes.subarray(headerBytes);
    data = info.type === "uint8" ? raw.slice() : new Int8Array(raw);
  } else {
    data = info.make(count);
    for (let i = 0, o = headerBytes; i < count; i++, o += info.bytes) data[i] = info.read(view, o);
  }
  return { type: info.type, shape: [...shape], data };
}

function trailingData(what: string, extra: number, claimed: number, shape: readonly number[], type: IdxType): DataError {
  return new DataError(`${what} has ${extra} bytes of trailing garbage after the ${claimed} data bytes of shape [${shape.join(", ")}] of ${type}`);
}

/** The error for decompressed IDX data longer than its header declares (found while still inflating). */
export function idxTooLong(declared: number, source?: string): DataError {
  return new DataError(`${idxWhat(source)} decompresses to more than the ${declared} bytes its header declares: trailing garbage (inflating stopped there)`);
}

/** The dtype `idxToTensor` gives each IDX type: the narrowest TensorSlow dtype that holds it exactly. */
export const IDX_DTYPE: Readonly<Record<IdxType, DType>> = {
  uint8: "int32",
  int8: "int32",
  int16: "int32",
  int32: "int32",
  float32: "float32",
  float64: "float64",
};

export interface IdxToTensorOptions {
  /** The tensor's dtype; by default `IDX_DTYPE[idx.type]`. Values are converted as JS numbers. */
  dtype?: Exclude<DType, "bool">;
  /** Multiplies every value (e.g. 1/255 for pixels in [0, 1]); only for float dtypes. */
  scale?: number;
  /** A new shape of the same size (e.g. [n, 784] for [n, 28, 28] images). */
  shape?: readonly number[];
}

/** Copies an IDX array into a Tensor. */
export function idxToTensor(idx: IdxArray, options: IdxToTensorOptions = {}): Tensor {
  const dtype = options.dtype ?? IDX_DTYPE[idx.type];
  const shape = options.shape ?? idx.shape;
  const scale = options.scale ?? 1;
  if (dtype === "int32" && (scale !== 1 || idx.type === "float32" || idx.type === "float64")) {
    throw new DataError(`idxToTensor: int32 would truncate ${scale !== 1 ? `values scaled by ${scale}` : `${idx.type} values`}; use a float dtype`);
  }
  const out = new Tensor(shape, dtype);
  if (out.size !== idx.data.length) {
    throw new DataError(`idxToTensor: shape [${shape.join(", ")}] does not hold the ${idx.data.length} values of an IDX array of shape [${idx.shape.join(", ")}]`);
  }
  const src = idx.data;
  const dst = out.data;
  if (scale === 1) dst.set(src);
  else for (let i = 0; i < src.length; i++) dst[i] = src[i]! * scale;
  return out;
}
