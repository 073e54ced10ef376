/** cast and floor by hand: what the table cannot say (no-op casts, where gradients stop, errors). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";

describe("cast", () => {
  test("a node that already has the dtype comes back as it is", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder({ dtype: "float64", name: "x" });
      assert.equal(ts.cast(x, "float64"), x);
      assert.equal(ts.cast(x, "float32").type, "Cast");
    });
  });

  test("the gradient flows between float dtypes, in the input's dtype, and stops at integers", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder({ dtype: "float32", shape: [2], name: "x" });
      // d/dx Σ 3·cast64(x) = 3, as float32
      const [dx] = ts.gradients(ts.reduceSum(ts.multiply(3, ts.cast(x, "float64"))), [x]);
      const out = new ts.Session().run(dx!, { x: [1.5, -2] });
      assertClose(out, [3, 3], { atol: 0, rtol: 0, dtype: "float32" });
      const y = ts.cast(ts.cast(x, "int32"), "float32");
      assert.deepEqual(ts.gradients(ts.reduceSum(y), [x]), [null]);
    });
  });

  test("int32 values cast to floats and back; floats to int32 truncate toward zero", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const out = new ts.Session().run([ts.cast(ts.constant([-7, 3], { dtype: "int32" }), "float64"), ts.cast(ts.constant([-2.9, 2.9]), "int32")]);
      assert.deepEqual(out.map((t) => [t.dtype, t.toArray()]), [["float64", [-7, 3]], ["int32", [-2, 2]]]);
    });
  });

  test("an unknown dtype is refused, naming the function and the dtypes there are", () => {
    new ts.Graph().asDefault(() => {
      assert.throws(() => ts.cast(ts.constant(1), "complex64" as ts.DType), /cast: argument 'dtype' must be a dtype: one of "float32", "float64", "int32", "bool", "float", .*got the string "complex64"/);
    });
  });
});

describe("floor", () => {
  test("rounds down, including negatives; refuses integers", () => {
    new ts.Graph().asDefault(() => {
      // ⌊−1.5⌋ = −2, ⌊−0.2⌋ = −1, ⌊0⌋ = 0, ⌊2.99⌋ = 2
      assertClose(new ts.Session().run(ts.floor(ts.constant([-1.5, -0.2, 0, 2.99], { dtype: "float64" }))), [-2, -1, 0, 2], { atol: 0, rtol: 0 });
      assert.throws(() => ts.floor(ts.constant([1], { dtype: "int32" })), /Floor 'Floor_1' needs a float32 or float64 input, got int32/);
    });
  });
});
