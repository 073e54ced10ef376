/** Kernels of pow, maximum, minimum and clipByValue (src/ops/math.ts). */
import { ValueError } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";
import { binaryKernel, ternaryKernel } from "./elementwise.js";
import { FORMULAS as F } from "./formulas.js";

/** Integer power by squaring, wrapping at 32 bits as int32 arithmetic does. */
function powInt(x: number, y: number): number {
  if (y < 0) throw new ValueError(`integers to negative integer powers are not allowed (${x} to the power ${y}); cast to float first`);
  let result = 1;
  let base = x;
  for (let e = y; e > 0; e >>>= 1) {
    if (e & 1) result = Math.imul(result, base);
    base = Math.imul(base, base);
  }
  return result;
}

const powFloatKernel = binaryKernel(F.Pow);
const powIntKernel = binaryKernel(powInt);

export const binaryMathKernels: Record<string, Kernel> = {
  Pow: (inputs, out, attrs) => (out.dtype === "int32" ? powIntKernel : powFloatKernel)(inputs, out, attrs),
  Maximum: binaryKernel(F.Maximum),
  Minimum: binaryKernel(F.Minimum),
  // max(min(t, hi), lo), as TensorFlow's clip_by_value: where lo > hi the result is lo. NaN stays NaN.
  ClipByValue: ternaryKernel((t, lo, hi) => {
    const m = t > hi ? hi : t;
    return m < lo ? lo : m;
  }),
};
