import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

describe("GradientDescentOptimizer", () => {
  test("one step is w ← w − lr·∇w, computed by hand", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      // L = Σ (w·x − y)², x = [1, 2], y = [3, 1], w = 0.5 → ∇w = Σ 2(w·x − y)·x = 2(−2.5)(1) + 2(0)(2) = −5
      const w = new ts.Variable(0.5, { dtype: "float64" });
      const x = ts.constant([1, 2], { dtype: "float64" });
      const y = ts.constant([3, 1], { dtype: "float64" });
      const loss = ts.reduceSum(ts.square(ts.subtract(ts.multiply(w, x), y)));
      const step = new ts.train.GradientDescentOptimizer(0.1).minimize(loss);
      const s = new ts.Session();
      assert.equal(s.run(step), null);
      assert.equal(s.run(w).item(), 0.5 + 0.1 * 5);
    });
  });

  test("by default trains the trainable variables the loss depends on, and only those", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const a = new ts.Variable(1, { name: "a" });
      const frozen = new ts.Variable(1, { name: "frozen", trainable: false });
      const other = new ts.Variable(1, { name: "other" });
      const loss = ts.square(ts.multiply(a, frozen));
      ts.square(other);
      const opt = new ts.train.GradientDescentOptimizer(0.25);
      const pairs = opt.computeGradients(loss);
      assert.deepEqual(pairs.map(([, v]) => v.name), ["a"]);
      const s = new ts.Session();
      s.run(opt.minimize(loss));
      // ∇a = 2·a·frozen² = 2
      assert.deepEqual(s.run([a, frozen, other]).map((t) => t.item()), [0.5, 1, 1]);
    });
  });

  test("varList, computeGradients/applyGradients, and a global step", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const a = new ts.Variable(2);
      const b = new ts.Variable(3);
      const step = new ts.Variable(0, { dtype: "int32", trainable: false });
      const loss = ts.multiply(a, b);
      const opt = new ts.train.GradientDescentOptimizer(1);
      const pairs = opt.compute_gradients(loss, { varList: [b] });
      assert.equal(pairs.length, 1);
      const train = opt.applyGradients(pairs, { globalStep: step });
      const s = new ts.Session();
      s.run(train);
      s.run(train);
      // ∇b = a = 2 each step; a untouched.
      assert.deepEqual(s.run([a, b, step]).map((t) => t.item()), [2, -1, 2]);
    });
  });

  test("the learning rate can be a node (fed per step)", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const w = new ts.Variable(0);
      const lr = ts.placeholder({ shape: [], name: "lr" });
      const step = new ts.train.GradientDescentOptimizer(lr).minimize(ts.square(ts.subtract(w, 1)));
      const s = new ts.Session();
      s.run(step, { lr: 0.25 }); // ∇ = 2(w−1) = −2 → w = 0.5
      assert.equal(s.run(w).item(), 0.5);
      s.run(step, { lr: 0.5 }); // ∇ = −1 → w = 1
      assert.equal(s.run(w).item(), 1);
    });
  });

  test("a loss with no trainable variables, or a bad learning rate, is refused clearly", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder({ name: "x" });
      assert.throws(() => new ts.train.GradientDescentOptimizer(0.1).minimize(ts.square(x)), /no gradients provided for any variable/);
      assert.throws(() => new ts.train.GradientDescentOptimizer(-1), /invalid learning rate -1/);
    });
  });

  test("minimize runs the forward pass itself (no stale values from an earlier run)", () => {
    // The tutorial's minimize op reused the last run's cached values; ours computes what it needs.
    const g = new ts.Graph();
    g.asDefault(() => {
      const w = new ts.Variable(0, { dtype: "float64" });
      const target = ts.placeholder({ dtype: "float64", shape: [], name: "t" });
      const step = new ts.train.GradientDescentOptimizer(0.5).minimize(ts.square(ts.subtract(w, target)));
      const s = new ts.Session();
      for (let i = 0; i < 50; i++) s.run(step, { t: ts.tensor(3, { dtype: "float64" }) });
      assert.ok(Math.abs((s.run(w).item() as number) - 3) < 1e-12);
    });
  });
});
