/**
 * Elementwise wasm kernels: broadcasting binary ops, unary ops, and BroadcastLike (a binary op
 * that keeps its first operand). Op codes are those of simd-ops.ts.
 */
import type { BroadcastLikeAttrs } from "../../kernels/attrs.js";
import { broadcastStrides, sizeOf, type Tensor } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";
import { broadcastLikeSource } from "../js/reduce.js";
import { collapse } from "../js/strided.js";
import { PARALLEL_MIN, type WasmContext } from "./context.js";
import { splitRange } from "./threads.js";
import { FIRST } from "./simd-ops.js";
/** Row layouts of binaryFlat: both operands contiguous, or b / a a repeated scalar. */
const VV = 0;
const VS = 1;
const SV = 2;

/** a (op) b into out over `n` elements in a flat layout, split across threads when large. */
function flat(ctx: WasmContext, op: number, kind: number, a: number, b: number, o: number, n: number): void {
  const threads = n >= PARALLEL_MIN.memoryBound ? ctx.pool.threads : 1;
  if (threads === 1) {
    ctx.rt.kernels.binaryFlat(op, kind, a, b, o, n);
    return;
  }
  const jobs = splitRange(n, threads, 16).map(([s, e]) => [op, kind, kind === SV ? a : a + 4 * s, kind === VS ? b : b + 4 * s, o + 4 * s, e - s]);
  ctx.pool.run("binaryFlat", jobs);
}

/** out = a (op) b with numpy broadcasting of the operands' shapes `aShape` and `bShape`. */
function broadcastBinary(ctx: WasmContext, op: number, a: Float32Array, aShape: readonly number[], b: Float32Array, bShape: readonly number[], out: Tensor): void {
  const n = out.size;
  if (n === 0) return;
  const { rt } = ctx;
  rt.begin();
  const pa = rt.input(a);
  const pb = b === a ? pa : rt.input(b);
  const po = rt.output(out.data as Float32Array);
  const aSize = sizeOf(aShape);
  const bSize = sizeOf(bShape);
  if (aSize === n && bSize === n) flat(ctx, op, VV, pa, pb, po, n);
  else if (aSize === n && bSize === 1) flat(ctx, op, VS, pa, pb, po, n);
  else if (aSize === 1 && bSize === n) flat(ctx, op, SV, pa, pb, po, n);
  else {
    // Merged axes, each operand's strides (0 where it stretches), and room for the odometer.
    const rank = out.rank;
    const { sizes, strides } = collapse(out.shape, [broadcastStrides(aShape, rank), broadcastStrides(bShape, rank)]);
    const meta = rt.words([...sizes, ...strides[0]!, ...strides[1]!, ...sizes]);
    rt.kernels.binaryStrided(op, pa, pb, po, meta, sizes.length);
  }
  rt.end();
}

export function binaryKernel(ctx: WasmContext, op: number): Kernel {
  return (inputs, out) => {
    const [a, b] = inputs as [Tensor, Tensor];
    broadcastBinary(ctx, op, a.data as Float32Array, a.shape, b.data as Float32Array, b.shape, out);
  };
}

/** `computeBound`: the op costs more than moving its data (exp, log, sigmoid), so threads pay earlier (simd-ops.ts). */
export function unaryKernel(ctx: WasmContext, op: number, computeBound = false): Kernel {
  const parallelMin = computeBound ? PARALLEL_MIN.computeBound : PARALLEL_MIN.memoryBound;
  return (inputs, out) => {
    const n = out.size;
    if (n === 0) return;
    const { rt, pool } = ctx;
    rt.begin();
    const px = rt.input(inputs[0]!.data as Float32Array);
    const po = rt.output(out.data as Float32Array);
    const threads = n >= parallelMin ? pool.threads : 1;
    if (threads === 1) rt.kernels.unary(op, px, po, n);
    else pool.run("unary", splitRange(n, threads, 16).map(([s, e]) => [op, px + 4 * s, po + 4 * s, e - s]));
    rt.end();
  };
}

/** Stretches x (reduced axes put back as size 1) to the output shape: First(x, scalar) broadcast. */
export function broadcastLikeKernel(ctx: WasmContext): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: BroadcastLikeAttrs) => {
    const [x, like] = inputs as [Tensor, Tensor];
    const shape = broadcastLikeSource(x, like, attrs);
    // The second operand is x read as a scalar, which First ignores.
    broadcastBinary(ctx, FIRST, x.data as Float32Array, shape, x.data as Float32Array, [], out);
  }) as Kernel;
}

/** BiasAdd: value + bias, the bias repeating along the last axis, row by row; rows split across threads when large. */
export function biasAddKernel(ctx: WasmContext): Kernel {
  return (inputs, out) => {
    const [value, bias] = inputs as [Tensor, Tensor];
    const c = bias.size;
    if (out.size === 0 || c === 0) return;
    const { rt, pool } = ctx;
    rt.begin();
    const px = rt.input(value.data as Float32Array);
    const pb = rt.input(bias.data as Float32Array);
    const po = rt.output(out.data as Float32Array);
    const rows = out.size / c;
    const threads = out.size >= PARALLEL_MIN.memoryBound ? pool.threads : 1;
    pool.run("biasAdd", splitRange(rows, threads, 1).map(([r0, r1]) => [px + 4 * r0 * c, pb, po + 4 * r0 * c, r1 - r0, c]));
    rt.end();
  };
}
