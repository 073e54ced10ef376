/**
 * The JS fused kernel: evaluates a fused elementwise program (../fused.ts) in one pass over the
 * domain. Where code generation is allowed, the program becomes a function with one loop whose
 * body calls the formulas on locals, so V8 sees one monomorphic call site per formula and inlines
 * it; values that depend only on scalars are computed once, before the loop. Where `new Function`
 * is refused (a Content-Security-Policy without 'unsafe-eval'), an interpreter evaluates the same
 * program chunk by chunk. Both compute in doubles and store in the output's dtype.
 */
import { check, requireArg, type TypedArray } from "../../tensor/index.js";
import { programKey, type FusedKernel, type FusedKernels, type FusedProgram } from "../fused.js";
import { formula, type Formula } from "./formulas.js";

const isProgram = check<FusedProgram>("a fused program (an object with dtype, inputs, code and outputs)", (v) =>
  typeof v === "object" && v !== null && ["dtype", "inputs", "code", "outputs"].every((k) => k in v) && [(v as FusedProgram).inputs, (v as FusedProgram).code, (v as FusedProgram).outputs].every(Array.isArray),
);

/** Elements per interpreter chunk: a few KiB of registers, resident in L1. */
const CHUNK = 256;
const CACHE_LIMIT = 512;

/** Which references (inputs, then instructions) hold the same value at every element. */
function scalarRefs(p: FusedProgram): boolean[] {
  const scalar = p.inputs.map((a) => a === "scalar");
  for (const c of p.code) scalar.push(c.args.every((a) => scalar[a]));
  return scalar;
}

function formulaOf(id: string): Formula {
  const f = formula(id);
  if (f === undefined) throw new Error(`fused kernel: unknown formula '${id}'`);
  return f;
}

function literal(v: number): string {
  return Object.is(v, -0) ? "-0" : String(v);
}

/** The program as the source of a function (I: input arrays, O: output arrays), and the formulas it calls. */
export function fusedSource(p: FusedProgram): { source: string; names: string[]; fns: Formula[] } {
  const scalar = scalarRefs(p);
  const nIn = p.inputs.length;
  const names: string[] = [];
  const fns: Formula[] = [];
  const fnName = new Map<string, string>();
  for (const c of p.code) {
    if (!fnName.has(c.formula)) {
      fnName.set(c.formula, `F_${c.formula}`);
      names.push(`F_${c.formula}`);
      fns.push(formulaOf(c.formula));
    }
  }
  const head: string[] = [];
  const hoisted: string[] = [];
  const rows: string[] = [];
  const body: string[] = [];
  // How each reference reads inside the loop (k: flat index, j: column, r: row).
  const use: string[] = [];
  p.inputs.forEach((access, i) => {
    if (access === "scalar") {
      head.push(`const v${i} = I[${i}][0];`);
      use.push(`v${i}`);
    } else {
      head.push(`const x${i} = I[${i}];`);
      if (access === "col") {
        rows.push(`const v${i} = x${i}[r];`);
        use.push(`v${i}`);
      } else use.push(access === "row" ? `x${i}[j]` : `x${i}[k]`);
    }
  });
  p.code.forEach((c, k) => {
    const ref = nIn + k;
    const call = `${fnName.get(c.formula)}(${[...c.args.map((a) => use[a]), ...c.params.map(literal)].join(", ")})`;
    (scalar[ref] ? hoisted : body).push(`const v${ref} = ${call};`);
    use.push(`v${ref}`);
  });
  p.outputs.forEach((o, i) => {
    head.push(`const o${i} = O[${i}];`);
    if (o.scalar) {
      if (!scalar[o.ref]) throw new Error("fused kernel: a scalar output must hold a scalar value");
      hoisted.push(`o${i}[0] = ${use[o.ref]};`);
    } else body.push(`o${i}[k] = ${use[o.ref]};`);
  });
  const loop = body.length === 0 ? [] : ["let k = 0;", "for (let r = 0; r < outer; r++) {", ...rows, "for (let j = 0; j < inner; j++, k++) {", ...body, "}", "}"];
  const source = ["'use strict';", "return function fused(I, O, outer, inner) {", ...head, ...hoisted, ...loop, "};"].join("\n");
  return { source, names, fns };
}

/** The program compiled to a JS function (throws where code generation is not allowed). */
export function generateFused(p: FusedProgram): FusedKernel {
  requireArg("generateFused", "program", p, isProgram);
  const { source, names, fns } = fusedSource(p);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(...names, source)(...fns) as FusedKernel;
}

/** The program evaluated by an interpreter, CHUNK elements at a time (no code generation). */
export function interpretFused(p: FusedProgram): FusedKernel {
  requireArg("interpretFused", "program", p, isProgram);
  const scalar = scalarRefs(p);
  const nIn = p.inputs.length;
  const refs = nIn + p.code.length;
  // Formulas with their parameters bound, so that every call below has the arguments only.
  const fns = p.code.map((c) => {
    const f = formulaOf(c.formula);
    const params = c.params;
    if (params.length === 0) return f;
    return (...args: number[]) => f(...args, ...params);
  });
  const values = new Float64Array(refs);
  // Every non-scalar reference gets a register; scalars read by non-scalar code get one filled with their value.
  const regs: (Float64Array | null)[] = new Array(refs).fill(null);
  const broadcast: number[] = [];
  for (let ref = 0; ref < refs; ref++) if (!scalar[ref]) regs[ref] = new Float64Array(CHUNK);
  p.code.forEach((c, k) => {
    if (scalar[nIn + k]) return;
    for (const a of c.args) {
      if (scalar[a] && regs[a] === null) {
        regs[a] = new Float64Array(CHUNK);
        broadcast.push(a);
      }
    }
  });
  for (const [i, o] of p.outputs.entries()) {
    if (o.scalar && !scalar[o.ref]) throw new Error(`fused kernel: scalar output ${i} must hold a scalar value`);
    if (!o.scalar && scalar[o.ref] && regs[o.ref] === null) {
      regs[o.ref] = new Float64Array(CHUNK);
      broadcast.push(o.ref);
    }
  }
  return (I: readonly TypedArray[], O: readonly TypedArray[], outer: number, inner: number) => {
    for (let i = 0; i < nIn; i++) if (scalar[i]) values[i] = I[i]![0]!;
    p.code.forEach((c, k) => {
      if (!scalar[nIn + k]) return;
      const f = fns[k]!;
      const a = c.args;
      values[nIn + k] = a.length === 1 ? f(values[a[0]!]!) : a.length === 2 ? f(values[a[0]!]!, values[a[1]!]!) : f(...a.map((x) => values[x]!));
    });
    p.outputs.forEach((o, i) => {
      if (o.scalar) O[i]![0] = values[o.ref]!;
    });
    for (const b of broadcast) regs[b]!.fill(values[b]!);
    const n = outer * inner;
    for (let start = 0; start < n; start += CHUNK) {
      const len = Math.min(CHUNK, n - start);
      for (let i = 0; i < nIn; i++) {
        if (scalar[i]) continue;
        const x = I[i]!;
        const reg = regs[i]!;
        const access = p.inputs[i];
        if (access === "full") for (let e = 0; e < len; e++) reg[e] = x[start + e]!;
        else if (access === "row") for (let e = 0; e < len; e++) reg[e] = x[(start + e) % inner]!;
        else for (let e = 0; e < len; e++) reg[e] = x[Math.floor((start + e) / inner)]!;
      }
      for (let k = 0; k < p.code.length; k++) {
        if (scalar[nIn + k]) continue;
        const f = fns[k]!;
        const a = p.code[k]!.args;
        const out = regs[nIn + k]!;
        const r0 = regs[a[0]!]!;
        if (a.length === 1) for (let e = 0; e < len; e++) out[e] = f(r0[e]!);
        else if (a.length === 2) {
          const r1 = regs[a[1]!]!;
          for (let e = 0; e < len; e++) out[e] = f(r0[e]!, r1[e]!);
        } else {
          const rs = a.map((x) => regs[x]!);
          for (let e = 0; e < len; e++) out[e] = f(...rs.map((r) => r[e]!));
        }
      }
      for (let i = 0; i < p.outputs.length; i++) {
        const o = p.outputs[i]!;
        if (!o.scalar) O[i]!.set(regs[o.ref]!.subarray(0, len), start);
      }
    }
  };
}

let codegen: boolean | undefined;

/** Whether `new Function` works here (it does not under a CSP without 'unsafe-eval'). */
export function codegenAllowed(): boolean {
  if (codegen === undefined) {
    try {
      codegen = new Function("return 1")() === 1;
    } catch {
      codegen = false;
    }
  }
  return codegen;
}

const cache = new Map<string, FusedKernel>();

export const jsFused: FusedKernels = {
  has: (id) => formula(id) !== undefined,
  compile(p) {
    const key = programKey(p);
    let kernel = cache.get(key);
    if (kernel === undefined) {
      kernel = codegenAllowed() ? generateFused(p) : interpretFused(p);
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      cache.set(key, kernel);
    }
    return kernel;
  },
};
