/** OP_TABLE entries of the variable updates (src/ops/state.ts): assign, assignAdd, assignSub. */
import * as ts from "tensorslow";
import { type NoAttrs, type OpCase, type OpEntry, elementwise, mk, none, rnd } from "./kit.js";

const STATEFUL = { notDifferentiable: "it updates a variable's state" };

function stateCases(): OpCase<NoAttrs>[] {
  return [
    { name: "[2,2]", inputs: [rnd([2, 2]), rnd([2, 2])], attrs: none },
    { name: "rank 0", inputs: [rnd([]), rnd([])], attrs: none },
    { name: "[3]", inputs: [rnd([3]), rnd([3])], attrs: none },
  ];
}

export const STATE_OPS: Record<string, OpEntry<any>> = {
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
