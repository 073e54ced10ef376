/**
 * Numeric comparison for tests, in the numpy/torch form |actual - expected| <= atol + rtol·|expected|.
 *
 * - Shapes are compared first (a [6] is not a [2,3]).
 * - NaN, +Infinity and -Infinity are classes of their own: +Inf only equals +Inf, -Inf only -Inf,
 *   and NaN equals NaN only with `equalNan: true` (tfjs's `areClose` lets +Inf pass for NaN; we do not).
 * - On failure the message gives the index (multi-index and flat), both values, the difference and
 *   the tolerance, and how many elements are off.
 *
 * Values may be Tensors, `{shape, data}` records (what the plain-JS references return), typed or
 * plain arrays (1-D), nested arrays, or numbers (rank 0). This module also holds the small value
 * utilities the op tests share; none of them calls into the library.
 */
import assert from "node:assert/strict";
import * as ts from "tensorslow";

/** A plain value with a shape: what reference functions take and return. */
export interface Ref {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

export type Numeric = ts.Tensor | Ref | ts.NestedArray | ArrayLike<number>;

export interface CloseOptions {
  atol?: number;
  rtol?: number;
  /** NaN compares equal to NaN (off by default). */
  equalNan?: boolean;
  /** Also require the actual Tensor to have this dtype. */
  dtype?: ts.DType;
  /** Prefixes the failure message (e.g. the op and case). */
  what?: string;
}

export function sizeOfShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/** The shape of a nested array; throws on ragged input (written here, not taken from the library). */
function nestedShape(x: ts.NestedArray): number[] {
  const shape: number[] = [];
  let v: ts.NestedArray = x;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v.length > 0 ? (v[0] as ts.NestedArray) : 0;
  }
  const check = (y: ts.NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (Array.isArray(y)) throw new Error("assertClose: ragged nested array");
      return;
    }
    if (!Array.isArray(y) || y.length !== shape[dim]) throw new Error("assertClose: ragged nested array");
    for (const z of y) check(z as ts.NestedArray, dim + 1);
  };
  check(x, 0);
  return shape;
}

function isRef(x: unknown): x is Ref {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x) && "shape" in x && "data" in x;
}

/** Any accepted value as a shape and a flat Float64Array (booleans become 0/1). */
export function toRef(x: Numeric): { shape: number[]; data: Float64Array } {
  if (x instanceof ts.Tensor || isRef(x)) {
    const data = Float64Array.from(x.data as ArrayLike<number>);
    if (data.length !== sizeOfShape(x.shape)) {
      throw new Error(`assertClose: a value of shape ${fmtShape(x.shape)} has ${data.length} elements`);
    }
    return { shape: [...x.shape], data };
  }
  if (typeof x === "number" || typeof x === "boolean") return { shape: [], data: Float64Array.of(Number(x)) };
  if (ArrayBuffer.isView(x)) return { shape: [(x as ArrayLike<number>).length], data: Float64Array.from(x as ArrayLike<number>) };
  const shape = nestedShape(x as ts.NestedArray);
  const flat: number[] = [];
  const walk = (y: unknown): void => {
    if (Array.isArray(y)) for (const z of y) walk(z);
    else flat.push(Number(y));
  };
  walk(x);
  return { shape, data: Float64Array.from(flat) };
}

/** The multi-index of flat index `i` in a row-major array of `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

type Kind = "nan" | "+inf" | "-inf" | "finite";
function kindOf(v: number): Kind {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "+inf";
  if (v === -Infinity) return "-inf";
  return "finite";
}

/** Whether one actual/expected pair is close (see the module comment for the rules). */
export function isClose(a: number, e: number, atol: number, rtol: number, equalNan = false): boolean {
  const ka = kindOf(a);
  const ke = kindOf(e);
  if (ka !== ke) return false;
  if (ka === "nan") return equalNan;
  if (ka !== "finite") return true; // same infinity
  return Math.abs(a - e) <= atol + rtol * Math.abs(e);
}

/** Throws an AssertionError unless `actual` and `expected` have the same shape and close values. */
export function assertClose(actual: Numeric, expected: Numeric, options: CloseOptions = {}): void {
  const { atol = 1e-7, rtol = 1e-7, equalNan = false, what } = options;
  const prefix = what === undefined ? "assertClose" : `assertClose (${what})`;
  if (options.dtype !== undefined) {
    if (!(actual instanceof ts.Tensor)) assert.fail(`${prefix}: a dtype check needs a Tensor as the actual value`);
    if (actual.dtype !== options.dtype) assert.fail(`${prefix}: dtype mismatch: actual ${actual.dtype}, expected ${options.dtype}`);
  }
  const a = toRef(actual);
  const e = toRef(expected);
  if (a.shape.length !== e.shape.length || a.shape.some((d, i) => d !== e.shape[i])) {
    assert.fail(`${prefix}: shape mismatch: actual ${fmtShape(a.shape)}, expected ${fmtShape(e.shape)}`);
  }
  let bad = 0;
  let first = -1;
  for (let i = 0; i < e.data.length; i++) {
    if (!isClose(a.data[i]!, e.data[i]!, atol, rtol, equalNan)) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad === 0) return;
  const av = a.data[first]!;
  const ev = e.data[first]!;
  const tol = atol + rtol * Math.abs(ev);
  const diff = Math.abs(av - ev);
  assert.fail(
    `${prefix}: ${bad} of ${e.data.length} elements not close; first at index ` +
      `[${unravel(first, e.shape).join(",")}] (flat ${first}) of shape ${fmtShape(e.shape)}: ` +
      `actual ${av}, expected ${ev}, |diff| ${diff} > tol ${tol} (atol ${atol} + rtol ${rtol}·|expected|)` +
      (equalNan ? "" : Number.isNaN(av) && Number.isNaN(ev) ? " (NaN vs NaN: pass equalNan to accept)" : ""),
  );
}
