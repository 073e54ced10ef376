/**
 * 3×3 convolutions with stride 1 and no dilation by Winograd's minimal filtering F(2×2, 3×3)
 * (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): each 2×2 block of
 * output ("tile") comes from a 4×4 block of input, and in the transformed domain the 3×3·C
 * multiply-adds per output become 16·C per tile of four, 2.25 times fewer. For a block of tiles:
 *
 *   V[ξ][t][c] = (Bᵀ d B)[ξ]         the input tile d of channel c, transformed (adds only)
 *   M[ξ]       = V[ξ] · U[ξ]         16 GEMMs of (tiles × C)·(C × O), U[ξ] = (G g Gᵀ)[ξ] per (c, o)
 *   y          = Aᵀ M A              each tile's 2×2 outputs (adds only)
 *
 * The transforms' entries are 0, ±1 and ±½, so rounding stays close to the direct sum's. Channels
 * are taken four at a time: the caller sends only C and O that are multiples of 4. The geometry
 * block is a forward convolution's; the input gradient of a stride-1 3×3 convolution is one too
 * (of dy by the filter turned half a turn with its channel axes swapped, padded by 2 − pad).
 */
import { gemmFused, gemmInto, packedOffset, packedWeightsFloats, SCRATCH_BYTES as GEMM_SCRATCH_BYTES } from "./gemm";
import { epilogue4 } from "./gemv";
import { Window } from "./window";

/**
 * U[ξ] (16 matrices C×O, ξ = 4·row + column) from the filter f [3, 3, C, O]; with `flip`, from
 * f [3, 3, O, C] turned half a turn with its channel axes swapped: g[i][j] = f[2−i][2−j][o][c].
 * Each U[ξ] is stored packed as the GEMM packs kept weights (gemm.ts's packWeights: 8-column
 * slivers, zero-padded), filterPlane(C, O) bytes apart, so the 16 products read it as it is,
 * never repacking it per call or per block of tiles.
 */
export function winogradFilter(f: usize, u: usize, C: i32, O: i32, flip: bool): void {
  const plane = filterPlane(C, O);
  if (O & 7) memory.fill(u, 0, 16 * plane);
  for (let c = 0; c < C; c++) {
    for (let o = 0; o < O; o++) {
      const dst = u + (packedOffset(C, O, c, o) << 2);
      // Column j of t = G·g (4×3): (g0j, ½(g0j + g1j + g2j), ½(g0j − g1j + g2j), g2j); G = [[1,0,0], [½,½,½], [½,−½,½], [0,0,1]].
      const t00 = tap(f, C, O, c, o, 0, 0, flip), t01 = tap(f, C, O, c, o, 0, 1, flip), t02 = tap(f, C, O, c, o, 0, 2, flip);
      const t30 = tap(f, C, O, c, o, 2, 0, flip), t31 = tap(f, C, O, c, o, 2, 1, flip), t32 = tap(f, C, O, c, o, 2, 2, flip);
      const m0 = tap(f, C, O, c, o, 1, 0, flip), m1 = tap(f, C, O, c, o, 1, 1, flip), m2 = tap(f, C, O, c, o, 1, 2, flip);
      const t10: f32 = 0.5 * (t00 + m0 + t30), t11: f32 = 0.5 * (t01 + m1 + t31), t12: f32 = 0.5 * (t02 + m2 + t32);
      const t20: f32 = 0.5 * (t00 - m0 + t30), t21: f32 = 0.5 * (t01 - m1 + t31), t22: f32 = 0.5 * (t02 - m2 + t32);
      // Row i of U = t·Gᵀ: (ti0, ½(ti0 + ti1 + ti2), ½(ti0 − ti1 + ti2), ti2).
      filterRow(dst, plane, t00, t01, t02);
      filterRow(dst + 4 * plane, plane, t10, t11, t12);
      filterRow(dst + 8 * plane, plane, t20, t21, t22);
      filterRow(dst + 12 * plane, plane, t30, t31, t32);
    }
  }
}

/**
 * Bytes from one plane of U to the next (winogradFilter's, winograd4Filter's): the packed weights'
 * size padded as planeStride pads, or the transforms' stores, one per plane for each (c, o), would
 * evict each other (C×O planes are often a multiple of 4 KiB).
 */
// @ts-ignore: decorator
@inline export function filterPlane(C: i32, O: i32): usize {
  return planeStride(<usize>packedWeightsFloats(C, O) << 2);
}

/** Floats of U in `planes` planes (16 for winogradFilter, 36 for winograd4Filter) of C×O. */
export function winogradFilterFloats(C: i32, O: i32, planes: i32): i32 {
  return planes * <i32>(filterPlane(C, O) >> 2);
}

/** g[i][j] of the filter for channels (c, o), as winogradFilter reads it. */
// @ts-ignore: decorator
@inline export function tap(f: usize, C: i32, O: i32, c: i32, o: i32, i: i32, j: i32, flip: bool): f32 {
  const at = flip ? ((<usize>(2 - i) * 3 + (2 - j)) * O + o) * C + c : ((<usize>i * 3 + j) * C + c) * O + o;
  return load<f32>(f + (at << 2));
}

// @ts-ignore: decorator
@inline function filterRow(dst: usize, plane: usize, t0: f32, t1: f32, t2: f32): void {
  store<f32>(dst, t0);
  store<f32>(dst + plane, 0.5 * (t0 + t1 + t2));
  store<f32>(dst + 2 * plane, 0.5 * (t0 - t1 + t2));
  store<f32>(dst + 3 * plane, t2);
}

/** V[ξ][t][c..c+4] for the block's tile t, from the 4×4 input block at (ih0, iw0), zeros outside the image. */
// @ts-ignore: decorator
@inline function inputTile(image: usize, inH: i32, inW: i32, C: i32, ih0: i32, iw0: i32, cb: usize, v: usize, xiStride: usize): void {
  const pixelBytes = <usize>C << 2;
  const zero = f32x4.splat(0);
  // d[r][s] for r, s in 0..4, then rows Bᵀ·d: (d0 − d2, d1 + d2, d2 − d1, d1 − d3) per column.
  let d00 = zero, d01 = zero, d02 = zero, d03 = zero;
  let d10 = zero, d11 = zero, d12 = zero, d13 = zero;
  let d20 = zero, d21 = zero, d22 = zero, d23 = zero;
  let d30 = zero, d31 = zero, d32 = zero, d33 = zero;
  const inside = ih0 >= 0 && ih0 + 4 <= inH && iw0 >= 0 && iw0 + 4 <= inW;
  if (inside) {
    let p = image + (<usize>ih0 * inW + iw0) * pixelBytes + cb;
    const row = <usize>inW * pixelBytes;
    d00 = v128.load(p); d01 = v128.load(p + pixelBytes); d02 = v128.load(p + 2 * pixelBytes); d03 = v128.load(p + 3 * pixelBytes);
    p += row;
    d10 = v128.load(p); d11 = v128.load(p + pixelBytes); d12 = v128.load(p + 2 * pixelBytes); d13 = v128.load(p + 3 * pixelBytes);
    p += row;
    d20 = v128.load(p); d21 = v128.load(p + pixelBytes); d22 = v128.load(p + 2 * pixelBytes); d23 = v128.load(p + 3 * pixelBytes);
    p += row;
    d30 = v128.load(p); d31 = v128.load(p + pixelBytes); d32 = v128.load(p + 2 * pixelBytes); d33 = v128.load(p + 3 * pixelBytes);
  } else {
    d00 = pixel(image, inH, inW, pixelBytes, ih0, iw0, cb); d01 = pixel(image, inH, inW, pixelBytes, ih0, iw0 + 1, cb);
    d02 = pixel(image, inH, inW, pixelBytes, ih0, iw0 + 2, cb); d03 = pixel(image, inH, inW, pixelBytes, ih0, iw0 + 3, cb);
    d10 = pixel(image, inH, inW, pixelBytes, ih0 + 1, iw0, cb); d11 = pixel(image, inH, inW, pixelBytes, ih0 + 1, iw0 + 1, cb);
    d12 = pixel(image, inH, inW, pixelBytes, ih0 + 1, iw0 + 2, cb); d13 = pixel(image, inH, inW, pixelBytes, ih0 + 1, iw0 + 3, cb);
    d20 = pixel(image, inH, inW, pixelBytes, ih0 + 2, iw0, cb); d21 = pixel(image, inH, inW, pixelBytes, ih0 + 2, iw0 + 1, cb);
    d22 = pixel(image, inH, inW, pixelBytes, ih0 + 2, iw0 + 2, cb); d23 = pixel(image, inH, inW, pixelBytes, ih0 + 2, iw0 + 3, cb);
    d30 = pixel(image, inH, inW, pixelBytes, ih0 + 3, iw0, cb); d31 = pixel(image, inH, inW, pixelBytes, ih0 + 3, iw0 + 1, cb);
    d32 = pixel(image, inH, inW, pixelBytes, ih0 + 3, iw0 + 2, cb); d33 = pixel(image, inH, inW, pixelBytes, ih0 + 3, iw0 + 3, cb);
  }
  // Rows: r0 = d0 − d2, r1 = d1 + d2, r2 = d2 − d1, r3 = d1 − d3 (each over the 4 columns).
  const r00 = f32x4.sub(d00, d20), r01 = f32x4.sub(d01, d21), r02 = f32x4.sub(d02, d22), r03 = f32x4.sub(d03, d23);
  const r10 = f32x4.add(d10, d20), r11 = f32x4.add(d11, d21), r12 = f32x4.add(d12, d22), r13 = f32x4.add(d13, d23);
  const r20 = f32x4.sub(d20, d10), r21 = f32x4.sub(d21, d11), r22 = f32x4.sub(d22, d12), r23 = f32x4.sub(d23, d13);
  const r30 = f32x4.sub(d10, d30), r31 = f32x4.sub(d11, d31), r32 = f32x4.sub(d12, d32), r33 = f32x4.sub(d13, d33);
  // Columns the same way; V[4·i + j].
  columns(r00, r01, r02, r03, v, xiStride);
  columns(r10, r11, r12, r13, v + 4 * xiStride, xiStride);
  columns(r20, r21, r22, r23, v + 8 * xiStride, xiStride);
  columns(r30, r31, r32, r33, v + 12 * xiStride, xiStride);
}

// @ts-ignore: decorator
@inline function columns(a0: v128, a1: v128, a2: v128, a3: v128, v: usize, xiStride: usize): void {
  v128.store(v, f32x4.sub(a0, a2));
  v128.store(v + xiStride, f32x4.add(a1, a2));
  v128.store(v + 2 * xiStride, f32x4.sub(a2, a1));
  v128.store(v + 3 * xiStride, f32x4.sub(a1, a3));
}

/** The 4 channels at cb of pixel (ih, iw), zeros outside the image. */
// @ts-ignore: decorator
@inline export function pixel(image: usize, inH: i32, inW: i32, pixelBytes: usize, ih: i32, iw: i32, cb: usize): v128 {
  if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) return f32x4.splat(0);
  return v128.load(image + (<usize>ih * inW + iw) * pixelBytes + cb);
}

/**
 * Bytes from one transformed plane to the next for planes of `bytes`: an odd number of cache lines,
 * so that the lines a tile's transform reads or writes, one per plane (16 here, 36 in
 * winograd4.ts), fall in different sets of the L1 cache (planes 4 KiB apart, as 16 tiles of 64
 * channels are, would all fall in one set and evict each other).
 */
// @ts-ignore: decorator
@inline export function planeStride(bytes: usize): usize {
  return ((bytes + 63) & ~127) + 64;
}

/** V for tiles [tb, tb + tiles) (flat over n, tile row, tile column: tiles of 2×2 outputs), tile t at column t·C of each V[ξ]. */
// @ts-ignore: decorator
@inline function inputTiles(win: Window, x: usize, tb: i32, tiles: i32, v: usize, vStride: usize): void {
  // Locals: the engine cannot keep fields of memory in registers across the stores below.
  const inH = win.inH, inW = win.inW, C = win.inC;
  const tilesW = (win.outW + 1) >> 1;
  const perImage = ((win.outH + 1) >> 1) * tilesW;
  const imageBytes = <usize>inH * inW * C << 2;
  const tilesH = (win.outH + 1) >> 1;
  const padTop = win.padTop, padLeft = win.padLeft;
  let n = tb / perImage, th = (tb % perImage) / tilesW, tw = tb % tilesW;
  for (let t = 0; t < tiles; t++) {
    const image = x + <usize>n * imageBytes;
    const vt = v + (<usize>t * C << 2);
    for (let c = 0; c < C; c += 4) inputTile(image, inH, inW, C, 2 * th - padTop, 2 * tw - padLeft, <usize>c << 2, vt + (<usize>c << 2), vStride);
    // The next tile, without dividing (an integer division costs tens of cycles).
    if (++tw == tilesW) {
      tw = 0;
      if (++th == tilesH) {
        th = 0;
        n++;
      }
    }
  }
}

/**
 * The convolution's tiles [t0, t1) (flat over n, tile row, tile column; tiles of 2×2 outputs,
 * clipped at the bottom and right), `block` tiles at a time: transformed input and the GEMMs'
 * products in the thread's scratch after the GEMM's pack buffers (16 planes each of block·C and
 * block·O floats, planeStride apart). The
 * outputs are stored through the epilogue of a fused convolution: + bias[O] (0 for none), then
 * activation `act` (gemv.ts).
 */
export function winogradConv(g: usize, x: usize, u: usize, out: usize, t0: i32, t1: i32, block: i32, bias: usize, act: i32, scratch: usize): void {
  const win = changetype<Window>(g);
  const outH = win.outH, outW = win.outW, O = win.outC;
  const tilesW = (outW + 1) >> 1;
  const perImage = ((outH + 1) >> 1) * tilesW;
  const outPixel = <usize>O << 2;
  const v = scratch + GEMM_SCRATCH_BYTES;
  const m = v + 16 * planeStride(<usize>block * win.inC << 2);
  const uPlane = filterPlane(win.inC, O);
  const nPad = (O + 7) & ~7;
  for (let tb = t0; tb < t1; tb += block) {
    const tiles = min(block, t1 - tb);
    const vStride = planeStride(<usize>tiles * win.inC << 2);
    const mStride = planeStride(<usize>tiles * O << 2);
    inputTiles(win, x, tb, tiles, v, vStride);
    for (let xi = 0; xi < 16; xi++) {
      gemmFused(tiles, O, win.inC, v + <usize>xi * vStride, win.inC, false, 0, 0, false, u + <usize>xi * uPlane, nPad, 0, m + <usize>xi * mStride, O, 0, 0, scratch);
    }
    // Back to 2×2 outputs per tile: rows Aᵀ·M = (m0 + m1 + m2, m1 − m2 − m3), then columns alike.
    for (let t = 0; t < tiles; t++) {
      const n = (tb + t) / perImage, at = (tb + t) % perImage;
      const oh = 2 * (at / tilesW), ow = 2 * (at % tilesW);
      const o00 = out + ((<usize>n * outH + oh) * outW + ow) * outPixel;
      const down = oh + 1 < outH, right = ow + 1 < outW;
      const rowBytes = <usize>outW * outPixel;
      for (let o = 0; o < O; o += 4) {
        const mt = m + ((<usize>t * O + o) << 2);
        const m0 = v128.load(mt), m1 = v128.load(mt + mStride), m2 = v128.load(mt + 2 * mStride), m3 = v128.load(mt + 3 * mStride);
        const m4 = v128.load(mt + 4 * mStride), m5 = v128.load(mt + 5 * mStride), m6 = v128.load(mt + 6 * mStride), m7 = v128.load(mt + 7 * mStride);
        const m8 = v128.load(mt + 8 * mStride), m9 = v128.load(mt + 9 * mStride), m10 = v128.load(mt + 10 * mStride), m11 = v128.load(mt + 11 * mStride);
        const m12 = v128.load(mt + 12 * mStride), m13 = v128.load(mt + 13 * mStride), m14 = v128.load(mt + 14 * mStride), m15 = v128.load(mt + 15 * mStride);
        // s0j = m0j + m1j + m2j, s1j = m1j − m2j − m3j (mij = m[4i + j]).
        const s00 = f32x4.add(f32x4.add(m0, m4), m8), s01 = f32x4.add(f32x4.add(m1, m5), m9);
        const s02 = f32x4.add(f32x4.add(m2, m6), m10), s03 = f32x4.add(f32x4.add(m3, m7), m11);
        const s10 = f32x4.sub(f32x4.sub(m4, m8), m12), s11 = f32x4.sub(f32x4.sub(m5, m9), m13);
        const s12 = f32x4.sub(f32x4.sub(m6, m10), m14), s13 = f32x4.sub(f32x4.sub(m7, m11), m15);
        const ob = o00 + (<usize>o << 2);
        const bo = bias == 0 ? 0 : bias + (<usize>o << 2);
        v128.store(ob, epilogue4(f32x4.add(f32x4.add(s00, s01), s02), bo, act));
        if (right) v128.store(ob + outPixel, epilogue4(f32x4.sub(f32x4.sub(s01, s02), s03), bo, act));
        if (down) {
          v128.store(ob + rowBytes, epilogue4(f32x4.add(f32x4.add(s10, s11), s12), bo, act));
          if (right) v128.store(ob + rowBytes + outPixel, epilogue4(f32x4.sub(f32x4.sub(s11, s12), s13), bo, act));
        }
      }
    }
  }
}

/**
 * W[ξ][t][o..o+4] = (G′ g G′ᵀ)[ξ] for the 2×2 block of dy at (oh0, ow0) (zeros past its edges),
 * G′ = [[1,0], [½,½], [½,−½], [0,−1]]: F(3×3, 2×2)'s G with its last row negated, which matches
 * the input transform's last row (d1 − d3 where F(3×3, 2×2) has d3 − d1), so their products agree.
 */
// @ts-ignore: decorator
@inline function gradTile(image: usize, outH: i32, outW: i32, O: i32, oh0: i32, ow0: i32, ob: usize, w: usize, xiStride: usize): void {
  const pixelBytes = <usize>O << 2;
  const g00 = pixel(image, outH, outW, pixelBytes, oh0, ow0, ob), g01 = pixel(image, outH, outW, pixelBytes, oh0, ow0 + 1, ob);
  const g10 = pixel(image, outH, outW, pixelBytes, oh0 + 1, ow0, ob), g11 = pixel(image, outH, outW, pixelBytes, oh0 + 1, ow0 + 1, ob);
  const half = f32x4.splat(0.5);
  // Rows G′·g: (g0, ½(g0 + g1), ½(g0 − g1), −g1) per column.
  const r10 = f32x4.mul(half, f32x4.add(g00, g10)), r11 = f32x4.mul(half, f32x4.add(g01, g11));
  const r20 = f32x4.mul(half, f32x4.sub(g00, g10)), r21 = f32x4.mul(half, f32x4.sub(g01, g11));
  gradColumns(g00, g01, w, xiStride, half);
  gradColumns(r10, r11, w + 4 * xiStride, xiStride, half);
  gradColumns(r20, r21, w + 8 * xiStride, xiStride, half);
  gradColumns(f32x4.neg(g10), f32x4.neg(g11), w + 12 * xiStride, xiStride, half);
}

// @ts-ignore: decorator
@inline function gradColumns(a0: v128, a1: v128, w: usize, xiStride: usize, half: v128): void {
  v128.store(w, a0);
  v128.store(w + xiStride, f32x4.mul(half, f32x4.add(a0, a1)));
  v128.store(w + 2 * xiStride, f32x4.mul(half, f32x4.sub(a0, a1)));
  v128.store(w + 3 * xiStride, f32x4.neg(a1));
}

/**
 * The filter gradient over dy's tiles [t0, t1) by F(3×3, 2×2): in the transformed domain each tile
 * adds V[ξ]ᵀ·W[ξ] to M[ξ] (C×O), and dF = Aᵀ M A at the end, Aᵀ = [[1,1,1,0], [0,1,−1,0], [0,1,1,1]].
 * Scratch after the GEMM's: V (16 planes of block·C floats), W (16 of block·O), both planeStride
 * apart, M (16·C·O). df [3, 3, C, O].
 */
export function winogradFilterGrad(g: usize, x: usize, dy: usize, df: usize, t0: i32, t1: i32, block: i32, scratch: usize): void {
  const win = changetype<Window>(g);
  const outH = win.outH, outW = win.outW, O = win.outC;
  const tilesH = (outH + 1) >> 1, tilesW = (outW + 1) >> 1;
  const perImage = tilesH * tilesW;
  const gradBytes = <usize>outH * outW * O << 2;
  const plane = <usize>win.inC * O << 2;
  const v = scratch + GEMM_SCRATCH_BYTES;
  const w = v + 16 * planeStride(<usize>block * win.inC << 2);
  const m = w + 16 * planeStride(<usize>block * O << 2);
  memory.fill(m, 0, 16 * plane);
  for (let tb = t0; tb < t1; tb += block) {
    const tiles = min(block, t1 - tb);
    const vStride = planeStride(<usize>tiles * win.inC << 2);
    const wStride = planeStride(<usize>tiles * O << 2);
    inputTiles(win, x, tb, tiles, v, vStride);
    let n = tb / perImage, th = (tb % perImage) / tilesW, tw = tb % tilesW;
    for (let t = 0; t < tiles; t++) {
      const grad = dy + <usize>n * gradBytes;
      const wt = w + (<usize>t * O << 2);
      for (let o = 0; o < O; o += 4) gradTile(grad, outH, outW, O, 2 * th, 2 * tw, <usize>o << 2, wt + (<usize>o << 2), wStride);
      if (++tw == tilesW) {
        tw = 0;
        if (++th == tilesH) {
          th = 0;
          n++;
        }
      }
    }
    for (let xi = 0; xi < 16; xi++) {
      gemmInto(win.inC, O, tiles, v + <usize>xi * vStride, win.inC, true, w + <usize>xi * wStride, O, false, m + <usize>xi * plane, O, true, scratch);
    }
  }
  // dF[i][j][c][o] = (Aᵀ M A)[i][j]: rows (m0 + m1 + m2, m1 − m2, m1 + m2 + m3), then columns alike.
  for (let c = 0; c < win.inC; c++) {
    for (let o = 0; o < O; o += 4) {
      const at = (<usize>c * O + o) << 2;
      const m0 = v128.load(m + at), m1 = v128.load(m + at + plane), m2 = v128.load(m + at + 2 * plane), m3 = v128.load(m + at + 3 * plane);
      const m4 = v128.load(m + at + 4 * plane), m5 = v128.load(m + at + 5 * plane), m6 = v128.load(m + at + 6 * plane), m7 = v128.load(m + at + 7 * plane);
      const m8 = v128.load(m + at + 8 * plane), m9 = v128.load(m + at + 9 * plane), m10 = v128.load(m + at + 10 * plane), m11 = v128.load(m + at + 11 * plane);
      const m12 = v128.load(m + at + 12 * plane), m13 = v128.load(m + at + 13 * plane), m14 = v128.load(m + at + 14 * plane), m15 = v128.load(m + at + 15 * plane);
      const s00 = f32x4.add(f32x4.add(m0, m4), m8), s01 = f32x4.add(f32x4.add(m1, m5), m9);
      const s02 = f32x4.add(f32x4.add(m2, m6), m10), s03 = f32x4.add(f32x4.add(m3, m7), m11);
      const s10 = f32x4.sub(m4, m8), s11 = f32x4.sub(m5, m9), s12 = f32x4.sub(m6, m10), s13 = f32x4.sub(m7, m11);
      const s20 = f32x4.add(f32x4.add(m4, m8), m12), s21 = f32x4.add(f32x4.add(m5, m9), m13);
      const s22 = f32x4.add(f32x4.add(m6, m10), m14), s23 = f32x4.add(f32x4.add(m7, m11), m15);
      filterGradRow(df + at, plane, s00, s01, s02, s03);
      filterGradRow(df + at + 3 * plane, plane, s10, s11, s12, s13);
      filterGradRow(df + at + 6 * plane, plane, s20, s21, s22, s23);
    }
  }
}

// @ts-ignore: decorator
@inline function filterGradRow(dst: usize, plane: usize, a0: v128, a1: v128, a2: v128, a3: v128): void {
  v128.store(dst, f32x4.add(f32x4.add(a0, a1), a2));
  v128.store(dst + plane, f32x4.sub(a1, a2));
  v128.store(dst + 2 * plane, f32x4.add(f32x4.add(a1, a2), a3));
}
