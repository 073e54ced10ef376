/**
 * Conv2D and its input and filter gradients over NHWC data, as the JS reference defines them
 * (src/backends/js/conv.ts), on the packed GEMM. The patch matrix has a row per output position
 * (n, oh, ow) and a column per filter tap (i, j, c), so the filter [kh, kw, C, O] is a K×O matrix
 * (K = kh·kw·C) as stored:
 *
 *   forward:  out[rows]  = cols(x)[rows] · F
 *   input:    dx        += col2im(dy[rows] · Fᵀ)
 *   filter:   dF        += cols(x)[rows]ᵀ · dy[rows]
 *
 * Rows are taken a block at a time (`blockRows` of them, chosen by the caller so a block of the
 * patch matrix fits the COLS_BYTES after the GEMM's pack buffers in the thread's scratch), so
 * the patch matrix never exists whole and the block stays in cache between im2col and the GEMM.
 * Each entry point handles a range of rows (or images) and is what one thread runs per chunk.
 */
import { gemmInto, gemmStore, SCRATCH_BYTES as GEMM_SCRATCH_BYTES } from "./gemm";
import { Window, addF32, copyF32 } from "./window";

/**
 * Bytes of a thread's scratch, after the GEMM's, for one block of the patch matrix (the caller
 * keeps those blocks within L2, smaller than this) or of Winograd's transformed tiles.
 */
export const COLS_BYTES: usize = 1024 * 1024;

/**
 * Moves rows [r0, r0 + rows) of the patch matrix between `cols` (rows × K, dense) and the images
 * at `x`: gathers them (zeros in the padding) or, with `scatter`, adds them back where they were
 * read from (the adjoint; padding entries are dropped).
 */
// @ts-ignore: decorator
@inline function patches(g: usize, x: usize, r0: i32, rows: i32, cols: usize, scatter: bool): void {
  const win = changetype<Window>(g);
  const positions = win.outH * win.outW;
  const tapBytes = <usize>win.inC << 2;
  const pixelRowBytes = <usize>win.inW * tapBytes;
  const imageBytes = <usize>win.inH * pixelRowBytes;
  let n = r0 / positions;
  let oh = (r0 % positions) / win.outW;
  let ow = r0 % win.outW;
  let dst = cols;
  for (let r = 0; r < rows; r++) {
    const image = x + <usize>n * imageBytes;
    const iw0 = ow * win.strideW - win.padLeft;
    const contiguous = win.dilationW == 1 && iw0 >= 0 && iw0 + win.kW <= win.inW;
    for (let i = 0; i < win.kH; i++) {
      const ih = oh * win.strideH - win.padTop + i * win.dilationH;
      if (ih < 0 || ih >= win.inH) {
        if (!scatter) memory.fill(dst, 0, <usize>win.kW * tapBytes);
        dst += <usize>win.kW * tapBytes;
        continue;
      }
      const line = image + <usize>ih * pixelRowBytes;
      if (contiguous) {
        // The win.kW taps of this filter row are neighbouring pixels: one run of win.kW·win.inC floats.
        const src = line + <usize>iw0 * tapBytes;
        if (scatter) addF32(src, dst, win.kW * win.inC);
        else copyF32(dst, src, win.kW * win.inC);
        dst += <usize>win.kW * tapBytes;
        continue;
      }
      for (let j = 0; j < win.kW; j++) {
        const iw = iw0 + j * win.dilationW;
        if (iw >= 0 && iw < win.inW) {
          const src = line + <usize>iw * tapBytes;
          if (scatter) addF32(src, dst, win.inC);
          else copyF32(dst, src, win.inC);
        } else if (!scatter) {
          memory.fill(dst, 0, tapBytes);
        }
        dst += tapBytes;
      }
    }
    if (++ow == win.outW) {
      ow = 0;
      if (++oh == win.outH) {
        oh = 0;
        n++;
      }
    }
  }
}

/**
 * Rows [r0, r0 + rows) of the patch matrix transposed into `cols` (K × rows, dense): for inputs of
 * few channels, where a patch row is a handful of short runs but a patch column, along an output
 * row, is one strided run of the input (contiguous for one channel and stride 1).
 */
function patchesTransposed(g: usize, x: usize, r0: i32, rows: i32, cols: usize): void {
  const win = changetype<Window>(g);
  const positions = win.outH * win.outW;
  const imageBytes = <usize>win.inH * win.inW * win.inC << 2;
  const stepBytes = <usize>win.strideW * win.inC << 2;
  let dst = cols;
  for (let i = 0; i < win.kH; i++) {
    for (let j = 0; j < win.kW; j++) {
      for (let c = 0; c < win.inC; c++) {
        let n = r0 / positions;
        let oh = (r0 % positions) / win.outW;
        let ow = r0 % win.outW;
        for (let r = 0; r < rows; ) {
          // One output row's run: ow .. ow + len.
          const len = min(win.outW - ow, rows - r);
          const ih = oh * win.strideH - win.padTop + i * win.dilationH;
          if (ih < 0 || ih >= win.inH) {
            memory.fill(dst, 0, <usize>len << 2);
          } else {
            // Columns iw = (ow + q)·win.strideW + j·win.dilationW − win.padLeft inside [0, win.inW) for q in [qa, qb).
            const iw0 = ow * win.strideW + j * win.dilationW - win.padLeft;
            const qa = min(len, iw0 >= 0 ? 0 : (-iw0 + win.strideW - 1) / win.strideW);
            const qb = max(qa, min(len, iw0 >= win.inW ? 0 : (win.inW - iw0 + win.strideW - 1) / win.strideW));
            memory.fill(dst, 0, <usize>qa << 2);
            let src = x + <usize>n * imageBytes + ((<usize>ih * win.inW + iw0 + qa * win.strideW) * win.inC + c << 2);
            if (stepBytes == 4) {
              memory.copy(dst + (<usize>qa << 2), src, <usize>(qb - qa) << 2);
            } else {
              for (let q = qa; q < qb; q++, src += stepBytes) store<f32>(dst + (<usize>q << 2), load<f32>(src));
            }
            memory.fill(dst + (<usize>qb << 2), 0, <usize>(len - qb) << 2);
          }
          dst += <usize>len << 2;
          r += len;
          ow = 0;
          if (++oh == win.outH) {
            oh = 0;
            n++;
          }
        }
      }
    }
  }
}

/** A 1×1 window moved by 1 over an unpadded input: the patch matrix is the input itself. */
// @ts-ignore: decorator
@inline function isPointwise(g: usize): bool {
  const win = changetype<Window>(g);
  return win.kH == 1 && win.kW == 1 && win.strideH == 1 && win.strideW == 1 && win.padTop == 0 && win.padLeft == 0;
}

// @ts-ignore: decorator
@inline function patchSize(g: usize): i32 {
  const win = changetype<Window>(g);
  return win.kH * win.kW * win.inC;
}

/** Inputs of fewer channels than a vector gather their patch matrix transposed. */
// @ts-ignore: decorator
@inline function thin(g: usize): bool {
  const win = changetype<Window>(g);
  return win.inC < 4;
}

/**
 * out rows [r0, r1) (flat over n, oh, ow; O floats each) of the convolution of x by f, then the
 * epilogue of a fused convolution: + bias[O] (0 for none) and activation `act` (gemv.ts).
 */
export function conv2d(g: usize, x: usize, f: usize, out: usize, r0: i32, r1: i32, blockRows: i32, bias: usize, act: i32, scratch: usize): void {
  const K = patchSize(g);
  const win = changetype<Window>(g);
  const cols = scratch + GEMM_SCRATCH_BYTES;
  const pointwise = isPointwise(g);
  for (let r = r0; r < r1; r += blockRows) {
    const rows = min(blockRows, r1 - r);
    const o = out + (<usize>r * win.outC << 2);
    if (pointwise) {
      gemmStore(rows, win.outC, K, x + (<usize>r * K << 2), K, false, f, win.outC, false, o, win.outC, bias, act, scratch);
    } else if (thin(g)) {
      patchesTransposed(g, x, r, rows, cols);
      gemmStore(rows, win.outC, K, cols, rows, true, f, win.outC, false, o, win.outC, bias, act, scratch);
    } else {
      patches(g, x, r, rows, cols, false);
      gemmStore(rows, win.outC, K, cols, K, false, f, win.outC, false, o, win.outC, bias, act, scratch);
    }
  }
}

/** dx for images [n0, n1): zeroed, then every output row's dy·Fᵀ added back through col2im. */
export function conv2dBackpropInput(g: usize, dy: usize, f: usize, dx: usize, n0: i32, n1: i32, blockRows: i32, scratch: usize): void {
  const K = patchSize(g);
  const win = changetype<Window>(g);
  const positions = win.outH * win.outW;
  const imageBytes = <usize>win.inH * win.inW * win.inC << 2;
  memory.fill(dx + <usize>n0 * imageBytes, 0, <usize>(n1 - n0) * imageBytes);
  const cols = scratch + GEMM_SCRATCH_BYTES;
  const pointwise = isPointwise(g);
  const r1 = n1 * positions;
  for (let r = n0 * positions; r < r1; r += blockRows) {
    const rows = min(blockRows, r1 - r);
    const d = dy + (<usize>r * win.outC << 2);
    if (pointwise) {
      gemmInto(rows, K, win.outC, d, win.outC, false, f, win.outC, true, dx + (<usize>r * K << 2), K, false, scratch);
    } else {
      gemmInto(rows, K, win.outC, d, win.outC, false, f, win.outC, true, cols, K, false, scratch);
      patches(g, dx, r, rows, cols, true);
    }
  }
}

/** df (K×O) = Σ over rows [r0, r1) of cols(x)ᵀ · dy: zeroed first, then accumulated. */
export function conv2dBackpropFilter(g: usize, x: usize, dy: usize, df: usize, r0: i32, r1: i32, blockRows: i32, scratch: usize): void {
  const K = patchSize(g);
  const win = changetype<Window>(g);
  memory.fill(df, 0, <usize>K * win.outC << 2);
  const cols = scratch + GEMM_SCRATCH_BYTES;
  const pointwise = isPointwise(g);
  for (let r = r0; r < r1; r += blockRows) {
    const rows = min(blockRows, r1 - r);
    const d = dy + (<usize>r * win.outC << 2);
    if (pointwise) {
      gemmInto(K, win.outC, rows, x + (<usize>r * K << 2), K, true, d, win.outC, false, df, win.outC, true, scratch);
    } else if (thin(g)) {
      patchesTransposed(g, x, r, rows, cols);
      gemmInto(K, win.outC, rows, cols, rows, false, d, win.outC, false, df, win.outC, true, scratch);
    } else {
      patches(g, x, r, rows, cols, false);
      gemmInto(K, win.outC, rows, cols, K, true, d, win.outC, false, df, win.outC, true, scratch);
    }
  }
}
