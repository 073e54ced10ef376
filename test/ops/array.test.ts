/** Array ops by hand: reshape and broadcasting, zerosLike and onesLike. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { EXACT, f64, grads, inGraph, run } from "../helpers/graph-run.js";

const f32 = (v: ts.NestedArray): ts.Node => ts.constant(v, { dtype: "float32" });

describe("reshape and broadcasting, by hand", () => {
  test("reshape with −1 infers the missing dimension, statically too", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const r = ts.reshape(f64([[1, 2, 3], [4, 5, 6]]), [3, -1]);
      assert.deepEqual(r.shape, [3, 2]); // 6 elements / 3 = 2
      assertClose(new ts.Session(g).run(r), [[1, 2], [3, 4], [5, 6]], EXACT);
      assertClose(new ts.Session(g).run(ts.reshape(r, [-1])), [1, 2, 3, 4, 5, 6], EXACT);
    });
  });

  test("add and multiply of [3,1] with [1,4] give a [3,4] table", () => {
    const a = [[1], [2], [3]];
    const b = [[10, 20, 30, 40]];
    // (i, j) → a_i + b_j
    assertClose(run(() => ts.add(f64(a), f64(b))), [[11, 21, 31, 41], [12, 22, 32, 42], [13, 23, 33, 43]], EXACT);
    // (i, j) → a_i · b_j
    assertClose(run(() => ts.multiply(f64(a), f64(b))), [[10, 20, 30, 40], [20, 40, 60, 80], [30, 60, 90, 120]], EXACT);
    assertClose(run(() => ts.multiply(f32(a), f32(b))), [[10, 20, 30, 40], [20, 40, 60, 80], [30, 60, 90, 120]], { ...EXACT, dtype: "float32" });
  });

  test("the gradients of sum(a·b) for a [3,1] and b [1,4] are summed back to each shape", () => {
    // ∂/∂a_i = Σ_j b_j = 100 for every i;  ∂/∂b_j = Σ_i a_i = 6 for every j
    const [da, db] = grads([[[1], [2], [3]], [[10, 20, 30, 40]]], ([a, b]) => ts.reduceSum(ts.multiply(a!, b!)));
    assertClose(da!, [[100], [100], [100]], EXACT);
    assertClose(db!, [[6, 6, 6, 6]], EXACT);
  });

  test("stopGradient blocks exactly its own path: d/dx [stopGradient(x)·x] = x", () => {
    // y = s·x with s = x held constant: dy/dx = s = x
    const [dx] = grads([[2, -3]], ([x]) => ts.reduceSum(ts.multiply(ts.stopGradient(x!), x!)));
    assertClose(dx!, [2, -3], EXACT);
  });

  test("assignAdd twice adds twice; assignSub subtracts", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const v = new ts.Variable(ts.tensor([1, 2], { dtype: "float64" }));
      const inc = ts.assignAdd(v, f64([10, 20]));
      const dec = ts.assignSub(v, f64([1, 1]));
      const s = new ts.Session(g);
      s.run(inc);
      assertClose(s.run(inc), [21, 42], EXACT); // 1+10+10, 2+20+20
      assertClose(s.run(dec), [20, 41], EXACT);
      assertClose(s.run(v), [20, 41], EXACT);
    });
  });
});

describe("zerosLike and onesLike, by hand", () => {
  test("zeros and ones with the input's dtype and run-time shape", () => {
    inGraph((g) => {
      const x = ts.placeholder({ dtype: "int32", shape: [null, 2] });
      const [z, o] = new ts.Session(g).run([ts.zerosLike(x), ts.onesLike(x)], new Map([[x, ts.tensor([[5, 6], [7, 8], [9, 10]], { dtype: "int32" })]]));
      assertClose(z!, [[0, 0], [0, 0], [0, 0]], { ...EXACT, dtype: "int32" });
      assertClose(o!, [[1, 1], [1, 1], [1, 1]], { ...EXACT, dtype: "int32" });
    });
    assertClose(run(() => ts.zeros_like(ts.constant([true, true]))), [0, 0], { ...EXACT, dtype: "bool" });
    assertClose(run(() => ts.ones_like(ts.constant([false]))), [1], { ...EXACT, dtype: "bool" });
  });

  test("not differentiable, as in TensorFlow", () => {
    inGraph(() => {
      const x = ts.placeholder({ dtype: "float32", shape: [2] });
      assert.deepEqual(ts.gradients(ts.add(ts.zerosLike(x), ts.onesLike(x)), [x]), [null]);
    });
  });
});
