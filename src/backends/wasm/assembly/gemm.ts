/**
 * Single-precision GEMM: C = op(A)·op(B), Goto-style. B is packed a KC×NC panel at a time into
 * 8-column slivers, A an MC×KC block at a time into 4-row slivers (transposes are absorbed by the
 * packing), and a 4×8 register tile of eight f32x4 accumulators runs over each sliver pair (by
 * madd.ts's multiply-add: fused in the relaxed-SIMD binary). Edge slivers are zero-padded, so the
 * micro-kernel never branches; edge tiles go through a small tile
 * buffer. All memory is the caller's: `scratch` holds the pack buffers (SCRATCH_BYTES, one per
 * thread), so threads that share the memory never share scratch.
 *
 * Weights that stay the same between calls are packed once (packWeights) and multiplied packed
 * (gemmFused); products of fewer than MR rows, and the rows past a product's last whole MR rows
 * when B can be streamed, take gemv.ts's row path; and the last k-block's
 * store may add a bias and apply an activation (the epilogue of a fused dense layer or conv).
 */
import { ACT_NONE, epilogue1, epilogue4, gemvRow } from "./gemv";
import { madd4 } from "./madd";

const MR = 4;
const NR = 8;
const KC = 256;
const MC = 128;
const NC = 1024;
const PACK_A_BYTES: usize = MC * KC * 4;
const PACK_B_BYTES: usize = KC * NC * 4;
const TILE_BYTES: usize = MR * NR * 4;
/** The largest op(B), in floats (256 KB), over which a product's last rows take the row path. */
const ROW_TAIL_MAX_FLOATS: i64 = 1 << 16;
export const SCRATCH_BYTES: usize = PACK_A_BYTES + PACK_B_BYTES + TILE_BYTES;

// @ts-ignore: decorator
@inline function transpose4(a: v128, b: v128, c: v128, d: v128, out: usize, stride: usize): void {
  const t0 = i32x4.shuffle(a, b, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(a, b, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(c, d, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(c, d, 2, 6, 3, 7);
  v128.store(out, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(out + stride, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(out + 2 * stride, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(out + 3 * stride, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/** Packs op(A)[ic:ic+mc, pc:pc+kc] into 4-row slivers: pa[sliver][k][4]. */
function packA(mc: i32, kc: i32, a: usize, lda: i32, ta: bool, ic: i32, pc: i32, pa: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const dst = pa + (<usize>ir * kc << 2);
    if (ta) {
      // op(A)[i][k] = A[k][i]: four consecutive floats per k.
      let src = a + ((<usize>pc * lda + ic + ir) << 2);
      const step = <usize>lda << 2;
      if (rows == MR) {
        for (let k = 0; k < kc; k++) v128.store(dst + (<usize>k << 4), v128.load(src + <usize>k * step));
      } else {
        for (let k = 0; k < kc; k++) {
          for (let r = 0; r < MR; r++) {
            store<f32>(dst + (<usize>(k * MR + r) << 2), r < rows ? load<f32>(src + <usize>k * step + (<usize>r << 2)) : 0);
          }
        }
      }
    } else {
      const src = a + ((<usize>(ic + ir) * lda + pc) << 2);
      const rs = <usize>lda << 2;
      if (rows == MR) {
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const o = <usize>k << 2;
          transpose4(v128.load(src + o), v128.load(src + rs + o), v128.load(src + 2 * rs + o), v128.load(src + 3 * rs + o), dst + (<usize>k << 4), 16);
        }
        for (; k < kc; k++) {
          const o = <usize>k << 2;
          const d = dst + (<usize>k << 4);
          store<f32>(d, load<f32>(src + o));
          store<f32>(d, load<f32>(src + rs + o), 4);
          store<f32>(d, load<f32>(src + 2 * rs + o), 8);
          store<f32>(d, load<f32>(src + 3 * rs + o), 12);
        }
      } else {
        for (let k = 0; k < kc; k++) {
          for (let r = 0; r < MR; r++) {
            store<f32>(dst + (<usize>(k * MR + r) << 2), r < rows ? load<f32>(src + <usize>r * rs + (<usize>k << 2)) : 0);
          }
        }
      }
    }
  }
}

/** Packs op(B)[pc:pc+kc, jc:jc+nc] into 8-column slivers: pb[sliver][k][8]. */
function packB(kc: i32, nc: i32, b: usize, ldb: i32, tb: bool, pc: i32, jc: i32, pb: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const dst = pb + (<usize>jr * kc << 2);
    if (!tb) {
      const src = b + ((<usize>pc * ldb + jc + jr) << 2);
      const rs = <usize>ldb << 2;
      if (cols == NR) {
        for (let k = 0; k < kc; k++) {
          const s = src + <usize>k * rs;
          const d = dst + (<usize>k << 5);
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
        }
      } else {
        for (let k = 0; k < kc; k++) {
          for (let c = 0; c < NR; c++) {
            store<f32>(dst + (<usize>(k * NR + c) << 2), c < cols ? load<f32>(src + <usize>k * rs + (<usize>c << 2)) : 0);
          }
        }
      }
    } else {
      // op(B)[k][j] = B[j][k]: column j of the sliver is a contiguous row of B.
      const src = b + ((<usize>(jc + jr) * ldb + pc) << 2);
      const rs = <usize>ldb << 2;
      if (cols == NR) {
        let k = 0;
        for (; k + 4 <= kc; k += 4) {
          const o = <usize>k << 2;
          const d = dst + (<usize>k << 5);
          transpose4(v128.load(src + o), v128.load(src + rs + o), v128.load(src + 2 * rs + o), v128.load(src + 3 * rs + o), d, 32);
          transpose4(v128.load(src + 4 * rs + o), v128.load(src + 5 * rs + o), v128.load(src + 6 * rs + o), v128.load(src + 7 * rs + o), d + 16, 32);
        }
        for (; k < kc; k++) {
          for (let c = 0; c < NR; c++) store<f32>(dst + (<usize>(k * NR + c) << 2), load<f32>(src + <usize>c * rs + (<usize>k << 2)));
        }
      } else {
        for (let k = 0; k < kc; k++) {
          for (let c = 0; c < NR; c++) {
            store<f32>(dst + (<usize>(k * NR + c) << 2), c < cols ? load<f32>(src + <usize>c * rs + (<usize>k << 2)) : 0);
          }
        }
      }
    }
  }
}

/**
 * The 4×8 register tile: C[4][8] (row stride ldcBytes) = (accumulate ? C : 0) + pa·pb over kc,
 * then through the epilogue (bias at `bias` for these 8 columns, 0 for none; activation `act`).
 */
// @ts-ignore: decorator
@inline function microKernel(kc: i32, pa: usize, pb: usize, c: usize, ldcBytes: usize, accumulate: bool, bias: usize, act: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd4(a, b0, c00);
    c01 = madd4(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd4(a, b0, c10);
    c11 = madd4(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd4(a, b0, c20);
    c21 = madd4(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd4(a, b0, c30);
    c31 = madd4(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  const r1 = c + ldcBytes;
  const r2 = r1 + ldcBytes;
  const r3 = r2 + ldcBytes;
  if (accumulate) {
    c00 = f32x4.add(c00, v128.load(c));
    c01 = f32x4.add(c01, v128.load(c, 16));
    c10 = f32x4.add(c10, v128.load(r1));
    c11 = f32x4.add(c11, v128.load(r1, 16));
    c20 = f32x4.add(c20, v128.load(r2));
    c21 = f32x4.add(c21, v128.load(r2, 16));
    c30 = f32x4.add(c30, v128.load(r3));
    c31 = f32x4.add(c31, v128.load(r3, 16));
  }
  if (bias != 0 || act != ACT_NONE) {
    const b1 = bias == 0 ? 0 : bias + 16;
    c00 = epilogue4(c00, bias, act);
    c01 = epilogue4(c01, b1, act);
    c10 = epilogue4(c10, bias, act);
    c11 = epilogue4(c11, b1, act);
    c20 = epilogue4(c20, bias, act);
    c21 = epilogue4(c21, b1, act);
    c30 = epilogue4(c30, bias, act);
    c31 = epilogue4(c31, b1, act);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(r1, c10);
  v128.store(r1, c11, 16);
  v128.store(r2, c20);
  v128.store(r2, c21, 16);
  v128.store(r3, c30);
  v128.store(r3, c31, 16);
}

/**
 * C[m×n] (row stride ldc) = op(A)·op(B), op(A) m×k and op(B) k×n; A and B are row-major with row
 * strides lda and ldb as stored (before the transpose). C is written, never read first.
 */
export function gemm(m: i32, n: i32, k: i32, a: usize, lda: i32, ta: bool, b: usize, ldb: i32, tb: bool, c: usize, ldc: i32, scratch: usize): void {
  gemmInto(m, n, k, a, lda, ta, b, ldb, tb, c, ldc, false, scratch);
}

/** gemm, adding op(A)·op(B) to C instead when `add` is set. */
export function gemmInto(m: i32, n: i32, k: i32, a: usize, lda: i32, ta: bool, b: usize, ldb: i32, tb: bool, c: usize, ldc: i32, add: bool, scratch: usize): void {
  gemmCore(m, n, k, a, lda, ta, b, ldb, tb, 0, 0, 0, c, ldc, add, 0, ACT_NONE, scratch);
}

/** gemm (C written) followed by the epilogue: + bias[n] (0 for none), then activation `act`. */
export function gemmStore(m: i32, n: i32, k: i32, a: usize, lda: i32, ta: bool, b: usize, ldb: i32, tb: bool, c: usize, ldc: i32, bias: usize, act: i32, scratch: usize): void {
  gemmCore(m, n, k, a, lda, ta, b, ldb, tb, 0, 0, 0, c, ldc, false, bias, act, scratch);
}

/** Floats packWeights writes for a k×n op(B): k rows of n rounded up to whole slivers. */
export function packedWeightsFloats(k: i32, n: i32): i32 {
  return k * ((n + NR - 1) / NR * NR);
}

/**
 * Where packWeights puts op(B)[row][col] of a k×n op(B): the float offset in its layout (below).
 * Zero-padded columns (col from n up to a multiple of 8) have offsets too.
 */
// @ts-ignore: decorator
@inline export function packedOffset(k: i32, n: i32, row: i32, col: i32): usize {
  const nPad = (n + NR - 1) / NR * NR;
  const pc = row - row % KC;
  const kc = min(KC, k - pc);
  return <usize>pc * nPad + <usize>(col >> 3) * (NR * kc) + <usize>(row - pc) * NR + (col & 7);
}

/**
 * Packs the whole of op(B) (k×n) as gemmCore packs its panels, k-block after k-block: block pc
 * (kc rows) starts at float pc·nPad (nPad = n rounded up to 8) and holds the 8-column slivers of
 * all n columns, sliver s at float s·8·kc of the block.
 */
export function packWeights(k: i32, n: i32, b: usize, ldb: i32, tb: bool, out: usize): void {
  const nPad = (n + NR - 1) / NR * NR;
  for (let pc = 0; pc < k; pc += KC) packB(min(KC, k - pc), n, b, ldb, tb, pc, 0, out + (<usize>pc * nPad << 2));
}

/**
 * C[m×n] (row stride ldc) = op(A)·op(B), then the epilogue: + bias[n] (a pointer, 0 for none) and
 * activation `act`. op(B) is either row-major B as stored (w = 0) or, when w is not 0, columns
 * [j0, j0 + n) of weights packWeights packed at w with nPad columns (j0 a multiple of 8).
 */
export function gemmFused(m: i32, n: i32, k: i32, a: usize, lda: i32, ta: bool, b: usize, ldb: i32, tb: bool, w: usize, nPad: i32, j0: i32, c: usize, ldc: i32, bias: usize, act: i32, scratch: usize): void {
  gemmCore(m, n, k, a, lda, ta, b, ldb, tb, w, nPad, j0, c, ldc, false, bias, act, scratch);
}

/**
 * The GEMM. `w`, when not 0, is packed weights (see packWeights) whose column j0 is op(B)'s first:
 * op(B)'s column j of block pc is in the sliver at w + (pc·nPad + (j0 + j)·kc)·4 (j a multiple of
 * 8). The epilogue runs on the last k-block's store.
 */
function gemmCore(m: i32, n: i32, k: i32, a: usize, lda: i32, ta: bool, b: usize, ldb: i32, tb: bool, w: usize, nPad: i32, j0: i32, c: usize, ldc: i32, add: bool, bias: usize, act: i32, scratch: usize): void {
  if (m <= 0 || n <= 0) return;
  const ldcBytes = <usize>ldc << 2;
  if (k <= 0) {
    for (let i = 0; i < m; i++) {
      const row = c + <usize>i * ldcBytes;
      if (!add) memory.fill(row, 0, <usize>n << 2);
      for (let j = 0; j < n; j++) store<f32>(row + (<usize>j << 2), epilogue1(load<f32>(row + (<usize>j << 2)), bias == 0 ? 0 : bias + (<usize>j << 2), act));
    }
    return;
  }
  const pa = scratch;
  const pb = scratch + PACK_A_BYTES;
  const tile = pb + PACK_B_BYTES;
  if (w != 0 || !tb) {
    // Thin products, and the rows past the last whole 4-row sliver of others whose B stays in
    // cache: each such row streams B (packed, or row-major as stored) once, rather than a tile
    // computing four rows to keep one to three of them (Winograd's 7×7 tiles of a 14×14 image are
    // 49 rows). A larger B would be read from memory again for each of those rows.
    const whole = m >= MR && <i64>k * n > ROW_TAIL_MAX_FLOATS ? m : m & ~(MR - 1);
    for (let i = whole; i < m; i++) {
      const row = ta ? a + (<usize>i << 2) : a + (<usize>i * lda << 2);
      const aStep: usize = ta ? <usize>lda << 2 : 4;
      gemvRow(n, k, KC, row, aStep, w != 0 ? w : b, w != 0, nPad, j0, ldb, c + <usize>i * ldcBytes, add, bias, act, tile);
    }
    if (whole == 0) return;
    m = whole;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const accumulate = add || pc > 0;
      const last = pc + kc >= k;
      const eb = last ? bias : 0;
      const ea = last ? act : ACT_NONE;
      if (w == 0) packB(kc, nc, b, ldb, tb, pc, jc, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(mc, kc, a, lda, ta, ic, pc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pbs = w == 0 ? pb + (<usize>jr * kc << 2) : w + (<usize>pc * nPad << 2) + (<usize>(j0 + jc + jr) * kc << 2);
          const bj = eb == 0 ? 0 : eb + (<usize>(jc + jr) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const pas = pa + (<usize>ir * kc << 2);
            const cp = c + <usize>(ic + ir) * ldcBytes + (<usize>(jc + jr) << 2);
            if (mr == MR && nr == NR) {
              microKernel(kc, pas, pbs, cp, ldcBytes, accumulate, bj, ea);
            } else {
              microKernel(kc, pas, pbs, tile, <usize>(NR << 2), false, 0, ACT_NONE);
              for (let i = 0; i < mr; i++) {
                for (let j = 0; j < nr; j++) {
                  const dst = cp + <usize>i * ldcBytes + (<usize>j << 2);
                  let v = load<f32>(tile + (<usize>(i * NR + j) << 2));
                  if (accumulate) v = load<f32>(dst) + v;
                  store<f32>(dst, last ? epilogue1(v, bj == 0 ? 0 : bj + (<usize>j << 2), ea) : v);
                }
              }
            }
          }
        }
      }
    }
  }
}

/**
 * A batch of products over [p0, p1): product p reads A at a + aOffs[p] and B at b + bOffs[p]
 * (byte offsets, u32 each, broadcast batches repeat offsets) and writes C at c + p·m·n.
 */
export function gemmBatch(p0: i32, p1: i32, aOffs: usize, bOffs: usize, m: i32, n: i32, k: i32, a: usize, lda: i32, ta: bool, b: usize, ldb: i32, tb: bool, c: usize, scratch: usize): void {
  const cStride = <usize>m * n << 2;
  for (let p = p0; p < p1; p++) {
    const ao = <usize>load<u32>(aOffs + (<usize>p << 2));
    const bo = <usize>load<u32>(bOffs + (<usize>p << 2));
    gemm(m, n, k, a + ao, lda, ta, b + bo, ldb, tb, c + <usize>p * cStride, n, scratch);
  }
}
