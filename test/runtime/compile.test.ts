/**
 * Compiling a plan (runtime/compile.ts): the steps a run walks, the shared buffers values get from
 * their lifetimes, and where a fused group's outputs go. Expected buffer counts are worked out by
 * hand from the rule: a value's buffer is free once its last reader has run, and is reused by a
 * later value of the same dtype; fetched values and variable updates keep theirs to the end.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import type * as Compile from "../../dist/runtime/compile.js";
import { internal } from "../helpers/internals.js";

const { compilePlan } = await internal<typeof Compile>("runtime/compile.js");

/** x → square → cast to float64 → square → square, and the nodes of that chain. */
function chain(): { x: ts.Placeholder; a: ts.Node; b: ts.Node; c: ts.Node; d: ts.Node } {
  return new ts.Graph().asDefault(() => {
    const x = ts.placeholder("float32", [null, 4], "x");
    const a = ts.square(x);
    const b = ts.cast(a, "float64");
    const c = ts.square(b);
    return { x, a, b, c, d: ts.square(c) };
  });
}

describe("compilePlan", () => {
  test("a chain of ops shares buffers by dtype once values are no longer read", () => {
    const { x, b, d } = chain();
    const plan = compilePlan([d], new Set([x]), ts.jsBackend, { fusion: false });
    assert.deepEqual(plan.steps.map((s) => s.kind), ["feed", "op", "op", "op", "op"]);
    assert.equal(plan.slots, 5);
    // square: f32 #0; cast: f64 #1 (frees #0); square: #0 is f32, so f64 #2 (frees #1); square: #1.
    assert.deepEqual(plan.buffers, ["float32", "float64", "float64"]);
    assert.deepEqual(plan.fetchSlots, [4]);
    // b fetched lives to the end: the last square cannot take its buffer and opens a fourth.
    assert.equal(compilePlan([b, d], new Set([x]), ts.jsBackend, { fusion: false }).buffers.length, 4);
  });

  test("a chain of one dtype needs two buffers whatever its length", () => {
    const g = new ts.Graph();
    const [x, last] = g.asDefault(() => {
      const x = ts.placeholder("float32", [3]);
      let y: ts.Node = x;
      for (let i = 0; i < 6; i++) y = ts.matmul(ts.reshape(y, [1, 3]), ts.constant(ts.tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1]], { dtype: "float32" })));
      return [x, y] as const;
    });
    const plan = compilePlan([last], new Set([x]), ts.jsBackend, { fusion: false });
    assert.equal(plan.steps.filter((s) => s.kind === "op").length, 12);
    assert.equal(plan.buffers.length, 2);
  });

  test("a Group fetched has no slot and no step; fed nodes are leaves", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder("float32", [2], "x");
      const y = ts.exp(x);
      const z = ts.negative(y);
      const both = ts.group([y, z]);
      const fed = new Set<ts.Node>([y]);
      const plan = compilePlan([both, z], fed, ts.jsBackend, { fusion: false });
      assert.deepEqual(plan.steps.map((s) => s.kind), ["feed", "op"], "y is fed: x and exp are not needed");
      assert.deepEqual(plan.fetchSlots, [null, 1]);
    });
  });

  test("a missing feed names the placeholder and what needs it", () => {
    const { d } = chain();
    assert.throws(() => compilePlan([d], new Set(), ts.jsBackend), (e: unknown) => e instanceof ts.FeedError && /'x'/.test(e.message) && /Square/.test(e.message));
  });

  test("Adam's update of a weight is one fused step writing m, v and the weight in place", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder("float32", [null, 3]);
      const w = new ts.Variable(ts.random.normal([3, 2], { seed: 3 }));
      const step = new ts.train.AdamOptimizer(0.01).minimize(ts.reduceSum(ts.square(ts.matmul(x, w))));
      const plan = compilePlan([step], new Set([x]), ts.jsBackend);
      const fused = plan.steps.filter((s): s is Compile.Step & { kind: "fused" } => s.kind === "fused");
      const update = fused.find((s) => s.group.outputs.some((o) => o.inputs[0] === w));
      assert.ok(update !== undefined, "the weight's update is fused");
      // Each slot variable and the weight is read elsewhere only by steps that can run first.
      assert.deepEqual(update.targets.map((t) => t.kind), ["in place", "in place", "in place"]);
      for (const t of update.targets) assert.ok(t.kind === "in place" && update.group.inputs[t.input] instanceof ts.Variable);
      // Off, every op is a step of its own.
      assert.equal(compilePlan([step], new Set([x]), ts.jsBackend, { fusion: false }).steps.filter((s) => s.kind === "fused").length, 0);
    });
  });
});
