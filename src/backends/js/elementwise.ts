/**
 * Elementwise kernels: a broadcasting binary loop and a unary loop, each written once and
 * instantiated per function, and the kernels of the formulas (formulas.ts) made of them. Same-shape
 * and scalar operands take fast paths.
 */
import { broadcastStrides, type Tensor, type TypedArray } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";
import { FORMULAS, type Formula, type FormulaDef } from "./formulas.js";
import { collapse, forEachRun, innerStride } from "./strided.js";

export type BinaryFn = (a: number, b: number) => number;
export type UnaryFn = (x: number) => number;

/** For each output index, the elements of `a` and `b` it reads under numpy broadcasting. */
function broadcastLoop(a: Tensor, b: Tensor, out: Tensor, fn: BinaryFn): void {
  const rank = out.shape.length;
  const o = out.data;
  const ad = a.data;
  const bd = b.data;
  const walk = collapse(out.shape, [broadcastStrides(a.shape, rank), broadcastStrides(b.shape, rank)]);
  const sa = innerStride(walk, 0);
  const sb = innerStride(walk, 1);
  forEachRun(walk, (k, [ia, ib], len) => {
    for (let j = 0; j < len; j++) o[k + j] = fn(ad[ia! + j * sa]!, bd[ib! + j * sb]!);
  });
}

export function binaryKernel(fn: BinaryFn): Kernel {
  return (inputs, out) => {
    const [a, b] = inputs as [Tensor, Tensor];
    const o: TypedArray = out.data;
    const ad = a.data;
    const bd = b.data;
    if (ad.length === o.length && bd.length === o.length) {
      for (let i = 0; i < o.length; i++) o[i] = fn(ad[i]!, bd[i]!);
    } else if (bd.length === 1 && ad.length === o.length) {
      const s = bd[0]!;
      for (let i = 0; i < o.length; i++) o[i] = fn(ad[i]!, s);
    } else if (ad.length === 1 && bd.length === o.length) {
      const s = ad[0]!;
      for (let i = 0; i < o.length; i++) o[i] = fn(s, bd[i]!);
    } else {
      broadcastLoop(a, b, out, fn);
    }
  };
}

export function unaryKernel(fn: UnaryFn): Kernel {
  return (inputs, out) => {
    const x = inputs[0]!.data;
    const o = out.data;
    for (let i = 0; i < o.length; i++) o[i] = fn(x[i]!);
  };
}

export type TernaryFn = (a: number, b: number, c: number) => number;

/** A broadcasting loop over three inputs (select, clip): same-size inputs take a fast path. */
export function ternaryKernel(fn: TernaryFn): Kernel {
  return (inputs, out) => {
    const [a, b, c] = inputs as [Tensor, Tensor, Tensor];
    const o: TypedArray = out.data;
    const ad = a.data;
    const bd = b.data;
    const cd = c.data;
    const n = o.length;
    if (ad.length === n && bd.length === n && cd.length === n) {
      for (let i = 0; i < n; i++) o[i] = fn(ad[i]!, bd[i]!, cd[i]!);
      return;
    }
    const rank = out.shape.length;
    const sa = broadcastStrides(a.shape, rank);
    const sb = broadcastStrides(b.shape, rank);
    const sc = broadcastStrides(c.shape, rank);
    const idx = new Array<number>(rank).fill(0);
    let ia = 0;
    let ib = 0;
    let ic = 0;
    for (let k = 0; k < n; k++) {
      o[k] = fn(ad[ia]!, bd[ib]!, cd[ic]!);
      // An odometer over the output index: each input's offset moves by its broadcast stride.
      for (let d = rank - 1; d >= 0; d--) {
        idx[d]!++;
        ia += sa[d]!;
        ib += sb[d]!;
        ic += sc[d]!;
        if (idx[d]! < out.shape[d]!) break;
        ia -= sa[d]! * idx[d]!;
        ib -= sb[d]! * idx[d]!;
        ic -= sc[d]! * idx[d]!;
        idx[d] = 0;
      }
    }
  };
}

/**
 * The standalone kernel of a formula: the unary or broadcasting binary loop over its function, its
 * parameters read from the op's attributes of those names, and its int32 function for int32 results.
 */
export function formulaKernel({ fn, arity, params = [], int32 }: FormulaDef): Kernel {
  const loop = (f: Formula): Kernel => (arity === 1 ? unaryKernel(f) : binaryKernel(f));
  if (params.length > 0) {
    return ((inputs: readonly Tensor[], out: Tensor, attrs: Readonly<Record<string, number>>) => {
      const p = params.map((name) => attrs[name]!);
      const kernel = arity === 1 ? unaryKernel((x) => fn(x, ...p)) : binaryKernel((a, b) => fn(a, b, ...p));
      kernel(inputs, out, undefined as never);
    }) as Kernel;
  }
  const float = loop(fn);
  if (int32 === undefined) return float;
  const int = loop(int32);
  return (inputs, out, attrs) => (out.dtype === "int32" ? int : float)(inputs, out, attrs);
}

/** A standalone kernel for every formula, under its id (the kernel name of the op of that type). */
export function formulaKernels(): Record<string, Kernel> {
  return Object.fromEntries(Object.entries(FORMULAS as Record<string, FormulaDef>).map(([id, def]) => [id, formulaKernel(def)]));
}
