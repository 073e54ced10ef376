/**
 * Reference matmul: numpy semantics (vectors, broadcast batches, transposes), i-k-j loops with a
 * double-precision accumulator row. Written for clarity; the fast GEMM lives in the wasm backend.
 */
import type { FusedMatMulAttrs, MatMulAttrs } from "../../kernels/attrs.js";
import { formula } from "./formulas.js";
import { ShapeError, broadcastShapes, broadcastStrides, formatShape, sizeOf, type Tensor, type TypedArray } from "../../tensor/index.js";

/** The shapes of a numpy-style matmul: vectors as 1×k / k×1 matrices, transposes, broadcast batch. */
export interface MatMulGeometry {
  tA: boolean;
  tB: boolean;
  aRows: number;
  aCols: number;
  bRows: number;
  bCols: number;
  m: number;
  k: number;
  n: number;
  aBatch: readonly number[];
  bBatch: readonly number[];
  batch: readonly number[];
}

/** The batch shape of matrices (rank 2) and vectors: shared, so that a call on them allocates nothing for it. */
const NO_BATCH: readonly number[] = Object.freeze([]);

export function matmulGeometry(a: Tensor, b: Tensor, attrs: MatMulAttrs): MatMulGeometry {
  const aVec = a.rank === 1;
  const bVec = b.rank === 1;
  const tA = attrs.transposeA && !aVec;
  const tB = attrs.transposeB && !bVec;
  // Matrix views: a vector a is a 1×k row, a vector b a k×1 column.
  const aRows = aVec ? 1 : a.shape[a.rank - 2]!;
  const aCols = aVec ? a.shape[0]! : a.shape[a.rank - 1]!;
  const bRows = bVec ? b.shape[0]! : b.shape[b.rank - 2]!;
  const bCols = bVec ? 1 : b.shape[b.rank - 1]!;
  const aBatch = a.rank <= 2 ? NO_BATCH : a.shape.slice(0, -2);
  const bBatch = b.rank <= 2 ? NO_BATCH : b.shape.slice(0, -2);
  return {
    tA,
    tB,
    aRows,
    aCols,
    bRows,
    bCols,
    m: tA ? aCols : aRows,
    k: tA ? aRows : aCols,
    n: tB ? bRows : bCols,
    aBatch,
    bBatch,
    batch: aBatch === NO_BATCH && bBatch === NO_BATCH ? NO_BATCH : broadcastShapes(aBatch, bBatch, "MatMul"),
  };
}

/** Products without batch dimensions whose B has at most this many elements take `dotProducts`. */
const DOT_MAX_B = 4096;

/**
 * C = A·B as dot products of rows of A and columns of B read through strides (which express the
 * transposes), two columns at a time so that each A(i, p) is loaded once for both. For the small
 * matrices of a small network this beats the row-accumulating loop below, whose per-row set-up
 * dominates; sums are in doubles too, in the same order.
 */
function dotProducts(A: TypedArray, aRow: number, aCol: number, B: TypedArray, bRow: number, bCol: number, C: TypedArray, m: number, n: number, k: number): void {
  const even = n - (n % 2);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0; j < even; j += 2) {
      let s0 = 0;
      let s1 = 0;
      let pa = i * aRow;
      let pb = j * bCol;
      for (let p = 0; p < k; p++) {
        const a = A[pa]!;
        s0 += a * B[pb]!;
        s1 += a * B[pb + bCol]!;
        pa += aCol;
        pb += bRow;
      }
      C[row + j] = s0;
      C[row + j + 1] = s1;
    }
    if (even < n) {
      let s = 0;
      let pa = i * aRow;
      let pb = even * bCol;
      for (let p = 0; p < k; p++) {
        s += A[pa]! * B[pb]!;
        pa += aCol;
        pb += bRow;
      }
      C[row + even] = s;
    }
  }
}

export function matmulKernel(inputs: readonly Tensor[], out: Tensor, attrs: MatMulAttrs): void {
  const [a, b] = inputs as [Tensor, Tensor];
  if (a.rank <= 2 && b.rank <= 2 && b.size <= DOT_MAX_B) {
    // A(i, p) = A[i·aRow + p·aCol], B(p, j) = B[p·bRow + j·bCol] (a vector a is a row, b a column).
    const aCols = a.shape[a.rank - 1] ?? 1;
    const tA = attrs.transposeA && a.rank === 2;
    const tB = attrs.transposeB && b.rank === 2;
    const bCols = b.rank === 2 ? b.shape[1]! : 1;
    const m = a.rank === 1 ? 1 : tA ? aCols : a.shape[0]!;
    const k = a.rank === 1 ? aCols : tA ? a.shape[0]! : aCols;
    const n = b.rank === 1 ? 1 : tB ? b.shape[0]! : bCols;
    dotProducts(a.data, tA ? 1 : aCols, tA ? aCols : 1, b.data, tB ? 1 : bCols, tB ? bCols : 1, out.data, m, n, k);
    return;
  }
  const { tA, tB, aRows, aCols, bRows, bCols, m, k, n, aBatch, bBatch, batch } = matmulGeometry(a, b, attrs);
  const batchSize = sizeOf(batch);
  // Offset (in matrices) of batch element `flat` within an operand: the shared broadcast-stride
  // rule, computed once per operand.
  const aStrides = broadcastStrides(aBatch, batch.length);
  const bStrides = broadcastStrides(bBatch, batch.length);
  const batchIndex = (strides: readonly number[], flat: number): number => {
    let offset = 0;
    let rem = flat;
    for (let d = batch.length - 1; d >= 0; d--) {
      const i = rem % batch[d]!;
      rem = (rem - i) / batch[d]!;
      offset += i * strides[d]!;
    }
    return offset;
  };
  const A = a.data;
  const B = b.data;
  const C = out.data;
  const acc = new Float64Array(n);
  const aMat = aRows * aCols;
  const bMat = bRows * bCols;
  for (let p = 0; p < batchSize; p++) {
    const aOff = batchIndex(aStrides, p) * aMat;
    const bOff = batchIndex(bStrides, p) * bMat;
    const cOff = p * m * n;
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      for (let kk = 0; kk < k; kk++) {
        const av = A[aOff + (tA ? kk * aCols + i : i * aCols + kk)]!;
        // Zero entries of A are not skipped: 0·Inf and 0·NaN must give NaN, as IEEE (and numpy) do.
        if (tB) for (let j = 0; j < n; j++) acc[j]! += av * B[bOff + j * bCols + kk]!;
        else {
          const row = bOff + kk * bCols;
          for (let j = 0; j < n; j++) acc[j]! += av * B[row + j]!;
        }
      }
      for (let j = 0; j < n; j++) C[cOff + i * n + j] = acc[j]!;
    }
  }
}

/**
 * The fused dense layer (_FusedMatMul): inputs [a, b, bias], the product, then bias added to each
 * row and the activation, each value rounded to the output's dtype as the unfused ops round it.
 */
export function fusedMatMulKernel(inputs: readonly Tensor[], out: Tensor, attrs: FusedMatMulAttrs): void {
  matmulKernel(inputs, out, attrs);
  biasActivation(out, inputs[2]!, attrs.activation);
}

/**
 * The epilogue of a fused kernel: + bias along the last axis, then the activation (a formula id),
 * each value rounded to the output's dtype as the unfused ops round it.
 */
export function biasActivation(out: Tensor, biasTensor: Tensor, activation: string | undefined): void {
  const bias = biasTensor.data;
  const C = out.data;
  const n = bias.length;
  if (biasTensor.rank !== 1 || n !== (out.shape[out.rank - 1] ?? 1)) {
    throw new ShapeError(`a fused bias of shape ${formatShape(biasTensor.shape)} for an output of shape ${formatShape(out.shape)}: it must have the output's last dimension`);
  }
  const act = activation === undefined ? undefined : (formula(activation) as (x: number) => number);
  for (let i = 0; i < C.length; i += n) {
    for (let j = 0; j < n; j++) C[i + j] = C[i + j]! + bias[j]!;
    if (act !== undefined) for (let j = 0; j < n; j++) C[i + j] = act(C[i + j]!);
  }
}
