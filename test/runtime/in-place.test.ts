/**
 * In-place selection (runtime/in-place.ts): which fused variable updates write their variable's
 * storage, and the order that makes it safe. The expected decisions follow from the rule by hand:
 * in place when the variable is not fetched and every other reader of it can run before the
 * update's group.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import type * as Compile from "../../dist/runtime/compile.js";
import type * as Groups from "../../dist/runtime/fusion-group.js";
import { internal } from "../helpers/internals.js";

const { FusionGroup } = await internal<typeof Groups>("runtime/fusion-group.js");
const { fusedUnits, neededNodes } = await internal<typeof Compile>("runtime/compile.js");

function passes(fetches: ts.GraphNode[]): ReturnType<typeof Compile.fusedUnits> {
  const fed = new Set<ts.Node>();
  return fusedUnits(neededNodes(fetches, fed), new Set(fetches), fed, { has: (f) => ts.jsBackend.fused!.has(f) });
}

function groupOf(units: readonly unknown[], node: ts.Node): Groups.FusionGroup {
  const g = units.find((u): u is Groups.FusionGroup => u instanceof FusionGroup && u.members.includes(node as ts.Operation));
  assert.ok(g !== undefined, `${node} is fused`);
  return g;
}

/** v [2, 2], its update v += c·1, and the nodes to fetch with it. */
function updateGraph(readers: (v: ts.Variable, up: ts.Node) => ts.GraphNode[]): { v: ts.Variable; up: ts.Node; fetches: ts.GraphNode[] } {
  return new ts.Graph().asDefault(() => {
    const v = new ts.Variable(ts.tensor([[1, 2], [3, 4]], { dtype: "float64" }), { name: "v" });
    const up = ts.assignAdd(v, ts.multiply(ts.constant([[10, 20], [30, 40]], { dtype: "float64" }), 1));
    return { v, up, fetches: readers(v, up) };
  });
}

describe("in-place selection", () => {
  test("an update whose variable's other readers can all run first writes in place, after them", () => {
    let total: ts.Node | undefined;
    const { v, up, fetches } = updateGraph((v, up) => [up, (total = ts.reduceSum(v))]);
    const { units, inPlace } = passes(fetches);
    const g = groupOf(units, up);
    assert.deepEqual(inPlace.get(g), [{ output: g.outputs.indexOf(up as ts.Operation), input: g.inputs.indexOf(v) }]);
    assert.ok(g.inputs.indexOf(v) >= 0);
    // The sum was built after the update; it now runs before it.
    assert.ok(units.indexOf(total!) < units.indexOf(g), "the other reader runs first");
  });

  test("a fetched variable keeps its update out of place, and the graph's order", () => {
    let total: ts.Node | undefined;
    const { up, fetches } = updateGraph((v, up) => [up, (total = ts.reduceSum(v)), v]);
    const { units, inPlace } = passes(fetches);
    const g = groupOf(units, up);
    assert.equal(inPlace.has(g), false);
    assert.ok(units.indexOf(g) < units.indexOf(total!), "no constraint added: the update runs where it was built");
  });

  test("a reader that also needs the update's value keeps the update out of place", () => {
    const { up, fetches } = updateGraph((v, up) => [ts.matmul(v, up)]);
    const { units, inPlace } = passes(fetches);
    assert.equal(inPlace.has(groupOf(units, up)), false);
  });

  test("a reader fused into the update's own group does not prevent it (the program reads an element before it writes it)", () => {
    const { v, up, fetches } = updateGraph((v, up) => [ts.add(v, up)]);
    const { units, inPlace } = passes(fetches);
    const g = groupOf(units, up);
    assert.equal(units.filter((u) => u instanceof FusionGroup).length, 1, "one group: the update and its reader");
    assert.deepEqual(inPlace.get(g), [{ output: g.outputs.indexOf(up as ts.Operation), input: g.inputs.indexOf(v) }]);
  });

  test("two updates of one variable in a run are not fused, so none is made in place", () => {
    const { fetches } = updateGraph((v, up) => [up, ts.assignSub(v, ts.constant([[1, 1], [1, 1]], { dtype: "float64" }))]);
    const { units, inPlace } = passes(fetches);
    const updates = fetches as ts.Operation[];
    assert.ok(!units.some((u) => u instanceof FusionGroup && updates.some((x) => u.members.includes(x))));
    assert.equal(inPlace.size, 0);
  });
});
