/**
 * Reductions by hand: sums and means over axis arrays, reduceMax/Min/Prod/Any/All and argmax/argmin
 * (ties, zeros in products, second derivatives), TensorFlow's empty reductions, the snake_case
 * aliases, and error messages.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { EXACT, f64, grads, inGraph, run, throwsWith } from "../helpers/graph-run.js";

const f32 = (v: ts.NestedArray): ts.Node => ts.constant(v, { dtype: "float32" });

const X = [[1, 5, 3], [4, 2, 6]];

describe("reductions, by hand", () => {
  // x = [[1,2,3],[4,5,6]]
  const x = [[1, 2, 3], [4, 5, 6]];

  test("reduceSum over all, axis 0, axis −1, and with keepDims", () => {
    assertClose(run(() => ts.reduceSum(f64(x))), 21, EXACT); // 1+…+6 = 21
    assertClose(run(() => ts.reduceSum(f64(x), 0)), [5, 7, 9], EXACT); // columns: 1+4, 2+5, 3+6
    assertClose(run(() => ts.reduceSum(f64(x), -1)), [6, 15], EXACT); // rows: 1+2+3, 4+5+6
    assertClose(run(() => ts.reduceSum(f64(x), -1, { keepDims: true })), [[6], [15]], EXACT);
    assertClose(run(() => ts.reduceSum(f64(x), [-2, -1], { keepDims: true })), [[21]], EXACT);
    assertClose(run(() => ts.reduceSum(f64(x), [0, 1])), 21, EXACT);
  });

  test("reduceSum of a [2,2,2] over axes [0,2]", () => {
    // element (i,j,k) = 1 + 4i + 2j + k.  j=0: 1+2+5+6 = 14;  j=1: 3+4+7+8 = 22
    const cube = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]];
    assertClose(run(() => ts.reduceSum(f64(cube), [0, 2])), [14, 22], EXACT);
    assertClose(run(() => ts.reduceSum(f64(cube), [-1, 0], { keepDims: true })), [[[14], [22]]], EXACT);
  });

  test("reduceMean over axis 0, axis −1 with keepDims, and all", () => {
    assertClose(run(() => ts.reduceMean(f64(x), 0)), [2.5, 3.5, 4.5], EXACT); // (1+4)/2, (2+5)/2, (3+6)/2
    assertClose(run(() => ts.reduceMean(f64(x), -1, { keepDims: true })), [[2], [5]], EXACT); // 6/3, 15/3
    assertClose(run(() => ts.reduceMean(f64(x))), 3.5, EXACT); // 21/6
    assertClose(run(() => ts.reduceMean(f32(x), [0, 1])), 3.5, { ...EXACT, dtype: "float32" });
  });

  test("the gradient of reduceMean over axis 1 of a [2,3] is 1/3 everywhere", () => {
    const [dx] = grads([x], ([a]) => ts.reduceSum(ts.reduceMean(a!, 1)));
    assertClose(dx!, [[1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3]], { atol: 0, rtol: 1e-15 });
  });

  test("changing the caller's axis array after building does not change the node", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const axes = [0];
      const s = ts.reduceSum(f64(x), axes);
      const m = ts.reduceMean(f64(x), axes);
      axes[0] = 1;
      const [sv, mv] = new ts.Session(g).run([s, m]);
      assertClose(sv, [5, 7, 9], EXACT); // still the column sums
      assertClose(mv, [2.5, 3.5, 4.5], EXACT);
    });
  });
});

describe("max, min, prod, any, all, by hand", () => {
  test("along an axis, with keepDims, over all axes", () => {
    assertClose(run(() => ts.reduceMax(f64(X), 1)), [5, 6], EXACT);
    assertClose(run(() => ts.reduceMax(f64(X), -1, { keepDims: true })), [[5], [6]], EXACT);
    assertClose(run(() => ts.reduceMin(f64(X))), 1, EXACT);
    assertClose(run(() => ts.reduceMin(f64(X), [0, 1], { keepDims: true })), [[1]], EXACT);
    // column products: [1·4, 5·2, 3·6] = [4, 10, 18]
    assertClose(run(() => ts.reduceProd(f64(X), 0)), [4, 10, 18], EXACT);
    assertClose(run(() => ts.reduceAny(ts.constant([[true, false], [false, false]]), 1)), [1, 0], EXACT);
    assertClose(run(() => ts.reduceAll(ts.constant([[true, true], [false, true]]), 1)), [1, 0], EXACT);
  });

  test("empty reductions give the identity, as TensorFlow does", () => {
    assertClose(run(() => ts.reduceMax(ts.constant(ts.zeros([2, 0], "float64")), 1)), [-Infinity, -Infinity], EXACT);
    assertClose(run(() => ts.reduceMin(ts.constant(ts.zeros([0], "float32")))), Infinity, EXACT);
    assertClose(run(() => ts.reduceMax(ts.constant(ts.zeros([0], "int32")))), -2147483648, EXACT);
    assertClose(run(() => ts.reduceMin(ts.constant(ts.zeros([0], "int32")))), 2147483647, EXACT);
    assertClose(run(() => ts.reduceProd(ts.constant(ts.zeros([0], "float64")))), 1, EXACT);
    assertClose(run(() => ts.reduceAny(ts.constant(ts.zeros([0], "bool")))), 0, EXACT);
    assertClose(run(() => ts.reduceAll(ts.constant(ts.zeros([0], "bool")))), 1, EXACT);
  });

  test("NaN wins a max or min, as in numpy", () => {
    assert.ok(Number.isNaN(run(() => ts.reduceMax(f64([1, NaN, 3]))).data[0]));
    assert.ok(Number.isNaN(run(() => ts.reduceMin(f64([NaN, 1]))).data[0]));
  });
});

describe("gradients of max, min and prod, by hand", () => {
  test("max sends the gradient to the largest element, shared equally among ties (TensorFlow's rule)", () => {
    // [1,3,3]: two maxima share dy = 1: [0, 0.5, 0.5]
    for (const shapes of ["static", "rank"] as const) {
      assertClose(grads([[1, 3, 3]], ([x]) => ts.reduceMax(x!), shapes)[0]!, [0, 0.5, 0.5], EXACT);
    }
    // Rows of [[1,5,5],[4,2,6]] with dy = [10, 20]: [[0,5,5],[0,0,20]]
    const [dx] = grads([[[1, 5, 5], [4, 2, 6]]], ([x]) => ts.reduceSum(ts.multiply(ts.reduceMax(x!, 1, { keepDims: true }), f64([[10], [20]]))), "dims");
    assertClose(dx!, [[0, 5, 5], [0, 0, 20]], EXACT);
  });

  test("min likewise, over two axes", () => {
    // [[2,1],[1,3]] has its minimum 1 twice: [[0,0.5],[0.5,0]]
    assertClose(grads([[[2, 1], [1, 3]]], ([x]) => ts.reduceMin(x!, [0, 1]))[0]!, [[0, 0.5], [0.5, 0]], EXACT);
  });

  test("prod: the product of the others, exact with one zero and with two", () => {
    // d(abc)/d(a,b,c) = (bc, ac, ab): at [2,3,4]: [12, 8, 6]; at [2,0,3]: [0, 6, 0]; at [0,0,3]: [0,0,0]
    assertClose(grads([[2, 3, 4]], ([x]) => ts.reduceProd(x!))[0]!, [12, 8, 6], EXACT);
    assertClose(grads([[2, 0, 3]], ([x]) => ts.reduceProd(x!))[0]!, [0, 6, 0], EXACT);
    assertClose(grads([[0, 0, 3]], ([x]) => ts.reduceProd(x!), "rank")[0]!, [0, 0, 0], EXACT);
    // Per row of [[1,0],[2,5]] along axis 1: [[0,1],[5,2]]
    assertClose(grads([[[1, 0], [2, 5]]], ([x]) => ts.reduceSum(ts.reduceProd(x!, 1)))[0]!, [[0, 1], [5, 2]], EXACT);
  });

  test("prod's second derivative is exact where the input has a zero", () => {
    // f = abc at (a,b,c) = (2,0,3). The Hessian's row b is (c, 0, a) = (3, 0, 2): the gradient of
    // ∂f/∂b = ac, taken through the gradient graph.
    const [h] = grads([[2, 0, 3]], ([x]) => {
      const [g] = ts.gradients(ts.reduceProd(x!), [x!]);
      return ts.reduceSum(ts.multiply(g!, f64([0, 1, 0])));
    });
    assertClose(h!, [3, 0, 2], EXACT);
  });
});

describe("argmax and argmin, by hand", () => {
  test("int32 positions, the first one at ties, default axis 0", () => {
    const out = run(() => ts.argmax(f64([[1, 3, 3], [7, 2, 7]]), 1));
    assert.equal(out.dtype, "int32");
    assertClose(out, [1, 0], EXACT);
    // Down the columns of [[1,3,3],[7,2,7]]: [1, 0, 1]
    assertClose(run(() => ts.argmax(f64([[1, 3, 3], [7, 2, 7]]))), [1, 0, 1], EXACT);
    assertClose(run(() => ts.argmin(f64([3, 1, 1, 2]))), 1, EXACT);
    assertClose(run(() => ts.argmin(f64([[3, 1], [0, 1]]), -1)), [1, 0], EXACT);
  });

  test("no gradient flows through an argmax", () => {
    inGraph(() => {
      const x = ts.placeholder({ dtype: "float64", shape: [3] });
      const picked = ts.gather(f64([10, 20, 30]), ts.argmax(x));
      assert.deepEqual(ts.gradients(picked, [x]), [null]);
    });
  });
});

describe("snake_case aliases", () => {
  test("reduce_max/min/prod/any/all take keepdims and keep_dims", () => {
    assert.deepEqual(run(() => ts.reduce_max(f64(X), 1, { keepdims: true })).shape, [2, 1]);
    assert.deepEqual(run(() => ts.reduce_min(f64(X), 0, { keep_dims: true })).shape, [1, 3]);
    assertClose(run(() => ts.reduce_prod(f64(X), 1)), [15, 48], EXACT);
    assertClose(run(() => ts.reduce_any(ts.constant([false, true]))), 1, EXACT);
    assertClose(run(() => ts.reduce_all(ts.constant([[false, true]]), 1, true)), [[0]], EXACT);
    assertClose(run(() => ts.arg_max(f64(X), 1)), [1, 2], EXACT);
    assertClose(run(() => ts.arg_min(f64(X), 1)), [0, 1], EXACT);
  });

  test("one_hot and strided_slice take TensorFlow's option names", () => {
    assertClose(run(() => ts.one_hot([1, 0], 2, { on_value: 3, off_value: -3 })), [[-3, 3], [3, -3]], EXACT);
    // x[::-1, 1]
    assertClose(run(() => ts.strided_slice(f64(X), [0, 1], [0, 0], [-1, 1], { begin_mask: 1, end_mask: 1, shrink_axis_mask: 2 })), [2, 5], EXACT);
  });
});

describe("reduction errors", () => {
  test("dtypes: max of bool, any of numbers, argmax of bool", () => {
    throwsWith(() => inGraph(() => ts.reduceMax(ts.constant([true]))), ts.DTypeError, /Max 'Max' does arithmetic and does not take bool values/);
    throwsWith(() => inGraph(() => ts.reduceAny(f64([1]))), ts.DTypeError, /Any 'Any' takes bool values, got float64 of shape \[1\]/);
    throwsWith(() => inGraph(() => ts.argmax(ts.constant([true]))), ts.DTypeError, /ArgMax 'ArgMax'/);
  });

  test("axes: out of range, and argmax over an empty axis", () => {
    throwsWith(() => inGraph(() => ts.reduceProd(f64(X), 2)), ts.ShapeError, /Prod 'Prod': axis 2 is out of range for a tensor of rank 2/);
    throwsWith(() => inGraph(() => ts.argmin(f64(X), -3)), ts.ShapeError, /ArgMin 'ArgMin': axis -3 is out of range/);
    throwsWith(() => inGraph(() => ts.argmax(ts.constant(ts.zeros([2, 0])), 1)), ts.ShapeError, /ArgMax 'ArgMax': axis 1 of the input of shape \[2,0\] is empty/);
    throwsWith(() => inGraph(() => ts.argmax(f64(1))), ts.ShapeError, /ArgMax 'ArgMax' needs an input of rank at least 1/);
  });
});
