/** OP_TABLE entries of identity, stopGradient, reshape, expandDims, onesLike and zerosLike (src/ops/array.ts). */
import * as ts from "tensorslow";
import { type OpEntry, buildRaw, mk, reshapeRef, rnd, shaped, unaryCases } from "./kit.js";

interface ReshapeCaseAttrs {
  /** The target shape; absent for the form that takes the shape of a second (`like`) input. */
  shape?: number[];
}

export const ARRAY_OPS: Record<string, OpEntry<any>> = {
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
};
