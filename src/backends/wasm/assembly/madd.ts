/**
 * The multiply-add of the GEMM's inner loops, c + a·b lane-wise, compiled two ways from this one
 * source: with relaxed SIMD enabled (scripts/build-wasm.mjs's relaxed binaries) it is
 * f32x4.relaxed_madd, which the engine runs as a fused multiply-add (one rounding) where the CPU
 * has one and as a multiply then an add (two roundings) where it has not; otherwise it is the
 * multiply then the add. Either way one binary on one machine always rounds the same way, so every
 * path that sums a product (the 4×8 micro-kernel, gemv.ts's rows, its scalar columns) goes through
 * here and a value is the same bits whichever path computed it.
 */

// @ts-ignore: decorator
@inline export function madd4(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** madd4 on one lane: the scalar columns of gemv.ts round as the SIMD ones do. */
// @ts-ignore: decorator
@inline export function madd1(a: f32, b: f32, c: f32): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.extract_lane(f32x4.relaxed_madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
  return c + a * b;
}
