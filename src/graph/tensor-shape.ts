/** TensorFlow's `TensorShape`, what `node.getShape()` returns: a static shape with TF1's accessors. */
import { GraphError, check, formatShape, requireArg, type StaticShape } from "../tensor/index.js";

const isDims = check<StaticShape>("an array of dimensions (integers >= 0, or null where unknown), or null (unknown rank)", (v) => v === null || (Array.isArray(v) && v.every((d) => d === null || (Number.isInteger(d) && d >= 0))));

export class TensorShape {
  constructor(readonly dims: StaticShape) {
    requireArg("TensorShape", "dims", dims, isDims);
  }

  /** The number of dimensions, null when unknown. */
  get ndims(): number | null {
    return this.dims === null ? null : this.dims.length;
  }

  /** The dimensions, null where unknown (TensorFlow's `as_list()`); an unknown rank has no list. */
  asList(): (number | null)[] {
    if (this.dims === null) throw new GraphError("asList() is not defined on a shape of unknown rank");
    return [...this.dims];
  }

  isFullyDefined(): boolean {
    return this.dims !== null && this.dims.every((d) => d !== null);
  }

  /** The number of elements, null unless every dimension is known. */
  numElements(): number | null {
    return this.isFullyDefined() ? this.dims!.reduce<number>((p, d) => p * d!, 1) : null;
  }

  toString(): string {
    return formatShape(this.dims);
  }

  /** TensorFlow's snake_case names. */
  as_list(): (number | null)[] {
    return this.asList();
  }
  is_fully_defined(): boolean {
    return this.isFullyDefined();
  }
  num_elements(): number | null {
    return this.numElements();
  }
}
