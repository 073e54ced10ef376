/**
 * MatMul in wasm: the reference kernel's numpy semantics (vectors, broadcast batches, transposes)
 * on the packed, blocked GEMM. Work is split across threads by batch when there are at least as
 * many products as threads, else each product by its larger output dimension.
 */
import type { MatMulAttrs } from "../../kernels/attrs.js";
import { broadcastStrides, sizeOf, type Tensor } from "../../tensor/index.js";
import { matmulGeometry } from "../js/matmul.js";
import type { Kernel } from "../backend.js";
import { PARALLEL_MIN, type WasmContext } from "./context.js";
import { splitRange } from "./threads.js";

/** Each GEMM chunk repacks one operand whole: few chunks (see splitRange). */
const GEMM_CHUNKS_PER_THREAD = 2;

/** Byte offsets of each batch element's matrix within an operand, under broadcasting. */
function batchOffsets(batch: readonly number[], own: readonly number[], matBytes: number): number[] {
  const strides = broadcastStrides(own, batch.length);
  const count = sizeOf(batch);
  const offsets = new Array<number>(count);
  for (let p = 0; p < count; p++) {
    let rem = p;
    let offset = 0;
    for (let d = batch.length - 1; d >= 0; d--) {
      const i = rem % batch[d]!;
      rem = (rem - i) / batch[d]!;
      offset += i * strides[d]!;
    }
    offsets[p] = offset * matBytes;
  }
  return offsets;
}

export function matmulKernel(ctx: WasmContext): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: MatMulAttrs) => {
    const [a, b] = inputs as [Tensor, Tensor];
    const { tA, tB, aRows, aCols, bRows, bCols, m, k, n, aBatch, bBatch, batch } = matmulGeometry(a, b, attrs);
    const count = sizeOf(batch);
    if (count === 0 || m === 0 || n === 0) return;

    const { rt, pool } = ctx;
    rt.begin();
    const pa = rt.input(a.data as Float32Array);
    const pb = rt.input(b.data as Float32Array);
    const pc = rt.output(out.data as Float32Array);
    const ta = tA ? 1 : 0;
    const tb = tB ? 1 : 0;
    const threads = count * m * n * k >= PARALLEL_MIN.gemm ? pool.threads : 1;
    // Chunk argument lists; the pool appends the running thread's GEMM scratch.
    if (count > 1 || threads === 1) {
      const aOffs = rt.words(batchOffsets(batch, aBatch, aRows * aCols * 4));
      const bOffs = rt.words(batchOffsets(batch, bBatch, bRows * bCols * 4));
      const parts = splitRange(count, threads, 1, GEMM_CHUNKS_PER_THREAD);
      pool.run("gemmBatch", parts.map(([p0, p1]) => [p0, p1, aOffs, bOffs, m, n, k, pa, aCols, ta, pb, bCols, tb, pc]));
    } else if (n >= m) {
      // Column slices: B and C advance by columns.
      const parts = splitRange(n, threads, 8, GEMM_CHUNKS_PER_THREAD);
      pool.run("gemm", parts.map(([j0, j1]) => [m, j1 - j0, k, pa, aCols, ta, pb + 4 * (tB ? j0 * bCols : j0), bCols, tb, pc + 4 * j0, n]));
    } else {
      // Row slices: A and C advance by rows.
      const parts = splitRange(m, threads, 4, GEMM_CHUNKS_PER_THREAD);
      pool.run("gemm", parts.map(([i0, i1]) => [i1 - i0, n, k, pa + 4 * (tA ? i0 : i0 * aCols), aCols, ta, pb, bCols, tb, pc + 4 * i0 * n, n]));
    }
    rt.end();
  }) as Kernel;
}
