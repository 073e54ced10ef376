/**
 * Fused elementwise programs on the wasm backend. Small domains run the JS fused kernel on the
 * tensors' views (below a few thousand elements a wasm call, with its staging, costs more than the
 * work). Larger float32 programs whose formulas all have SIMD loops are lowered to a table of
 * steps that assembly/fused.ts runs chunk by chunk; values that depend only on scalars are
 * computed here in JS, once per call. Anything else runs the JS fused kernel.
 */
import type { TypedArray } from "../../tensor/index.js";
import type { FusedKernel, FusedKernels, FusedProgram } from "../fused.js";
import { formula } from "../js/formulas.js";
import { PARALLEL_MIN, type WasmContext } from "./context.js";
import { splitRange } from "./threads.js";
import { BINARY_CODE, FIRST, SIMD_UNARY, UNARY_CODE } from "./simd-ops.js";

/** Domains smaller than this run the JS fused kernel. */
export const FUSED_WASM_MIN = 4096;
/** Must match assembly/fused.ts. */
const CHUNK = 256;
const STEP_WORDS = 9;
const MODE = { fixed: 0, moves: 1, register: 2 } as const;
/**
 * Programs that cost about a nanosecond per element or more split across threads sooner: those
 * with a compute-bound step (an exponential, a logarithm, a sigmoid), and long ones (an Adam
 * update is 20 steps).
 */
const COSTLY: ReadonlySet<number> = new Set(SIMD_UNARY.flatMap((op, code) => (op.computeBound === true ? [code] : [])));
const LONG_PROGRAM = 8;
const KIND = { unary: 0, binary: 1, gatherRow: 2, gatherCol: 3 } as const;
const LAYOUT = { VV: 0, VS: 1, SV: 2 } as const;

/** Where a value lives during a call. */
export type Place =
  | { kind: "input"; input: number } // a whole-domain input, read in place at the chunk's offset
  | { kind: "scalar"; slot: number } // one f32 in the call's scalar block
  | { kind: "register"; reg: number } // CHUNK floats of scratch
  | { kind: "output"; output: number }; // a whole-domain output, written in place

export interface Step {
  kind: number;
  op: number;
  layout: number;
  args: Place[];
  out: Place;
  /** Gathers: the input read. */
  input?: number;
}

export interface Lowered {
  steps: Step[];
  registers: number;
  /** Per reference (inputs, then instructions): its scalar slot, or -1. */
  scalarSlot: number[];
  /** Scalar instructions evaluated in JS: reference, formula, argument references, params. */
  scalarCode: { ref: number; f: (...a: number[]) => number; args: readonly number[]; params: readonly number[] }[];
  scalars: number;
  /** Scalar values stored into full outputs (a constant fill). */
  fills: { output: number; ref: number }[];
}

/** The step table of a program, or null when some formula has no SIMD loop here. */
export function lower(p: FusedProgram): Lowered | null {
  const nIn = p.inputs.length;
  const scalar: boolean[] = p.inputs.map((a) => a === "scalar");
  for (const c of p.code) scalar.push(c.args.every((a) => scalar[a]));
  const scalarSlot = scalar.map(() => -1);
  let scalars = 0;
  const scalarCode: Lowered["scalarCode"] = [];
  const place: (Place | undefined)[] = new Array(scalar.length);
  const steps: Step[] = [];
  let registers = 0;
  for (let i = 0; i < nIn; i++) {
    const access = p.inputs[i];
    if (access === "scalar") place[i] = { kind: "scalar", slot: (scalarSlot[i] = scalars++) };
    else if (access === "full") place[i] = { kind: "input", input: i };
    else {
      const out: Place = { kind: "register", reg: registers++ };
      steps.push({ kind: access === "row" ? KIND.gatherRow : KIND.gatherCol, op: 0, layout: 0, args: [], out, input: i });
      place[i] = out;
    }
  }

  for (const [k, c] of p.code.entries()) {
    const ref = nIn + k;
    if (scalar[ref]) {
      const f = formula(c.formula);
      if (f === undefined) return null;
      scalarCode.push({ ref, f, args: c.args, params: c.params });
      place[ref] = { kind: "scalar", slot: (scalarSlot[ref] = scalars++) };
      continue;
    }
    const out: Place = { kind: "register", reg: registers++ };
    const args = c.args.map((a) => place[a]!);
    if (c.formula === "Identity") {
      steps.push({ kind: KIND.binary, op: FIRST, layout: LAYOUT.VS, args: [args[0]!, args[0]!], out });
    } else if (UNARY_CODE.has(c.formula) && args.length === 1 && c.params.length === 0) {
      steps.push({ kind: KIND.unary, op: UNARY_CODE.get(c.formula)!, layout: 0, args, out });
    } else if (BINARY_CODE.has(c.formula) && args.length === 2 && c.params.length === 0) {
      const layout = scalar[c.args[1]!] ? LAYOUT.VS : scalar[c.args[0]!] ? LAYOUT.SV : LAYOUT.VV;
      steps.push({ kind: KIND.binary, op: BINARY_CODE.get(c.formula)!, layout, args, out });
    } else {
      return null;
    }
    place[ref] = out;
  }
  // Outputs are stored once the chunk's values are all computed: an output may share its array
  // with an input (a variable updated in place) that later steps of the chunk still read.
  const fills: Lowered["fills"] = [];
  p.outputs.forEach((o, i) => {
    if (o.scalar) return;
    if (scalar[o.ref]) fills.push({ output: i, ref: o.ref });
    else {
      const from = place[o.ref]!;
      steps.push({ kind: KIND.binary, op: FIRST, layout: LAYOUT.VS, args: [from, from], out: { kind: "output", output: i } });
    }
  });
  return { steps, registers, scalarSlot, scalarCode, scalars, fills };
}

export function wasmFused(ctx: WasmContext, js: FusedKernels): FusedKernels {
  return {
    has: (id) => js.has(id),
    compile(p: FusedProgram): FusedKernel {
      const jsKernel = js.compile(p);
      const lowered = p.dtype === "float32" ? lower(p) : null;
      if (lowered === null) return jsKernel;
      const { steps, scalarSlot, scalarCode, fills } = lowered;
      // Registers live in each thread's scratch (see assembly/fused.ts); a program needing more
      // than that (hundreds of live values) runs the JS kernel.
      if (lowered.registers * CHUNK * 4 > ctx.rt.scratchBytes) return jsKernel;
      const costly = steps.length >= LONG_PROGRAM || steps.some((s) => s.kind === KIND.unary && COSTLY.has(s.op));
      const parallelMin = costly ? PARALLEL_MIN.computeBound : PARALLEL_MIN.memoryBound;
      const values = new Float64Array(p.inputs.length + p.code.length);
      const words = new Int32Array(steps.length * STEP_WORDS);
      const inputPtr = new Array<number>(p.inputs.length).fill(0);
      const outputPtr = new Array<number>(p.outputs.length).fill(0);
      let scalarBlock = 0;
      /** Writes a place's (base, mode) pair at words[w]. */
      const put = (w: number, pl: Place): void => {
        words[w] =
          pl.kind === "input" ? inputPtr[pl.input]! : pl.kind === "output" ? outputPtr[pl.output]! : pl.kind === "scalar" ? scalarBlock + 4 * pl.slot : pl.reg * CHUNK * 4;
        words[w + 1] = pl.kind === "input" || pl.kind === "output" ? MODE.moves : pl.kind === "register" ? MODE.register : MODE.fixed;
      };
      return (I: readonly TypedArray[], O: readonly TypedArray[], outer: number, inner: number) => {
        const n = outer * inner;
        if (n < FUSED_WASM_MIN) {
          jsKernel(I, O, outer, inner);
          return;
        }
        // Scalars: read and computed in JS (in doubles, as the JS kernel does).
        for (let i = 0; i < p.inputs.length; i++) if (scalarSlot[i]! >= 0) values[i] = I[i]![0]!;
        for (const c of scalarCode) {
          const a = c.args;
          values[c.ref] =
            c.params.length > 0 ? c.f(...a.map((x) => values[x]!), ...c.params)
            : a.length === 1 ? c.f(values[a[0]!]!)
            : a.length === 2 ? c.f(values[a[0]!]!, values[a[1]!]!)
            : c.f(...a.map((x) => values[x]!));
        }
        for (let i = 0; i < p.outputs.length; i++) {
          const o = p.outputs[i]!;
          if (o.scalar) O[i]![0] = values[o.ref]!;
        }
        const { rt } = ctx;
        rt.begin();
        scalarBlock = rt.arena.take(Math.max(1, lowered.scalars) * 4);
        const f32 = rt.heap.f32;
        for (let r = 0; r < scalarSlot.length; r++) if (scalarSlot[r]! >= 0) f32[(scalarBlock >>> 2) + scalarSlot[r]!] = values[r]!;
        for (let i = 0; i < p.inputs.length; i++) if (p.inputs[i] !== "scalar") inputPtr[i] = rt.input(I[i] as Float32Array);
        for (let i = 0; i < p.outputs.length; i++) if (!p.outputs[i]!.scalar) outputPtr[i] = rt.output(O[i] as Float32Array);
        for (let i = 0; i < steps.length; i++) {
          const s = steps[i]!;
          const w = i * STEP_WORDS;
          words[w] = s.kind;
          words[w + 1] = s.op;
          words[w + 2] = s.layout;
          if (s.input !== undefined) {
            words[w + 3] = inputPtr[s.input]!;
            words[w + 5] = inner;
          } else {
            put(w + 3, s.args[0]!);
            if (s.args.length > 1) put(w + 5, s.args[1]!);
          }
          put(w + 7, s.out);
        }
        if (steps.length > 0) {
          const table = rt.words(words);
          const threads = n >= parallelMin ? ctx.pool.threads : 1;
          ctx.pool.run("fused", splitRange(n, threads, CHUNK).map(([s, e]) => [table, steps.length, s, e - s]));
        }
        rt.end();
        // Outputs whose value is the same everywhere (after the staged ones are copied out).
        for (const { output, ref } of fills) O[output]!.fill(values[ref]!);
      };
    },
  };
}
