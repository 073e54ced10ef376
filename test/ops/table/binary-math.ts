/** OP_TABLE entries of pow, maximum, minimum and clipByValue (src/ops/math.ts). */
import * as ts from "tensorslow";
import { type OpCase, type OpEntry, type NoAttrs, val, rnd, pos, lit, elementwise, binary, binaryCases, none } from "./kit.js";

// numpy.clip(t, lo, hi) = minimum(maximum(t, lo), hi) differs from TensorFlow where lo > hi; the
// cases keep lo < hi, so either order is the definition.
const clipRef = (t: number, lo: number, hi: number): number => Math.min(Math.max(t, lo), hi);

function clipCases(): OpCase<NoAttrs>[] {
  const c = (name: string, t: number[], lo: ReturnType<typeof rnd>, hi: ReturnType<typeof rnd>): OpCase<NoAttrs> => ({ name, inputs: [rnd(t), lo, hi], attrs: none });
  return [
    c("[2,3] with scalar bounds", [2, 3], lit([], [-0.5]), lit([], [0.8])),
    c("[2,3] with bounds [3] and [2,1]", [2, 3], val([3], -1.5, -0.2), val([2, 1], 0.2, 1.5)),
    c("[2,3] with bounds of t's shape", [2, 3], val([2, 3], -1.5, -0.2), val([2, 3], 0.2, 1.5)),
    c("[4,1,3] with bounds [1,1] and [3]", [4, 1, 3], val([1, 1], -1, -0.2), val([3], 0.2, 1)),
    c("rank 0", [], lit([], [-0.5]), lit([], [0.5])),
    c("empty [0,3] with bounds [3] and a scalar", [0, 3], val([3], -1, -0.2), lit([], [0.5])),
  ];
}

export const BINARY_MATH_OPS: Record<string, OpEntry<any>> = {
  Pow: {
    ...binary("Pow", Math.pow, ts.pow, rnd),
    // Bases in [0.5, 2] (log x is defined), exponents in [-2, 2]; then negative bases with integer
    // exponents and a zero base, forward only (x^y of a negative x is NaN for y off the integers).
    cases: [
      ...binaryCases(rnd, pos),
      { name: "negative and zero bases, integer exponents", inputs: [lit([5], [-2, -1.5, 0, 0, 3]), lit([5], [2, 3, 2, 0, -1])], attrs: none, noGradcheck: "x^y of a negative x is NaN once y leaves the integers" },
    ],
    dtypes: ["float64", "float32"],
  },
  Maximum: binary("Maximum", Math.max, ts.maximum),
  Minimum: binary("Minimum", Math.min, ts.minimum),
  ClipByValue: {
    type: "ClipByValue",
    build: ([t, lo, hi]) => ts.clipByValue(t!, lo!, hi!),
    ref: (xs) => elementwise(xs, clipRef),
    cases: clipCases(),
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32", "int32"],
  },
};
