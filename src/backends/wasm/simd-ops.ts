/**
 * The elementwise ops with SIMD loops in the wasm kernels: the one list of their op codes. An op's
 * code is its position in its list, never written out. Everything that names a code reads it here:
 *
 * - the AssemblyScript dispatch (assembly/dispatch.generated.ts, generated from this file by
 *   scripts/build-wasm.mjs: one switch case per entry, calling the class of the same name in
 *   assembly/elementwise.ts);
 * - the standalone wasm kernels (index.ts registers one per entry that is a formula);
 * - the fused programs' steps (fused.ts) and which of them are compute-bound.
 *
 * An id is a formula id (backends/js/formulas.ts): the SIMD loop computes that formula in float32,
 * and it is the kernel name of the op whose type it is. This file imports nothing, so the build
 * script can compile it alone.
 */
export interface SimdOp {
  readonly id: string;
  /**
   * It costs more than moving its data (about a nanosecond per element: an exponential, a
   * logarithm), so threads pay from smaller sizes, standalone or in a fused program.
   */
  readonly computeBound?: true;
  /** Not a formula of any op: a loop the kernels use themselves (First: stretch a broadcast, store a value). */
  readonly internal?: true;
}

export const SIMD_UNARY: readonly SimdOp[] = [
  { id: "Neg" },
  { id: "Exp", computeBound: true },
  { id: "Log", computeBound: true },
  { id: "Square" },
  { id: "Sqrt" },
  { id: "Sigmoid", computeBound: true },
  { id: "Relu" },
  { id: "Abs" },
  { id: "Relu6" },
  { id: "Log1p", computeBound: true },
];

export const SIMD_BINARY: readonly SimdOp[] = [
  { id: "Add" },
  { id: "Sub" },
  { id: "Mul" },
  { id: "RealDiv" },
  { id: "SigmoidGrad" },
  { id: "First", internal: true },
  { id: "ReluGrad" },
  { id: "Relu6Grad" },
  { id: "TanhGrad" },
];

function codes(list: readonly SimdOp[]): ReadonlyMap<string, number> {
  return new Map(list.map((op, code) => [op.id, code]));
}

/** Unary op code by id. */
export const UNARY_CODE = codes(SIMD_UNARY);
/** Binary op code by id. */
export const BINARY_CODE = codes(SIMD_BINARY);
/** The code of First(a, b) = a, the binary loop that copies (stretching a broadcast operand). */
export const FIRST = BINARY_CODE.get("First")!;

/** A text the build stamps into the binaries, and the loader compares with this list's. */
export function simdSignature(): string {
  return `unary:${SIMD_UNARY.map((o) => o.id).join(",")}|binary:${SIMD_BINARY.map((o) => o.id).join(",")}`;
}
