/**
 * Direct convolution for windows of few taps (K = kh·kw·C ≤ 256; first layers: C = 1 or 3), where
 * im2col's patch matrix has so few columns that gathering it and the GEMM's packing it again cost
 * as much as the products, and a tile's set-up is not amortized over a K of 9 or 27.
 *
 * A chunk is a range of output rows (n, oh). The input rows they read are copied into a slab in
 * the thread's scratch, zero-padded on every side (rows of the padding are rows of zeros): the tap
 * loop never branches on padding and one loop serves every stride, dilation and padding. (Rather
 * than an interior/border split: with 4-pixel tiles a first layer's small image has a large share
 * of border tiles, 2 of 7 for a 28-wide row, which would need a second loop; the copy is Wp·C
 * floats per input row, against outW·K·O multiply-adds per output row, and each input row is
 * copied once per chunk, not once per tap row.)
 *
 * The register tile is the GEMM's (gemm.ts microKernel): 4 output pixels × 8 output channels in
 * eight f32x4 sums, over the K taps in the filter's order (i, j, c), each input value splat-loaded
 * from the slab, through madd4: the order and the operation in which the GEMM sums a patch
 * matrix's row against the filter, so both paths give the same bits. (5 pixels, or the tap loop
 * unrolled, ran at 0.6-0.8× the speed: V8 spilled registers.) The 4 pixels are consecutive in the
 * image's output flattened over (oh, ow), so a tile may span two output rows, and output widths
 * that are not a multiple of 4 waste nothing but an image's last tile in a chunk, which repeats
 * its last pixel and stores only its own. The filter comes packed in 8-column slivers (gemm.ts
 * packWeights; K ≤ 256 is one k-block, so sliver s is at float 8·K·s), zero past O; channels past
 * O go through a small tile buffer, as in the GEMM.
 */
import { ACT_RELU } from "./gemv";
import { madd4 } from "./madd";
import { Window, copyF32 } from "./window";
import { COLS_BYTES } from "./conv";
import { SCRATCH_BYTES as GEMM_SCRATCH_BYTES } from "./gemm";

const MR = 4;
const NR = 8;
const TILE_BYTES: usize = MR * NR * 4;
/** Where the padded bias starts in the thread's scratch, after the tile and the tap steps (K ≤ 256). */
const BIASES_AT: usize = TILE_BYTES + 256 * 4;
/** The most output channels: the padded bias fits the GEMM's part of the scratch. */
const MAX_OUT_CHANNELS: i32 = <i32>((GEMM_SCRATCH_BYTES - BIASES_AT) / 4) & ~7;
/** Slab rows beyond one output row's span are taken while they fit in this much (L2). */
const SLAB_BYTES: usize = 64 * 1024;

/**
 * Slab rows [lo, hi) (input rows, any of them outside the image) of image `image`: row ih at
 * slab + (ih − lo)·rowBytes, pixel q of it the input's column q − padLeft, zero outside the image.
 */
function fillSlab(win: Window, image: usize, slab: usize, lo: i32, hi: i32, wp: i32, rowBytes: usize): void {
  const pixelBytes = <usize>win.inC << 2;
  const qa = min(max(win.padLeft, 0), wp);
  const qb = min(max(win.padLeft + win.inW, qa), wp);
  let dst = slab;
  for (let ih = lo; ih < hi; ih++, dst += rowBytes) {
    if (ih < 0 || ih >= win.inH) {
      memory.fill(dst, 0, rowBytes);
      continue;
    }
    memory.fill(dst, 0, <usize>qa * pixelBytes);
    memory.copy(dst + <usize>qa * pixelBytes, image + (<usize>ih * win.inW + qa - win.padLeft) * pixelBytes, <usize>(qb - qa) * pixelBytes);
    memory.fill(dst + <usize>qb * pixelBytes, 0, <usize>(wp - qb) * pixelBytes);
  }
}

/**
 * Output rows [r0, r1) (flat over n, oh; outW·O floats each) of the convolution of x by the filter
 * packed at w (see above), then the epilogue of a fused convolution: + bias[O] (0 for none) and
 * activation `act` (gemv.ts's operations). `block` is unused: conv.ts's forward paths share one
 * signature.
 */
export function convDirect(g: usize, x: usize, w: usize, out: usize, r0: i32, r1: i32, block: i32, bias: usize, act: i32, scratch: usize): void {
  const win = changetype<Window>(g);
  const C = win.inC;
  const O = win.outC;
  const K = win.kH * win.kW * C;
  const outH = win.outH;
  const outW = win.outW;
  const sh = win.strideH;
  const padTop = win.padTop;
  // A slab row: the input columns (padding included) that the output row's windows read.
  const wp = (outW - 1) * win.strideW + (win.kW - 1) * win.dilationW + 1;
  const rowBytes = <usize>wp * C << 2;
  const span = (win.kH - 1) * win.dilationH + 1;
  // Input rows a tile's 4 pixels read: they lie on up to 2 output rows (4 when outW is 1, 3 when 2).
  const tileRows = outW >= 3 ? 2 : outW == 2 ? 3 : 4;
  const tileSpan = (tileRows - 1) * sh + span;
  // The caller checks that a tile's rows fit (src/backends/wasm/conv-direct.ts).
  if (<usize>tileSpan * rowBytes > COLS_BYTES || K > 256 || O > MAX_OUT_CHANNELS) unreachable();
  const capacity = max(tileSpan, <i32>(SLAB_BYTES / rowBytes));
  const tile = scratch;
  const taps = scratch + TILE_BYTES;
  const slab = scratch + GEMM_SCRATCH_BYTES;
  // Each tap's (i, j, c) byte offset from its pixel's window corner in the slab, as the step from
  // the previous tap's (they increase): the tap loop moves its four pointers on by it, so they are
  // carried from one step to the next (an offset added to a pointer computed outside the loop
  // let Binaryen sink that computation into the loop, where V8 redid it at every step).
  let t = taps;
  let previous: usize = 0;
  for (let i = 0; i < win.kH; i++) {
    for (let j = 0; j < win.kW; j++) {
      for (let c = 0; c < C; c++, t += 4) {
        const offset = <usize>(i * win.dilationH) * rowBytes + (<usize>(j * win.dilationW * C + c) << 2);
        store<u32>(t, <u32>(offset - previous));
        previous = offset;
      }
    }
  }
  const tapsEnd = taps + (<usize>K << 2);
  // The bias, zero-padded to whole slivers, so that a sliver's last columns read it too.
  const biases = scratch + BIASES_AT;
  if (bias != 0) {
    memory.copy(biases, bias, <usize>O << 2);
    memory.fill(biases + (<usize>O << 2), 0, <usize>((O + NR - 1) / NR * NR - O) << 2);
  }
  const lastTap = previous;
  const imageBytes = <usize>win.inH * win.inW * C << 2;
  const colBytes = <usize>win.strideW * C << 2;
  const pixelBytes = <usize>O << 2;
  for (let r = r0; r < r1; ) {
    // This chunk's output rows of image n: [ohStart, ohEnd).
    const n = r / outH;
    const ohStart = r % outH;
    const rEnd = min(r1, (n + 1) * outH);
    const ohEnd = ohStart + rEnd - r;
    r = rEnd;
    const image = x + <usize>n * imageBytes;
    const needEnd = (ohEnd - 1) * sh - padTop + span;
    let slabLo = 0;
    let slabHi = i32.MIN_VALUE;
    let oh = ohStart;
    let ow = 0;
    const pixEnd = ohEnd * outW;
    for (let pix = ohStart * outW; pix < pixEnd; pix += MR) {
      const pixels = min(MR, pixEnd - pix);
      // The tile's pixels (a short tile repeats its last): output rows and columns.
      const oh0 = oh;
      const ow0 = ow;
      let oh1 = oh0, ow1 = ow0;
      if (pixels > 1 && ++ow1 == outW) { ow1 = 0; oh1++; }
      let oh2 = oh1, ow2 = ow1;
      if (pixels > 2 && ++ow2 == outW) { ow2 = 0; oh2++; }
      let oh3 = oh2, ow3 = ow2;
      if (pixels > 3 && ++ow3 == outW) { ow3 = 0; oh3++; }
      ow += MR;
      while (ow >= outW) {
        ow -= outW;
        oh++;
      }
      const lo = oh0 * sh - padTop;
      if (lo < slabLo || oh3 * sh - padTop + span > slabHi) {
        // As many of the rows still to come in this chunk's part of the image as the slab holds.
        slabLo = lo;
        slabHi = min(needEnd, lo + capacity);
        fillSlab(win, image, slab, slabLo, slabHi, wp, rowBytes);
      }
      // Window corners of the 4 pixels in the slab: each sliver's tap loop moves them to the last
      // tap, and they are moved back after it (rather than copied from values kept for the tile,
      // which Binaryen would recompute from the tile's coordinates for every sliver).
      let q0 = slab + <usize>(oh0 * sh - padTop - slabLo) * rowBytes + <usize>ow0 * colBytes;
      let q1 = slab + <usize>(oh1 * sh - padTop - slabLo) * rowBytes + <usize>ow1 * colBytes;
      let q2 = slab + <usize>(oh2 * sh - padTop - slabLo) * rowBytes + <usize>ow2 * colBytes;
      let q3 = slab + <usize>(oh3 * sh - padTop - slabLo) * rowBytes + <usize>ow3 * colBytes;
      // The slivers follow each other in w: each tap loop leaves pb at the next.
      let pb = w;
      let co = out + (<usize>n * outH * outW + pix) * pixelBytes;
      let bo = biases;
      for (let o0 = 0; o0 < O; o0 += NR, co += NR << 2, bo += NR << 2) {
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
        let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        for (let tp = taps; tp < tapsEnd; tp += 4) {
          const step = <usize>load<u32>(tp);
          q0 += step;
          q1 += step;
          q2 += step;
          q3 += step;
          const b0 = v128.load(pb);
          const b1 = v128.load(pb, 16);
          let s = v128.load32_splat(q0);
          c00 = madd4(s, b0, c00);
          c01 = madd4(s, b1, c01);
          s = v128.load32_splat(q1);
          c10 = madd4(s, b0, c10);
          c11 = madd4(s, b1, c11);
          s = v128.load32_splat(q2);
          c20 = madd4(s, b0, c20);
          c21 = madd4(s, b1, c21);
          s = v128.load32_splat(q3);
          c30 = madd4(s, b0, c30);
          c31 = madd4(s, b1, c31);
          pb += 32;
        }
        q0 -= lastTap;
        q1 -= lastTap;
        q2 -= lastTap;
        q3 -= lastTap;
        // The epilogue in registers (gemv.ts epilogue4's operations, tested once per tile).
        if (bias != 0) {
          const bias0 = v128.load(bo);
          const bias1 = v128.load(bo, 16);
          c00 = f32x4.add(c00, bias0);
          c01 = f32x4.add(c01, bias1);
          c10 = f32x4.add(c10, bias0);
          c11 = f32x4.add(c11, bias1);
          c20 = f32x4.add(c20, bias0);
          c21 = f32x4.add(c21, bias1);
          c30 = f32x4.add(c30, bias0);
          c31 = f32x4.add(c31, bias1);
        }
        if (act == ACT_RELU) {
          const zero = f32x4.splat(0);
          c00 = f32x4.pmax(c00, zero);
          c01 = f32x4.pmax(c01, zero);
          c10 = f32x4.pmax(c10, zero);
          c11 = f32x4.pmax(c11, zero);
          c20 = f32x4.pmax(c20, zero);
          c21 = f32x4.pmax(c21, zero);
          c30 = f32x4.pmax(c30, zero);
          c31 = f32x4.pmax(c31, zero);
        }
        if (pixels == MR && O - o0 >= NR) {
          v128.store(co, c00);
          v128.store(co, c01, 16);
          v128.store(co + pixelBytes, c10);
          v128.store(co + pixelBytes, c11, 16);
          v128.store(co + 2 * pixelBytes, c20);
          v128.store(co + 2 * pixelBytes, c21, 16);
          v128.store(co + 3 * pixelBytes, c30);
          v128.store(co + 3 * pixelBytes, c31, 16);
        } else {
          // A short tile or channels past O: the tile in the buffer, its valid part stored.
          v128.store(tile, c00);
          v128.store(tile, c01, 16);
          v128.store(tile, c10, 32);
          v128.store(tile, c11, 48);
          v128.store(tile, c20, 64);
          v128.store(tile, c21, 80);
          v128.store(tile, c30, 96);
          v128.store(tile, c31, 112);
          const cols = min(NR, O - o0);
          for (let p = 0; p < pixels; p++) copyF32(co + <usize>p * pixelBytes, tile + (<usize>(p * NR) << 2), cols);
        }
      }
    }
  }
}
