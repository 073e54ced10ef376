/**
 * Elementwise kernels. Each op is a class whose @inline `v` works on f32x4 lanes, named by its
 * formula id; the loops are generic over it and instantiated once per op (AssemblyScript
 * monomorphizes generics). The entry points that switch on an op code outside the loops are
 * generated from the list of op codes, src/backends/wasm/simd-ops.ts (dispatch.generated.ts).
 */
import { exp4, log4, sigmoid4, vsplat } from "./vmath";

export class Add { @inline v(a: v128, b: v128): v128 { return f32x4.add(a, b); } }
export class Sub { @inline v(a: v128, b: v128): v128 { return f32x4.sub(a, b); } }
export class Mul { @inline v(a: v128, b: v128): v128 { return f32x4.mul(a, b); } }
export class RealDiv { @inline v(a: v128, b: v128): v128 { return f32x4.div(a, b); } }
/** SigmoidGrad(y, dy) = dy·y·(1−y). */
export class SigmoidGrad { @inline v(y: v128, dy: v128): v128 { return f32x4.mul(f32x4.mul(dy, y), f32x4.sub(vsplat(1), y)); } }
/** BroadcastLike: the first operand, stretched (the second is ignored). */
export class First { @inline v(a: v128, b: v128): v128 { return a; } }
/** ReluGrad(dy, y) = y > 0 ? dy : 0 (0 for a NaN y, as the reference). */
export class ReluGrad { @inline v(dy: v128, y: v128): v128 { return v128.and(dy, f32x4.gt(y, vsplat(0))); } }
/** Relu6Grad(dy, y) = 0 < y < 6 ? dy : 0. */
export class Relu6Grad { @inline v(dy: v128, y: v128): v128 { return v128.and(dy, v128.and(f32x4.gt(y, vsplat(0)), f32x4.lt(y, vsplat(6)))); } }
/** TanhGrad(y, dy) = dy·(1−y)(1+y): 1 − y is exact near 1, where 1 − y·y would cancel. */
export class TanhGrad { @inline v(y: v128, dy: v128): v128 { return f32x4.mul(dy, f32x4.mul(f32x4.sub(vsplat(1), y), f32x4.add(vsplat(1), y))); } }

export class Neg { @inline v(x: v128): v128 { return f32x4.neg(x); } }
export class Exp { @inline v(x: v128): v128 { return exp4(x); } }
export class Log { @inline v(x: v128): v128 { return log4(x); } }
/**
 * log1p(x) = log(u)·x/(u − 1) for u = 1 + x rounded (Goldberg's correction for u's rounding error);
 * x itself where u rounds to 1 (so −0 and tiny x stay exact), +∞ at +∞ (where the ratio is ∞/∞).
 */
export class Log1p {
  @inline v(x: v128): v128 {
    const u = f32x4.add(vsplat(1), x);
    const r = f32x4.mul(log4(u), f32x4.div(x, f32x4.sub(u, vsplat(1))));
    return v128.bitselect(x, r, v128.or(f32x4.eq(u, vsplat(1)), f32x4.eq(x, vsplat(Infinity))));
  }
}
export class Square { @inline v(x: v128): v128 { return f32x4.mul(x, x); } }
export class Sqrt { @inline v(x: v128): v128 { return f32x4.sqrt(x); } }
export class Sigmoid { @inline v(x: v128): v128 { return sigmoid4(x); } }
/** pmax(x, 0) is `x < 0 ? 0 : x`: NaN and −0 pass through, as in the reference. */
export class Relu { @inline v(x: v128): v128 { return f32x4.pmax(x, vsplat(0)); } }
export class Abs { @inline v(x: v128): v128 { return f32x4.abs(x); } }
/** pmin(·, 6) is `6 < y ? 6 : y`: with Relu's pmax, `x < 0 ? 0 : x > 6 ? 6 : x`, NaN passing through. */
export class Relu6 { @inline v(x: v128): v128 { return f32x4.pmin(f32x4.pmax(x, vsplat(0)), vsplat(6)); } }

// Inner-row layouts of a binary op: both operands contiguous, or one of them a repeated scalar.
const VV = 0;
const VS = 1;
const SV = 2;
const SS = 3;

// @ts-ignore: decorator
@inline export function row<O>(kind: i32, a: usize, b: usize, o: usize, n: i32): void {
  const op = changetype<O>(0);
  const end = o + (<usize>n << 2);
  const end4 = o + (<usize>(n & ~3) << 2);
  if (kind == VV) {
    for (; o < end4; o += 16, a += 16, b += 16) v128.store(o, op.v(v128.load(a), v128.load(b)));
    for (; o < end; o += 4, a += 4, b += 4) store<f32>(o, f32x4.extract_lane(op.v(vsplat(load<f32>(a)), vsplat(load<f32>(b))), 0));
  } else if (kind == VS) {
    const s = v128.load32_splat(b);
    for (; o < end4; o += 16, a += 16) v128.store(o, op.v(v128.load(a), s));
    for (; o < end; o += 4, a += 4) store<f32>(o, f32x4.extract_lane(op.v(vsplat(load<f32>(a)), s), 0));
  } else if (kind == SV) {
    const s = v128.load32_splat(a);
    for (; o < end4; o += 16, b += 16) v128.store(o, op.v(s, v128.load(b)));
    for (; o < end; o += 4, b += 4) store<f32>(o, f32x4.extract_lane(op.v(s, vsplat(load<f32>(b))), 0));
  } else {
    const s = op.v(v128.load32_splat(a), v128.load32_splat(b));
    for (; o < end4; o += 16) v128.store(o, s);
    for (; o < end; o += 4) store<f32>(o, f32x4.extract_lane(s, 0));
  }
}

/**
 * Broadcasting walk: `meta` holds i32 arrays shape[rank], aStrides[rank], bStrides[rank] (in
 * elements, 0 along broadcast axes) and room for the index[rank]. The last axis is the inner row;
 * its strides are 0 or 1, which picks the row layout.
 */
// @ts-ignore: decorator
@inline export function strided<O>(a: usize, b: usize, o: usize, meta: usize, rank: i32): void {
  const shape = meta;
  const sa = meta + (<usize>rank << 2);
  const sb = sa + (<usize>rank << 2);
  const idx = sb + (<usize>rank << 2);
  const last = <usize>(rank - 1) << 2;
  const inner = load<i32>(shape + last);
  const kind = (load<i32>(sa + last) == 0 ? 2 : 0) + (load<i32>(sb + last) == 0 ? 1 : 0);
  let outer = 1;
  for (let d = 0; d < rank - 1; d++) {
    outer *= load<i32>(shape + (<usize>d << 2));
    store<i32>(idx + (<usize>d << 2), 0);
  }
  const rowBytes = <usize>inner << 2;
  for (let r = 0; r < outer; r++) {
    row<O>(kind, a, b, o, inner);
    o += rowBytes;
    for (let d = rank - 2; d >= 0; d--) {
      const dp = <usize>d << 2;
      const i = load<i32>(idx + dp) + 1;
      const stA = load<i32>(sa + dp);
      const stB = load<i32>(sb + dp);
      if (i < load<i32>(shape + dp)) {
        store<i32>(idx + dp, i);
        a += <usize>stA << 2;
        b += <usize>stB << 2;
        break;
      }
      store<i32>(idx + dp, 0);
      a -= <usize>(stA * (i - 1)) << 2;
      b -= <usize>(stB * (i - 1)) << 2;
    }
  }
}

// @ts-ignore: decorator
@inline export function unaryLoop<O>(x: usize, o: usize, n: i32): void {
  const op = changetype<O>(0);
  const end = o + (<usize>n << 2);
  const end4 = o + (<usize>(n & ~3) << 2);
  for (; o < end4; o += 16, x += 16) v128.store(o, op.v(v128.load(x)));
  for (; o < end; o += 4, x += 4) store<f32>(o, f32x4.extract_lane(op.v(vsplat(load<f32>(x))), 0));
}

/** BiasAdd: o[r][j] = x[r][j] + b[j] over `rows` rows of `c` (the strided walk's per-row bookkeeping costs more than the adds). */
export function biasAdd(x: usize, b: usize, o: usize, rows: i32, c: i32): void {
  const rowBytes = <usize>c << 2;
  const c4Bytes = <usize>(c & ~3) << 2;
  for (let r = 0; r < rows; r++, x += rowBytes, o += rowBytes) {
    let j: usize = 0;
    for (; j < c4Bytes; j += 16) v128.store(o + j, f32x4.add(v128.load(x + j), v128.load(b + j)));
    for (; j < rowBytes; j += 4) store<f32>(o + j, load<f32>(x + j) + load<f32>(b + j));
  }
}
