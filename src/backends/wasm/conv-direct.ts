/**
 * The forward convolution of windows of few taps by direct convolution (assembly/conv-direct.ts):
 * a register tile of 4 output pixels × 8 output channels reading the input from a zero-padded
 * copy of its rows, instead of im2col and the GEMM, whose two data movements and per-tile
 * overheads a patch of K = kh·kw·C = 9 or 27 taps cannot amortize (first layers: C = 1 or 3).
 * It is one of conv.ts's forward paths (its units are output rows (n, oh), which threads split,
 * and conv-pool.ts runs it for a pooled convolution); each output's taps are summed in one fixed
 * order, the GEMM's over the patch matrix, so the result is the same bits on any number of threads
 * and as by im2col.
 */
import type { ConvGeometry } from "../js/conv.js";
import type { WasmContext } from "./context.js";

/**
 * The most taps (K) the direct path takes: its filter is packed as one k-block of the GEMM's
 * packWeights (256 rows), and up to there its sums are the GEMM's, bit for bit. Measured against
 * im2col and the GEMM (one thread, CPU time, 5 interleaved rounds, `_FusedConv2D` with Relu), it
 * was faster for every window up to that bound but the 1×1: K = 9 (28×28×1 → 32) 1.27×, K = 27
 * (28×28×3 → 32) 1.68×, K = 75 (5×5×3) 1.69×, K = 147 (7×7×3 moved by 2, on 56×56 and 224×224)
 * 1.23-1.36×, 3×3 windows over 4 to 28 channels 1.07-1.31×, toward 256 output channels (where the
 * GEMM's blocking of the filter pays) 1.04-1.06×; 1×1 windows moved by 2 0.99×. A 1×1 window moved
 * by 1 without padding stays with the GEMM, which reads the input in place as its patch matrix:
 * direct was 0.98-0.99× over 16 and 64 channels, 1.1× over 3 and 4, where such windows are rare.
 */
export const DIRECT_MAX_TAPS = 256;

/** The most output channels: the kernel keeps a padded copy of the bias in the GEMM's part of the scratch. */
const MAX_OUT_CHANNELS = 1 << 18;

/** Forward convolutions that took the direct path (tests check which path a geometry takes). */
export const directConvStats = { calls: 0 };

/**
 * Whether the direct path takes a forward convolution of geometry `g` (the caller has ruled out
 * Winograd): at most DIRECT_MAX_TAPS taps and MAX_OUT_CHANNELS output channels, not a pointwise
 * window, and one tile's padded input rows fit the thread's convolution scratch.
 */
export function directConvApplies(ctx: WasmContext, g: ConvGeometry): boolean {
  if (g.kH * g.kW * g.inC > DIRECT_MAX_TAPS || g.outC > MAX_OUT_CHANNELS) return false;
  if (g.kH === 1 && g.kW === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0) return false;
  // assembly/conv-direct.ts's slab: the input rows of one tile of 4 pixels (on up to 2 output
  // rows; 3 when outW is 2, 4 when it is 1), each of the columns an output row reads.
  const width = (g.outW - 1) * g.strideW + (g.kW - 1) * g.dilationW + 1;
  const tileRows = g.outW >= 3 ? 2 : g.outW === 2 ? 3 : 4;
  return ((tileRows - 1) * g.strideH + (g.kH - 1) * g.dilationH + 1) * width * g.inC * 4 <= ctx.rt.convColsBytes;
}

/**
 * The direct path's filter operand: the filter at `pf` ([kh, kw, C, O], a K×O matrix) packed into
 * 8-column slivers in the call's staging. Counts the call in directConvStats.
 */
export function directFilter(ctx: WasmContext, g: ConvGeometry, pf: number): number {
  const { rt } = ctx;
  const taps = g.kH * g.kW * g.inC;
  const pw = rt.arena.take(rt.kernels.packedWeightsFloats(taps, g.outC) * 4);
  rt.kernels.packWeights(taps, g.outC, pf, g.outC, 0, pw);
  directConvStats.calls++;
  return pw;
}
