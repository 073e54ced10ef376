/**
 * The Tensor value: a concrete shape, a dtype and a row-major typed array. Session.run returns
 * these; kernels read and write them. It knows nothing of graphs.
 */
import { allocate, DEFAULT_DTYPE, dtypeOfArray, integerRange, storageDType, type DType, type DTypeLike, type TypedArray } from "./dtype.js";
import { check, is, isDTypeArg, requireArg, signature } from "./arguments.js";
import { DTypeError, ValueError } from "./errors.js";
import { formatTensor } from "./format.js";
import { checkElementCount, formatShape, sizeOf, type Shape } from "./shape.js";
import { fromNested, type NestedArray } from "./nested.js";

export type { NestedArray };
/** Anything that can be turned into a tensor value. */
export type TensorLike = Tensor | NestedArray | TypedArray;

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: TypedArray;

  constructor(shape: Shape, dtype: DType, data?: TypedArray) {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new ValueError(`invalid tensor shape ${formatShape(shape)}`);
    }
    checkElementCount(shape, "Tensor");
    const size = sizeOf(shape);
    if (data === undefined) data = allocate(dtype, size);
    else if (dtypeOfArray(data) !== dtype) {
      throw new DTypeError(`a ${dtype} tensor cannot hold a ${data.constructor.name}`);
    } else if (data.length !== size) {
      throw new ValueError(`a tensor of shape ${formatShape(shape)} needs ${size} values, got ${data.length}`);
    }
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.data = data;
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.data.length;
  }

  /** Nested JS arrays (numbers, or booleans for bool); a plain number for a scalar. */
  toArray(): NestedArray {
    const read = this.dtype === "bool" ? (i: number) => this.data[i] !== 0 : (i: number) => this.data[i]!;
    if (this.shape.length === 0) return read(0);
    let offset = 0;
    const build = (dim: number): NestedArray[] => {
      const n = this.shape[dim]!;
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = dim === this.shape.length - 1 ? read(offset++) : build(dim + 1);
      return out;
    };
    return build(0);
  }

  /** The single value of a tensor with one element. */
  item(): number | boolean {
    if (this.size !== 1) {
      throw new ValueError(`item() needs a tensor with exactly one element, this one has shape ${formatShape(this.shape)}`);
    }
    return this.dtype === "bool" ? this.data[0] !== 0 : this.data[0]!;
  }

  toString(): string {
    return formatTensor(this);
  }

  /** What console.log shows in Node: the values, as Python's print shows an array's (a TF1 script's `print(sess.run(x))`). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return formatTensor(this);
  }

  /** TensorFlow.js's name: a copy of the values, row-major, in a typed array of the dtype. */
  dataSync(): TypedArray {
    return this.clone().data;
  }

  /** TensorFlow.js's name for `toArray()`. */
  arraySync(): NestedArray {
    return this.toArray();
  }

  /** Prints the values to the console, as TensorFlow.js's `print()` does (numpy's layout here). */
  print(): void {
    (globalThis as unknown as { console: { log(text: string): void } }).console.log(`Tensor ${this.dtype} ${formatShape(this.shape)}\n${formatTensor(this)}`);
  }

  /**
   * A copy with its own storage. Copied by `set` into a fresh array, not `slice`: on views of a
   * SharedArrayBuffer (the wasm backend's memory) V8's `slice` copies element by element, about
   * ten times slower (3.8 ms against 0.4 ms for 4 MB here).
   */
  clone(): Tensor {
    const copy = new (this.data.constructor as new (length: number) => TypedArray)(this.data.length);
    copy.set(this.data);
    return new Tensor(this.shape, this.dtype, copy);
  }
}

export interface TensorOptions {
  dtype?: DTypeLike;
  shape?: readonly number[];
}

/** The argument check of a plain value a Tensor is made from. */
export const isTensorValue = check<TensorLike>(
  "a number, a boolean, a (nested) array of them, a typed array or a Tensor",
  (v) => typeof v === "number" || typeof v === "boolean" || Array.isArray(v) || ArrayBuffer.isView(v) || v instanceof Tensor,
);

const TENSOR = signature<{ values: TensorLike; shape?: readonly number[]; dtype?: DTypeLike }>("tensor", [
  { name: "values", check: isTensorValue },
  { name: "shape", check: is.optional(is.either(is.shape, check("null", (v) => v === null))) },
  { name: "dtype", check: is.optional(isDTypeArg) },
]);

/**
 * Makes a Tensor from numbers, nested arrays, typed arrays (with a shape) or another Tensor, in
 * TensorFlow.js's order `tensor(values, shape?, dtype?)`, or with `{ shape, dtype }`. Plain JS
 * numbers become float32 unless a dtype is asked for; TensorFlow's other dtype names are stored as
 * `storageDType` says, and values that do not fit the named type are refused. Ragged arrays are refused.
 */
export function tensor(values: TensorLike, shape?: readonly number[] | null, dtype?: DTypeLike): Tensor;
export function tensor(values: TensorLike, options?: TensorOptions): Tensor;
export function tensor(...args: unknown[]): Tensor {
  const { values: value, shape: givenShape, dtype: name } = TENSOR.parse(args);
  const shape = givenShape ?? undefined;
  const dtype = name === undefined ? undefined : storageDType(name);
  if (value instanceof Tensor) {
    if (shape !== undefined && sizeOf(shape) !== value.size) {
      throw new ValueError(`cannot view a tensor of shape ${formatShape(value.shape)} as shape ${formatShape(shape)}`);
    }
    const out = dtype === undefined || dtype === value.dtype ? value : castTensor(value, dtype);
    return checkRange(shape === undefined ? out : new Tensor(shape, out.dtype, out.data), name);
  }
  if (ArrayBuffer.isView(value)) {
    const arrayDtype = dtypeOfArray(value);
    if (arrayDtype === undefined) throw new DTypeError(`tensor: unsupported typed array ${value.constructor.name} (use Float32Array, Float64Array, Int32Array or Uint8Array)`);
    const t = new Tensor(shape ?? [value.length], arrayDtype, value);
    return checkRange(dtype === undefined || dtype === arrayDtype ? t : castTensor(t, dtype), name);
  }
  const targetDtype = dtype ?? (isBoolean(value) ? "bool" : DEFAULT_DTYPE);
  const { shape: inferred, data } = fromNested(value, targetDtype, name ?? targetDtype);
  if (shape !== undefined && sizeOf(shape) !== data.length) {
    throw new ValueError(`a value of shape ${formatShape(inferred)} cannot take the shape ${formatShape(shape)}`);
  }
  return new Tensor(shape ?? inferred, targetDtype, data);
}

/** `t`, refused when a value does not fit the narrower integer type `name` it was asked as. */
function checkRange(t: Tensor, name: DTypeLike | undefined): Tensor {
  if (name === undefined || name === t.dtype) return t;
  const range = integerRange(name);
  if (range === undefined) return t;
  for (let i = 0; i < t.size; i++) {
    const v = t.data[i]!;
    if (v < range[0] || v > range[1]) throw new ValueError(`element ${i} is ${v}, which ${name} cannot hold (${name} takes integers from ${range[0]} to ${range[1]}${t.dtype === "int32" && name !== "int32" ? "; it is stored as int32 here" : ""})`);
  }
  return t;
}

function isBoolean(value: NestedArray): boolean {
  let v: NestedArray = value;
  while (Array.isArray(v)) {
    if (v.length === 0) return false;
    v = v[0]!;
  }
  return typeof v === "boolean";
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Converts values between dtypes: floats to int32 truncate toward zero (saturating at int32's range,
 * NaN to 0), anything nonzero (NaN too) is true, float64 to float32 rounds to nearest.
 */
export function castTensor(t: Tensor, dtype: DTypeLike): Tensor {
  requireArg("castTensor", "t", t, is.instance(Tensor, "a Tensor"));
  requireArg("castTensor", "dtype", dtype, isDTypeArg);
  const to = storageDType(dtype);
  const out = allocate(to, t.size);
  convertInto(t.data, out, to);
  return new Tensor(t.shape, to, out);
}

/** Writes `from` into `to` (of `dtype`), converting as `castTensor` does. */
export function convertInto(from: TypedArray, to: TypedArray, dtype: DType): void {
  if (dtype === "bool") {
    for (let i = 0; i < from.length; i++) to[i] = from[i] !== 0 ? 1 : 0;
  } else if (dtype === "int32" && (from instanceof Float32Array || from instanceof Float64Array)) {
    // An Int32Array store truncates toward zero but wraps modulo 2^32 out of range; saturate
    // instead (TensorFlow leaves out-of-range and NaN conversions to the platform).
    for (let i = 0; i < from.length; i++) {
      const v = from[i]!;
      to[i] = v >= INT32_MAX ? INT32_MAX : v <= INT32_MIN ? INT32_MIN : v === v ? v : 0;
    }
  } else {
    to.set(from);
  }
}

export function scalar(value: number | boolean, dtype: DTypeLike = DEFAULT_DTYPE): Tensor {
  requireArg("scalar", "value", value, isScalar);
  return tensor(value, { dtype });
}

const isScalar = check<number | boolean>("a number or a boolean", (v) => typeof v === "number" || typeof v === "boolean");

export function zeros(shape: Shape, dtype: DTypeLike = DEFAULT_DTYPE): Tensor {
  requireArg("zeros", "shape", shape, is.shape);
  requireArg("zeros", "dtype", dtype, isDTypeArg);
  return new Tensor(shape, storageDType(dtype));
}

export function ones(shape: Shape, dtype: DTypeLike = DEFAULT_DTYPE): Tensor {
  requireArg("ones", "shape", shape, is.shape);
  requireArg("ones", "dtype", dtype, isDTypeArg);
  const t = new Tensor(shape, storageDType(dtype));
  t.data.fill(1);
  return t;
}
