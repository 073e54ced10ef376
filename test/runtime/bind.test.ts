/**
 * Binding a fusion group to concrete shapes (runtime/bind.ts): the program and its [outer, inner]
 * split when every input lines up with the domain as full, row, column or scalar; the members
 * path when none does. Expected splits worked out by hand.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import type * as Bind from "../../dist/runtime/bind.js";
import type * as Groups from "../../dist/runtime/fusion-group.js";
import { internal } from "../helpers/internals.js";

const { bind } = await internal<typeof Bind>("runtime/bind.js");
const { FusionGroup } = await internal<typeof Groups>("runtime/fusion-group.js");

/** sigmoid(x + y) over x, y of unknown shape, as one group. */
function sigmoidOfSum(rank: number): Groups.FusionGroup {
  return new ts.Graph().asDefault(() => {
    const shape = new Array<null>(rank).fill(null);
    const s = ts.add(ts.placeholder("float32", shape), ts.placeholder("float32", shape)) as ts.Operation;
    const out = ts.sigmoid(s) as ts.Operation;
    return new FusionGroup([s, out], (m) => m === out);
  });
}

describe("bind", () => {
  test("equal shapes: one program over the whole domain", () => {
    const b = bind(sigmoidOfSum(3), [[2, 3, 4], [2, 3, 4]]);
    assert.equal(b.kind, "program");
    assert.deepEqual(b.shapes, [[2, 3, 4], [2, 3, 4]]);
    if (b.kind !== "program") return;
    assert.deepEqual([b.outer, b.inner], [1, 24]);
    assert.deepEqual(b.program.inputs, ["full", "full"]);
    assert.deepEqual(b.program.code.map((c) => c.formula), ["Add", "Sigmoid"]);
    assert.deepEqual(b.programInputs, [0, 1]);
    assert.deepEqual(b.program.outputs, [{ ref: 3, scalar: false }]);
  });

  test("a column against a row: split after the first axis", () => {
    const b = bind(sigmoidOfSum(2), [[5, 1], [1, 4]]);
    assert.equal(b.kind, "program");
    if (b.kind !== "program") return;
    assert.deepEqual([b.outer, b.inner], [5, 4]);
    assert.deepEqual(b.program.inputs, ["col", "row"]);
  });

  test("broadcasts that no split lines up take the members path, with every member's shape", () => {
    // [1, 3, 1] against [2, 1, 4]: neither a row nor a column of [2, 3, 4] at any split.
    const b = bind(sigmoidOfSum(3), [[1, 3, 1], [2, 1, 4]]);
    assert.deepEqual(b, { kind: "members", shapes: [[2, 3, 4], [2, 3, 4]] });
  });

  test("shapes that do not broadcast are a ShapeError naming the member", () => {
    assert.throws(() => bind(sigmoidOfSum(2), [[2, 3], [4, 3]]), (e: unknown) => e instanceof ts.ShapeError && /Add/.test(e.message));
  });
});
