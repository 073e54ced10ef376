/** The element types a tensor can hold, and the typed arrays that store them. */

import { DTypeError, ValueError } from "./errors.js";

export type DType = "float32" | "float64" | "int32" | "bool";

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

/** The dtype given to plain JS numbers and to placeholders declared without one. */
export const DEFAULT_DTYPE: DType = "float32";

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface DTypeMap {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  bool: Uint8Array;
}

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

/**
 * TensorFlow's other dtype names, each stored and computed as one of ours: `"float"` and
 * `"double"` are float32 and float64; float16 values are stored and computed in float32; int64,
 * int16, int8 and uint8 values are stored and computed in int32. A value is refused where it is
 * made (a tensor, a constant) when it does not fit the named type — and for int64, when it does
 * not fit int32, which stores it — so nothing is silently wrapped.
 */
export const DTYPE_ALIASES = {
  float: "float32",
  double: "float64",
  half: "float32",
  float16: "float32",
  int64: "int32",
  int16: "int32",
  int8: "int32",
  uint8: "int32",
} as const satisfies Record<string, DType>;

export type DTypeAlias = keyof typeof DTYPE_ALIASES;
/** A dtype as the API takes it: one of ours or one of TensorFlow's other names. */
export type DTypeLike = DType | DTypeAlias;

// The dtype constants of TensorFlow (`tf.float32`) and TensorFlow.js.
export const float32 = "float32";
export const float64 = "float64";
export const int32 = "int32";
export const bool = "bool";
export const float16 = "float16";
export const int64 = "int64";
export const int16 = "int16";
export const int8 = "int8";
export const uint8 = "uint8";

export function isDTypeLike(x: unknown): x is DTypeLike {
  return isDType(x) || (typeof x === "string" && Object.hasOwn(DTYPE_ALIASES, x));
}

/** The dtype that stores values of `name` (float16 → float32, int64 → int32, ...). */
export function storageDType(name: DTypeLike): DType {
  if (isDType(name)) return name;
  // Not ArgumentError: arguments.ts imports this file, and a cycle would leave its checks undefined.
  if (!isDTypeLike(name)) throw new DTypeError(`storageDType: argument 'name' must be ${DTYPE_EXPECTED}, got ${typeof name === "string" ? JSON.stringify(name) : String(name)}`);
  return DTYPE_ALIASES[name];
}

/** The integers a named integer type holds where it is narrower than (or stored in) int32. */
export function integerRange(name: DTypeLike): readonly [number, number] | undefined {
  switch (name) {
    case "int16": return [-32768, 32767];
    case "int8": return [-128, 127];
    case "uint8": return [0, 255];
    case "int32":
    case "int64": return [-2147483648, 2147483647];
    default: return undefined;
  }
}

/** What a dtype argument may be, for messages. */
export const DTYPE_EXPECTED = `a dtype: one of ${[...DTYPES, ...Object.keys(DTYPE_ALIASES)].map((d) => JSON.stringify(d)).join(", ")}`;

export function isFloatDType(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

export function allocate(dtype: DType, size: number): TypedArray {
  try {
    switch (dtype) {
      case "float32": return new Float32Array(size);
      case "float64": return new Float64Array(size);
      case "int32": return new Int32Array(size);
      case "bool": return new Uint8Array(size);
    }
  } catch (e) {
    // Within MAX_TENSOR_ELEMENTS, the host can still lack the memory.
    if (e instanceof RangeError) throw new ValueError(`cannot allocate ${size} ${dtype} values (${size * bytesPerElement(dtype)} bytes): ${e.message}`);
    throw e;
  }
}

/** The dtype a typed array stores, or undefined for array types we do not use. */
export function dtypeOfArray(data: ArrayBufferView): DType | undefined {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint8Array) return "bool";
  return undefined;
}

export function bytesPerElement(dtype: DType): number {
  return dtype === "float64" ? 8 : dtype === "bool" ? 1 : 4;
}
