/** Feeds and fetches: a node both fed and fetched, int32 range, Tensor fetches, loadVariable. */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

describe("feeds and fetches", () => {
  test("a node both fed and fetched comes back as fed; an intermediate fed for one consumer is fed for all", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder({ name: "x" });
      const h = ts.exp(x);
      const y = ts.add(h, x); // reads h and x
      const v = new ts.Variable([0, 0]);
      const up = ts.assignAdd(v, h); // reads h too
      const s = new ts.Session();
      const [hv, yv, uv] = s.run([h, y, up], new Map([[x, [1, 2]], [h, [5, 6]]]));
      assert.deepEqual(hv.toArray(), [5, 6]);
      assert.deepEqual(yv.toArray(), [6, 8]);
      assert.deepEqual(uv.toArray(), [5, 6]);
      // Feeding h cuts x off for the update: x need not be fed.
      s.run(up, new Map([[h, [1, 1]]]));
      assert.deepEqual(s.run(v).toArray(), [6, 7]);
      const [xv] = s.run([x], { x: [3] });
      assert.deepEqual(xv.toArray(), [3]);
    });
  });

  test("int32 feeds outside int32's range are refused, not wrapped", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const n = ts.placeholder("int32", [null], "n");
      const s = new ts.Session();
      assert.throws(() => s.run(n, { n: [2 ** 31] }), (e: Error) => e instanceof ts.FeedError && /int32 cannot hold exactly/.test(e.message) && /'n'/.test(e.message));
      assert.throws(() => s.run(n, { n: [-(2 ** 31) - 1] }), ts.FeedError);
      assert.deepEqual(s.run(n, { n: [2 ** 31 - 1, -(2 ** 31)] }).toArray(), [2147483647, -2147483648]);
    });
  });

  test("fetching a Tensor value instead of a node says so", () => {
    const g = new ts.Graph();
    const s = new ts.Session(g);
    assert.throws(() => s.run(ts.tensor([1, 2]) as unknown as ts.Node), /cannot fetch a Tensor value \(shape \[2\]\)/);
  });

  test("loadVariable refuses a value of another shape or dtype, and later runs use a value it accepts", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const v = new ts.Variable([1, 2], { name: "v" });
      const twice = ts.multiply(v, 2);
      const s = new ts.Session();
      assert.throws(() => s.loadVariable(v, ts.tensor([1, 2, 3])), (e: Error) => e instanceof ts.ShapeError && /\[3\].*'v'.*\[2\]/.test(e.message));
      assert.throws(() => s.loadVariable(v, ts.tensor([1, 2], { dtype: "float64" })), ts.DTypeError);
      assert.deepEqual(s.run(twice).toArray(), [2, 4]);
      const value = ts.tensor([5, 6]);
      s.loadVariable(v, value);
      value.data[0] = 100; // loadVariable keeps its own copy
      assert.deepEqual(s.run(twice).toArray(), [10, 12]);
    });
  });
});
