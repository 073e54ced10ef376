/**
 * Fusion groups (runtime/fusion-group.ts): where each member reads its inputs, which members are
 * outputs, and that a group, once built, cannot change — the passes after grouping keep their own
 * decisions beside it.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import type * as Compile from "../../dist/runtime/compile.js";
import type * as Groups from "../../dist/runtime/fusion-group.js";
import { internal } from "../helpers/internals.js";

const { FusionGroup } = await internal<typeof Groups>("runtime/fusion-group.js");
const { fusedUnits, neededNodes } = await internal<typeof Compile>("runtime/compile.js");

describe("FusionGroup", () => {
  test("members read group inputs or earlier members, as the graph says; outputs are the observed members", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder("float64", [null, 3], "x");
      const y = ts.placeholder("float64", [null, 3], "y");
      const a = ts.sigmoid(x) as ts.Operation;
      const b = ts.multiply(a, y) as ts.Operation;
      const c = ts.add(b, a) as ts.Operation;
      const g = new FusionGroup([a, b, c], (m) => m === a || m === c);
      assert.equal(g.inputs.length, 2);
      assert.ok(g.inputs[0] === x && g.inputs[1] === y, "inputs in first-use order");
      assert.deepEqual(g.sources, [
        [{ from: "input", index: 0 }],
        [{ from: "member", index: 0 }, { from: "input", index: 1 }],
        [{ from: "member", index: 1 }, { from: "member", index: 0 }],
      ]);
      assert.ok(g.outputs.length === 2 && g.outputs[0] === a && g.outputs[1] === c);
      assert.deepEqual(g.outputMembers, [0, 2]);
      assert.ok(g.root === c);
      assert.equal(g.dtype, "float64");
      assert.equal(g.variableOf(0), undefined);
    });
  });

  test("an update's output names its variable", () => {
    new ts.Graph().asDefault(() => {
      const v = new ts.Variable(ts.tensor([1, 2], { dtype: "float32" }));
      const step = ts.multiply(ts.constant([3, 4], { dtype: "float32" }), 2) as ts.Operation;
      const up = ts.assignAdd(v, step) as ts.Operation;
      const g = new FusionGroup([step, up], (m) => m === up);
      assert.ok(g.variableOf(0) === v);
      assert.ok(g.inputs.includes(v), "the variable is read from outside the group");
    });
  });

  test("a group is frozen, down to each source, and does not share the array it was built from", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder("float32", [2]);
      const a = ts.exp(x) as ts.Operation;
      const b = ts.negative(a) as ts.Operation;
      const members = [a, b];
      const g = new FusionGroup(members, () => true);
      members.pop();
      assert.equal(g.members.length, 2, "the caller's array changed, the group did not");
      for (const part of [g, g.members, g.outputs, g.outputMembers, g.inputs, g.sources, ...g.sources, ...g.sources.flat()]) assert.ok(Object.isFrozen(part));
      // ES modules are strict: writing a frozen object throws.
      assert.throws(() => (g.members as ts.Operation[]).push(a), TypeError);
      assert.throws(() => ((g.sources[1]![0] as { index: number }).index = 5), TypeError);
      assert.throws(() => ((g as unknown as { dtype: string }).dtype = "float64"), TypeError);
    });
  });

  test("the groups of an Adam step are frozen once the fusion passes are done with them", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder("float32", [null, 3]);
      const w = new ts.Variable(ts.random.normal([3, 2], { seed: 3 }));
      const step = new ts.train.AdamOptimizer(0.01).minimize(ts.reduceSum(ts.square(ts.matmul(x, w))));
      const fed = new Set<ts.Node>([x]);
      const { units, inPlace } = fusedUnits(neededNodes([step], fed), new Set([step]), fed, { has: (f) => ts.jsBackend.fused!.has(f) });
      const groups = units.filter((u): u is Groups.FusionGroup => u instanceof FusionGroup);
      assert.ok(groups.length >= 2, `${groups.length} groups`);
      for (const g of groups) assert.ok(Object.isFrozen(g) && Object.isFrozen(g.members) && Object.isFrozen(g.outputs) && Object.isFrozen(g.inputs));
      assert.ok(inPlace.size > 0, "in-place decisions were made, beside the groups");
      for (const list of inPlace.values()) assert.ok(Object.isFrozen(list) && list.every((w) => Object.isFrozen(w)));
    });
  });
});
