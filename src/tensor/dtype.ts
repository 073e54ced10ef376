/** The element types a tensor can hold, and the typed arrays that store them. */

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

export function isFloatDType(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32": return new Float32Array(size);
    case "float64": return new Float64Array(size);
    case "int32": return new Int32Array(size);
    case "bool": return new Uint8Array(size);
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
