/**
 * Shapes, static and concrete. A static shape may have unknown dimensions (`null`, printed `?`) or
 * an unknown rank (`null` for the whole shape); a concrete shape, the shape of a value, has neither.
 * Broadcasting follows numpy: shapes are aligned on the right, and a dimension of 1 stretches.
 */
import { check, requireArg } from "./arguments.js";
import { ShapeError } from "./errors.js";

const isShapeToFormat = check<StaticShape>("a shape (an array of dimensions) or null (unknown rank)", (v) => v === null || Array.isArray(v));

export type Dim = number | null;
/** A static shape: `null` when even the rank is unknown. */
export type StaticShape = Dim[] | null;
export type Shape = readonly number[];

export function formatShape(shape: StaticShape | Shape): string {
  requireArg("formatShape", "shape", shape, isShapeToFormat);
  if (shape === null) return "<unknown>";
  return `[${shape.map((d) => (d === null ? "?" : String(d))).join(",")}]`;
}

/**
 * The most elements a tensor may have: kernels index with 32-bit integers. Shapes are checked
 * against it where they are made (a tensor, a placeholder, an op's inferred or run-time output),
 * so a huge shape is an error naming the tensor or node rather than a failed allocation.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/**
 * Refuses a shape with a dimension or (when every dimension is known) an element count beyond
 * MAX_TENSOR_ELEMENTS, with a ShapeError that starts with `what` (the node or function).
 */
export function checkElementCount(shape: Dim[] | Shape, what: string): void {
  let count = 1;
  for (const d of shape) {
    if (d === null) continue;
    if (d > MAX_TENSOR_ELEMENTS) throw new ShapeError(`${what}: dimension ${d} of shape ${formatShape(shape)} is more than the ${MAX_TENSOR_ELEMENTS} elements a tensor can hold`);
    count *= d;
  }
  if (count > MAX_TENSOR_ELEMENTS && shape.every((d) => d !== null)) {
    throw new ShapeError(`${what}: shape ${formatShape(shape)} has ${count} elements, more than the ${MAX_TENSOR_ELEMENTS} a tensor can hold`);
  }
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function isFullyKnown(shape: readonly Dim[] | null): shape is number[] {
  return shape !== null && shape.every((d) => d !== null);
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether a concrete shape can be the value of a node with this static shape. */
export function isCompatible(staticShape: StaticShape, shape: Shape): boolean {
  if (staticShape === null) return true;
  if (staticShape.length !== shape.length) return false;
  return staticShape.every((d, i) => d === null || d === shape[i]);
}

/** Whether two static shapes could describe the same value. */
export function staticCompatible(a: StaticShape, b: StaticShape): boolean {
  if (a === null || b === null) return true;
  if (a.length !== b.length) return false;
  return a.every((d, i) => d === null || b[i] === null || d === b[i]);
}

/** Row-major strides of a concrete shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/**
 * Broadcasts static shapes by numpy rules. Unknown dimensions stay unknown unless the other side
 * fixes them (a known d > 1 wins over `?`). Throws a ShapeError naming both shapes when they clash.
 */
export function broadcastStatic(a: StaticShape, b: StaticShape, context: string): StaticShape {
  if (a === null || b === null) return null;
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = new Array(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]!;
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]!;
    if (da === 1) out[i] = db;
    else if (db === 1) out[i] = da;
    else if (da === null) out[i] = db === null ? null : db;
    else if (db === null) out[i] = da;
    else if (da === db) out[i] = da;
    else {
      throw new ShapeError(
        `${context}: operands could not be broadcast together with shapes ${formatShape(a)} and ${formatShape(b)}`,
      );
    }
  }
  return out;
}

export function broadcastShapes(a: Shape, b: Shape, context: string): number[] {
  return broadcastStatic([...a], [...b], context) as number[];
}

/**
 * Normalizes reduction axes for a tensor of the given rank: negative axes count from the end,
 * `undefined` means every axis. Returns sorted, unique axes.
 */
export function normalizeAxes(axis: number | readonly number[] | undefined, rank: number, context: string): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axis === "number" && Number.isInteger(axis) && axis >= -rank && axis < rank) return [axis < 0 ? axis + rank : axis];
  // One axis in a list (a reduction's attributes), the usual case, without the general path's Map.
  if (typeof axis !== "number" && axis.length === 1) {
    const a = axis[0]!;
    if (Number.isInteger(a) && a >= -rank && a < rank) return [a < 0 ? a + rank : a];
  }
  const list = typeof axis === "number" ? [axis] : [...axis];
  const out = new Map<number, number>();
  for (const a of list) {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new ShapeError(`${context}: axis ${a} is out of range for a tensor of rank ${rank}`);
    }
    const n = a < 0 ? a + rank : a;
    if (out.has(n)) {
      throw new ShapeError(`${context}: axes ${out.get(n)} and ${a} of [${list.join(",")}] both name axis ${n} of a tensor of rank ${rank}`);
    }
    out.set(n, a);
  }
  return [...out.keys()].sort((x, y) => x - y);
}

/**
 * A reduced shape with its reduced axes put back as size-1 dimensions: the keepDims form of a
 * reduction over `axis` of a tensor of rank `rank`.
 */
export function insertReducedAxes<D extends Dim>(reduced: readonly D[], axis: number | readonly number[] | undefined, rank: number, context: string): D[] {
  const out = [...reduced];
  for (const a of normalizeAxes(axis, rank, context)) out.splice(a, 0, 1 as D);
  return out;
}

/**
 * Strides for reading a tensor of `shape` as if broadcast to rank `rank`: the tensor's own row-major
 * strides, right-aligned, and 0 along axes that are missing or of size 1 (which stretch).
 */
export function broadcastStrides(shape: Shape, rank: number): number[] {
  const own = stridesOf(shape);
  const strides = new Array<number>(rank).fill(0);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] !== 1) strides[rank - shape.length + i] = own[i]!;
  }
  return strides;
}
