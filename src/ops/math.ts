/**
 * Elementwise arithmetic, broadcasting by numpy's rules: add, subtract, multiply, divide, pow,
 * maximum, minimum and clipByValue; negative, abs, sign, log, log1p, exp, square, sqrt and floor; and cast
 * between dtypes. Gradients follow TensorFlow's (math_grad.py).
 */
import { Node, type GradientFn, type TensorSpec } from "../graph/index.js";
import { DTYPES, DTypeError, ShapeError, broadcastStatic, formatShape, isDType, isDTypeArg, isFloatDType, requireArg, staticCompatible, storageDType, type DType, type DTypeLike } from "../tensor/index.js";
import { zerosLike } from "./array.js";
import { greater, greaterEqual, less, lessEqual, logicalOr } from "./compare.js";
import { apply, defineOp, isNameArg, nodeName, type NodeLike, type NameArg } from "./define.js";
import { broadcastBinary, floatUnary, numericUnary, requireNumeric, requireSameDtype } from "./infer.js";
import { where } from "./select.js";

type NoAttrs = Record<string, never>;

/**
 * A broadcasting binary op. Its gradient builder returns the gradient for each input at the
 * *output's* shape; gradients() sums each back over the axes the input was broadcast along.
 */
function defineBinary(type: string, gradient: GradientFn<NoAttrs>, floatOnly = false) {
  return defineOp<NoAttrs>({ type, infer: broadcastBinary(type, floatOnly), gradient, broadcasts: true, elementwise: { formula: type } });
}

export const Add = defineBinary("Add", (_op, dy) => [dy, dy]);
export const Sub = defineBinary("Sub", (_op, dy) => [dy, negative(dy)]);
export const Mul = defineBinary("Mul", (op, dy) => [multiply(dy, op.inputs[1]!), multiply(dy, op.inputs[0]!)]);
// d(a/b)/db = -a/b² = -(a/b)/b, reusing the op's own output. Floats only: TensorFlow's `divide`
// of integers is a true division with a float result, never a truncating one.
export const RealDiv = defineBinary(
  "RealDiv",
  (op, dy) => [divide(dy, op.inputs[1]!), negative(divide(multiply(dy, op), op.inputs[1]!))],
  true,
);

export const Neg = defineOp<NoAttrs>({ type: "Neg", infer: numericUnary("Neg"), gradient: (_op, dy) => [negative(dy)], elementwise: { formula: "Neg" } });
export const Abs = defineOp<NoAttrs>({
  type: "Abs",
  infer: numericUnary("Abs"),
  gradient: (op, dy) => [multiply(dy, sign(op.inputs[0]!))],
  elementwise: { formula: "Abs" },
});

export const Sign = defineOp<NoAttrs>({
  type: "Sign",
  infer: numericUnary("Sign"),
  // Zero wherever it is defined; TensorFlow registers zeros rather than no gradient.
  gradient: (op) => [zerosLike(op.inputs[0]!)],
  elementwise: { formula: "Sign" },
});

export const Log = defineOp<NoAttrs>({
  type: "Log",
  infer: floatUnary("Log"),
  gradient: (op, dy) => [divide(dy, op.inputs[0]!)],
  elementwise: { formula: "Log" },
});
export const Log1p = defineOp<NoAttrs>({
  type: "Log1p",
  infer: floatUnary("Log1p"),
  gradient: (op, dy) => [divide(dy, add(1, op.inputs[0]!))],
  elementwise: { formula: "Log1p" },
});
export const Exp = defineOp<NoAttrs>({
  type: "Exp",
  infer: floatUnary("Exp"),
  gradient: (op, dy) => [multiply(dy, op)],
  elementwise: { formula: "Exp" },
});
export const Square = defineOp<NoAttrs>({
  type: "Square",
  infer: numericUnary("Square"),
  gradient: (op, dy) => [multiply(dy, multiply(2, op.inputs[0]!))],
  elementwise: { formula: "Square" },
});
export const Sqrt = defineOp<NoAttrs>({
  type: "Sqrt",
  infer: floatUnary("Sqrt"),
  gradient: (op, dy) => [divide(dy, multiply(2, op))],
  elementwise: { formula: "Sqrt" },
});

// Piecewise constant: TensorFlow gives Floor no gradient either.
export const Floor = defineOp<NoAttrs>({
  type: "Floor",
  infer: floatUnary("Floor"),
  gradient: { notDifferentiable: "it is piecewise constant (its derivative is zero wherever it exists)" },
  elementwise: { formula: "Floor" },
});

export const Pow = defineOp<NoAttrs>({
  type: "Pow",
  infer: broadcastBinary("Pow"),
  broadcasts: true,
  elementwise: { formula: "Pow" },
  gradient: (op, dy) => {
    const [x, y] = op.inputs as [Node, Node];
    // d/dx x^y = y·x^(y−1);  d/dy x^y = x^y·log x, taken as 0 where x <= 0 (TensorFlow's choice:
    // no real logarithm there). log reads 1 in place of such x, so no NaN leaks into the gradient
    // of the gradient through the branch `where` discards.
    const positive = greater(x, 0);
    const logX = where(positive, log(where(positive, x, 1)), 0);
    return [multiply(dy, multiply(y, pow(x, subtract(y, 1)))), multiply(multiply(dy, op), logX)];
  },
});

/** TensorFlow's rule at ties: x gets the whole gradient where `selectsX(x, y)` (>= for max, <= for min). */
function minMaxGradient(selectsX: (x: Node, y: Node) => Node): GradientFn<NoAttrs> {
  return (op, dy) => {
    const [x, y] = op.inputs as [Node, Node];
    const toX = selectsX(x, y);
    return [where(toX, dy, 0), where(toX, 0, dy)];
  };
}

export const Maximum = defineOp<NoAttrs>({
  type: "Maximum",
  infer: broadcastBinary("Maximum"),
  broadcasts: true,
  elementwise: { formula: "Maximum" },
  gradient: minMaxGradient(greaterEqual),
});

export const Minimum = defineOp<NoAttrs>({
  type: "Minimum",
  infer: broadcastBinary("Minimum"),
  broadcasts: true,
  elementwise: { formula: "Minimum" },
  gradient: minMaxGradient(lessEqual),
});

export const ClipByValue = defineOp<NoAttrs>({
  type: "ClipByValue",
  // The bounds broadcast to t; t has the output's shape.
  broadcasts: [1, 2],
  infer: ([t, lo, hi], _attrs, name): TensorSpec => {
    const context = `ClipByValue '${name}'`;
    requireNumeric("ClipByValue", name, t!);
    requireSameDtype("ClipByValue", name, t!.dtype, lo!.dtype);
    requireSameDtype("ClipByValue", name, t!.dtype, hi!.dtype);
    let shape = t!.shape;
    // The bounds broadcast to t; they may not make the result larger than t (TensorFlow checks
    // that the clipped value keeps t's shape). What they know of t's unknown dimensions is kept.
    for (const [bound, what] of [[lo!, "clip_value_min"], [hi!, "clip_value_max"]] as const) {
      const joint = broadcastStatic(shape, bound.shape, context);
      if (joint === null || shape === null) continue;
      if (joint.length !== shape.length || !staticCompatible(joint, shape)) {
        throw new ShapeError(
          `${context}: ${what} of shape ${formatShape(bound.shape)} would broadcast t of shape ${formatShape(t!.shape)} to ${formatShape(joint)}; a bound must be a scalar or broadcast to t's shape`,
        );
      }
      shape = shape.map((d, i) => d ?? joint[i] ?? null);
    }
    return { dtype: t!.dtype, shape };
  },
  // TensorFlow's gradient: to t where min <= t <= max, to min where t < min, to max where t > max.
  gradient: (op, dy) => {
    const [t, lo, hi] = op.inputs as [Node, Node, Node];
    const below = less(t, lo);
    const above = greater(t, hi);
    return [where(logicalOr(below, above), 0, dy), where(below, dy, 0), where(above, dy, 0)];
  },
});

export interface CastAttrs {
  /** The destination dtype, under TensorFlow's attribute name. */
  DstT: DType;
}

export const Cast = defineOp<CastAttrs>({
  type: "Cast",
  infer: ([x], { DstT }, name): TensorSpec => {
    if (!isDType(DstT)) throw new DTypeError(`Cast '${name}': unknown target dtype ${JSON.stringify(DstT)} (one of ${DTYPES.join(", ")})`);
    return { dtype: DstT, shape: x!.shape };
  },
  // As TensorFlow: the gradient flows back between float dtypes only (an integer or bool value
  // has no neighbourhood to differentiate in).
  gradient: (op, dy) => {
    const from = op.inputs[0]!.dtype;
    return [isFloatDType(from) && isFloatDType(op.dtype) ? cast(dy, from) : null];
  },
});

/** x + y, broadcasting by numpy rules. */
export function add(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(Add, [x, y], {}, name ?? "Add");
}
export function subtract(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(Sub, [x, y], {}, name);
}
export function multiply(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(Mul, [x, y], {}, name);
}
/** x / y elementwise (TensorFlow's `divide`/`truediv`). */
export function divide(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(RealDiv, [x, y], {}, name);
}
export function negative(x: NodeLike, name?: NameArg): Node {
  return apply(Neg, [x], {}, name);
}
export function abs(x: NodeLike, name?: NameArg): Node {
  return apply(Abs, [x], {}, name);
}
/** −1, 0 or 1 by the sign of x (NaN stays NaN). */
export function sign(x: NodeLike, name?: NameArg): Node {
  return apply(Sign, [x], {}, name);
}
/** Natural logarithm; log(0) is -Infinity, as in IEEE arithmetic. */
export function log(x: NodeLike, name?: NameArg): Node {
  return apply(Log, [x], {}, name);
}
/** log(1 + x), accurate where x is small (1 + x would round away x's low digits first); floats only. */
export function log1p(x: NodeLike, name?: NameArg): Node {
  return apply(Log1p, [x], {}, name);
}
export function exp(x: NodeLike, name?: NameArg): Node {
  return apply(Exp, [x], {}, name);
}
export function square(x: NodeLike, name?: NameArg): Node {
  return apply(Square, [x], {}, name);
}
export function sqrt(x: NodeLike, name?: NameArg): Node {
  return apply(Sqrt, [x], {}, name);
}
/** The largest integer not greater than x, elementwise (floats only). */
export function floor(x: NodeLike, name?: NameArg): Node {
  return apply(Floor, [x], {}, name);
}
/** x to the power y elementwise, broadcasting; for int32, y must not be negative (as in TensorFlow). */
export function pow(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(Pow, [x, y], {}, name);
}

/** The larger of x and y elementwise, broadcasting. */
export function maximum(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(Maximum, [x, y], {}, name);
}

export function minimum(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(Minimum, [x, y], {}, name);
}

/**
 * `t` with values below `clipValueMin` raised to it and above `clipValueMax` lowered to it. The
 * bounds are scalars or broadcast to t's shape. Where min > max the result is min, as in TensorFlow.
 */
export function clipByValue(t: NodeLike, clipValueMin: NodeLike, clipValueMax: NodeLike, name?: NameArg): Node {
  return apply(ClipByValue, [t, clipValueMin, clipValueMax], {}, name);
}

/**
 * `x` as `dtype`: floats to int32 truncate toward zero (saturating at int32's range, NaN to 0, where
 * TensorFlow's result is platform-defined), anything nonzero becomes true, bools become 0 or 1. A
 * node that already has the dtype is returned as it is, as TensorFlow's `cast` does.
 */
/** `x` as `dtype` (TensorFlow's other names too: "int64" casts to the int32 that stores it). */
export function cast(x: NodeLike, dtype: DTypeLike, name?: NameArg): Node {
  requireArg("cast", "dtype", dtype, isDTypeArg);
  requireArg("cast", "name", name, isNameArg);
  // Checked before the no-op case returns, so that a wrong option is refused whatever x's dtype.
  const nodeNameGiven = name === undefined ? undefined : nodeName("Cast", name);
  const to = storageDType(dtype);
  if (x instanceof Node && x.dtype === to) return x;
  return apply(Cast, [x], { DstT: to }, nodeNameGiven);
}

// TensorFlow 1.x's cast shorthands (deprecated there in favour of `cast`, common in its scripts).
export function toFloat(x: NodeLike, name: NameArg = "ToFloat"): Node {
  requireArg("toFloat", "name", name, isNameArg);
  return cast(x, "float32", name);
}
export function toDouble(x: NodeLike, name: NameArg = "ToDouble"): Node {
  requireArg("toDouble", "name", name, isNameArg);
  return cast(x, "float64", name);
}
export function toInt32(x: NodeLike, name: NameArg = "ToInt32"): Node {
  requireArg("toInt32", "name", name, isNameArg);
  return cast(x, "int32", name);
}
/** int64 values are stored as int32 here (see dtype.ts): this is `toInt32`, under TensorFlow's name. */
export function toInt64(x: NodeLike, name: NameArg = "ToInt64"): Node {
  requireArg("toInt64", "name", name, isNameArg);
  return cast(x, "int64", name);
}
