/**
 * Conv2D and its input and filter gradients in wasm (assembly/conv.ts): im2col a block of rows at a
 * time into the running thread's scratch, then the packed GEMM. Threads split the output rows
 * (forward), whole images (input gradient: col2im of neighbouring rows adds into the same pixels),
 * or the rows summed over (filter gradient: each chunk fills its own partial filter in staging,
 * and the partials are summed in f64 at the end). 3×3 windows moved by 1 over enough channels
 * take Winograd's minimal filtering instead, split by tiles: F(2×2, 3×3) (assembly/winograd.ts), or
 * over larger images F(4×4, 3×3) (assembly/winograd4.ts).
 * The fused convolution (_FusedConv2D) adds its bias and applies its activation in either store.
 * Other forward convolutions of at most 256 taps (first layers) run a direct convolution (conv-direct.ts).
 */
import type { Kernel } from "../backend.js";
import type { ConvWindowAttrs, FusedConv2DAttrs, FusedConv2DMaxPoolAttrs, KeptForm, KeptOperand, PoolWindowAttrs } from "../../kernels/attrs.js";
import { ShapeError, Tensor, formatShape, type TypedArray } from "../../tensor/index.js";
import { ACTIVATION_CODES } from "./epilogue.js";
import { convGeometry, type ConvGeometry } from "../js/conv.js";
import { poolGeometry } from "../js/pool.js";
import { PARALLEL_MIN, type WasmContext } from "./context.js";
import { splitRange, type ParallelFn } from "./threads.js";
import { geometryWords } from "./window.js";
import { directConvApplies, directFilter } from "./conv-direct.js";

/** More rows per block amortize the GEMM's packing of the filter; L2 bounds them (IM2COL_BYTES). */
const MAX_BLOCK_ROWS = 2048;
const IM2COL_BYTES = 256 * 1024;
/** Tiles per Winograd block: the 16 GEMMs' row count. */
const MAX_BLOCK_TILES = 256;
/**
 * The filter gradient sums over every row (or tile) of the batch, in chunks that each write a
 * partial filter, summed at the end. How many chunks follows the problem's size alone, never the
 * thread count, so that the sum's grouping, and so the gradient's bits, are the same on any number
 * of threads (the chunks run on whichever threads there are): FILTER_PARTIALS for a problem past
 * the threading size (enough to share among threads; each partial costs a zeroing and a term of
 * the final sum), one below it.
 */
const FILTER_PARTIALS = 8;
const COL_ACC_BYTES = 256 * 8;
/** Chunks of images per thread for a pooled convolution (a descheduled thread leaves a shorter tail). */
const CHUNKS_PER_THREAD = 4;

/**
 * Rows of the patch matrix per block (a multiple of 4, the GEMM's row tile), or 0 when even 4 rows
 * of K = kh·kw·C taps do not fit the scratch: then the JS kernel runs.
 */
function blockRows(ctx: WasmContext, g: ConvGeometry): number {
  const k = g.kH * g.kW * g.inC;
  if (k === 0) return 0;
  const fit = Math.floor(Math.min(ctx.rt.convColsBytes, IM2COL_BYTES) / 4 / k);
  return Math.min(MAX_BLOCK_ROWS, fit - (fit % 4));
}

/** Threads for a convolution of this many multiply-adds. */
/** A convolution's multiply-adds. */
function multiplyAdds(g: ConvGeometry): number {
  return g.batch * g.outH * g.outW * g.kH * g.kW * g.inC * g.outC;
}

function threadsFor(ctx: WasmContext, g: ConvGeometry): number {
  return multiplyAdds(g) >= PARALLEL_MIN.gemm ? ctx.pool.threads : 1;
}

/**
 * Winograd's forms: tiles of `tile`×`tile` outputs from `planes` transformed planes, `temp(c)`
 * floats of the kernel's own at the start of its scratch (for c input channels), the filter
 * transform and the kernel.
 */
interface WinogradForm {
  readonly tile: number;
  readonly planes: number;
  readonly temp: (c: number) => number;
  readonly filter: "winogradFilter" | "winograd4Filter";
  readonly conv: "winogradConv" | "winograd4Conv";
  /** The path's code for assembly/conv-pool.ts. */
  readonly code: number;
}
// assembly/winograd.ts: up to two cache lines of padding per plane of V and of M (or W).
const F2: WinogradForm = { tile: 2, planes: 16, temp: () => 2 * 16 * 32, filter: "winogradFilter", conv: "winogradConv", code: 1 };
// assembly/winograd4.ts: 36 vectors of temporary, 36 pixel addresses, a pixel of zeros, a u16 per
// tile (at most MAX_BLOCK_TILES), and up to two cache lines of padding per plane of V and of M.
const F4: WinogradForm = { tile: 4, planes: 36, temp: (c) => 36 * 4 + 36 + c + MAX_BLOCK_TILES / 2 + 4 + 2 * 36 * 32, filter: "winograd4Filter", conv: "winograd4Conv", code: 3 };

/**
 * The form for outputs of outH×outW: F(4×4, 3×3) where it has at most half as many tiles as
 * F(2×2, 3×3), so at most 9/8 of its GEMM rows (36 per tile against 16), F(2×2, 3×3) elsewhere.
 * Measured on one thread (_FusedConv2D, kept filter, 32 or 64 channels): F(4×4) 23-40 % faster at
 * 9×9 and up (14×14: 51 µs against 68; 28×28: 88 against 145), 10 % at 4×4, even at 3×3, 5×5
 * and 6×6; 2.5 times slower at 2×2, where its one tile computes 16 outputs for 4. The input
 * gradient follows the same rule (dy by the turned filter: 23 % faster at batch 32 of 14×14, even
 * at batch 1, where the filter's transform per call weighs most).
 *
 * Its transforms do not cancel exactly: an output whose window sees only zeros would come out as
 * a rounding residue of its tile's other values, so the kernel stores those as 0 (winograd4.ts's
 * zeroWindows). Without that, ReLU's gradient there (0 at an exact 0) became 1 on positive
 * residues: in Part VI's CNN at initialization (zero biases, images with empty margins) the second
 * convolution's bias gradient was 30 % off and the training losses 1.2e-3 from the onnxruntime
 * engine's; with it they agree to 1e-7, as with F(2×2, 3×3).
 */
function winogradForm(outH: number, outW: number): WinogradForm {
  return 2 * Math.ceil(outH / 4) * Math.ceil(outW / 4) <= Math.ceil(outH / 2) * Math.ceil(outW / 2) ? F4 : F2;
}

/**
 * Tiles per block of Winograd (`form`; F(3×3, 2×2) for the filter gradient has F(2×2, 3×3)'s
 * planes) for a 3×3 window moved by 1 without dilation, over C input and O output channels
 * (multiples of 4, at least 8: fewer make its GEMMs too thin), or 0 when it does not apply. A
 * block's transformed tiles take planes·block·(C + O) floats of scratch, after the form's
 * temporary and `fixed` floats the kernel keeps there.
 */
function winogradBlock(ctx: WasmContext, g: ConvGeometry, c: number, o: number, fixed = 0, form = F2): number {
  if (g.kH !== 3 || g.kW !== 3 || g.strideH !== 1 || g.strideW !== 1 || g.dilationH !== 1 || g.dilationW !== 1) return 0;
  if (c % 4 !== 0 || o % 4 !== 0 || c < 8 || o < 8) return 0;
  const fit = Math.floor((ctx.rt.convColsBytes - 4 * (fixed + form.temp(c))) / (form.planes * 4 * (c + o)));
  const block = Math.min(MAX_BLOCK_TILES, fit - (fit % 4));
  return block >= 4 ? block : 0;
}

/**
 * Winograd's form and tiles per block for a convolution of outH×outW outputs and `c`→`o` channels:
 * winogradForm's where its block fits the scratch, else F(2×2, 3×3)'s (tiles 0 where Winograd
 * does not apply).
 */
function winogradPlan(ctx: WasmContext, g: ConvGeometry, c: number, o: number, outH: number, outW: number): [WinogradForm, number] {
  const form = winogradForm(outH, outW);
  const tiles = winogradBlock(ctx, g, c, o, 0, form);
  return tiles === 0 && form !== F2 ? [F2, winogradBlock(ctx, g, c, o)] : [form, tiles];
}

/**
 * Winograd (`form`) for the input gradient over geometry block `pg` (the forward convolution of
 * dy, an image of outH×outW outputs and `c`→`o` channels): transforms the filter at `pf`, turned
 * and channel-swapped, into staging, then runs the tiles across threads.
 */
function winogradTurned(ctx: WasmContext, form: WinogradForm, pg: number, pd: number, pf: number, po: number, batch: number, outH: number, outW: number, c: number, o: number, block: number, threads: number): void {
  const { rt, pool } = ctx;
  const pu = rt.arena.take(rt.kernels.winogradFilterFloats(c, o, form.planes) * 4);
  rt.kernels[form.filter](pf, pu, c, o, 1);
  const tiles = batch * Math.ceil(outH / form.tile) * Math.ceil(outW / form.tile);
  pool.run(form.conv, splitRange(tiles, threads, 4).map(([t0, t1]) => [pg, pd, pu, po, t0, t1, block, 0, 0]));
}

/** Where a kernel takes a temporary tensor's storage (in wasm memory where tensors live there). */
export interface TemporaryMemory {
  allocate(size: number): Float32Array;
  free(data: Float32Array): void;
}

/** Staged operands of a convolution kernel: the two it reads, the result, its geometry and row block. */
interface ConvCall {
  readonly g: ConvGeometry;
  readonly block: number;
  readonly a: number;
  readonly b: number;
  readonly out: number;
  readonly threads: number;
}

/**
 * The frame the three kernels share: `operands` names the two inputs read and the geometry; the
 * JS kernel runs where no row block fits the scratch; `run` gets the staged operands.
 */
function convKernel(
  ctx: WasmContext,
  js: Kernel,
  operands: (inputs: readonly Tensor[], out: Tensor, attrs: ConvWindowAttrs) => [Tensor, Tensor, ConvGeometry],
  run: (call: ConvCall, out: Tensor) => void,
): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: ConvWindowAttrs) => {
    if (out.size === 0) return;
    const [a, b, g] = operands(inputs, out, attrs);
    const block = blockRows(ctx, g);
    if (block === 0) return js(inputs, out, attrs as never);
    const { rt } = ctx;
    rt.begin();
    const call = { g, block, a: rt.input(a.data as Float32Array), b: rt.input(b.data as Float32Array), out: rt.output(out.data as Float32Array), threads: threadsFor(ctx, g) };
    run(call, out);
    rt.end();
  }) as Kernel;
}

/** Winograd's transform of a kept filter: where, what it was made from, and by which form. */
interface KeptFilter extends KeptForm {
  /** The address, or -1 when the storage is not in wasm memory (then the filter is transformed per call). */
  readonly ptr: number;
  source: TypedArray | undefined;
  version: number;
  c: number;
  o: number;
  form: WinogradForm | undefined;
}

/**
 * The address of the filter at `pf` transformed for Winograd's `form` (U), transformed again when
 * `keep` says it changed or another form is asked (images of another size); 0 when it cannot be kept.
 */
function transformedFilter(ctx: WasmContext, form: WinogradForm, keep: KeptOperand, filter: Tensor, pf: number, c: number, o: number): number {
  const { rt } = ctx;
  let kept = keep.kept as KeptFilter | undefined;
  if (kept !== undefined && kept.source === filter.data && kept.version === keep.version && kept.c === c && kept.o === o && kept.form === form) return Math.max(kept.ptr, 0);
  const floats = rt.kernels.winogradFilterFloats(c, o, form.planes);
  if (kept === undefined || kept.storage.length < floats) {
    // The plan frees the storage it gave; a filter keeps its shape, so it is outgrown only by misuse
    // or by images of another size taking the larger form (the garbage collector frees the old one).
    const storage = keep.allocate(floats);
    kept = { storage, ptr: storage instanceof Float32Array && rt.heap.owns(storage) ? storage.byteOffset : -1, source: undefined, version: -1, c: -1, o: -1, form: undefined };
    keep.kept = kept;
  }
  kept.source = filter.data;
  kept.version = keep.version;
  kept.c = c;
  kept.o = o;
  kept.form = form;
  if (kept.ptr < 0) return 0;
  rt.kernels[form.filter](pf, kept.ptr, c, o, 0);
  return kept.ptr;
}

/**
 * How a forward convolution runs: the parallel function, its filter operand (the filter,
 * Winograd's transform of it, or the direct path's packed filter), the path's code for
 * assembly/conv-pool.ts, its units per image (rows of the patch matrix, tiles, or the direct
 * path's output rows) and how many units it takes at a time. Every path's function takes
 * (geometry, x, filter, out, first unit, end unit, block, bias, activation).
 */
interface ForwardPath {
  readonly fn: ParallelFn;
  readonly code: number;
  readonly f: number;
  readonly units: number;
  readonly block: number;
}

/** The forward path for geometry `g` (filter at `pf`, kept by `keep` when the plan keeps it). */
function forwardPath(ctx: WasmContext, g: ConvGeometry, pf: number, rowBlock: number, filter: Tensor, keep: KeptOperand | undefined): ForwardPath {
  const [form, tiles] = winogradPlan(ctx, g, g.inC, g.outC, g.outH, g.outW);
  if (tiles === 0 && directConvApplies(ctx, g)) return { fn: "convDirect", code: 2, f: directFilter(ctx, g, pf), units: g.outH, block: 0 };
  if (tiles === 0) return { fn: "conv2d", code: 0, f: pf, units: g.outH * g.outW, block: rowBlock };
  let pu = keep !== undefined ? transformedFilter(ctx, form, keep, filter, pf, g.inC, g.outC) : 0;
  if (pu === 0) {
    pu = ctx.rt.arena.take(ctx.rt.kernels.winogradFilterFloats(g.inC, g.outC, form.planes) * 4);
    ctx.rt.kernels[form.filter](pf, pu, g.inC, g.outC, 0);
  }
  return { fn: form.conv, code: form.code, f: pu, units: Math.ceil(g.outH / form.tile) * Math.ceil(g.outW / form.tile), block: tiles };
}

/** The operands of a fused convolution: checks the bias; the activation's code. */
function epilogueOf(g: ConvGeometry, bias: Tensor | undefined, attrs: FusedConv2DAttrs, name: string): number {
  if (bias === undefined || bias.rank !== 1 || bias.size !== g.outC) {
    throw new ShapeError(`${name}: a bias of shape [${g.outC}] for ${g.outC} output channels, got ${bias === undefined ? "none" : formatShape(bias.shape)}`);
  }
  return ACTIVATION_CODES[attrs.activation ?? "none"];
}

/** Inputs [x, filter], or with `fused` the fused convolution's [x, filter, bias] (attrs FusedConv2DAttrs). */
export function conv2dKernel(ctx: WasmContext, js: Kernel, fused = false): Kernel {
  const { rt, pool } = ctx;
  let bias: Tensor | undefined;
  let act = 0;
  let filter: Tensor | undefined;
  let keep: KeptOperand | undefined;
  return convKernel(
    ctx,
    js,
    ([x, f, b], _out, attrs) => {
      const g = convGeometry(x!.shape, f!.shape, attrs);
      act = fused ? epilogueOf(g, b, attrs as FusedConv2DAttrs, "_FusedConv2D") : 0;
      bias = fused ? b : undefined;
      filter = f;
      keep = attrs.keptFilter;
      return [x!, f!, g];
    },
    ({ g, block, a: px, b: pf, out: po, threads }) => {
      const pg = geometryWords(rt, g, g.inC, g.outC);
      const pbias = bias === undefined ? 0 : rt.input(bias.data as Float32Array);
      const path = forwardPath(ctx, g, pf, block, filter!, keep);
      bias = filter = keep = undefined;
      pool.run(path.fn, splitRange(g.batch * path.units, threads, 4).map(([s, e]) => [pg, px, path.f, po, s, e, path.block, pbias, act]));
    },
  );
}

/**
 * The fused convolution whose result only a max pool reads (_FusedConv2DMaxPool: inputs [x,
 * filter, bias], attrs FusedConv2DMaxPoolAttrs, the pooled output): threads take whole images and
 * run them a few at a time through a stage in their scratch that stays in cache, convolved and
 * then pooled there (assembly/conv-pool.ts), so the convolution's result never goes to memory. Where
 * that does not pay or does not fit (fewer images than chunks to share among threads, or an image
 * whose result outgrows the stage), the result goes to a temporary and is pooled from there.
 * Either way the bits are _FusedConv2D's, then MaxPool's.
 */
export function conv2dMaxPoolKernel(ctx: WasmContext, js: Kernel, convolve: Kernel, maxPool: Kernel, temporary: TemporaryMemory): Kernel {
  const { rt, pool } = ctx;
  let bias: Tensor | undefined;
  let act = 0;
  let filter: Tensor | undefined;
  let keep: KeptOperand | undefined;
  let poolAttrs: PoolWindowAttrs | undefined;
  const staged = convKernel(
    ctx,
    js,
    ([x, f, b], _out, attrs) => {
      const g = convGeometry(x!.shape, f!.shape, attrs);
      act = epilogueOf(g, b, attrs as FusedConv2DAttrs, "_FusedConv2DMaxPool");
      bias = b;
      filter = f;
      keep = attrs.keptFilter;
      poolAttrs = (attrs as FusedConv2DMaxPoolAttrs).pool;
      return [x!, f!, g];
    },
    ({ g, block, a: px, b: pf, out: po, threads }) => {
      const pg = geometryWords(rt, g, g.inC, g.outC);
      const pp = geometryWords(rt, poolGeometry([g.batch, g.outH, g.outW, g.outC], poolAttrs!), g.outC);
      const pbias = rt.input(bias!.data as Float32Array);
      const path = forwardPath(ctx, g, pf, block, filter!, keep);
      bias = filter = keep = poolAttrs = undefined;
      const perStage = Math.max(1, Math.floor(rt.convStageBytes / (4 * g.outH * g.outW * g.outC)));
      pool.run("convMaxPool", splitRange(g.batch, threads, 1, CHUNKS_PER_THREAD).map(([n0, n1]) => [path.code, pg, px, path.f, n0, n1, path.units, path.block, pbias, act, pp, po, perStage]));
    },
  );
  return ((inputs: readonly Tensor[], out: Tensor, attrs: FusedConv2DMaxPoolAttrs) => {
    const [x, f] = inputs as [Tensor, Tensor];
    const g = convGeometry(x.shape, f.shape, attrs);
    const imageBytes = 4 * g.outH * g.outW * g.outC;
    // Staged where each image fits the stage and threads lose nothing by splitting images rather
    // than rows: one thread, or images enough for every thread's chunks.
    const threads = threadsFor(ctx, g);
    if (imageBytes <= rt.convStageBytes && (threads === 1 || g.batch >= CHUNKS_PER_THREAD * threads)) return staged(inputs, out, attrs as never);
    const conv = new Tensor([g.batch, g.outH, g.outW, g.outC], "float32", temporary.allocate(g.batch * g.outH * g.outW * g.outC));
    try {
      convolve(inputs, conv, attrs as never);
      maxPool([conv], out, attrs.pool as never);
    } finally {
      temporary.free(conv.data as Float32Array);
    }
  }) as Kernel;
}

/** Inputs [like?, filter, dy]; the output has the convolution input's shape. */
export function conv2dBackpropInputKernel(ctx: WasmContext, js: Kernel): Kernel {
  const { rt, pool } = ctx;
  return convKernel(
    ctx,
    js,
    (inputs, out, attrs) => {
      const f = inputs[inputs.length - 2]!;
      return [inputs[inputs.length - 1]!, f, convGeometry(out.shape, f.shape, attrs)];
    },
    ({ g, block, a: pd, b: pf, out: po, threads }) => {
      const [form, tiles] = winogradPlan(ctx, g, g.outC, g.inC, g.inH, g.inW);
      if (tiles > 0) {
        // dx is the stride-1 convolution of dy (padded by 2 − pad) by the filter turned half a turn, channels swapped.
        const turned = { ...g, inH: g.outH, inW: g.outW, outH: g.inH, outW: g.inW, padTop: 2 - g.padTop, padLeft: 2 - g.padLeft };
        winogradTurned(ctx, form, geometryWords(rt, turned, g.outC, g.inC), pd, pf, po, g.batch, g.inH, g.inW, g.outC, g.inC, tiles, threads);
      } else {
        const pg = geometryWords(rt, g, g.inC, g.outC);
        pool.run("conv2dBackpropInput", splitRange(g.batch, threads, 1).map(([n0, n1]) => [pg, pd, pf, po, n0, n1, block]));
      }
    },
  );
}

/** Inputs [x, like?, dy]; the output has the filter's shape. */
export function conv2dBackpropFilterKernel(ctx: WasmContext, js: Kernel): Kernel {
  const { rt, pool } = ctx;
  return convKernel(
    ctx,
    js,
    (inputs, out, attrs) => [inputs[0]!, inputs[inputs.length - 1]!, convGeometry(inputs[0]!.shape, out.shape, attrs)],
    ({ g, block, a: px, b: pd, out: po }, out) => {
      const pg = geometryWords(rt, g, g.inC, g.outC);
      const tiles = winogradBlock(ctx, g, g.inC, g.outC, 16 * g.inC * g.outC);
      // Each chunk sums its rows (or tiles) into a partial filter; several partials are summed in f64.
      const [fn, count, step]: [ParallelFn, number, number] =
        tiles > 0 ? ["winogradFilterGrad", g.batch * Math.ceil(g.outH / 2) * Math.ceil(g.outW / 2), tiles] : ["conv2dBackpropFilter", g.batch * g.outH * g.outW, block];
      const partials = multiplyAdds(g) >= PARALLEL_MIN.gemm ? FILTER_PARTIALS : 1;
      const chunks = splitRange(count, partials, 4, 1);
      if (chunks.length <= 1) {
        pool.run(fn, [[pg, px, pd, po, 0, count, step]]);
      } else {
        const filterBytes = out.size * 4;
        const parts = rt.arena.take(chunks.length * filterBytes);
        pool.run(fn, chunks.map(([s, e], i) => [pg, px, pd, parts + i * filterBytes, s, e, step]));
        rt.kernels.sumCols(parts, po, 1, chunks.length, out.size, 1, rt.arena.take(COL_ACC_BYTES));
      }
    },
  );
}
