/**
 * The GEMM's pieces for thin products and fused stores: the epilogue (a bias added to each row,
 * then an activation) applied where the GEMM stores its last k-block, and the row-at-a-time path
 * for products of fewer than four rows (batch-1 inference) and the one to three rows past the
 * last whole four of others, which streams B once per row instead of packing it. Every output is
 * summed in the order the 4×8 micro-kernel sums it (k ascending within a k-block of `kc`, then
 * added to the earlier blocks' sum) with the same multiply-add (madd.ts, fused in the relaxed-SIMD
 * binary), so a row's values are the same bits whichever path computed them.
 */
import { madd1, madd4 } from "./madd";

/** Activations an epilogue applies (the codes the kernels' callers pass). */
export const ACT_NONE = 0;
export const ACT_RELU = 1;

/** v + bias (when `bias` is not 0), then the activation: the lane-wise ops of BiasAdd and Relu. */
// @ts-ignore: decorator
@inline export function epilogue4(v: v128, bias: usize, act: i32): v128 {
  if (bias != 0) v = f32x4.add(v, v128.load(bias));
  // pmax(x, 0) is `x < 0 ? 0 : x`: NaN and −0 pass through, as in the reference Relu.
  if (act == ACT_RELU) v = f32x4.pmax(v, f32x4.splat(0));
  return v;
}

/** The scalar epilogue (edge columns), the same operations one lane at a time. */
// @ts-ignore: decorator
@inline export function epilogue1(v: f32, bias: usize, act: i32): f32 {
  if (bias != 0) v = v + load<f32>(bias);
  if (act == ACT_RELU) v = v < 0 ? <f32>0 : v;
  return v;
}

/**
 * Stores a sum of a k-block at c: added to what is there when `accumulate`, then, on the last
 * k-block (`last`), through the epilogue.
 */
// @ts-ignore: decorator
@inline function store4(c: usize, v: v128, accumulate: bool, last: bool, bias: usize, act: i32): void {
  if (accumulate) v = f32x4.add(v128.load(c), v);
  if (last) v = epilogue4(v, bias, act);
  v128.store(c, v);
}

/**
 * Row i of C (n floats at c) = a·op(B) for one row `a` of op(A) (k floats, `aStep` bytes apart),
 * with B as 8-column slivers: sliver s's k-block starting at pc is at b + blockOf(pc) + s·sliverStep,
 * and its row k at + k·kStep. Packed weights (gemm.ts's packWeights, from column j0, a multiple of
 * 8) have blockOf(pc) = (pc·nPad + j0·kc)·4,
 * kStep 32 and sliverStep 32·kc; a row-major B as stored has blockOf(pc) = pc·ldb·4, kStep ldb·4
 * and sliverStep 32, and only whole slivers can be read from it (`n8` columns; the rest go through
 * the scalar loop at the end). Packed slivers are zero-padded, so a partial last one is computed
 * whole into `tile` and its valid columns stored.
 */
export function gemvRow(
  n: i32, k: i32, kc0: i32, a: usize, aStep: usize, b: usize, packed: bool, nPad: i32, j0: i32, ldb: i32,
  c: usize, add: bool, bias: usize, act: i32, tile: usize,
): void {
  const slivers = packed ? (n + 7) >> 3 : n >> 3;
  for (let pc = 0; pc < k; pc += kc0) {
    const kc = min(kc0, k - pc);
    const accumulate = add || pc > 0;
    const last = pc + kc >= k;
    const block = packed ? b + ((<usize>pc * nPad + <usize>j0 * kc) << 2) : b + (<usize>pc * ldb << 2);
    const kStep: usize = packed ? 32 : <usize>ldb << 2;
    const sliverStep: usize = packed ? <usize>kc << 5 : 32;
    const ap = a + <usize>pc * aStep;
    let s = 0;
    // Three slivers at a time: six independent sums keep the adders busy, and with the splat and
    // the six loads they fit the engine's 16 vector registers (four slivers' eight sums did not:
    // V8 spilled one to the stack, a store and reload in every step, and ran at half the speed).
    for (; s + 3 <= slivers && (s + 3) * 8 <= n; s += 3) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
      let c4 = f32x4.splat(0), c5 = f32x4.splat(0);
      let p = block + <usize>s * sliverStep;
      let q = ap;
      for (let kk = 0; kk < kc; kk++) {
        const x = v128.load32_splat(q);
        const p1 = p + sliverStep;
        const p2 = p1 + sliverStep;
        c0 = madd4(x, v128.load(p), c0);
        c1 = madd4(x, v128.load(p, 16), c1);
        c2 = madd4(x, v128.load(p1), c2);
        c3 = madd4(x, v128.load(p1, 16), c3);
        c4 = madd4(x, v128.load(p2), c4);
        c5 = madd4(x, v128.load(p2, 16), c5);
        p += kStep;
        q += aStep;
      }
      const o = c + (<usize>s << 5);
      const bo = bias == 0 ? 0 : bias + (<usize>s << 5);
      store4(o, c0, accumulate, last, bo, act);
      store4(o + 16, c1, accumulate, last, bo == 0 ? 0 : bo + 16, act);
      store4(o + 32, c2, accumulate, last, bo == 0 ? 0 : bo + 32, act);
      store4(o + 48, c3, accumulate, last, bo == 0 ? 0 : bo + 48, act);
      store4(o + 64, c4, accumulate, last, bo == 0 ? 0 : bo + 64, act);
      store4(o + 80, c5, accumulate, last, bo == 0 ? 0 : bo + 80, act);
    }
    for (; s < slivers; s++) {
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
      let p = block + <usize>s * sliverStep;
      let q = ap;
      for (let kk = 0; kk < kc; kk++) {
        const x = v128.load32_splat(q);
        c0 = madd4(x, v128.load(p), c0);
        c1 = madd4(x, v128.load(p, 16), c1);
        p += kStep;
        q += aStep;
      }
      const j = s << 3;
      const o = c + (<usize>j << 2);
      const bo = bias == 0 ? 0 : bias + (<usize>j << 2);
      if (j + 8 <= n) {
        store4(o, c0, accumulate, last, bo, act);
        store4(o + 16, c1, accumulate, last, bo == 0 ? 0 : bo + 16, act);
      } else {
        v128.store(tile, c0);
        v128.store(tile, c1, 16);
        for (let jj = 0; jj < n - j; jj++) {
          const d = o + (<usize>jj << 2);
          let v = load<f32>(tile + (<usize>jj << 2));
          if (accumulate) v = load<f32>(d) + v;
          store<f32>(d, last ? epilogue1(v, bo == 0 ? 0 : bo + (<usize>jj << 2), act) : v);
        }
      }
    }
    if (!packed) {
      // Columns past the last whole sliver of a row-major B: one at a time, in the same order.
      for (let j = slivers << 3; j < n; j++) {
        let sum: f32 = 0;
        let p = block + (<usize>j << 2);
        let q = ap;
        for (let kk = 0; kk < kc; kk++) {
          sum = madd1(load<f32>(q), load<f32>(p), sum);
          p += kStep;
          q += aStep;
        }
        const d = c + (<usize>j << 2);
        if (accumulate) sum = load<f32>(d) + sum;
        store<f32>(d, last ? epilogue1(sum, bias == 0 ? 0 : bias + (<usize>j << 2), act) : sum);
      }
    }
  }
}
