/**
 * Matrix multiplication with numpy's semantics: 1-D operands are vectors (a leading one is a row,
 * a trailing one a column, and that dimension is dropped from the result), rank > 2 operands are
 * stacks of matrices whose batch dimensions broadcast; `transposeA`/`transposeB` swap the last two
 * axes of a matrix operand.
 */
import type { Node, TensorSpec } from "../graph/index.js";
import { ShapeError, broadcastStatic, formatShape, type Dim, type StaticShape } from "../tensor/index.js";
import { expandDims, reshape } from "./array.js";
import { sumToShape } from "./broadcast.js";
import { apply, defineOp, type NodeLike } from "./define.js";
import { requireNumeric, requireSameDtype } from "./infer.js";

export interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

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
  kernel: "MatMul",
  infer: ([a, b], attrs, name): TensorSpec => {
    requireSameDtype("MatMul", name, a!.dtype, b!.dtype);
    requireNumeric("MatMul", name, a!);
    return { dtype: a!.dtype, shape: matmulShape(a!.shape, b!.shape, attrs, name) };
  },
  gradient: (op, dy) => matmulGradient(op.inputs[0]!, op.inputs[1]!, dy, op.attrs),
});

/**
 * Gradients of C = op(A)·op(B). Vector operands are lifted to 1×k / k×1 matrices (so the matrix
 * rules below apply), and batch broadcasting is undone by sumToShape. An operand whose rank is
 * unknown when the gradient is built is taken to be a matrix.
 */
function matmulGradient(a: Node, b: Node, dy: Node, { transposeA: tA, transposeB: tB }: MatMulAttrs): Node[] {
  const aVec = a.rank === 1;
  const bVec = b.rank === 1;
  const a2 = aVec ? reshape(a, [1, -1]) : a;
  const b2 = bVec ? reshape(b, [-1, 1]) : b;
  let g = dy;
  if (aVec) g = expandDims(g, bVec ? 0 : -2);
  if (bVec) g = expandDims(g, -1);
  const ta = tA && !aVec;
  const tb = tB && !bVec;
  let da: Node;
  let db: Node;
  if (!ta && !tb) {
    da = matmul(g, b2, { transposeB: true });
    db = matmul(a2, g, { transposeA: true });
  } else if (ta && !tb) {
    da = matmul(b2, g, { transposeB: true });
    db = matmul(a2, g);
  } else if (!ta && tb) {
    da = matmul(g, b2);
    db = matmul(g, a2, { transposeA: true });
  } else {
    da = matmul(b2, g, { transposeA: true, transposeB: true });
    db = matmul(g, a2, { transposeA: true, transposeB: true });
  }
  da = sumToShape(da, a2);
  db = sumToShape(db, b2);
  return [aVec ? reshape(da, [-1]) : da, bVec ? reshape(db, [-1]) : db];
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
