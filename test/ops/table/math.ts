/**
 * OP_TABLE entries of the arithmetic ops (src/ops/math.ts): add, subtract, multiply, divide, pow, maximum,
 * minimum, clipByValue; negative, abs, sign, log, log1p, exp, square, sqrt, floor; cast.
 */
import * as ts from "tensorslow";
import type { Ref } from "../../helpers/assert-close.js";
import { type NoAttrs, type OpCase, type OpEntry, binary, binaryCases, buildRaw, elementwise, lit, mk, none, nonzero, pos, rnd, unary, unaryCases, val } from "./kit.js";

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

interface CastCaseAttrs {
  DstT: ts.DType;
}

/** C's conversions, as TensorFlow's kernel makes them (the sample values are inside int32's range). */
function convert(v: number, to: ts.DType): number {
  switch (to) {
    case "float64":
      return v;
    case "float32":
      return Math.fround(v);
    case "int32":
      return Math.trunc(v);
    case "bool":
      return v !== 0 ? 1 : 0;
  }
}

/** Each destination dtype on fractions of both signs and a zero, a scalar and an empty tensor. */
function castCases(): OpCase<CastCaseAttrs>[] {
  const out: OpCase<CastCaseAttrs>[] = [];
  for (const DstT of ["float64", "float32", "int32", "bool"] as const) {
    // Only float64 outputs go through gradcheck, which runs in float64.
    const noGradcheck =
      DstT === "float64"
        ? undefined
        : DstT === "float32"
          ? "a float32 output is too coarse for float64 finite differences; the float64 cases check the gradient (float32 inputs included)"
          : `an ${DstT} output has no gradient`;
    const add = (name: string, x: Ref): void => {
      const c: OpCase<CastCaseAttrs> = { name: `to ${DstT}: ${name}`, inputs: [x], attrs: { DstT } };
      out.push(noGradcheck === undefined ? c : { ...c, noGradcheck });
    };
    add("[2,4] fractions of both signs and a zero", lit([2, 4], [-2.7, -1.5, -0.4, 0, 0.6, 1.5, 2.9, -3]));
    add("rank 0", rnd([]));
    add("empty [0,2]", rnd([0, 2]));
  }
  return out;
}

export const MATH_OPS: Record<string, OpEntry<any>> = {
  Add: binary("Add", (a, b) => a + b, ts.add),
  Sub: binary("Sub", (a, b) => a - b, ts.subtract),
  Mul: binary("Mul", (a, b) => a * b, ts.multiply),
  RealDiv: { ...binary("RealDiv", (a, b) => a / b, ts.divide, nonzero), dtypes: ["float64", "float32"] },
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
  Neg: unary("Neg", (v) => -v, ts.negative, rnd, true),
  Abs: unary("Abs", Math.abs, ts.abs, nonzero, true),
  Sign: unary("Sign", Math.sign, ts.sign, nonzero, true),
  Log: unary("Log", Math.log, ts.log, pos),
  Log1p: {
    ...unary("Log1p", Math.log1p, ts.log1p, (s) => val(s, -0.9, 2)),
    cases: [
      ...unaryCases((s) => val(s, -0.9, 2)),
      // Where log(1 + x) would lose x: 1 + 1e-10 rounds to 1 in float32 (and loses digits in float64).
      { name: "tiny, −1 and +∞ [6]", inputs: [lit([6], [1e-10, -1e-10, 3e-7, -0, -1, Infinity])], attrs: none, noGradcheck: "−1 and +∞ are where the derivative is not finite" },
    ],
  },
  Exp: unary("Exp", Math.exp, ts.exp, rnd),
  Square: unary("Square", (v) => v * v, ts.square, rnd, true),
  Sqrt: unary("Sqrt", Math.sqrt, ts.sqrt, pos),
  Floor: {
    type: "Floor",
    build: ([x]) => ts.floor(x!),
    ref: (xs) => elementwise(xs, Math.floor),
    cases: [
      ...unaryCases(rnd),
      { name: "integers, halves and negatives", inputs: [lit([8], [-2, -1.5, -1, -0.5, 0, 0.5, 1, 2.75])], attrs: none },
    ],
    differentiable: { notDifferentiable: "it is piecewise constant (its derivative is zero wherever it exists)" },
  },
  Cast: {
    type: "Cast",
    // buildRaw: ts.cast returns its input unchanged when the dtype already matches.
    build: (xs, attrs: CastCaseAttrs) => buildRaw("Cast", xs, attrs),
    ref: ([x], { DstT }: CastCaseAttrs) => mk(x!.shape, Float64Array.from(x!.data, (v) => convert(v, DstT))),
    outputDtype: (_dtype, { DstT }: CastCaseAttrs) => DstT,
    cases: castCases(),
    differentiable: true,
    dtypes: ["float64", "float32", "int32", "bool"],
  },
};
