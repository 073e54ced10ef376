/**
 * Max and average pooling and their gradients in wasm (assembly/pooling.ts). Threads split output
 * positions (forward, MaxPoolGradGrad) or whole images (the gradients that scatter into x's shape).
 */
import type { Tensor } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";
import type { PoolWindowAttrs } from "../../kernels/attrs.js";
import { poolGeometry } from "../js/pool.js";
import type { WasmContext } from "./context.js";
import { splitRange, type ParallelFn } from "./threads.js";
import { geometryWords } from "./window.js";

/**
 * Input elements from which pooling uses every thread: each element is read once or a few times
 * with a compare or an add, about 0.3 ns, so a wake-up (tens of µs) pays off from about here.
 */
const POOL_PARALLEL_MIN = 1 << 18;

/**
 * Stages `operands` (the one at `outIndex` is the result) and the geometry of pooling `x`, then
 * runs `fn`(geometry, ...operands, start, end) over output positions or, `byImage`, images.
 */
function run(ctx: WasmContext, fn: ParallelFn, x: Tensor, attrs: PoolWindowAttrs, byImage: boolean, operands: (Float32Array | null)[], outIndex: number): void {
  const { rt, pool } = ctx;
  const g = poolGeometry(x.shape, attrs);
  rt.begin();
  const pointers = operands.map((d, i) => (i === outIndex ? rt.output(d!) : rt.input(d!)));
  const pg = geometryWords(rt, g, x.shape[3]!);
  const count = byImage ? g.batch : g.batch * g.outH * g.outW;
  const threads = x.size >= POOL_PARALLEL_MIN ? pool.threads : 1;
  pool.run(fn, splitRange(count, threads, 1).map(([s, e]) => [pg, ...pointers, s, e]));
  rt.end();
}

const data = (t: Tensor): Float32Array => t.data as Float32Array;

export function maxPoolKernel(ctx: WasmContext): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: PoolWindowAttrs) => {
    const x = inputs[0]!;
    if (out.size > 0) run(ctx, "maxPool", x, attrs, false, [data(x), data(out)], 1);
  }) as Kernel;
}

/** Inputs (x, y, dy): dy scattered to each window's first maximum in x. */
export function maxPoolGradKernel(ctx: WasmContext): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: PoolWindowAttrs) => {
    const [x, , dy] = inputs as [Tensor, Tensor, Tensor];
    if (out.size > 0) run(ctx, "maxPoolGrad", x, attrs, true, [data(x), data(dy), data(out)], 2);
  }) as Kernel;
}

/** Inputs (x, y, grad): grad gathered from each window's first maximum in x. */
export function maxPoolGradGradKernel(ctx: WasmContext): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: PoolWindowAttrs) => {
    const [x, , grad] = inputs as [Tensor, Tensor, Tensor];
    if (out.size > 0) run(ctx, "maxPoolGradGrad", x, attrs, false, [data(x), data(grad), data(out)], 2);
  }) as Kernel;
}

export function avgPoolKernel(ctx: WasmContext): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: PoolWindowAttrs) => {
    const x = inputs[0]!;
    if (out.size > 0) run(ctx, "avgPool", x, attrs, false, [data(x), data(out)], 1);
  }) as Kernel;
}

/** Inputs (like, dy); the output has the pooled input's shape. */
export function avgPoolGradKernel(ctx: WasmContext): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: PoolWindowAttrs) => {
    const dy = inputs[1]!;
    if (out.size > 0) run(ctx, "avgPoolGrad", out, attrs, true, [data(dy), data(out)], 1);
  }) as Kernel;
}
