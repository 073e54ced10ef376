/** biasAdd by hand (values, the bias gradient BiasAddGrad, errors naming the node). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { inGraph, throwsWith } from "../helpers/graph-run.js";

describe("biasAdd by hand", () => {
  test("the bias is added along the last axis, and its gradient sums the other axes", () => {
    inGraph((g) => {
      // [[1,2],[3,4],[5,6]] + [10,20] = [[11,22],[13,24],[15,26]]
      const value = ts.constant([[1, 2], [3, 4], [5, 6]], { dtype: "float64" });
      const bias = ts.constant([10, 20], { dtype: "float64" });
      const y = ts.nn.biasAdd(value, bias);
      assert.equal(y.name, "BiasAdd");
      // loss = Σ w·y with w = [[1,2],[3,4],[5,6]]: ∂/∂bias = column sums of w = [9, 12]; ∂/∂value = w.
      const w = ts.constant([[1, 2], [3, 4], [5, 6]], { dtype: "float64" });
      const [dv, db] = ts.gradients(ts.reduceSum(ts.multiply(y, w)), [value, bias]);
      assert.equal(db!.type, "BiasAddGrad");
      const [out, gv, gb] = new ts.Session(g).run([y, dv!, db!]);
      assertClose(out, [[11, 22], [13, 24], [15, 26]], { atol: 0, rtol: 0 });
      assertClose(gv, [[1, 2], [3, 4], [5, 6]], { atol: 0, rtol: 0 });
      assertClose(gb, [9, 12], { atol: 0, rtol: 0 });
    });
  });

  test("NHWC: a [1,2,2,2] image gets one bias per channel", () => {
    const out = inGraph((g) => new ts.Session(g).run(ts.nn.biasAdd(ts.constant(ts.zeros([1, 2, 2, 2])), ts.constant([1, -1]))));
    assertClose(out, [[[[1, -1], [1, -1]], [[1, -1], [1, -1]]]], { atol: 0, rtol: 0 });
  });

  test("with unknown dimensions the channel count comes from the bias", () => {
    inGraph(() => {
      const y = ts.nn.biasAdd(ts.placeholder("float32", [null, null]), ts.placeholder("float32", [5]));
      assert.deepEqual(y.shape, [null, 5]);
    });
  });

  test("a value of rank < 2, a bias that is not a vector or of the wrong length: errors name the node and shapes", () => {
    throwsWith(() => inGraph(() => ts.nn.biasAdd(ts.constant([1, 2]), ts.constant([1, 2]), "b")), ts.ShapeError, /BiasAdd 'b': the value must be at least rank 2 .* got shape \[2\]/);
    throwsWith(
      () => inGraph(() => ts.nn.biasAdd(ts.constant([[1, 2]]), ts.constant([[1, 2]]), "b")),
      ts.ShapeError,
      /BiasAdd 'b': the bias must be a vector \(value \[1,2\], bias \[1,2\]\)/,
    );
    throwsWith(
      () => inGraph(() => ts.nn.biasAdd(ts.constant([[1, 2]]), ts.constant([1, 2, 3]), "b")),
      ts.ShapeError,
      /BiasAdd 'b': the bias has 3 elements, but the value's last dimension is 2/,
    );
    throwsWith(
      () => inGraph(() => ts.nn.biasAdd(ts.constant([[1, 2]]), ts.constant([1, 2], { dtype: "float64" }), "b")),
      ts.DTypeError,
      /BiasAdd 'b': inputs must have the same dtype, got float32 and float64/,
    );
  });

  test("shapes known only at run time are checked when the op runs", () => {
    throwsWith(
      () =>
        inGraph((g) => {
          const v = ts.placeholder("float32", null);
          const b = ts.placeholder("float32", null);
          return new ts.Session(g).run(ts.nn.biasAdd(v, b, "late"), new Map([[v, ts.zeros([2, 3])], [b, ts.zeros([4])]]));
        }),
      ts.ShapeError,
      /BiasAdd 'late': the bias has 4 elements, but the value's last dimension is 3/,
    );
  });
});
