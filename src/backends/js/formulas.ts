/**
 * The scalar functions of the elementwise ops, by formula id: what an op's `elementwise.formula`
 * names. The JS kernels of those ops loop over these functions, and the fused kernel (fused.ts)
 * composes them, so an op computes the same thing fused or not. Parameters (LeakyRelu's alpha)
 * come after the arguments.
 */
export type Formula = (...args: number[]) => number;

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

// SELU's constants (Klambauer et al., "Self-Normalizing Neural Networks", 2017), as in TensorFlow.
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_SCALE_ALPHA = SELU_SCALE * SELU_ALPHA;

export const FORMULAS = {
  Identity: (x: number) => x,
  Add: (a: number, b: number) => a + b,
  Sub: (a: number, b: number) => a - b,
  Mul: (a: number, b: number) => a * b,
  RealDiv: (a: number, b: number) => a / b,
  Neg: (x: number) => -x,
  Log: Math.log,
  Exp: Math.exp,
  Square: (x: number) => x * x,
  Sqrt: Math.sqrt,
  Floor: Math.floor,
  Sigmoid: stableSigmoid,
  SigmoidGrad: (y: number, dy: number) => dy * y * (1 - y),
  Pow: powFloat,
  Maximum: Math.max,
  Minimum: Math.min,
  // Written so that NaN passes through (a comparison with NaN is false).
  Relu: (x: number) => (x < 0 ? 0 : x),
  Relu6: (x: number) => (x < 0 ? 0 : x > 6 ? 6 : x),
  LeakyRelu: (x: number, alpha: number) => (x > 0 ? x : alpha * x),
  Elu: (x: number) => (x < 0 ? Math.expm1(x) : x),
  Selu: (x: number) => (x < 0 ? SELU_SCALE_ALPHA * Math.expm1(x) : SELU_SCALE * x),
  // log(1 + e^x) = log1p(e^−|x|) + max(x, 0): e^−|x| <= 1 never overflows.
  Softplus: (x: number) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0),
  Tanh: Math.tanh,
  Abs: Math.abs,
  Sign: Math.sign,
  ReluGrad: (dy: number, y: number) => (y > 0 ? dy : 0),
  Relu6Grad: (dy: number, y: number) => (y > 0 && y < 6 ? dy : 0),
  LeakyReluGrad: (dy: number, x: number, alpha: number) => (x > 0 ? dy : alpha * dy),
  EluGrad: (dy: number, y: number) => (y < 0 ? dy * (y + 1) : dy),
  SeluGrad: (dy: number, y: number) => (y < 0 ? dy * (y + SELU_SCALE_ALPHA) : dy * SELU_SCALE),
  // (1 − y)(1 + y), not 1 − y·y: 1 − y is exact near 1, where 1 − y·y cancels (and the wasm kernel computes it so).
  TanhGrad: (y: number, dy: number) => dy * ((1 - y) * (1 + y)),
} satisfies Record<string, Formula>;

export type FormulaId = keyof typeof FORMULAS;

export function formula(id: string): Formula | undefined {
  return Object.hasOwn(FORMULAS, id) ? (FORMULAS as Record<string, Formula>)[id] : undefined;
}
