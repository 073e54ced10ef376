/**
 * The scalar functions of the elementwise ops, by formula id: what an op's `elementwise.formula`
 * names. An elementwise op is this one entry on the JS side: its standalone kernel is derived from
 * it (formulaKernels in elementwise.ts), and the fused kernel (fused.ts) composes the same
 * functions, so an op computes the same thing fused or not. Parameters (LeakyRelu's alpha) come
 * after the arguments; the standalone kernel reads them from the op's attributes of those names.
 */
import { ValueError } from "../../tensor/index.js";

export type Formula = (...args: number[]) => number;

export interface FormulaDef {
  /** The scalar function: its arguments (the op's inputs, in order), then its parameters. */
  readonly fn: Formula;
  readonly arity: 1 | 2;
  /** The attributes the parameters come from, in order. */
  readonly params?: readonly string[];
  /** The function for int32 results, where computing in doubles would be wrong (pow's integer powers). */
  readonly int32?: Formula;
}

const unary = (fn: Formula, more: Omit<FormulaDef, "fn" | "arity"> = {}): FormulaDef => ({ fn, arity: 1, ...more });
const binary = (fn: Formula, more: Omit<FormulaDef, "fn" | "arity"> = {}): FormulaDef => ({ fn, arity: 2, ...more });

/** Logistic function in the form that never overflows: e^x/(1+e^x) for negative x. */
export function stableSigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** C's pow where it differs from Math.pow: 1^y = 1 and (−1)^±∞ = 1 (TensorFlow computes with C's). */
export function powFloat(x: number, y: number): number {
  if (x === 1 || (x === -1 && (y === Infinity || y === -Infinity))) return 1;
  return Math.pow(x, y);
}

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

// SELU's constants (Klambauer et al., "Self-Normalizing Neural Networks", 2017), as in TensorFlow.
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_SCALE_ALPHA = SELU_SCALE * SELU_ALPHA;

export const FORMULAS = {
  Identity: unary((x: number) => x),
  Add: binary((a: number, b: number) => a + b),
  Sub: binary((a: number, b: number) => a - b),
  Mul: binary((a: number, b: number) => a * b),
  RealDiv: binary((a: number, b: number) => a / b),
  Neg: unary((x: number) => -x),
  Log: unary(Math.log),
  Log1p: unary(Math.log1p),
  Exp: unary(Math.exp),
  Square: unary((x: number) => x * x),
  Sqrt: unary(Math.sqrt),
  Floor: unary(Math.floor),
  Sigmoid: unary(stableSigmoid),
  SigmoidGrad: binary((y: number, dy: number) => dy * y * (1 - y)),
  Pow: binary(powFloat, { int32: powInt }),
  Maximum: binary(Math.max),
  Minimum: binary(Math.min),
  // Written so that NaN passes through (a comparison with NaN is false).
  Relu: unary((x: number) => (x < 0 ? 0 : x)),
  Relu6: unary((x: number) => (x < 0 ? 0 : x > 6 ? 6 : x)),
  LeakyRelu: unary((x: number, alpha: number) => (x > 0 ? x : alpha * x), { params: ["alpha"] }),
  Elu: unary((x: number) => (x < 0 ? Math.expm1(x) : x)),
  Selu: unary((x: number) => (x < 0 ? SELU_SCALE_ALPHA * Math.expm1(x) : SELU_SCALE * x)),
  // log(1 + e^x) = log1p(e^−|x|) + max(x, 0): e^−|x| <= 1 never overflows.
  Softplus: unary((x: number) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0)),
  Tanh: unary(Math.tanh),
  Abs: unary(Math.abs),
  Sign: unary(Math.sign),
  ReluGrad: binary((dy: number, y: number) => (y > 0 ? dy : 0)),
  Relu6Grad: binary((dy: number, y: number) => (y > 0 && y < 6 ? dy : 0)),
  LeakyReluGrad: binary((dy: number, x: number, alpha: number) => (x > 0 ? dy : alpha * dy), { params: ["alpha"] }),
  EluGrad: binary((dy: number, y: number) => (y < 0 ? dy * (y + 1) : dy)),
  SeluGrad: binary((dy: number, y: number) => (y < 0 ? dy * (y + SELU_SCALE_ALPHA) : dy * SELU_SCALE)),
  // (1 − y)(1 + y), not 1 − y·y: 1 − y is exact near 1, where 1 − y·y cancels (and the wasm kernel computes it so).
  TanhGrad: binary((y: number, dy: number) => dy * ((1 - y) * (1 + y))),
} satisfies Record<string, FormulaDef>;

/** The entry of formula `id`, if there is one. */
export function formulaDef(id: string): FormulaDef | undefined {
  return Object.hasOwn(FORMULAS, id) ? (FORMULAS as Record<string, FormulaDef>)[id] : undefined;
}

/** The scalar function of formula `id`, if there is one. */
export function formula(id: string): Formula | undefined {
  return formulaDef(id)?.fn;
}
