/**
 * MatMul in wasm: the reference kernel's numpy semantics (vectors, broadcast batches, transposes)
 * on the packed, blocked GEMM. Work is split across threads by batch when there are at least as
 * many products as threads, else each product by its larger output dimension.
 *
 * A single product whose B the plan marks as kept (a variable's or constant's value, see
 * KeptOperand) multiplies by B packed once, repacked only when the operand's version or storage
 * changes; the fused dense layer (_FusedMatMul) adds its bias and applies its activation in the
 * GEMM's store.
 */
import { ACTIVATION_CODES } from "./epilogue.js";
import type { FusedMatMulAttrs, KeptForm, KeptOperand, MatMulAttrs } from "../../kernels/attrs.js";
import { ShapeError, broadcastStrides, formatShape, sizeOf, type Tensor, type TypedArray } from "../../tensor/index.js";
import { matmulGeometry } from "../js/matmul.js";
import type { Kernel } from "../backend.js";
import { PARALLEL_MIN, type WasmContext } from "./context.js";
import { splitRange } from "./threads.js";

/** Each GEMM chunk repacks one operand whole: few chunks (see splitRange). */
const GEMM_CHUNKS_PER_THREAD = 2;
/** Row slices are whole 4-row tiles; with kept weights they need this many rows per chunk. */
const ROWS_PER_CHUNK = 16;
const KEPT_CHUNKS_PER_THREAD = 4;

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

/** Packed weights kept for a KeptOperand: where, and what they were packed from. */
interface PackedWeights extends KeptForm {
  /** The address of the storage, or -1 when it is not in wasm memory (then B is packed per call). */
  readonly ptr: number;
  source: TypedArray | undefined;
  version: number;
  k: number;
  n: number;
  tb: boolean;
}

/**
 * The address of op(B) (k×n, B as stored at `b`) packed for `keep`, packed again when the operand's
 * version or storage changed; 0 when it cannot be kept in wasm memory.
 */
function packedWeights(ctx: WasmContext, keep: KeptOperand, bTensor: Tensor, b: number, ldb: number, tb: boolean, k: number, n: number): number {
  const { rt } = ctx;
  let packed = keep.kept as PackedWeights | undefined;
  if (packed !== undefined && packed.source === bTensor.data && packed.version === keep.version && packed.k === k && packed.n === n && packed.tb === tb) return Math.max(packed.ptr, 0);
  const floats = rt.kernels.packedWeightsFloats(k, n);
  if (packed === undefined || packed.storage.length < floats) {
    // The plan frees the storage it gave when it is disposed. (A variable's or constant's B keeps
    // its shape, so storage is outgrown only by misuse; the garbage collector frees that.)
    const storage = keep.allocate(floats);
    packed = { storage, ptr: storage instanceof Float32Array && rt.heap.owns(storage) ? storage.byteOffset : -1, source: undefined, version: -1, k: -1, n: -1, tb: false };
    keep.kept = packed;
  }
  packed.source = bTensor.data;
  packed.version = keep.version;
  packed.k = k;
  packed.n = n;
  packed.tb = tb;
  if (packed.ptr < 0) return 0;
  rt.kernels.packWeights(k, n, b, ldb, tb ? 1 : 0, packed.ptr);
  return packed.ptr;
}

/** MatMul, or with `fused` the fused dense layer (inputs [a, b, bias], attrs FusedMatMulAttrs). */
export function matmulKernel(ctx: WasmContext, fused = false): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: MatMulAttrs | FusedMatMulAttrs) => {
    const [a, b, bias] = inputs as [Tensor, Tensor, Tensor | undefined];
    const { tA, tB, aRows, aCols, bRows, bCols, m, k, n, aBatch, bBatch, batch } = matmulGeometry(a, b, attrs);
    const count = sizeOf(batch);
    if (fused && (bias === undefined || bias.rank !== 1 || bias.size !== n || count !== 1)) {
      throw new ShapeError(`_FusedMatMul: a bias of shape [${n}] for a product of shape ${formatShape(out.shape)}, got ${bias === undefined ? "none" : formatShape(bias.shape)}`);
    }
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
    if (count > 1) {
      const aOffs = rt.words(batchOffsets(batch, aBatch, aRows * aCols * 4));
      const bOffs = rt.words(batchOffsets(batch, bBatch, bRows * bCols * 4));
      const parts = splitRange(count, threads, 1, GEMM_CHUNKS_PER_THREAD);
      pool.run("gemmBatch", parts.map(([p0, p1]) => [p0, p1, aOffs, bOffs, m, n, k, pa, aCols, ta, pb, bCols, tb, pc]));
    } else {
      const keep = attrs.keptB;
      const w = keep !== undefined && b.rank === 2 ? packedWeights(ctx, keep, b, pb, bCols, tB, k, n) : 0;
      const nPad = Math.ceil(n / 8) * 8;
      const pbias = bias === undefined ? 0 : rt.input(bias.data as Float32Array);
      const act = fused ? ACTIVATION_CODES[(attrs as FusedMatMulAttrs).activation ?? "none"] : 0;
      if (threads === 1) {
        // Called directly, not through the pool's argument lists: a small product's whole kernel
        // takes microseconds, and building and spreading the list was a tenth of that.
        rt.kernels.gemmFused(m, n, k, pa, aCols, ta, pb, bCols, tb, w, nPad, 0, pc, n, pbias, act, rt.scratchFor(0));
      } else if (n >= m && !(w !== 0 && m >= ROWS_PER_CHUNK * GEMM_CHUNKS_PER_THREAD * threads)) {
        // Column slices: B, C and the bias advance by columns (packed weights by their offset j0).
        // Each slice packs all of A; with B packed already, row slices pack only their rows and
        // are taken whenever there are rows enough to go round.
        const parts = splitRange(n, threads, 8, GEMM_CHUNKS_PER_THREAD);
        pool.run("gemmFused", parts.map(([j0, j1]) => [m, j1 - j0, k, pa, aCols, ta, pb + 4 * (tB ? j0 * bCols : j0), bCols, tb, w, nPad, j0, pc + 4 * j0, n, pbias === 0 ? 0 : pbias + 4 * j0, act]));
      } else {
        // Row slices: A and C advance by rows. Over kept weights no chunk repacks anything but
        // its own rows, so chunks can be smaller (a descheduled thread leaves a shorter tail).
        const parts = splitRange(m, threads, 4, w !== 0 ? KEPT_CHUNKS_PER_THREAD : GEMM_CHUNKS_PER_THREAD);
        pool.run("gemmFused", parts.map(([i0, i1]) => [i1 - i0, n, k, pa + 4 * (tA ? i0 : i0 * aCols), aCols, ta, pb, bCols, tb, w, nPad, 0, pc + 4 * i0 * n, n, pbias, act]));
      }
    }
    rt.end();
  }) as Kernel;
}
