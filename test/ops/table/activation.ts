/** OP_TABLE entries of the activations and their gradient ops (src/ops/activation.ts). */
import * as ts from "tensorslow";
import type { Ref } from "../../helpers/assert-close.js";
import { type NoAttrs, type OpCase, type OpEntry, binaryCases, buildRaw, elementwise, F32_SUMS, F64_SUMS, lit, none, nonzero, rnd, sigmoidRef, softmaxRef, unary, unaryCases, val } from "./kit.js";

// SELU's constants, from Klambauer et al. (2017), eq. (14): alpha01 and lambda01.
const ALPHA = 1.6732632423543772848170429916717;
const SCALE = 1.0507009873554804934193349852946;

const reluRef = (v: number): number => Math.max(v, 0);
const relu6Ref = (v: number): number => Math.min(Math.max(v, 0), 6);
const eluRef = (v: number): number => (v < 0 ? Math.exp(v) - 1 : v);
const seluRef = (v: number): number => SCALE * (v < 0 ? ALPHA * (Math.exp(v) - 1) : v);
// log(1 + e^v) written the plain way for moderate v, and by its asymptotes where e^v over- or underflows.
const softplusRef = (v: number): number => (v > 30 ? v + Math.exp(-v) : v < -30 ? Math.exp(v) : Math.log(1 + Math.exp(v)));

/** Values in [-7, 7] away from relu6's kinks at 0 and 6. */
const wide = (shape: number[]): Ref => {
  const v = val(shape, 0, 1);
  const kinks = [-7, -0.3, 0.3, 5.7, 6.3, 7];
  // Pick a segment of the three away from the kinks, then a point in it.
  const data = Float64Array.from(v.data, (u) => {
    const s = Math.min(2, Math.floor(u * 3));
    const f = u * 3 - s;
    return kinks[2 * s]! + f * (kinks[2 * s + 1]! - kinks[2 * s]!);
  });
  return { shape, data };
};

interface AlphaAttrs {
  alpha?: number;
}

function alphaCases(values: (s: number[]) => Ref): OpCase<AlphaAttrs>[] {
  return [
    { name: "[2,3] default alpha (0.2)", inputs: [values([2, 3])], attrs: {} },
    { name: "rank 0, alpha 0.5", inputs: [values([])], attrs: { alpha: 0.5 } },
    { name: "[1,4,1], alpha -0.3", inputs: [values([1, 4, 1])], attrs: { alpha: -0.3 } },
    { name: "[3], alpha 1.5", inputs: [values([3])], attrs: { alpha: 1.5 } },
    { name: "empty [2,0]", inputs: [values([2, 0])], attrs: { alpha: 0.1 } },
  ];
}

/** Cases of a gradient op G(dy, v): dy anywhere, v away from the kinks. */
function gradOpCases(v: (s: number[]) => Ref, vFirst = false): OpCase<NoAttrs>[] {
  const c = (name: string, a: number[], b: number[]): OpCase<NoAttrs> => {
    const inputs = vFirst ? [v(a), rnd(b)] : [rnd(a), v(b)];
    return { name, inputs, attrs: none };
  };
  return [c("[2,3]", [2, 3], [2, 3]), c("rank 0", [], []), c("[3,1] with [1,4] (broadcast)", [3, 1], [1, 4]), c("[2,3] with a scalar", [2, 3], [])];
}

const gradOp = (type: string, fn: (a: number, b: number) => number, cases: OpCase<NoAttrs>[], ints = false): OpEntry<NoAttrs> => ({
  type,
  build: (xs) => buildRaw(type, xs, {}),
  ref: (xs) => elementwise(xs, fn),
  cases,
  differentiable: true,
  secondOrder: true,
  dtypes: ints ? ["float64", "float32", "int32"] : ["float64", "float32"],
});

/** Values in [lo, 2] with |v| >= 0.1 (an exponential unit's output is above −1 or −scale·alpha). */
function nonzeroAbove(shape: number[], lo: number): Ref {
  const v = val(shape, lo, 2);
  return { shape, data: Float64Array.from(v.data, (x) => (Math.abs(x) < 0.1 ? x + 0.2 : x)) };
}

export const ACTIVATION_OPS: Record<string, OpEntry<any>> = {
  Sigmoid: {
    ...unary("Sigmoid", sigmoidRef, ts.sigmoid, (s) => val(s, -4, 4)),
    cases: [
      ...unaryCases((s) => val(s, -4, 4)),
      { name: "saturated ±1000, ±40 and 0", inputs: [lit([5], [-1000, -40, 0, 40, 1000])], attrs: none },
    ],
  },
  SigmoidGrad: {
    type: "SigmoidGrad",
    // SigmoidGrad(y, dy) = dy·y·(1−y), y being sigmoid's output.
    build: (xs) => buildRaw("SigmoidGrad", xs, {}),
    ref: (xs) => elementwise(xs, (y, dy) => dy * y * (1 - y)),
    cases: [
      { name: "[2,3]", inputs: [val([2, 3], 0.05, 0.95), rnd([2, 3])], attrs: none },
      { name: "rank 0", inputs: [val([], 0.05, 0.95), rnd([])], attrs: none },
      { name: "y [3,1] with dy [1,4] (broadcast)", inputs: [val([3, 1], 0.05, 0.95), rnd([1, 4])], attrs: none },
    ],
    differentiable: true,
    secondOrder: true,
  },
  Softmax: {
    type: "Softmax",
    build: ([x], { axis }: { axis?: number }) => (axis === undefined ? ts.softmax(x!) : ts.softmax(x!, axis)),
    ref: ([x], { axis }: { axis?: number }) => softmaxRef(x!, axis ?? -1),
    cases: [
      { name: "[2,3] default axis (-1)", inputs: [rnd([2, 3])], attrs: {} },
      { name: "[2,3] axis 0", inputs: [rnd([2, 3])], attrs: { axis: 0 } },
      { name: "vector [4]", inputs: [rnd([4])], attrs: { axis: 0 } },
      { name: "[2,3,2] axis 1", inputs: [rnd([2, 3, 2])], attrs: { axis: 1 } },
      { name: "[2,3,2] axis -3", inputs: [rnd([2, 3, 2])], attrs: { axis: -3 } },
      { name: "[1,1]", inputs: [rnd([1, 1])], attrs: {} },
      { name: "empty [0,3]", inputs: [rnd([0, 3])], attrs: {} },
      { name: "large logits [[1000,0,-1000],[1e4,1e4,0]]", inputs: [lit([2, 3], [1000, 0, -1000, 1e4, 1e4, 0])], attrs: {} },
    ],
    differentiable: true,
    secondOrder: true,
    f64: F64_SUMS,
    f32: F32_SUMS,
  },
  Relu: unary("Relu", reluRef, ts.relu, nonzero, true),
  Relu6: unary("Relu6", relu6Ref, ts.relu6, wide, true),
  LeakyRelu: {
    type: "LeakyRelu",
    build: ([x], { alpha }: AlphaAttrs) => (alpha === undefined ? ts.leakyRelu(x!) : ts.leakyRelu(x!, alpha)),
    ref: ([x], { alpha }: AlphaAttrs) => elementwise([x!], (v) => (v > 0 ? v : (alpha ?? 0.2) * v)),
    cases: alphaCases(nonzero),
    differentiable: true,
    secondOrder: true,
  },
  Elu: unary("Elu", eluRef, ts.elu, nonzero),
  Selu: unary("Selu", seluRef, ts.selu, nonzero),
  Softplus: {
    ...unary("Softplus", softplusRef, ts.softplus, (s) => val(s, -5, 5)),
    cases: [...unaryCases((s) => val(s, -5, 5)), { name: "large |x|: ±1000, ±40, 0", inputs: [lit([5], [-1000, -40, 0, 40, 1000])], attrs: none }],
  },
  Tanh: {
    ...unary("Tanh", Math.tanh, ts.tanh, (s) => val(s, -3, 3)),
    cases: [...unaryCases((s) => val(s, -3, 3)), { name: "saturated ±40", inputs: [lit([2], [-40, 40])], attrs: none }],
  },
  // Gradient ops: G(dy, v) = dy·f'(v), with v relu's or elu's output, leakyRelu's input.
  ReluGrad: gradOp("ReluGrad", (dy, y) => (y > 0 ? dy : 0), gradOpCases(nonzero), true),
  Relu6Grad: gradOp("Relu6Grad", (dy, y) => (y > 0 && y < 6 ? dy : 0), gradOpCases(wide), true),
  LeakyReluGrad: {
    type: "LeakyReluGrad",
    build: (xs, { alpha }: AlphaAttrs) => buildRaw("LeakyReluGrad", xs, { alpha: alpha ?? 0.2 }),
    ref: (xs, { alpha }: AlphaAttrs) => elementwise(xs, (dy, x) => (x > 0 ? dy : (alpha ?? 0.2) * dy)),
    cases: [
      ...binaryCases(nonzero).slice(0, 3),
      { name: "alpha -0.3, [2,3]", inputs: [rnd([2, 3]), nonzero([2, 3])], attrs: { alpha: -0.3 } },
    ],
    differentiable: true,
    secondOrder: true,
  },
  EluGrad: gradOp("EluGrad", (dy, y) => (y < 0 ? dy * (y + 1) : dy), gradOpCases((s) => nonzeroAbove(s, -0.95))),
  SeluGrad: gradOp("SeluGrad", (dy, y) => (y < 0 ? dy * (y + SCALE * ALPHA) : dy * SCALE), gradOpCases((s) => nonzeroAbove(s, -1.7))),
  TanhGrad: gradOp("TanhGrad", (y, dy) => dy * (1 - y * y), gradOpCases((s) => val(s, -0.95, 0.95), true)),
};
