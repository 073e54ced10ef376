/** OP_TABLE entries of matmul and the ops its gradient uses for vector operands (src/ops/matmul.ts). */
import * as ts from "tensorslow";
import type { ShapeMode } from "../../helpers/gradcheck.js";
import { type OpCase, type OpEntry, buildRaw, F32_SUMS, F64_SUMS, lit, matmulRef, mk, none, rnd, shaped } from "./kit.js";

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

export const MATMUL_OPS: Record<string, OpEntry<any>> = {
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
};
