/** transpose and squeeze: values worked out by hand, gradients, and error messages. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { EXACT, atRun, f64, grads, inGraph, run, throwsWith } from "../helpers/graph-run.js";

describe("transpose, by hand", () => {
  test("a matrix by default, and a [2,1,3] by perm [2,0,1]", () => {
    // [[1,2,3],[4,5,6]]ᵀ = [[1,4],[2,5],[3,6]]
    assertClose(run(() => ts.transpose(f64([[1, 2, 3], [4, 5, 6]]))), [[1, 4], [2, 5], [3, 6]], EXACT);
    // x[i][0][k] = 3i + k + 1; out[k][i][0] = x[i][0][k]: shape [3,2,1], out[k] = [[k+1],[k+4]]
    const out = run(() => ts.transpose(f64([[[1, 2, 3]], [[4, 5, 6]]]), [2, 0, 1]));
    assertClose(out, [[[1], [4]], [[2], [5]], [[3], [6]]], EXACT);
  });

  test("the default reverses the axes also when the rank is known only at run time", () => {
    const x = ts.tensor([[[1, 2]], [[3, 4]]], { dtype: "float64" }); // [2,1,2]
    // Reversed: out[k][j][i] = x[i][j][k] → [[[1,3]],[[2,4]]] of shape [2,1,2]
    const out = inGraph((g) => {
      const p = ts.placeholder({ dtype: "float64" });
      const y = ts.transpose(p);
      assert.equal(y.shape, null);
      return new ts.Session(g).run(y, new Map([[p, x]]));
    });
    assertClose(out, [[[1, 3]], [[2, 4]]], EXACT);
  });

  test("the gradient transposes back", () => {
    // loss = Σ w·xᵀ with w = [[1,2],[3,4],[5,6]]: dloss/dx = wᵀ = [[1,3,5],[2,4,6]]
    const [dx] = grads([[[0, 0, 0], [0, 0, 0]]], ([x]) => ts.reduceSum(ts.multiply(ts.transpose(x!, [1, 0]), f64([[1, 2], [3, 4], [5, 6]]))), "rank");
    assertClose(dx!, [[1, 3, 5], [2, 4, 6]], EXACT);
  });
});

describe("squeeze, by hand", () => {
  test("all size-1 axes, or the named ones", () => {
    const x = [[[1], [2], [3]]]; // [1,3,1]
    assert.deepEqual(run(() => ts.squeeze(f64(x))).shape, [3]);
    assert.deepEqual(run(() => ts.squeeze(f64(x), 0)).shape, [3, 1]);
    assert.deepEqual(run(() => ts.squeeze(f64(x), [-1])).shape, [1, 3]);
    // An empty axis list squeezes everything, as TensorFlow's squeeze(x, []).
    assert.deepEqual(run(() => ts.squeeze(f64(x), [])).shape, [3]);
  });

  test("with unknown sizes and no axis, the rank is unknown until run time", () => {
    inGraph(() => assert.equal(ts.squeeze(ts.placeholder({ shape: [null, 3] })).shape, null));
    inGraph(() => assert.deepEqual(ts.squeeze(ts.placeholder({ shape: [null, 1] }), 1).shape, [null]));
  });
});

describe("transpose and squeeze errors", () => {
  test("a perm that is not a permutation names it and the node", () => {
    throwsWith(() => inGraph(() => ts.transpose(f64([[1, 2]]), [0, 0])), ts.ShapeError, /Transpose 'transpose'.*perm \[0,0\] is not a permutation of the 2 axes/);
    throwsWith(() => inGraph(() => ts.transpose(f64([[1, 2]]), [1, 0, 2], "t")), ts.ShapeError, /'t'.*perm \[1,0,2\]/);
  });

  test("squeezing an axis that is not of size 1 names its size, at build time and at run time", () => {
    throwsWith(() => inGraph(() => ts.squeeze(f64([[1, 2, 3]]), 1)), ts.ShapeError, /Squeeze 'Squeeze': cannot squeeze axis 1, its size is 3 .*\[1,3\]/);
    throwsWith(atRun([ts.zeros([2, 3])], ([x]) => ts.squeeze(x!, 0)), ts.ShapeError, /Squeeze 'Squeeze': cannot squeeze axis 0, its size is 2/);
  });
});
