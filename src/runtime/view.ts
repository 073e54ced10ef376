/**
 * Views: an op that only relabels input 0's elements (OpDef.relabels: a reshape, or a sum or a
 * broadcast back to a shape when there is nothing to sum or broadcast) gives its output, where
 * static shapes show that it relabels, as a view of input 0's storage: a step that runs no kernel
 * and copies nothing. A graph built on `placeholder()` has such ops where shaped code has none
 * (the matrix-product gradient's AsMatrix, LiftMatMulGrad and UnliftMatMulGrad, decided at run
 * time for operands of unknown rank); a variant specialized on fed shapes (specialize.ts) knows
 * they relabel.
 *
 * The compiler (compile.ts) keeps the viewed storage alive until the view's last reader has run,
 * and makes no view of a value whose storage changes during the run (a variable's, which an update
 * may write in place, in-place.ts): every other value is written once, by its own step.
 */
import type { Node, Operation } from "../graph/index.js";
import { ShapeError, Tensor, formatShape, isFullyKnown, shapesEqual, sizeOf, type StaticShape } from "../tensor/index.js";

/** Whether static shapes show that `op` relabels its input 0: a relabelling op, same dtype, as many elements. */
export function relabelsStatically(op: Operation, shapeOf: (n: Node) => StaticShape): boolean {
  if (op.def.relabels !== true || op.def.writesVariable !== undefined) return false;
  const x = op.inputs[0];
  if (x === undefined || x.dtype !== op.dtype) return false;
  const xs = shapeOf(x);
  const out = shapeOf(op);
  return isFullyKnown(xs) && isFullyKnown(out) && sizeOf(xs) === sizeOf(out);
}

/** The view step: input 0's value under the op's shape (the value itself when the shapes are equal). */
export class ViewStep {
  readonly kind = "view";
  private readonly same: boolean;
  /** The last input and its view, kept between runs only when the input is the plan's own value (not the caller's feed). */
  private input: Tensor | undefined;
  private view: Tensor | undefined;

  constructor(
    readonly op: Operation,
    readonly slot: number,
    readonly inputSlot: number,
    private readonly inputShape: readonly number[],
    private readonly shape: readonly number[],
    private readonly keep: boolean,
  ) {
    this.same = shapesEqual(inputShape, shape);
  }

  run(values: (Tensor | undefined)[]): void {
    const x = values[this.inputSlot]!;
    if (x === this.input) {
      values[this.slot] = this.view;
      return;
    }
    // Static shapes promised this shape (a specialized variant runs only with the fed shapes it was
    // compiled for); a guard, naming the op, should inference and a value ever disagree.
    if (x.shape !== this.inputShape && !shapesEqual(x.shape, this.inputShape)) {
      throw new ShapeError(`${this.op} at run time: its input has shape ${formatShape(x.shape)}, the plan was compiled for ${formatShape(this.inputShape)}`);
    }
    const view = this.same ? x : new Tensor(this.shape, x.dtype, x.data);
    if (this.keep) {
      this.input = x;
      this.view = view;
    }
    values[this.slot] = view;
  }
}
