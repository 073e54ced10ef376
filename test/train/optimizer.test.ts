/** What every optimizer shares: the global step it counts, and the loss fetched with its step. */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

describe("updates and optimizers", () => {
  test("globalStep counts the steps, across optimizers run one after another", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const w = new ts.Variable(1, { name: "w" });
      const step = new ts.Variable(0, { name: "global_step", dtype: "int32", trainable: false });
      const loss = ts.square(w); // d/dw = 2w
      const a = new ts.train.GradientDescentOptimizer(0.1).minimize(loss, { globalStep: step });
      const b = new ts.train.GradientDescentOptimizer(0.25, "Other").minimize(loss, { globalStep: step });
      const s = new ts.Session();
      s.run(a);
      s.run(b);
      s.run(a);
      assert.equal(s.run(step).item(), 3);
      assert.equal(s.run(step).dtype, "int32");
      // w ← w(1 − 2·lr): 1 → 0.8 → 0.4 → 0.32, in float32.
      let wv = 1;
      for (const lr of [0.1, 0.25, 0.1]) wv = Math.fround(wv - Math.fround(Math.fround(lr) * Math.fround(2 * wv)));
      assert.equal(s.run(w).item(), wv);
      assert.ok(trainableNames(g).every((n) => n !== "global_step"));
    });
  });

  test("the loss fetched with the training step is the loss before the step", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const v = new ts.Variable(3, { dtype: "float64" });
      const loss = ts.add(ts.multiply(v, v), v); // v² + v, d/dv = 2v + 1
      const step = new ts.train.GradientDescentOptimizer(0.1).minimize(loss);
      const s = new ts.Session();
      const [, l] = s.run([step, loss]);
      assert.equal(l.item(), 12);
      assert.equal(s.run(v).item(), 3 - 0.1 * 7);
    });
  });
});

function trainableNames(g: ts.Graph): string[] {
  return g.trainableVariables().map((v) => v.name);
}
