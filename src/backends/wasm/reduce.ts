/**
 * Reductions and softmax in wasm. A reduction's axes are first collapsed (size-1 axes dropped,
 * neighbouring axes of the same kind merged); the layouts [R], [K,R], [R,K] and [K,R,K] (K kept,
 * R reduced) run in wasm, any other returns false so the caller uses the JS kernel.
 */
import type { ReduceAttrs, SoftmaxAttrs } from "../../kernels/attrs.js";
import { normalizeAxes, stridesOf, type Tensor } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";
import { sumToShapeAxes } from "../js/reduce.js";
import { PARALLEL_MIN, type WasmContext } from "./context.js";
import { splitRange } from "./threads.js";

const COL_ACC_BYTES = 256 * 8;

/** Sums x over `axes` into out (times `scale`); false when the layout is not one wasm handles. */
function sumAxes(ctx: WasmContext, x: Tensor, axes: readonly number[], out: Tensor, scale: number): boolean {
  if (x.size === 0) return false;
  const dims: number[] = [];
  const reduced: boolean[] = [];
  x.shape.forEach((n, d) => {
    if (n === 1) return;
    const r = axes.includes(d);
    if (reduced.length > 0 && reduced[reduced.length - 1] === r) dims[dims.length - 1]! *= n;
    else {
      dims.push(n);
      reduced.push(r);
    }
  });
  const pattern = reduced.map((r) => (r ? "R" : "K")).join("");
  let outer = 1;
  let len = 1;
  let inner = 1;
  switch (pattern) {
    case "":
    case "K":
      inner = dims[0] ?? 1;
      break;
    case "R":
      len = dims[0]!;
      break;
    case "KR":
      [outer, len] = dims as [number, number];
      break;
    case "RK":
      [len, inner] = dims as [number, number];
      break;
    case "KRK":
      [outer, len, inner] = dims as [number, number, number];
      break;
    default:
      return false;
  }
  const { rt } = ctx;
  rt.begin();
  const px = rt.input(x.data as Float32Array);
  const po = rt.output(out.data as Float32Array);
  if (inner === 1) rt.kernels.sumRows(px, po, outer, len, scale);
  else rt.kernels.sumCols(px, po, outer, len, inner, scale, rt.arena.take(COL_ACC_BYTES));
  rt.end();
  return true;
}

export function sumKernel(ctx: WasmContext, js: Kernel): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: ReduceAttrs) => {
    const x = inputs[0]!;
    if (!sumAxes(ctx, x, normalizeAxes(attrs.axis, x.rank, "Sum"), out, 1)) js(inputs, out, attrs as never);
  }) as Kernel;
}

export function meanKernel(ctx: WasmContext, js: Kernel): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: ReduceAttrs) => {
    const x = inputs[0]!;
    const count = out.size === 0 ? 1 : x.size / out.size;
    if (!sumAxes(ctx, x, normalizeAxes(attrs.axis, x.rank, "Mean"), out, 1 / count)) js(inputs, out, attrs as never);
  }) as Kernel;
}

export function sumToShapeKernel(ctx: WasmContext, js: Kernel): Kernel {
  return (inputs, out, attrs) => {
    const [x, like] = inputs as [Tensor, Tensor];
    if (x.size === out.size) {
      out.data.set(x.data);
      return;
    }
    if (!sumAxes(ctx, x, sumToShapeAxes(x, like), out, 1)) js(inputs, out, attrs);
  };
}

/** BiasAddGrad: dy seen as [rows, C] summed over its rows. */
export function biasAddGradKernel(ctx: WasmContext, js: Kernel): Kernel {
  return (inputs, out, attrs) => {
    const dy = inputs[0]!;
    const c = out.size;
    if (c === 0 || dy.size === 0) {
      js(inputs, out, attrs);
      return;
    }
    const { rt } = ctx;
    rt.begin();
    const px = rt.input(dy.data as Float32Array);
    const po = rt.output(out.data as Float32Array);
    rt.kernels.sumCols(px, po, 1, dy.size / c, c, 1, rt.arena.take(COL_ACC_BYTES));
    rt.end();
  };
}

export function softmaxKernel(ctx: WasmContext): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: SoftmaxAttrs) => {
    const x = inputs[0]!;
    const [axis] = normalizeAxes(attrs.axis, x.rank, "Softmax");
    const len = x.shape[axis!]!;
    const inner = stridesOf(x.shape)[axis!]!;
    const outer = len === 0 ? 0 : x.size / (len * inner);
    if (outer === 0) return;
    const { rt, pool } = ctx;
    rt.begin();
    const px = rt.input(x.data as Float32Array);
    const po = rt.output(out.data as Float32Array);
    const threads = x.size >= PARALLEL_MIN.computeBound ? Math.min(pool.threads, outer) : 1;
    if (threads === 1) rt.kernels.softmax(px, po, outer, len, inner);
    else {
      const bytes = len * inner * 4;
      pool.run("softmax", splitRange(outer, threads, 1).map(([s, e]) => [px + s * bytes, po + s * bytes, e - s, len, inner]));
    }
    rt.end();
  }) as Kernel;
}
