/**
 * Nested JS arrays to typed arrays, in one pass: the shape is read down the first elements, the
 * storage allocated, then a single walk checks each sub-array's length and each element's type and
 * writes the element. Nothing is built per element (no path strings, no intermediate flat array):
 * a training loop that feeds nested arrays at every step, as the tutorial's does, pays about what
 * copying the numbers costs. The path of a bad element is spelled out only when there is one.
 */
import { allocate, integerRange, type DType, type DTypeLike, type TypedArray } from "./dtype.js";
import { ValueError } from "./errors.js";
import { formatShape, sizeOf } from "./shape.js";

export type NestedArray = number | boolean | readonly NestedArray[];

/** The shape of a nested array as its first elements give it (the walk checks the rest). */
export function nestedShape(value: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v.length > 0 ? v[0]! : 0;
  }
  return shape;
}

/** What the walk writes into and how it converts an element. */
interface Target {
  readonly shape: readonly number[];
  readonly out: TypedArray;
  /** The int32 range the elements must be integers within, or undefined. */
  readonly range: readonly [number, number] | undefined;
  readonly bool: boolean;
  /** The dtype as the caller named it, for the messages. */
  readonly name: DTypeLike;
  /** The index at each dimension of the element being written (for the path of an error). */
  readonly at: number[];
}

const pathOf = (t: Target, dims: number): string => `value${t.at.slice(0, dims).map((i) => `[${i}]`).join("")}`;

/** A leaf that is not a number or a boolean: the message the old two-pass conversion gave. */
function badLeaf(t: Target, x: unknown, dims: number): never {
  if (Array.isArray(x)) throw new ValueError(`ragged nested array: element ${pathOf(t, dims)} is an array, expected a number`);
  throw new ValueError(`element ${pathOf(t, dims)} is ${typeof x} (${String(x)}), expected a number`);
}

function outOfRange(t: Target, v: number, k: number): never {
  const [lo, hi] = t.range!;
  const stored = t.name === "int32" ? "" : t.name === "int64" ? ", the int32 range, since int64 is stored as int32 here" : "";
  throw new ValueError(`element ${k} is ${v}, which ${t.name} cannot hold exactly (${t.name} takes integers from ${lo} to ${hi}${stored}; use a float dtype or round first)`);
}

/** Writes one element at `k`: numbers as they are, booleans as 1 or 0, checked for int32 and bool. */
function writeLeaf(t: Target, x: unknown, k: number, dims: number): void {
  let v: number;
  if (typeof x === "number") v = x;
  else if (typeof x === "boolean") v = x ? 1 : 0;
  else badLeaf(t, x, dims);
  if (t.range !== undefined && !(Number.isInteger(v) && v >= t.range[0] && v <= t.range[1])) outOfRange(t, v, k);
  t.out[k] = t.bool ? (v !== 0 ? 1 : 0) : v;
}

/** Checks that `x` is an array of the length dimension `dim` has, naming it otherwise. */
function checkArray(t: Target, x: unknown, dim: number): asserts x is readonly NestedArray[] {
  const n = t.shape[dim]!;
  if (!Array.isArray(x)) throw new ValueError(`ragged nested array: element ${pathOf(t, dim)} is a number, expected an array of length ${n}`);
  if (x.length !== n) {
    throw new ValueError(`ragged nested array: element ${pathOf(t, dim)} has length ${x.length}, expected ${n} (inferred shape ${formatShape(t.shape)})`);
  }
}

/** Writes the sub-array `x` at dimension `dim` from element `k` on; returns the next element's index. */
function walk(t: Target, x: unknown, dim: number, k: number): number {
  checkArray(t, x, dim);
  const n = x.length;
  if (dim === t.shape.length - 1) {
    // The innermost rows are most of the work: plain numbers into a float array take the short way.
    const plain = t.range === undefined && !t.bool;
    const out = t.out;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      if (plain && typeof v === "number") out[k + i] = v;
      else {
        t.at[dim] = i;
        writeLeaf(t, v, k + i, dim + 1);
      }
    }
    return k + n;
  }
  for (let i = 0; i < n; i++) {
    t.at[dim] = i;
    k = walk(t, x[i], dim + 1, k);
  }
  return k;
}

/**
 * The values of a nested array (or a single number or boolean) as a typed array of `dtype`, and
 * their shape. `name` is the dtype as the caller named it (int64 is stored as int32, and its range
 * is what its values are checked against). Ragged arrays and elements that are not numbers or
 * booleans are refused, naming the element.
 */
export function fromNested(
  value: NestedArray,
  dtype: DType,
  name: DTypeLike = dtype,
  /** Where the values go (a new typed array by default): storage of exactly `size` elements. */
  alloc: (dtype: DType, size: number) => TypedArray = allocate,
): { shape: number[]; data: TypedArray } {
  const shape = nestedShape(value);
  const out = alloc(dtype, sizeOf(shape));
  const t: Target = { shape, out, range: dtype === "int32" ? integerRange(name) : undefined, bool: dtype === "bool", name, at: [] };
  // Rows of plain numbers into a float or unchecked array, the usual feed, take a loop of their own;
  // anything else (booleans, a ragged row, a bad element) the general walk, which names the problem.
  const plain = t.range === undefined && !t.bool;
  if (shape.length === 0) writeLeaf(t, value, 0, 0);
  else if (!(plain && shape.length <= 2 && plainRows(value as readonly unknown[], shape, out))) walk(t, value, 0, 0);
  return { shape, data: out };
}

/**
 * Writes `value` into `out` when it is a vector or a matrix of plain numbers of exactly `shape`
 * (a feed of the shape it had in the last run); false otherwise, with `out` partly written. For
 * float arrays only (numbers go in as they are, unchecked).
 */
export function refillNested(value: readonly unknown[], shape: readonly number[], out: TypedArray): boolean {
  return (shape.length === 1 || shape.length === 2) && value.length === shape[0] && plainRows(value, shape, out);
}

/**
 * Writes a vector or a matrix of plain numbers into `out`; false (with `out` partly written) at the
 * first element that is not a number or row that is not an array of the first row's length.
 */
function plainRows(value: readonly unknown[], shape: readonly number[], out: TypedArray): boolean {
  if (shape.length === 1) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v !== "number") return false;
      out[i] = v;
    }
    return true;
  }
  const cols = shape[1]!;
  let k = 0;
  for (let i = 0; i < value.length; i++) {
    const row = value[i];
    if (!Array.isArray(row) || row.length !== cols) return false;
    for (let j = 0; j < cols; j++) {
      const v: unknown = row[j];
      if (typeof v !== "number") return false;
      out[k++] = v;
    }
  }
  return true;
}
