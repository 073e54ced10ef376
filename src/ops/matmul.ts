/**
 * Matrix multiplication with numpy's semantics: 1-D operands are vectors (a leading one is a row,
 * a trailing one a column, and that dimension is dropped from the result), rank > 2 operands are
 * stacks of matrices whose batch dimensions broadcast; `transposeA`/`transposeB` swap the last two
 * axes of a matrix operand.
 */
import type { Node, TensorSpec } from "../graph/index.js";
import { ShapeError, broadcastStatic, formatShape, type Dim, type StaticShape } from "../tensor/index.js";
import { expandDims, reshape, reshapeLike } from "./array.js";
import { squeeze } from "./shape-ops.js";
import { apply, defineOp, type NodeLike } from "./define.js";
import { requireNumeric, requireSameDtype } from "./infer.js";
import type { MatMulAttrs } from "../kernels/attrs.js";

/** The output shape of a numpy-style matmul, checking that the inner dimensions agree. */
export function matmulShape(a: StaticShape, b: StaticShape, attrs: MatMulAttrs, name: string): StaticShape {
  const fail = (detail: string): never => {
    throw new ShapeError(
      `${detail} for '${name}' (op: MatMul) with input shapes: ${formatShape(a)}, ${formatShape(b)}` +
        (attrs.transposeA || attrs.transposeB ? ` and transposeA=${attrs.transposeA}, transposeB=${attrs.transposeB}` : ""),
    );
  };
  if (a !== null && a.length === 0) fail("MatMul needs operands of rank at least 1, got a scalar");
  if (b !== null && b.length === 0) fail("MatMul needs operands of rank at least 1, got a scalar");
  if (a === null || b === null) return null;
  const aVec = a.length === 1;
  const bVec = b.length === 1;
  const m: Dim = aVec ? null : a[attrs.transposeA ? a.length - 1 : a.length - 2]!;
  const ka: Dim = aVec ? a[0]! : a[attrs.transposeA ? a.length - 2 : a.length - 1]!;
  const kb: Dim = bVec ? b[0]! : b[attrs.transposeB ? b.length - 1 : b.length - 2]!;
  const n: Dim = bVec ? null : b[attrs.transposeB ? b.length - 2 : b.length - 1]!;
  if (ka !== null && kb !== null && ka !== kb) fail(`Dimensions must be equal, but are ${ka} and ${kb}`);
  const batch = broadcastStatic(aVec ? [] : a.slice(0, -2), bVec ? [] : b.slice(0, -2), `MatMul '${name}' (batch dimensions)`)!;
  return [...batch, ...(aVec ? [] : [m]), ...(bVec ? [] : [n])];
}

export const MatMul = defineOp<MatMulAttrs>({
  type: "MatMul",
  infer: ([a, b], attrs, name): TensorSpec => {
    requireSameDtype("MatMul", name, a!.dtype, b!.dtype);
    requireNumeric("MatMul", name, a!);
    return { dtype: a!.dtype, shape: matmulShape(a!.shape, b!.shape, attrs, name) };
  },
  gradient: (op, dy) => matmulGradient(op.inputs[0]!, op.inputs[1]!, dy, op.attrs),
  broadcasts: true,
});

/**
 * Gradients of C = op(A)·op(B). Vector operands are lifted to 1×k / k×1 matrices, in the
 * orientation that makes their (ignored) transpose flag consistent, and the output gradient gets
 * the dropped dimensions back; then one set of matrix rules applies, and a vector operand's
 * gradient loses its lifted axis again. The batch dimensions stay: MatMul declares that it
 * broadcasts, so gradients() sums them back to each operand's shape. Where an operand's rank is
 * unknown when the gradient is built, lifting is decided at run time (AsMatrix, LiftMatMulGrad,
 * UnliftMatMulGrad).
 */
function matmulGradient(a: Node, b: Node, dy: Node, { transposeA: tA, transposeB: tB }: MatMulAttrs): Node[] {
  const a2 = asMatrix(a, tA ? "column" : "row");
  const b2 = asMatrix(b, tB ? "row" : "column");
  const g = liftOutputGradient(dy, a, b);
  let da: Node;
  let db: Node;
  if (!tA && !tB) {
    da = matmul(g, b2, { transposeB: true });
    db = matmul(a2, g, { transposeA: true });
  } else if (tA && !tB) {
    da = matmul(b2, g, { transposeB: true });
    db = matmul(a2, g);
  } else if (!tA && tB) {
    da = matmul(g, b2);
    db = matmul(g, a2, { transposeA: true });
  } else {
    da = matmul(b2, g, { transposeA: true, transposeB: true });
    db = matmul(g, a2, { transposeA: true, transposeB: true });
  }
  return [unlift(da, a, tA ? "column" : "row"), unlift(db, b, tB ? "row" : "column")];
}

export interface AsMatrixAttrs {
  /** How a vector [k] becomes a matrix: a row [1,k] or a column [k,1]. */
  vectorAs: "row" | "column";
}

/** A vector as a one-row or one-column matrix; a matrix or stack of matrices unchanged. */
export const AsMatrix = defineOp<AsMatrixAttrs>({
  type: "AsMatrix",
  kernel: "Reshape",
  infer: ([x], { vectorAs }, name): TensorSpec => {
    const shape = x!.shape;
    if (shape !== null && shape.length === 0) throw new ShapeError(`AsMatrix '${name}' needs a vector or a matrix, got a scalar`);
    if (shape === null || shape.length > 1) return { dtype: x!.dtype, shape };
    return { dtype: x!.dtype, shape: vectorAs === "row" ? [1, shape[0]!] : [shape[0]!, 1] };
  },
  gradient: (op, dy) => [reshapeLike(dy, op.inputs[0]!)],
  relabels: true,
});

/**
 * The gradient of C = A·B (input 0) reshaped to the product of the lifted operands: a size-1
 * dimension back where a vector A (before the last axis) or a vector B (at the end) dropped one.
 */
export const LiftMatMulGrad = defineOp<Record<string, never>>({
  type: "LiftMatMulGrad",
  kernel: "Reshape",
  infer: ([dy, a, b]): TensorSpec => {
    if (dy!.shape === null || a!.shape === null || b!.shape === null) return { dtype: dy!.dtype, shape: null };
    return { dtype: dy!.dtype, shape: liftedShape(dy!.shape, a!.shape.length === 1, b!.shape.length === 1) };
  },
  gradient: (op, g) => [reshapeLike(g, op.inputs[0]!), null, null],
  relabels: true,
});

function liftedShape(dy: readonly Dim[], aVec: boolean, bVec: boolean): Dim[] {
  const shape = [...dy];
  if (bVec) shape.push(1);
  if (aVec) shape.splice(shape.length - 1, 0, 1);
  return shape;
}

function asMatrix(x: Node, vectorAs: AsMatrixAttrs["vectorAs"]): Node {
  if (x.rank !== null && x.rank >= 2) return x;
  if (x.rank === 1) return reshape(x, vectorAs === "row" ? [1, -1] : [-1, 1]);
  return apply(AsMatrix, [x], { vectorAs }, "AsMatrix");
}

function liftOutputGradient(dy: Node, a: Node, b: Node): Node {
  if (a.rank === null || b.rank === null) return apply(LiftMatMulGrad, [dy, a, b], {}, "LiftMatMulGrad");
  let g = dy;
  if (b.rank === 1) g = expandDims(g, -1);
  if (a.rank === 1) g = expandDims(g, -2);
  return g;
}

/** The axis AsMatrix adds to a vector, counted from the end: before the last for a row, last for a column. */
function liftedAxis(vectorAs: AsMatrixAttrs["vectorAs"]): number {
  return vectorAs === "row" ? -2 : -1;
}

/**
 * UnliftMatMulGrad(d, operand): the gradient `d` of an operand lifted by AsMatrix, with the lifted
 * axis taken out again when the operand is a vector; unchanged for a matrix or a stack of them.
 * Batch dimensions stay (gradients() sums them away).
 */
export const UnliftMatMulGrad = defineOp<AsMatrixAttrs>({
  type: "UnliftMatMulGrad",
  kernel: "Reshape",
  infer: ([d, operand], { vectorAs }, name): TensorSpec => {
    if (d!.shape === null || operand!.shape === null) return { dtype: d!.dtype, shape: null };
    if (operand!.shape.length !== 1) return { dtype: d!.dtype, shape: d!.shape };
    const axis = d!.shape.length + liftedAxis(vectorAs);
    if (axis < 0 || (d!.shape[axis] !== null && d!.shape[axis] !== 1)) {
      throw new ShapeError(`UnliftMatMulGrad '${name}': the gradient of shape ${formatShape(d!.shape)} has no lifted axis of size 1 for a vector operand`);
    }
    return { dtype: d!.dtype, shape: d!.shape.filter((_, i) => i !== axis) };
  },
  gradient: (op, g) => [reshapeLike(g, op.inputs[0]!), null],
  relabels: true,
});

/** A lifted operand's gradient `d` without the lifted axis (see UnliftMatMulGrad). */
function unlift(d: Node, operand: Node, vectorAs: AsMatrixAttrs["vectorAs"]): Node {
  if (operand.rank !== null && operand.rank >= 2) return d;
  if (operand.rank === 1) return squeeze(d, liftedAxis(vectorAs));
  return apply(UnliftMatMulGrad, [d, operand], { vectorAs }, "UnliftMatMulGrad");
}

export interface MatMulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  name?: string;
}

/** The matrix product a·b (numpy semantics for vectors and batches; see the module comment). */
export function matmul(a: NodeLike, b: NodeLike, options: MatMulOptions = {}): Node {
  const attrs = { transposeA: options.transposeA ?? false, transposeB: options.transposeB ?? false };
  return apply(MatMul, [a, b], attrs, options.name);
}
