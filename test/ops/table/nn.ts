/**
 * OP_TABLE entries of the nn building blocks: BiasAdd, BiasAddGrad and DropoutMask. DropoutMask's
 * reference draws from its own implementation of the generator the library documents
 * (xoshiro128** seeded by splitmix32, 53-bit uniform doubles), so the masks are checked draw by draw.
 */
import * as ts from "tensorslow";
import { sizeOfShape, type Ref } from "../../helpers/assert-close.js";
import { OpCase, OpEntry, R64, rnd, lit, mk, elementwise, reduceRef, buildRaw, none, F64_SUMS, F32_SUMS } from "./kit.js";

/** Uniform doubles in [0, 1) from xoshiro128** (Blackman & Vigna), its state filled by splitmix32. */
export function xoshiroUniforms(seed: number): () => number {
  let x = seed >>> 0;
  const splitmix = (): number => {
    x = (x + 0x9e3779b9) | 0;
    let z = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const s = [splitmix(), splitmix(), splitmix(), splitmix()];
  const rotl = (v: number, k: number): number => (v << k) | (v >>> (32 - k));
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  };
  return () => ((next() >>> 5) * 2 ** 26 + (next() >>> 6)) / 2 ** 53;
}

interface DropoutCaseAttrs {
  seed: number;
  noiseShape?: (number | null)[];
}

/**
 * The mask for inputs (x, rate, training?): for each element of the noise shape, 1/(1 − rate) when
 * u >= rate, else 0; ones when training is false.
 */
function dropoutMaskRef([x, rateInput, training]: R64[], { seed, noiseShape }: DropoutCaseAttrs): R64 {
  const shape = noiseShape === undefined ? x!.shape : noiseShape.map((d, i) => d ?? x!.shape[i]!);
  if (training !== undefined && training.data[0] === 0) return mk(shape, new Float64Array(sizeOfShape(shape)).fill(1));
  const rate = rateInput!.data[0]!;
  const u = xoshiroUniforms(seed);
  return mk(shape, Float64Array.from({ length: sizeOfShape(shape) }, () => (u() >= rate ? 1 / (1 - rate) : 0)));
}

function dropoutCases(): OpCase<DropoutCaseAttrs>[] {
  const rate = (r: number): Ref => lit([], [r]);
  return [
    { name: "[4,5] rate 0.5", inputs: [rnd([4, 5]), rate(0.5)], attrs: { seed: 1 } },
    { name: "[3,7] rate 0.2", inputs: [rnd([3, 7]), rate(0.2)], attrs: { seed: 42 } },
    { name: "rate 0 keeps everything", inputs: [rnd([2, 3]), rate(0)], attrs: { seed: 3 } },
    { name: "rank 0", inputs: [rnd([]), rate(0.3)], attrs: { seed: 5 } },
    { name: "empty [0,3]", inputs: [rnd([0, 3]), rate(0.3)], attrs: { seed: 5 } },
    { name: "noise shape [4,1] (whole rows)", inputs: [rnd([4, 3]), rate(0.5)], attrs: { seed: 9, noiseShape: [4, 1] } },
    { name: "noise shape [null,1,3] (null takes x's dimension)", inputs: [rnd([2, 2, 3]), rate(0.4)], attrs: { seed: 11, noiseShape: [null, 1, 3] } },
    { name: "training input true", inputs: [rnd([3, 3]), rate(0.5), lit([], [1])], attrs: { seed: 13 } },
    { name: "training input false: all ones", inputs: [rnd([3, 3]), rate(0.5), lit([], [0])], attrs: { seed: 13 } },
  ];
}

export const NN_OPS: Record<string, OpEntry<any>> = {
  BiasAdd: {
    type: "BiasAdd",
    build: ([value, bias]) => ts.nn.biasAdd(value!, bias!),
    // value[..., c] + bias[c]: numpy broadcasting of a vector along the last axis.
    ref: (xs) => elementwise(xs, (a, b) => a + b),
    cases: [
      { name: "[2,3] + [3]", inputs: [rnd([2, 3]), rnd([3])], attrs: none },
      { name: "NHWC [2,2,3,4] + [4]", inputs: [rnd([2, 2, 3, 4]), rnd([4])], attrs: none },
      { name: "[1,1] + [1]", inputs: [rnd([1, 1]), rnd([1])], attrs: none },
      { name: "empty batch [0,3] + [3]", inputs: [rnd([0, 3]), rnd([3])], attrs: none },
      { name: "no channels [2,0] + [0]", inputs: [rnd([2, 0]), rnd([0])], attrs: none },
    ],
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32", "int32"],
  },

  BiasAddGrad: {
    type: "BiasAddGrad",
    // The sum over every axis but the last.
    build: (xs) => buildRaw("BiasAddGrad", xs, {}),
    ref: ([dy]) => reduceRef(dy!, dy!.shape.slice(0, -1).map((_, i) => i), false, false),
    cases: [
      { name: "[2,3]", inputs: [rnd([2, 3])], attrs: none },
      { name: "NHWC [2,2,3,4]", inputs: [rnd([2, 2, 3, 4])], attrs: none },
      { name: "[1,1]", inputs: [rnd([1, 1])], attrs: none },
      { name: "empty batch [0,3] (zeros)", inputs: [rnd([0, 3])], attrs: none },
    ],
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32", "int32"],
    f64: F64_SUMS,
    f32: F32_SUMS,
  },

  DropoutMask: {
    type: "DropoutMask",
    // A fresh op per build, its generator seeded from the case: every build draws the same first mask.
    build: (xs, { seed, noiseShape }: DropoutCaseAttrs) =>
      buildRaw("DropoutMask", xs, { generator: new ts.random.RandomGenerator(seed), ...(noiseShape !== undefined ? { noiseShape } : {}) }),
    ref: dropoutMaskRef,
    cases: dropoutCases(),
    differentiable: { notDifferentiable: "a random mask: it does not depend on x's values, and the draw is discontinuous in the rate" },
    inputDtypes: [null, null, "bool"],
  },
};
