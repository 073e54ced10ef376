/**
 * The dtypes the safetensors format defines and how their little-endian bytes become TensorSlow's
 * numbers and back: TensorSlow's own four copied as they are, the others (half and 8-bit floats,
 * 8/16/64-bit and unsigned integers) read element by element and kept only when exact.
 */
import type { DType, Tensor } from "../../tensor/index.js";

export const TO_SAFETENSORS: Record<DType, string> = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };
export const FROM_SAFETENSORS: Record<string, DType> = { F32: "float32", F64: "float64", I32: "int32", BOOL: "bool" };

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
export const FORMAT_DTYPES: Readonly<Record<string, { bits: number; reads?: DType }>> = {
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

/** Whether this machine stores numbers little-endian, as the format does (then tensors are copied byte for byte). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Whether a value read from a file is exactly representable in `dtype` (NaN and infinities are, in floats). */
export function fitsExactly(v: number | bigint, dtype: DType): boolean {
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
export const FOREIGN_READERS: Readonly<Record<string, (view: DataView, i: number) => number | bigint>> = {
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

/** A tensor's values written little-endian into `out` at byte `at`. */
export function writeLittleEndian(t: Tensor, out: Uint8Array, at: number): void {
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

/** Element `i` of a little-endian view, in one of TensorSlow's dtypes. */
export function readElement(view: DataView, dtype: DType, i: number): number {
  switch (dtype) {
    case "float32": return view.getFloat32(4 * i, true);
    case "float64": return view.getFloat64(8 * i, true);
    case "int32": return view.getInt32(4 * i, true);
    case "bool": return view.getUint8(i);
  }
}
