/** OP_TABLE entries of the variable updates (src/ops/state.ts): assign, assignAdd, assignSub. */
import * as ts from "tensorslow";
import { type NoAttrs, type OpCase, type OpEntry, type R64, elementwise, mk, none, rnd } from "./kit.js";

function stateCases(): OpCase<NoAttrs>[] {
  return [
    { name: "[2,2]", inputs: [rnd([2, 2]), rnd([2, 2])], attrs: none },
    { name: "rank 0", inputs: [rnd([]), rnd([])], attrs: none },
    { name: "[3]", inputs: [rnd([3]), rnd([3])], attrs: none },
  ];
}

/** An update of a variable (input 0, a variable) by a value (input 1): `ref` is the variable's new value. */
function update(type: string, apply: (v: ts.Variable, value: ts.Node) => ts.Node, ref: (xs: R64[]) => R64): OpEntry<NoAttrs> {
  return {
    type,
    build: ([v, value]) => apply(v as ts.Variable, value!),
    ref,
    cases: stateCases(),
    differentiable: { notDifferentiable: "it updates a variable's state" },
    inputKinds: ["variable", "placeholder"],
    dtypes: ["float64", "float32", "int32"],
  };
}

export const STATE_OPS: Record<string, OpEntry<any>> = {
  Assign: update("Assign", ts.assign, ([, value]) => mk(value!.shape, value!.data.slice())),
  AssignAdd: update("AssignAdd", ts.assignAdd, (xs) => elementwise(xs, (a, b) => a + b)),
  AssignSub: update("AssignSub", ts.assignSub, (xs) => elementwise(xs, (a, b) => a - b)),
};
