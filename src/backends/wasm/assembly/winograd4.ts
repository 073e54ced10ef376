/**
 * 3×3 convolutions with stride 1 and no dilation by Winograd's F(4×4, 3×3) (Lavin & Gray 2016,
 * interpolation points 0, ±1, ±2, ∞): each 4×4 block of output ("tile") comes from a 6×6 block of
 * input, and the 9·C multiply-adds per output become 36·C per tile of sixteen, 2.25 per output
 * instead of F(2×2, 3×3)'s 4 (winograd.ts, which this file follows block for block):
 *
 *   V[ξ][t][c] = (Bᵀ d B)[ξ]     ξ = 6·row + column, 36 planes
 *   M[ξ]       = V[ξ] · U[ξ]     36 GEMMs of (tiles × C)·(C × O), U = G g Gᵀ per (c, o)
 *   y          = Aᵀ M A          each tile's 4×4 outputs, clipped at the bottom and right
 *
 *   Bᵀ = [[4, 0, −5, 0, 1, 0], [0, −4, −4, 1, 1, 0], [0, 4, −4, −1, 1, 0],
 *         [0, −2, −1, 2, 1, 0], [0, 2, −1, −2, 1, 0], [0, 4, 0, −5, 0, 1]]
 *   G  = [[¼, 0, 0], [−⅙, −⅙, −⅙], [−⅙, ⅙, −⅙], [1/24, 1/12, ⅙], [1/24, −1/12, ⅙], [0, 0, 1]]
 *   Aᵀ = [[1, 1, 1, 1, 1, 0], [0, 1, −1, 2, −2, 0], [0, 1, 1, 4, 4, 0], [0, 1, −1, 8, −8, 1]]
 *
 * The larger entries mix larger magnitudes than F(2×2, 3×3)'s ±1 and ±½, so rounding errors grow
 * (test/backends/wasm-conv-kernels.test.ts derives the bound), and they do not cancel exactly: an
 * output whose window sees only zeros would come out as a residue of its tile's other values, so
 * those are found per tile and stored as 0 (zeroWindows; ReLU's gradient reads exact zeros: see
 * conv.ts's winogradForm). The filter transform is computed in f64 and rounded once.
 * The 6×6 transforms go in two passes (rows, then columns) through 36 v128 of scratch
 * (TEMP_BYTES): 36 vectors held at once would not fit the 16 registers. Edge tiles read through a
 * table of pixel addresses that points outside pixels at a pixel of zeros; the planes of V and M
 * are planeStride apart (winograd.ts), U's filterPlane.
 */
import { gemmFused, packedOffset, packedWeightsFloats, SCRATCH_BYTES as GEMM_SCRATCH_BYTES } from "./gemm";
import { epilogue4 } from "./gemv";
import { filterPlane, planeStride, tap } from "./winograd";
import { Window } from "./window";

/**
 * The kernel's own scratch after the GEMM's: the transforms' temporary (TEMP_BYTES), an input
 * block's pixel addresses (PTRS_BYTES), then a pixel of zeros (C floats) and a u16 per tile of the
 * block (zeroWindows).
 */
const TEMP_BYTES: usize = 36 * 16;
const PTRS_BYTES: usize = 36 * 4;

/**
 * U[ξ] (36 matrices C×O) from the filter f [3, 3, C, O] (with `flip`, f [3, 3, O, C] turned half a
 * turn, channel axes swapped), each packed as winogradFilter packs its 16, filterPlane(C, O) bytes
 * apart.
 */
export function winograd4Filter(f: usize, u: usize, C: i32, O: i32, flip: bool): void {
  const plane = filterPlane(C, O);
  if (O & 7) memory.fill(u, 0, 36 * plane);
  for (let c = 0; c < C; c++) {
    for (let o = 0; o < O; o++) {
      const dst = u + (packedOffset(C, O, c, o) << 2);
      // G = diag(¼, −⅙, −⅙, 1/24, 1/24, 1)·G′, G′ = [[1,0,0], [1,1,1], [1,−1,1], [1,2,4], [1,−2,4], [0,0,1]]:
      // t = G′·g column by column (in f64: exact unless taps differ in magnitude by 2^25 or more),
      // then U[i][j] = dᵢ·dⱼ·(t·G′ᵀ)[i][j].
      const g00 = <f64>tap(f, C, O, c, o, 0, 0, flip), g01 = <f64>tap(f, C, O, c, o, 0, 1, flip), g02 = <f64>tap(f, C, O, c, o, 0, 2, flip);
      const g10 = <f64>tap(f, C, O, c, o, 1, 0, flip), g11 = <f64>tap(f, C, O, c, o, 1, 1, flip), g12 = <f64>tap(f, C, O, c, o, 1, 2, flip);
      const g20 = <f64>tap(f, C, O, c, o, 2, 0, flip), g21 = <f64>tap(f, C, O, c, o, 2, 1, flip), g22 = <f64>tap(f, C, O, c, o, 2, 2, flip);
      filterRow(dst, plane, g00, g01, g02, D0);
      filterRow(dst + 6 * plane, plane, g00 + g10 + g20, g01 + g11 + g21, g02 + g12 + g22, D1);
      filterRow(dst + 12 * plane, plane, g00 - g10 + g20, g01 - g11 + g21, g02 - g12 + g22, D1);
      filterRow(dst + 18 * plane, plane, g00 + 2 * g10 + 4 * g20, g01 + 2 * g11 + 4 * g21, g02 + 2 * g12 + 4 * g22, D3);
      filterRow(dst + 24 * plane, plane, g00 - 2 * g10 + 4 * g20, g01 - 2 * g11 + 4 * g21, g02 - 2 * g12 + 4 * g22, D3);
      filterRow(dst + 30 * plane, plane, g20, g21, g22, 1);
    }
  }
}

/** G's row scales (see winograd4Filter). */
const D0: f64 = 0.25, D1: f64 = -1.0 / 6, D3: f64 = 1.0 / 24;

/** Row i of U from row i of t = G′·g (t0, t1, t2) and dᵢ, each rounded once to f32. */
// @ts-ignore: decorator
@inline function filterRow(dst: usize, plane: usize, t0: f64, t1: f64, t2: f64, di: f64): void {
  store<f32>(dst, <f32>(di * D0 * t0));
  store<f32>(dst + plane, <f32>(di * D1 * (t0 + t1 + t2)));
  store<f32>(dst + 2 * plane, <f32>(di * D1 * (t0 - t1 + t2)));
  store<f32>(dst + 3 * plane, <f32>(di * D3 * (t0 + 2 * t1 + 4 * t2)));
  store<f32>(dst + 4 * plane, <f32>(di * D3 * (t0 - 2 * t1 + 4 * t2)));
  store<f32>(dst + 5 * plane, <f32>(di * t2));
}

/** Bᵀ applied to (d0 … d5), stored at p, p + stride, … p + 5·stride. */
// @ts-ignore: decorator
@inline function inputSix(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, p: usize, stride: usize): void {
  const four = f32x4.splat(4), five = f32x4.splat(5);
  const a = f32x4.sub(d4, f32x4.mul(four, d2)), b = f32x4.sub(d3, f32x4.mul(four, d1));
  const c = f32x4.sub(d4, d2), d = f32x4.add(f32x4.sub(d3, d1), f32x4.sub(d3, d1));
  v128.store(p, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(p + stride, f32x4.add(a, b));
  v128.store(p + 2 * stride, f32x4.sub(a, b));
  v128.store(p + 3 * stride, f32x4.add(c, d));
  v128.store(p + 4 * stride, f32x4.sub(c, d));
  v128.store(p + 5 * stride, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

/**
 * The addresses of the 6×6 input block's pixels at (ih0, iw0) into `ptrs` (36 u32, row after row):
 * those outside the image point to `zeros` (a pixel of zeros), so a tile at the edge is read as
 * one inside, without a test per load.
 */
// @ts-ignore: decorator
@inline function blockPixels(image: usize, inH: i32, inW: i32, pixelBytes: usize, ih0: i32, iw0: i32, zeros: usize, ptrs: usize): void {
  for (let r = 0; r < 6; r++) {
    const ih = ih0 + r;
    const row = image + <usize>ih * inW * pixelBytes;
    for (let j = 0; j < 6; j++) {
      const iw = iw0 + j;
      store<u32>(ptrs + <usize>(24 * r + 4 * j), <u32>(ih >= 0 && ih < inH && iw >= 0 && iw < inW ? row + <usize>iw * pixelBytes : zeros));
    }
  }
}

/**
 * V[ξ][t][c..c+4] for the 6×6 input block whose pixels' addresses are at `ptrs`: rows d·B into
 * `tmp` (tmp[6r + j]), then its columns Bᵀ· into V[6i + j].
 */
// @ts-ignore: decorator
@inline function inputTile(ptrs: usize, cb: usize, v: usize, xiStride: usize, tmp: usize): void {
  for (let r = 0; r < 6; r++) {
    const pr = ptrs + <usize>(24 * r);
    inputSix(
      v128.load(<usize>load<u32>(pr) + cb), v128.load(<usize>load<u32>(pr, 4) + cb), v128.load(<usize>load<u32>(pr, 8) + cb),
      v128.load(<usize>load<u32>(pr, 12) + cb), v128.load(<usize>load<u32>(pr, 16) + cb), v128.load(<usize>load<u32>(pr, 20) + cb),
      tmp + <usize>(96 * r), 16,
    );
  }
  for (let j = 0; j < 6; j++) {
    const t = tmp + <usize>(16 * j);
    inputSix(v128.load(t), v128.load(t + 96), v128.load(t + 192), v128.load(t + 288), v128.load(t + 384), v128.load(t + 480), v + <usize>j * xiStride, 6 * xiStride);
  }
}

/**
 * Which of a tile's 16 outputs (bit 4p + q) see only zeros in their 3×3 windows (all C channels;
 * −0 counts as 0) in the 6×6 block whose pixels' addresses are at `ptrs` (`zeros` for those
 * outside the image). Their exact value is 0, which the transforms would turn into a rounding
 * residue of the tile's other values: they are stored as 0 (through the epilogue).
 */
// @ts-ignore: decorator
@inline function zeroWindows(ptrs: usize, zeros: usize, pixelBytes: usize): i32 {
  const magnitude = i32x4.splat(0x7fffffff);
  let nonzero: u64 = 0;
  for (let k = 0; k < 36; k++) {
    const p = <usize>load<u32>(ptrs + (<usize>k << 2));
    if (p == zeros) continue;
    for (let b: usize = 0; b < pixelBytes; b += 16) {
      if (v128.any_true(v128.and(v128.load(p + b), magnitude))) {
        nonzero |= (<u64>1) << k;
        break;
      }
    }
  }
  let z = 0;
  for (let p = 0; p < 4; p++) {
    for (let q = 0; q < 4; q++) {
      const window = (<u64>0b111 | (<u64>0b111 << 6) | (<u64>0b111 << 12)) << (6 * p + q);
      if ((nonzero & window) == 0) z |= 1 << (4 * p + q);
    }
  }
  return z;
}

/**
 * Aᵀ applied to (m0 … m5): the first `rows` of the four results, through the epilogue, at p,
 * p + stride, …; result r is 0 instead where bit 4r of `zero` is set (see zeroWindows).
 */
// @ts-ignore: decorator
@inline function outputColumn(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, p: usize, stride: usize, rows: i32, bias: usize, act: i32, zero: i32): void {
  const a = f32x4.add(m1, m2), b = f32x4.sub(m1, m2), c = f32x4.add(m3, m4), d = f32x4.sub(m3, m4);
  const none = f32x4.splat(0);
  v128.store(p, epilogue4(zero & 1 ? none : f32x4.add(f32x4.add(m0, a), c), bias, act));
  if (rows > 1) v128.store(p + stride, epilogue4(zero & 0x10 ? none : f32x4.add(b, f32x4.mul(f32x4.splat(2), d)), bias, act));
  if (rows > 2) v128.store(p + 2 * stride, epilogue4(zero & 0x100 ? none : f32x4.add(a, f32x4.mul(f32x4.splat(4), c)), bias, act));
  if (rows > 3) v128.store(p + 3 * stride, epilogue4(zero & 0x1000 ? none : f32x4.add(f32x4.add(b, f32x4.mul(f32x4.splat(8), d)), m5), bias, act));
}

/**
 * The convolution's tiles [t0, t1) (flat over n, tile row, tile column; tiles of 4×4 outputs,
 * clipped at the bottom and right), `block` tiles at a time: the transforms' temporary
 * (TEMP_BYTES), transformed input and the GEMMs' products in the thread's scratch after the GEMM's
 * pack buffers (36·block·(C + O) floats). Outputs go through the fused convolution's epilogue:
 * + bias[O] (0 for none), then activation `act` (gemv.ts).
 */
export function winograd4Conv(g: usize, x: usize, u: usize, out: usize, t0: i32, t1: i32, block: i32, bias: usize, act: i32, scratch: usize): void {
  const win = changetype<Window>(g);
  // Locals: the engine cannot keep fields of memory in registers across the stores below.
  const inH = win.inH, inW = win.inW, C = win.inC, outH = win.outH, outW = win.outW, O = win.outC;
  const padTop = win.padTop, padLeft = win.padLeft;
  const tilesW = (outW + 3) >> 2, tilesH = (outH + 3) >> 2;
  const perImage = tilesH * tilesW;
  const imageBytes = <usize>inH * inW * C << 2;
  const outPixel = <usize>O << 2;
  const rowBytes = <usize>outW * outPixel;
  const pixelBytes = <usize>C << 2;
  const tmp = scratch + GEMM_SCRATCH_BYTES;
  const ptrs = tmp + TEMP_BYTES;
  const zeros = ptrs + PTRS_BYTES;
  memory.fill(zeros, 0, pixelBytes);
  // Per tile of the block, its outputs whose windows see only zeros (zeroWindows).
  const zeroMasks = zeros + pixelBytes;
  const v = zeroMasks + ((<usize>block * 2 + 15) & ~15);
  const m = v + 36 * planeStride(<usize>block * C << 2);
  const uPlane = filterPlane(C, O);
  const nPad = (O + 7) & ~7;
  for (let tb = t0; tb < t1; tb += block) {
    const tiles = min(block, t1 - tb);
    const vStride = planeStride(<usize>tiles * C << 2);
    const mStride = planeStride(<usize>tiles * O << 2);
    let n = tb / perImage, th = (tb % perImage) / tilesW, tw = tb % tilesW;
    for (let t = 0; t < tiles; t++) {
      const image = x + <usize>n * imageBytes;
      const vt = v + (<usize>t * C << 2);
      blockPixels(image, inH, inW, pixelBytes, 4 * th - padTop, 4 * tw - padLeft, zeros, ptrs);
      store<u16>(zeroMasks + (<usize>t << 1), <u16>zeroWindows(ptrs, zeros, pixelBytes));
      for (let c = 0; c < C; c += 4) inputTile(ptrs, <usize>c << 2, vt + (<usize>c << 2), vStride, tmp);
      // The next tile, without dividing (an integer division costs tens of cycles).
      if (++tw == tilesW) {
        tw = 0;
        if (++th == tilesH) {
          th = 0;
          n++;
        }
      }
    }
    for (let xi = 0; xi < 36; xi++) {
      gemmFused(tiles, O, C, v + <usize>xi * vStride, C, false, 0, 0, false, u + <usize>xi * uPlane, nPad, 0, m + <usize>xi * mStride, O, 0, 0, scratch);
    }
    n = tb / perImage; th = (tb % perImage) / tilesW; tw = tb % tilesW;
    for (let t = 0; t < tiles; t++) {
      const oh = 4 * th, ow = 4 * tw;
      const rows = min(4, outH - oh), cols = min(4, outW - ow);
      const o00 = out + ((<usize>n * outH + oh) * outW + ow) * outPixel;
      const zero = <i32>load<u16>(zeroMasks + (<usize>t << 1));
      for (let o = 0; o < O; o += 4) {
        // Rows M·A into tmp[4i + q], then its columns Aᵀ· to the outputs (row p, column q).
        const mt = m + ((<usize>t * O + o) << 2);
        for (let i = 0; i < 6; i++) {
          const mi = mt + <usize>(6 * i) * mStride;
          outputColumn(v128.load(mi), v128.load(mi + mStride), v128.load(mi + 2 * mStride), v128.load(mi + 3 * mStride), v128.load(mi + 4 * mStride), v128.load(mi + 5 * mStride), tmp + <usize>(64 * i), 16, 4, 0, 0, 0);
        }
        const bo = bias == 0 ? 0 : bias + (<usize>o << 2);
        const oo = o00 + (<usize>o << 2);
        for (let q = 0; q < cols; q++) {
          const s = tmp + <usize>(16 * q);
          outputColumn(v128.load(s), v128.load(s + 64), v128.load(s + 128), v128.load(s + 192), v128.load(s + 256), v128.load(s + 320), oo + <usize>q * outPixel, rowBytes, rows, bo, act, zero >> q);
        }
      }
      if (++tw == tilesW) {
        tw = 0;
        if (++th == tilesH) {
          th = 0;
          n++;
        }
      }
    }
  }
}
