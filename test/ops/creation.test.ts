/** fill and range: values worked out by hand, fill's gradient, and error messages. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { EXACT, f64, grads, inGraph, run, throwsWith } from "../helpers/graph-run.js";

describe("fill and range, by hand", () => {
  test("fill repeats a scalar; its gradient is the sum of dy", () => {
    assertClose(run(() => ts.fill([2, 2], f64(3))), [[3, 3], [3, 3]], EXACT);
    // loss = Σ [[1,2],[3,4]]·fill([2,2], v): dv = 1+2+3+4 = 10
    assertClose(grads([2], ([v]) => ts.reduceSum(ts.multiply(ts.fill([2, 2], v!), f64([[1, 2], [3, 4]]))), "rank")[0]!, 10, EXACT);
  });

  test("range: int32 for integer arguments, float32 otherwise, as TensorFlow infers", () => {
    const r = run(() => ts.range(5));
    assert.equal(r.dtype, "int32");
    assertClose(r, [0, 1, 2, 3, 4], EXACT);
    assertClose(run(() => ts.range(5, 1, -2)), [5, 3], EXACT);
    const f = run(() => ts.range(1, 2, 0.25));
    assert.equal(f.dtype, "float32");
    assertClose(f, [1, 1.25, 1.5, 1.75], EXACT);
    assert.equal(run(() => ts.range(0, 3, 1, { dtype: "float64" })).dtype, "float64");
    assert.deepEqual(run(() => ts.range(2, 2)).shape, [0]);
  });
});

describe("fill and range errors", () => {
  test("fill takes a scalar value and sizes >= 0", () => {
    throwsWith(() => inGraph(() => ts.fill([2], f64([1, 2]))), ts.ShapeError, /Fill 'Fill': the value must be a scalar, got shape \[2\]/);
    throwsWith(() => inGraph(() => ts.fill([-1], 0)), ts.ShapeError, /Fill 'Fill': dims must be integers >= 0/);
  });

  test("range: delta 0, a limit on the wrong side, fractions in an int32 range", () => {
    throwsWith(() => inGraph(() => ts.range(0, 5, 0)), ts.ValueError, /Range 'range': delta must not be 0/);
    throwsWith(() => inGraph(() => ts.range(5, 1)), ts.ValueError, /Range 'range': with delta 1 > 0, start must be <= limit, got start 5 and limit 1/);
    throwsWith(() => inGraph(() => ts.range(0, 1.5, 1, { dtype: "int32" })), ts.DTypeError, /an int32 range needs integer start, limit and delta/);
  });
});
