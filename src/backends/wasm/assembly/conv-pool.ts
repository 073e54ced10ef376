/**
 * A fused convolution whose result only a max pool reads (a plan's fusion, _FusedConv2DMaxPool: in
 * inference nothing else keeps the convolution's output). Over images [n0, n1), a few at a time:
 * the convolution of those images into a stage in the thread's scratch (STAGE_BYTES, after the
 * GEMM's pack buffers and the convolution's block), then their max pool from there, so the
 * convolution's output stays in cache rather than going to memory and being read back. Each output
 * of either kernel is computed as it is for any other range, so the bits are those of the two
 * kernels run one after the other.
 */
import { COLS_BYTES, conv2d } from "./conv";
import { convDirect } from "./conv-direct";
import { SCRATCH_BYTES as GEMM_SCRATCH_BYTES } from "./gemm";
import { maxPool } from "./pooling";
import { Window } from "./window";
import { winogradConv } from "./winograd";
import { winograd4Conv } from "./winograd4";

/** Bytes of a thread's stage: the convolution's output for some images, within L2 with the scratch before it. */
export const STAGE_BYTES: usize = 512 * 1024;

/** The forward convolution paths (src/backends/wasm/conv.ts names them; all take the same arguments over a range of their units). */
const PATH_IM2COL = 0;
const PATH_WINOGRAD = 1;
const PATH_DIRECT = 2;
const PATH_WINOGRAD4 = 3;

/**
 * `path` over the convolution `g` of x by f (or Winograd's transformed filter) with its epilogue
 * (bias, act), then the max pool `pg` of its output into `out`, for images [n0, n1), `perStage`
 * images at a time; `units` is the path's units (rows, or tiles) per image and `block` how many it
 * takes at a time.
 */
export function convMaxPool(path: i32, g: usize, x: usize, f: usize, n0: i32, n1: i32, units: i32, block: i32, bias: usize, act: i32, pg: usize, out: usize, perStage: i32, scratch: usize): void {
  const conv = changetype<Window>(g);
  const pooled = changetype<Window>(pg);
  const imageBytes = <usize>conv.outH * conv.outW * conv.outC << 2;
  const pooledPerImage = pooled.outH * pooled.outW;
  const stage = scratch + GEMM_SCRATCH_BYTES + COLS_BYTES;
  for (let n = n0; n < n1; n += perStage) {
    const e = min(n1, n + perStage);
    // Image n's output at the stage's start: the kernels address images from the batch's first.
    const shifted = stage - <usize>n * imageBytes;
    if (path == PATH_WINOGRAD) winogradConv(g, x, f, shifted, n * units, e * units, block, bias, act, scratch);
    else if (path == PATH_DIRECT) convDirect(g, x, f, shifted, n * units, e * units, block, bias, act, scratch);
    else if (path == PATH_WINOGRAD4) winograd4Conv(g, x, f, shifted, n * units, e * units, block, bias, act, scratch);
    else conv2d(g, x, f, shifted, n * units, e * units, block, bias, act, scratch);
    maxPool(pg, shifted, out, n * pooledPerImage, e * pooledPerImage);
  }
}
