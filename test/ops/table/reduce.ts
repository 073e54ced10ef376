/**
 * OP_TABLE entries of the reductions (src/ops/reduce.ts): Sum, Mean, Max, Min, Prod, Any, All, ArgMax,
 * ArgMin; the adjoints of broadcasting (SumToShape, BroadcastLike, SizeRatio); and the ops Prod's
 * gradient uses (ProdExceptSelf, ProdExceptSelfGrad).
 */
import * as ts from "tensorslow";
import { unravel } from "../../helpers/assert-close.js";
import { type OpCase, type OpEntry, type R64, type ReduceCaseAttrs, broadcastToRef, buildRaw, F32_SUMS, F64_SUMS, lit, mk, none, nonzero, normAxes, reduceCases, reduceRef, rnd, shaped, sumToShapeRef } from "./kit.js";
import { foldRef, groupsRef } from "./array-kit.js";

interface BroadcastLikeCaseAttrs {
  reducedAxis?: number | number[] | "all";
  keepDims?: boolean;
}

type ReduceFn = (x: ts.NodeLike, axis?: number | readonly number[], options?: ts.ReduceOptions) => ts.Node;

function reduction(type: string, fn: ReduceFn, init: number, fold: (acc: number, v: number) => number, extra: OpCase<ReduceCaseAttrs>[] = []): OpEntry<ReduceCaseAttrs> {
  return {
    type,
    build: ([x], { axis, keepDims }) => fn(x!, axis, { keepDims }),
    ref: ([x], { axis, keepDims }) => foldRef(x!, axis, keepDims, init, fold),
    cases: [...reduceCases(), ...extra],
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32", "int32"],
  };
}

const ties: OpCase<ReduceCaseAttrs> = {
  name: "ties [[1,3,3],[2,2,0]] axis 1 (forward only: not differentiable at ties)",
  inputs: [lit([2, 3], [1, 3, 3, 2, 2, 0])],
  attrs: { axis: 1, keepDims: false },
  noGradcheck: "ties are kinks of max and min",
};

function logical(type: string, fn: ReduceFn, init: number, fold: (acc: number, v: number) => number): OpEntry<ReduceCaseAttrs> {
  const b = (shape: number[], values: number[]) => lit(shape, values);
  const c = (name: string, x: R64 | ReturnType<typeof lit>, axis: number | number[] | undefined, keepDims: boolean): OpCase<ReduceCaseAttrs> => ({
    name,
    inputs: [x],
    attrs: axis === undefined ? { keepDims } : { axis, keepDims },
  });
  return {
    type,
    build: ([x], { axis, keepDims }) => fn(x!, axis, { keepDims }),
    ref: ([x], { axis, keepDims }) => foldRef(x!, axis, keepDims, init, fold),
    cases: [
      c("[2,3] all axes", b([2, 3], [1, 0, 1, 1, 1, 1]), undefined, false),
      c("[2,3] axis 1", b([2, 3], [1, 0, 1, 1, 1, 1]), 1, false),
      c("[2,3] axis 0, keepDims", b([2, 3], [0, 0, 1, 0, 1, 1]), 0, true),
      c("[2,2,2] axes [0,-1]", b([2, 2, 2], [0, 0, 1, 0, 0, 0, 1, 1]), [0, -1], false),
      c("rank 0", b([], [1]), undefined, false),
      c("[2,0] axis 1 (empty groups)", b([2, 0], []), 1, false),
    ],
    differentiable: { notDifferentiable: "it takes and gives bool values" },
    inputDtypes: ["bool"],
    outputDtype: () => "bool",
    dtypes: ["float32"],
  };
}

interface ArgCaseAttrs {
  axis: number;
}

function argRef(x: R64, axis: number, better: (v: number, best: number) => boolean): R64 {
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const shape = x.shape.filter((_, d) => d !== ax);
  const out = mk(shape);
  for (let o = 0; o < out.data.length; o++) {
    const idx = unravel(o, shape);
    let bestAt = 0;
    const at = (k: number) => {
      const j = [...idx];
      j.splice(ax, 0, k);
      return x.data[j.reduce((f, v, d) => f * x.shape[d]! + v, 0)]!;
    };
    for (let k = 1; k < x.shape[ax]!; k++) if (better(at(k), at(bestAt))) bestAt = k;
    out.data[o] = bestAt;
  }
  return out;
}

function arg(type: string, fn: (x: ts.NodeLike, axis?: number) => ts.Node, better: (v: number, best: number) => boolean): OpEntry<ArgCaseAttrs> {
  return {
    type,
    build: ([x], { axis }) => fn(x!, axis),
    ref: ([x], { axis }) => argRef(x!, axis, better),
    cases: [
      { name: "[3,4] axis 0", inputs: [rnd([3, 4])], attrs: { axis: 0 } },
      { name: "[3,4] axis 1", inputs: [rnd([3, 4])], attrs: { axis: 1 } },
      { name: "[2,3,4] axis -2", inputs: [rnd([2, 3, 4])], attrs: { axis: -2 } },
      { name: "[5] axis 0 (a scalar result)", inputs: [rnd([5])], attrs: { axis: 0 } },
      { name: "ties [[1,3,3,0],[2,0,2,0]] axis 1: the first", inputs: [lit([2, 4], [1, 3, 3, 0, 2, 0, 2, 0])], attrs: { axis: 1 } },
      { name: "[0,3] axis 1 (no rows)", inputs: [rnd([0, 3])], attrs: { axis: 1 } },
    ],
    differentiable: { notDifferentiable: "its output is integer positions, piecewise constant in the input" },
    outputDtype: () => "int32",
    dtypes: ["float64", "float32", "int32"],
  };
}

interface AxesCaseAttrs {
  axis?: number | number[];
}

/** For each element, the product of the other elements of its group. */
function prodExceptSelfRef(x: R64, axis: AxesCaseAttrs["axis"]): R64 {
  const out = mk(x.shape);
  for (const group of groupsRef(x.shape, axis)) {
    for (const j of group) out.data[j] = group.filter((k) => k !== j).reduce((p, k) => p * x.data[k]!, 1);
  }
  return out;
}

/** h_j = Σ_{i≠j} g_i Π_{k∉{i,j}} x_k within each group. */
function prodExceptSelfGradRef(x: R64, g: R64, axis: AxesCaseAttrs["axis"]): R64 {
  const out = mk(x.shape);
  for (const group of groupsRef(x.shape, axis)) {
    for (const j of group) {
      let h = 0;
      for (const i of group) if (i !== j) h += g.data[i]! * group.filter((k) => k !== i && k !== j).reduce((p, k) => p * x.data[k]!, 1);
      out.data[j] = h;
    }
  }
  return out;
}

const withZeros = (name: string, shape: number[], values: number[], axis?: number | number[]): OpCase<AxesCaseAttrs> => ({
  name,
  inputs: [lit(shape, values)],
  attrs: axis === undefined ? {} : { axis },
});

export const REDUCE_OPS: Record<string, OpEntry<any>> = {
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
  Max: reduction("Max", ts.reduceMax, -Infinity, (a, v) => Math.max(a, v), [ties]),
  Min: reduction("Min", ts.reduceMin, Infinity, (a, v) => Math.min(a, v), [ties]),
  Prod: reduction("Prod", ts.reduceProd, 1, (a, v) => a * v, [
    { name: "[2,3] axis 1 with one zero in a row", inputs: [lit([2, 3], [1.5, 0, -2, 0.5, 1.25, 2])], attrs: { axis: 1, keepDims: false } },
    { name: "[2,3] axis 1 with two zeros in a row", inputs: [lit([2, 3], [0, 1.5, 0, 0.5, 1.25, 2])], attrs: { axis: 1, keepDims: false } },
    { name: "[3] all axes with one zero", inputs: [lit([3], [2, 0, -1.5])], attrs: { keepDims: false } },
    { name: "[3] all axes with three zeros", inputs: [lit([3], [0, 0, 0])], attrs: { keepDims: true } },
  ]),
  Any: logical("Any", ts.reduceAny, 0, (a, v) => (a || v ? 1 : 0)),
  All: logical("All", ts.reduceAll, 1, (a, v) => (a && v ? 1 : 0)),
  ArgMax: arg("ArgMax", ts.argmax, (v, best) => v > best),
  ArgMin: arg("ArgMin", ts.argmin, (v, best) => v < best),
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
  ProdExceptSelf: {
    type: "ProdExceptSelf",
    build: (xs, attrs: AxesCaseAttrs) => buildRaw("ProdExceptSelf", xs, attrs),
    ref: ([x], { axis }: AxesCaseAttrs) => prodExceptSelfRef(x!, axis),
    cases: [
      { name: "[2,3] axis 1", inputs: [rnd([2, 3])], attrs: { axis: 1 } },
      { name: "[2,3,2] axes [0,2]", inputs: [rnd([2, 3, 2])], attrs: { axis: [0, 2] } },
      { name: "[4] all axes", inputs: [rnd([4])], attrs: {} },
      withZeros("[2,3] axis -1, one zero in row 0", [2, 3], [1.5, 0, -2, 0.5, 1.25, 2], -1),
      withZeros("[2,3] axis 1, two zeros in row 0", [2, 3], [0, 1.5, 0, 0.5, 1.25, 2], 1),
      { name: "rank 0", inputs: [rnd([])], attrs: {} },
      { name: "[1,3] axis 0 (groups of one)", inputs: [rnd([1, 3])], attrs: { axis: 0 } },
    ],
    differentiable: true,
    dtypes: ["float64", "float32", "int32"],
    f64: F64_SUMS,
    f32: F32_SUMS,
  },
  ProdExceptSelfGrad: {
    type: "ProdExceptSelfGrad",
    build: (xs, attrs: AxesCaseAttrs) => buildRaw("ProdExceptSelfGrad", xs, attrs),
    ref: ([x, g], { axis }: AxesCaseAttrs) => prodExceptSelfGradRef(x!, g!, axis),
    // Its own gradient divides by x (a third derivative of a product): gradcheck away from zeros.
    cases: [
      { name: "[2,3] axis 1", inputs: [nonzero([2, 3]), rnd([2, 3])], attrs: { axis: 1 } },
      { name: "[2,3,2] axes [0,2]", inputs: [nonzero([2, 3, 2]), rnd([2, 3, 2])], attrs: { axis: [0, 2] } },
      { name: "[4] all axes", inputs: [nonzero([4]), rnd([4])], attrs: {} },
      {
        name: "[2,3] axis 1 with zeros (forward)",
        inputs: [lit([2, 3], [0, 1.5, 0, 0.5, 0, 2]), rnd([2, 3])],
        attrs: { axis: 1 },
        noGradcheck: "its gradient with respect to x divides by x",
      },
      { name: "rank 0", inputs: [nonzero([]), rnd([])], attrs: {} },
    ],
    differentiable: true,
    dtypes: ["float64", "float32", "int32"],
    f64: F64_SUMS,
    f32: F32_SUMS,
  },
};
