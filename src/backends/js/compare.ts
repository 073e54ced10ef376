/**
 * Kernels of the comparisons, the logical connectives and where (src/ops/compare.ts, select.ts),
 * bool results as 0/1, and of clipByValue (src/ops/math.ts).
 */
import type { Kernel } from "../backend.js";
import { binaryKernel, ternaryKernel, unaryKernel } from "./elementwise.js";

export const compareKernels: Record<string, Kernel> = {
  Equal: binaryKernel((a, b) => (a === b ? 1 : 0)),
  NotEqual: binaryKernel((a, b) => (a !== b ? 1 : 0)),
  Greater: binaryKernel((a, b) => (a > b ? 1 : 0)),
  GreaterEqual: binaryKernel((a, b) => (a >= b ? 1 : 0)),
  Less: binaryKernel((a, b) => (a < b ? 1 : 0)),
  LessEqual: binaryKernel((a, b) => (a <= b ? 1 : 0)),
  LogicalAnd: binaryKernel((a, b) => (a !== 0 && b !== 0 ? 1 : 0)),
  LogicalOr: binaryKernel((a, b) => (a !== 0 || b !== 0 ? 1 : 0)),
  LogicalNot: unaryKernel((a) => (a === 0 ? 1 : 0)),
  SelectV2: ternaryKernel((c, x, y) => (c !== 0 ? x : y)),
  // max(min(t, hi), lo), as TensorFlow's clip_by_value: where lo > hi the result is lo. NaN stays NaN.
  ClipByValue: ternaryKernel((t, lo, hi) => {
    const m = t > hi ? hi : t;
    return m < lo ? lo : m;
  }),
};
