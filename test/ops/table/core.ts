/** OP_TABLE entries of the core ops: arithmetic, matmul, reductions, activations, array and state ops. */
import * as ts from "tensorslow";
import { seededRandom, type ShapeMode } from "../../helpers/gradcheck.js";
import {
  OpCase,
  OpEntry,
  val,
  rnd,
  pos,
  nonzero,
  shaped,
  lit,
  mk,
  elementwise,
  normAxes,
  reduceRef,
  matmulRef,
  softmaxRef,
  sumToShapeRef,
  broadcastToRef,
  reshapeRef,
  sigmoidRef,
  buildRaw,
  NoAttrs,
  none,
  unaryCases,
  ReduceCaseAttrs,
  reduceCases,
  F64_SUMS,
  F32_SUMS,
  binary,
  unary,
} from "./kit.js";

/** Explicit values 0.5, -0.75, 1, ... (|v| growing by 0.25, alternating sign) of `shape`. */
function ramp(shape: number[]): ReturnType<typeof lit> {
  const n = shape.reduce((a, b) => a * b, 1);
  return lit(shape, Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1) * (0.5 + 0.25 * i)));
}

interface MatMulCaseAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

function matmulCases(): OpCase<MatMulCaseAttrs>[] {
  const c = (name: string, a: number[], b: number[], transposeA = false, transposeB = false, gradShapes?: ShapeMode[]): OpCase<MatMulCaseAttrs> => {
    const out: OpCase<MatMulCaseAttrs> = { name, inputs: [rnd(a), rnd(b)], attrs: { transposeA, transposeB } };
    if (gradShapes !== undefined) out.gradShapes = gradShapes;
    return out;
  };
  // Every case also runs with placeholders of unknown rank, where the gradient decides at run time
  // whether an operand is a vector (AsMatrix, LiftMatMulGrad).
  return [
    c("[2,3]·[3,4]", [2, 3], [3, 4]),
    c("[1,1]·[1,1]", [1, 1], [1, 1]),
    c("vector·matrix [3]·[3,4]", [3], [3, 4]),
    c("matrix·vector [2,3]·[3]", [2, 3], [3]),
    c("vector·vector [3]·[3]", [3], [3]),
    c("batched [2,2,3]·[3,4]", [2, 2, 3], [3, 4]),
    c("batched [2,2,3]·[2,3,4]", [2, 2, 3], [2, 3, 4]),
    c("broadcast batch [2,1,2,3]·[3,3,2]", [2, 1, 2, 3], [3, 3, 2]),
    c("vector·batch [3]·[2,3,4]", [3], [2, 3, 4]),
    c("batch·vector [2,2,3]·[3]", [2, 2, 3], [3]),
    c("transposeA [3,2]ᵀ·[3,4]", [3, 2], [3, 4], true, false),
    c("transposeB [2,3]·[4,3]ᵀ", [2, 3], [4, 3], false, true),
    c("transposeA and B [3,2]ᵀ·[4,3]ᵀ", [3, 2], [4, 3], true, true),
    c("batched transposes [2,3,2]ᵀ·[1,4,3]ᵀ", [2, 3, 2], [1, 4, 3], true, true),
    c("transposeB with a vector a: [3]·[4,3]ᵀ", [3], [4, 3], false, true),
    c("transposeA with a vector b: [3,2]ᵀ·[3]", [3, 2], [3], true, false),
    c("empty inner dimension [2,0]·[0,3] (zeros)", [2, 0], [0, 3]),
    c("empty rows [0,2]·[2,3]", [0, 2], [2, 3]),
  ];
}

const STATEFUL = { notDifferentiable: "it updates a variable's state" };

function stateCases(): OpCase<NoAttrs>[] {
  return [
    { name: "[2,2]", inputs: [rnd([2, 2]), rnd([2, 2])], attrs: none },
    { name: "rank 0", inputs: [rnd([]), rnd([])], attrs: none },
    { name: "[3]", inputs: [rnd([3]), rnd([3])], attrs: none },
  ];
}

interface ReshapeCaseAttrs {
  /** The target shape; absent for the form that takes the shape of a second (`like`) input. */
  shape?: number[];
}

interface BroadcastLikeCaseAttrs {
  reducedAxis?: number | number[] | "all";
  keepDims?: boolean;
}

// ---------------------------------------------------------------------------------------------

export const CORE_OPS: Record<string, OpEntry<any>> = {
  Add: binary("Add", (a, b) => a + b, ts.add),
  Sub: binary("Sub", (a, b) => a - b, ts.subtract),
  Mul: binary("Mul", (a, b) => a * b, ts.multiply),
  RealDiv: { ...binary("RealDiv", (a, b) => a / b, ts.divide, nonzero), dtypes: ["float64", "float32"] },

  Neg: unary("Neg", (v) => -v, ts.negative, rnd, true),
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

  MatMul: {
    type: "MatMul",
    build: ([a, b], attrs: MatMulCaseAttrs) => ts.matmul(a!, b!, attrs),
    ref: ([a, b], { transposeA, transposeB }: MatMulCaseAttrs) => matmulRef(a!, b!, transposeA, transposeB),
    cases: matmulCases(),
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32", "int32"],
    f64: F64_SUMS,
    f32: F32_SUMS,
  },

  Sum: {
    type: "Sum",
    build: ([x], { axis, keepDims }: ReduceCaseAttrs) => ts.reduceSum(x!, axis, { keepDims }),
    ref: ([x], { axis, keepDims }: ReduceCaseAttrs) => reduceRef(x!, axis, keepDims, false),
    cases: reduceCases(),
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32", "int32"],
    f64: F64_SUMS,
    f32: F32_SUMS,
  },

  Mean: {
    type: "Mean",
    build: ([x], { axis, keepDims }: ReduceCaseAttrs) => ts.reduceMean(x!, axis, { keepDims }),
    ref: ([x], { axis, keepDims }: ReduceCaseAttrs) => reduceRef(x!, axis, keepDims, true),
    cases: reduceCases(),
    differentiable: true,
    secondOrder: true,
    f64: F64_SUMS,
    f32: F32_SUMS,
  },

  SumToShape: {
    type: "SumToShape",
    // SumToShape(x, like): x summed over the axes along which `like` was broadcast to x's shape.
    build: (xs) => buildRaw("SumToShape", xs, {}),
    ref: ([x, like]) => sumToShapeRef(x!, like!.shape),
    cases: [
      { name: "[2,3,4] to [3,1]", inputs: [rnd([2, 3, 4]), shaped([3, 1])], attrs: none },
      { name: "[2,3] to [3] (a leading axis)", inputs: [rnd([2, 3]), shaped([3])], attrs: none },
      { name: "[4,3] to [1,3]", inputs: [rnd([4, 3]), shaped([1, 3])], attrs: none },
      { name: "[2,3] to a scalar", inputs: [rnd([2, 3]), shaped([])], attrs: none },
      { name: "[2,3] to [2,3] (nothing summed)", inputs: [rnd([2, 3]), shaped([2, 3])], attrs: none },
      { name: "empty [0,3] to [3] (zeros)", inputs: [rnd([0, 3]), shaped([3])], attrs: none },
    ],
    differentiable: true,
    secondOrder: true,
    f64: F64_SUMS,
    f32: F32_SUMS,
  },

  BroadcastLike: {
    type: "BroadcastLike",
    // BroadcastLike(x, like): x (with reduced axes put back as size 1) stretched to like's shape.
    build: (xs, attrs: BroadcastLikeCaseAttrs) => buildRaw("BroadcastLike", xs, attrs),
    ref: ([x, like], { reducedAxis, keepDims }: BroadcastLikeCaseAttrs) => {
      let shape = x!.shape;
      if (reducedAxis !== undefined && !keepDims) {
        const axes = reducedAxis === "all" ? like!.shape.map((_, i) => i) : normAxes(reducedAxis, like!.shape.length);
        shape = like!.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      }
      return broadcastToRef(mk(shape, x!.data), like!.shape);
    },
    cases: [
      { name: "[3,1] to [2,3,4]", inputs: [rnd([3, 1]), shaped([2, 3, 4])], attrs: {} },
      { name: "a scalar to [2,3]", inputs: [rnd([]), shaped([2, 3])], attrs: {} },
      { name: "[3] to [2,3]", inputs: [rnd([3]), shaped([2, 3])], attrs: {} },
      { name: "[2,3] to [2,3] (same shape)", inputs: [rnd([2, 3]), shaped([2, 3])], attrs: {} },
      { name: "[3] to an empty [0,3]", inputs: [rnd([3]), shaped([0, 3])], attrs: {} },
      { name: "reduced over [0,-1]: [3] to [2,3,4]", inputs: [rnd([3]), shaped([2, 3, 4])], attrs: { reducedAxis: [0, -1] } },
      { name: "reduced over [0,-1] keepDims: [1,3,1] to [2,3,4]", inputs: [rnd([1, 3, 1]), shaped([2, 3, 4])], attrs: { reducedAxis: [0, -1], keepDims: true } },
      { name: "reduced over axis 1: [2,4] to [2,3,4]", inputs: [rnd([2, 4]), shaped([2, 3, 4])], attrs: { reducedAxis: 1 } },
      { name: "reduced over all: a scalar to [2,3]", inputs: [rnd([]), shaped([2, 3])], attrs: { reducedAxis: "all" } },
    ],
    differentiable: true,
    secondOrder: true,
  },

  AsMatrix: {
    type: "AsMatrix",
    // A vector [k] as a row [1,k] or a column [k,1]; a matrix or a stack of matrices unchanged.
    build: (xs, attrs: { vectorAs: "row" | "column" }) => buildRaw("AsMatrix", xs, attrs),
    ref: ([x], { vectorAs }: { vectorAs: "row" | "column" }) => {
      const k = x!.shape[0]!;
      const shape = x!.shape.length !== 1 ? x!.shape : vectorAs === "row" ? [1, k] : [k, 1];
      return mk(shape, x!.data.slice());
    },
    cases: [
      { name: "a vector as a row", inputs: [rnd([3])], attrs: { vectorAs: "row" } },
      { name: "a vector as a column", inputs: [rnd([3])], attrs: { vectorAs: "column" } },
      { name: "a matrix unchanged", inputs: [rnd([2, 3])], attrs: { vectorAs: "row" } },
      { name: "a batch unchanged", inputs: [rnd([2, 2, 3])], attrs: { vectorAs: "column" } },
    ],
    differentiable: true,
    secondOrder: true,
  },

  LiftMatMulGrad: {
    type: "LiftMatMulGrad",
    // LiftMatMulGrad(dy, a, b): dy with a 1 put back before its last axis when a is a vector and
    // at its end when b is a vector (the shape of the product of the lifted operands).
    build: (xs) => buildRaw("LiftMatMulGrad", xs, {}),
    ref: ([dy, a, b]) => {
      const shape = [...dy!.shape];
      if (b!.shape.length === 1) shape.push(1);
      if (a!.shape.length === 1) shape.splice(shape.length - 1, 0, 1);
      return mk(shape, dy!.data.slice());
    },
    cases: [
      { name: "vector·matrix: [4] from [3]·[3,4]", inputs: [rnd([4]), shaped([3]), shaped([3, 4])], attrs: none },
      { name: "matrix·vector: [2] from [2,3]·[3]", inputs: [rnd([2]), shaped([2, 3]), shaped([3])], attrs: none },
      { name: "vector·vector: a scalar from [3]·[3]", inputs: [rnd([]), shaped([3]), shaped([3])], attrs: none },
      { name: "batch·vector: [2,2] from [2,2,3]·[3]", inputs: [rnd([2, 2]), shaped([2, 2, 3]), shaped([3])], attrs: none },
      { name: "matrices: [2,4] unchanged", inputs: [rnd([2, 4]), shaped([2, 3]), shaped([3, 4])], attrs: none },
    ],
    differentiable: true,
    secondOrder: true,
  },

  UnliftMatMulGrad: {
    type: "UnliftMatMulGrad",
    // UnliftMatMulGrad(d, operand): d without the axis AsMatrix added when the operand is a vector
    // (the second-to-last for a row, the last for a column); batch dimensions stay.
    build: (xs, attrs: { vectorAs: "row" | "column" }) => buildRaw("UnliftMatMulGrad", xs, attrs),
    ref: ([d, operand], { vectorAs }: { vectorAs: "row" | "column" }) => {
      const shape = [...d!.shape];
      if (operand!.shape.length === 1) shape.splice(shape.length + (vectorAs === "row" ? -2 : -1), 1);
      return mk(shape, d!.data.slice());
    },
    // Explicit values, not draws: drawing here would shift the seeded values of every later entry.
    cases: [
      { name: "a row's gradient [1,3] for a vector [3]", inputs: [ramp([1, 3]), ramp([3])], attrs: { vectorAs: "row" } },
      { name: "a column's gradient [3,1] for a vector [3]", inputs: [ramp([3, 1]), ramp([3])], attrs: { vectorAs: "column" } },
      { name: "batched rows [2,1,3] for a vector [3]", inputs: [ramp([2, 1, 3]), ramp([3])], attrs: { vectorAs: "row" } },
      { name: "batched columns [2,3,1] for a vector [3]", inputs: [ramp([2, 3, 1]), ramp([3])], attrs: { vectorAs: "column" } },
      { name: "a matrix's gradient [2,3,4] unchanged", inputs: [ramp([2, 3, 4]), ramp([3, 4])], attrs: { vectorAs: "row" } },
    ],
    differentiable: true,
    secondOrder: true,
  },

  SizeRatio: {
    type: "SizeRatio",
    build: (xs) => buildRaw("SizeRatio", xs, {}),
    ref: ([x, y]) => mk([], Float64Array.of(x!.data.length / y!.data.length)),
    cases: [
      { name: "[2,3,4] over [4]", inputs: [shaped([2, 3, 4]), shaped([4])], attrs: none },
      { name: "[2,3] over a scalar", inputs: [shaped([2, 3]), shaped([])], attrs: none },
      { name: "[3] over [2,3] (a fraction)", inputs: [shaped([3]), shaped([2, 3])], attrs: none },
    ],
    differentiable: { notDifferentiable: "its value depends only on the shapes of its inputs" },
  },

  Identity: {
    type: "Identity",
    build: ([x]) => ts.identity(x!),
    ref: ([x]) => mk(x!.shape, x!.data.slice()),
    cases: unaryCases(rnd),
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32", "int32"],
  },

  StopGradient: {
    type: "StopGradient",
    build: ([x]) => ts.stopGradient(x!),
    ref: ([x]) => mk(x!.shape, x!.data.slice()),
    cases: unaryCases(rnd),
    differentiable: { notDifferentiable: "it passes values forward and, by definition, no gradient back" },
    dtypes: ["float64", "float32", "int32"],
  },

  CheckNumerics: {
    type: "CheckNumerics",
    build: ([x]) => ts.checkNumerics(x!, "table"),
    ref: ([x]) => mk(x!.shape, x!.data.slice()),
    // Samples of its own: drawing from the shared generator would change every later entry's values.
    cases: unaryCases((shape) => {
      const own = seededRandom(15);
      return { shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 4 * own() - 2) };
    }),
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32"],
  },

  Reshape: {
    type: "Reshape",
    build: (xs, { shape }: ReshapeCaseAttrs) => (shape === undefined ? buildRaw("Reshape", xs, {}) : ts.reshape(xs[0]!, shape)),
    ref: ([x, like], { shape }: ReshapeCaseAttrs) => reshapeRef(x!, shape ?? like!.shape),
    cases: [
      { name: "[2,3] to [3,2]", inputs: [rnd([2, 3])], attrs: { shape: [3, 2] } },
      { name: "[2,3] to [-1]", inputs: [rnd([2, 3])], attrs: { shape: [-1] } },
      { name: "[2,3] to [3,-1]", inputs: [rnd([2, 3])], attrs: { shape: [3, -1] } },
      { name: "[2,3] to [1,6,1]", inputs: [rnd([2, 3])], attrs: { shape: [1, 6, 1] } },
      { name: "rank 0 to [1,1]", inputs: [rnd([])], attrs: { shape: [1, 1] } },
      { name: "[1] to rank 0", inputs: [rnd([1])], attrs: { shape: [] } },
      { name: "empty [0,3] to [3,-1]", inputs: [rnd([0, 3])], attrs: { shape: [3, -1] } },
      { name: "like form: [2,3] to the shape of a [3,2]", inputs: [rnd([2, 3]), shaped([3, 2])], attrs: {} },
      { name: "like form: [4] to the shape of a [2,1,2]", inputs: [rnd([4]), shaped([2, 1, 2])], attrs: {} },
    ],
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32", "int32"],
  },

  ExpandDims: {
    type: "ExpandDims",
    build: ([x], { axis }: { axis: number }) => ts.expandDims(x!, axis),
    ref: ([x], { axis }: { axis: number }) => {
      const shape = [...x!.shape];
      shape.splice(axis < 0 ? axis + shape.length + 1 : axis, 0, 1);
      return mk(shape, x!.data.slice());
    },
    cases: [
      { name: "[2,3] axis 0", inputs: [rnd([2, 3])], attrs: { axis: 0 } },
      { name: "[2,3] axis 1", inputs: [rnd([2, 3])], attrs: { axis: 1 } },
      { name: "[2,3] axis 2", inputs: [rnd([2, 3])], attrs: { axis: 2 } },
      { name: "[2,3] axis -1", inputs: [rnd([2, 3])], attrs: { axis: -1 } },
      { name: "[2,3] axis -3", inputs: [rnd([2, 3])], attrs: { axis: -3 } },
      { name: "rank 0 axis 0", inputs: [rnd([])], attrs: { axis: 0 } },
    ],
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32", "int32"],
  },

  OnesLike: {
    type: "OnesLike",
    build: ([x]) => ts.onesLike(x!),
    ref: ([x]) => mk(x!.shape, new Float64Array(x!.data.length).fill(1)),
    cases: unaryCases(rnd),
    differentiable: { notDifferentiable: "its value does not depend on the input's values" },
    dtypes: ["float64", "float32", "int32"],
  },
  ZerosLike: {
    type: "ZerosLike",
    build: ([x]) => ts.zerosLike(x!),
    ref: ([x]) => mk(x!.shape, new Float64Array(x!.data.length)),
    cases: unaryCases(rnd),
    differentiable: { notDifferentiable: "its value does not depend on the input's values" },
    dtypes: ["float64", "float32", "int32", "bool"],
  },

  Assign: {
    type: "Assign",
    build: ([v, value]) => ts.assign(v as ts.Variable, value!),
    ref: ([, value]) => mk(value!.shape, value!.data.slice()),
    cases: stateCases(),
    differentiable: STATEFUL,
    inputKinds: ["variable", "placeholder"],
    dtypes: ["float64", "float32", "int32"],
  },
  AssignAdd: {
    type: "AssignAdd",
    build: ([v, value]) => ts.assignAdd(v as ts.Variable, value!),
    ref: (xs) => elementwise(xs, (a, b) => a + b),
    cases: stateCases(),
    differentiable: STATEFUL,
    inputKinds: ["variable", "placeholder"],
    dtypes: ["float64", "float32", "int32"],
  },
  AssignSub: {
    type: "AssignSub",
    build: ([v, value]) => ts.assignSub(v as ts.Variable, value!),
    ref: (xs) => elementwise(xs, (a, b) => a - b),
    cases: stateCases(),
    differentiable: STATEFUL,
    inputKinds: ["variable", "placeholder"],
    dtypes: ["float64", "float32", "int32"],
  },
};

