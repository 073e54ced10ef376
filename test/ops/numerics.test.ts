/** Numerics at the extremes: softmax and sigmoid stay finite and saturate without NaN; float32 rounds per op. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { EXACT, f64, grads, run } from "../helpers/graph-run.js";

const f32 = (v: ts.NestedArray): ts.Node => ts.constant(v, { dtype: "float32" });

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

describe("softmax and sigmoid stay finite", () => {
  test("softmax([[1000, 0]]) is [[1, 0]] with no NaN (max subtracted first)", () => {
    // exp(1000−1000) = 1, exp(0−1000) ≈ 5e−435 underflows to 0: [1/(1+0), 0/(1+0)] = [1, 0]
    for (const c of [f64, f32]) assertClose(run(() => ts.softmax(c([[1000, 0]]))), [[1, 0]], EXACT);
  });

  test("softmax of equal large logits is uniform; of −1000 and 0 is [0, 1]", () => {
    assertClose(run(() => ts.softmax(f64([[1000, 1000], [-1000, 0]]))), [[0.5, 0.5], [0, 1]], EXACT);
  });

  test("softmax([1, 2, 3]) = e^(x−3) / Σ", () => {
    // e^−2 = 0.1353352832366127, e^−1 = 0.36787944117144233, e^0 = 1; Σ = 1.5032147244080551
    const s = 0.1353352832366127 + 0.36787944117144233 + 1;
    assertClose(run(() => ts.softmax(f64([1, 2, 3]))), [0.1353352832366127 / s, 0.36787944117144233 / s, 1 / s], { atol: 0, rtol: 1e-15 });
  });

  test("the gradient of softmax at [[1000, 0]] is finite (zero: the output is saturated)", () => {
    const [dx] = grads([[[1000, 0]]], ([x]) => ts.reduceSum(ts.multiply(ts.softmax(x!), f64([[1, 2]]))));
    // y = [1, 0]:  dx = y·(w − Σ w·y) = [1·(1−1), 0·(2−1)] = [0, 0]
    assertClose(dx!, [[0, 0]], EXACT);
  });

  test("sigmoid(±1000) is 1 and 0, finite, in both float dtypes; sigmoid(0) = 0.5", () => {
    for (const c of [f64, f32]) assertClose(run(() => ts.sigmoid(c([-1000, 0, 1000]))), [0, 0.5, 1], EXACT);
  });

  test("sigmoid's gradient at ±1000 is 0, not NaN", () => {
    // σ'(x) = σ(x)(1−σ(x)) = 0 at both ends
    const [dx] = grads([[-1000, 1000]], ([x]) => ts.reduceSum(ts.sigmoid(x!)));
    assertClose(dx!, [0, 0], EXACT);
  });
});

describe("numerics at the extremes", () => {
  test("softmax: huge logits, -Infinity entries, axis 0", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float32", null, "x");
      const s = new ts.Session();
      const out = s.run(ts.softmax(x), { x: [[1000, 0, -1000], [-Infinity, 0, -Infinity], [3.4e38, 3.4e38, 0]] });
      assert.deepEqual(out.toArray(), [[1, 0, 0], [0, 1, 0], [0.5, 0.5, 0]]);
      const e = Math.exp(2);
      const cols = s.run(ts.softmax(x, 0), { x: [[1, 2], [1, 4]] }).toArray() as number[][];
      assertClose(cols.flat(), [0.5, 1 / (1 + e), 0.5, e / (1 + e)], { atol: 1e-7, rtol: 1e-7 });
      // The gradient at saturated logits is finite (zero), not NaN.
      const sm = ts.softmax(x);
      const [dx] = ts.gradients(ts.reduceSum(ts.multiply(sm, [1, 2, 3])), x);
      assert.deepEqual(s.run(dx!, { x: [[1000, 0, -1000]] }).toArray(), [[0, 0, 0]]);
    });
  });

  test("sigmoid saturates to exact 0 and 1 without NaN, in float32 and float64; its gradient too", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float32", null, "x");
      const x64 = ts.placeholder("float64", null, "x64");
      const s = new ts.Session();
      const xs = [-1000, -20, 0, 20, 1000, -Infinity, Infinity];
      const y32 = Array.from(s.run(ts.sigmoid(x), { x: xs }).data);
      assertClose(y32, xs.map(sig), { atol: 1e-7, rtol: 1e-7 });
      assert.deepEqual([y32[0], y32[4], y32[5], y32[6]], [0, 1, 0, 1]);
      const y64 = Array.from(s.run(ts.sigmoid(x64), { x64: [-745, -40, 40, 745] }).data);
      assert.deepEqual(y64, [Math.exp(-745), Math.exp(-40) / (1 + Math.exp(-40)), 1 / (1 + Math.exp(-40)), 1]);
      assert.ok(y64[0]! > 0, "exp(-745) is the smallest subnormal, not 0");
      const [d] = ts.gradients(ts.reduceSum(ts.sigmoid(x)), x);
      const dv = Array.from(s.run(d!, { x: xs }).data);
      assert.ok(dv.every((v) => Number.isFinite(v) && v >= 0), String(dv));
      assert.equal(dv[2], 0.25);
    });
  });

  test("float32 arithmetic rounds each op's result to float32; float64 keeps double precision", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float32", null, "x");
      const x64 = ts.placeholder("float64", null, "x64");
      const s = new ts.Session();
      assert.equal(s.run(ts.multiply(x, 0.1), { x: 3 }).item(), Math.fround(3 * Math.fround(0.1)));
      assert.equal(s.run(ts.multiply(x64, 0.1), { x64: 3 }).item(), 3 * 0.1);
      assert.equal(s.run(ts.add(ts.divide(x, 3), 0), { x: 1 }).item(), Math.fround(1 / 3));
    });
  });
});
