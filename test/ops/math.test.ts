/**
 * Arithmetic by hand: pow, maximum, minimum and clipByValue (TensorFlow's gradient conventions:
 * ties, the log of a non-positive base, clip bounds), log at IEEE special values, cast and floor
 * (no-op casts, conversions at the edges, where gradients stop), broadcasting and error messages.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { EXACT, atRun, f64, grads, i32, inGraph, run, throwsWith } from "../helpers/graph-run.js";

const CLOSE = { atol: 1e-15, rtol: 1e-14 };

const f32 = (v: ts.NestedArray): ts.Node => ts.constant(v, { dtype: "float32" });

describe("pow, by hand", () => {
  test("float values, with negative and fractional exponents", () => {
    // [2^3, 3^0.5, 4^-1, (−2)^2, 0^2] = [8, 1.7320508075688772, 0.25, 4, 0]
    assertClose(run(() => ts.pow(f64([2, 3, 4, -2, 0]), f64([3, 0.5, -1, 2, 2]))), [8, 1.7320508075688772, 0.25, 4, 0], CLOSE);
    // C's pow, not Math.pow: 1^NaN = 1 and (−1)^∞ = 1
    assertClose(run(() => ts.pow(f64([1, -1]), f64([Number.NaN, Number.POSITIVE_INFINITY]))), [1, 1], EXACT);
  });

  test("int32 powers by repeated squaring", () => {
    // [2^10, (−3)^3, 5^0, 0^0] = [1024, −27, 1, 1]
    assertClose(run(() => ts.pow(i32([2, -3, 5, 0]), i32([10, 3, 0, 0]))), [1024, -27, 1, 1], { ...EXACT, dtype: "int32" });
  });

  test("gradients: y·x^(y−1) for x, x^y·log x for y, and 0 for y where x <= 0 (TensorFlow's choice)", () => {
    // x = [2, −2, 0], y = [3, 2, 2]:  d/dx = [3·2², 2·(−2), 2·0] = [12, −4, 0];
    // d/dy = [2³·ln 2, 0 (x < 0), 0 (x = 0)] = [5.545177444479562, 0, 0]
    const [gx, gy] = grads([[2, -2, 0], [3, 2, 2]], ([x, y]) => ts.pow(x!, y!));
    assertClose(gx!, [12, -4, 0], CLOSE);
    assertClose(gy!, [5.545177444479562, 0, 0], CLOSE);
  });

  test("second derivative d²/dx² x³ = 6x, finite at x = 0 through the log's guard", () => {
    // at x = [2, 0] with y = 3: [12, 0]
    const [h] = grads([[2, 0]], ([x]) => ts.reduceSum(ts.gradients(ts.pow(x!, 3), [x!])[0]!));
    assertClose(h!, [12, 0], CLOSE);
  });

  test("broadcast exponent: the gradient of a scalar y sums over the output", () => {
    // x = [1, 2, 4], y = 2: d/dy Σ x² = Σ x² ln x = 0 + 4 ln 2 + 16 ln 4 = 36 ln 2 = 24.953298500158530
    const [, gy] = grads([[1, 2, 4], 2], ([x, y]) => ts.pow(x!, y!));
    assert.deepEqual(gy!.shape, []);
    assertClose(gy!, 36 * Math.LN2, CLOSE);
  });
});

describe("maximum and minimum, by hand", () => {
  test("values, and TensorFlow's tie rule: x takes the whole gradient at x = y", () => {
    // maximum([1, 5, 3], [2, 4, 3]) = [2, 5, 3];  x >= y at [no, yes, yes] → dx = [0, 1, 1], dy = [1, 0, 0]
    assertClose(run(() => ts.maximum(f64([1, 5, 3]), f64([2, 4, 3]))), [2, 5, 3], EXACT);
    const [mx, my] = grads([[1, 5, 3], [2, 4, 3]], ([x, y]) => ts.maximum(x!, y!));
    assertClose(mx!, [0, 1, 1], EXACT);
    assertClose(my!, [1, 0, 0], EXACT);
    // minimum(…) = [1, 4, 3];  x <= y at [yes, no, yes] → dx = [1, 0, 1], dy = [0, 1, 0]
    assertClose(run(() => ts.minimum(f64([1, 5, 3]), f64([2, 4, 3]))), [1, 4, 3], EXACT);
    const [nx, ny] = grads([[1, 5, 3], [2, 4, 3]], ([x, y]) => ts.minimum(x!, y!));
    assertClose(nx!, [1, 0, 1], EXACT);
    assertClose(ny!, [0, 1, 0], EXACT);
  });

  test("a broadcast scalar collects the gradient of every element it wins", () => {
    // maximum([[1, −1], [−2, 3]], 0): y = 0 wins at −1 and −2 → dy = 2;  dx = [[1, 0], [0, 1]]
    const [gx, gy] = grads([[[1, -1], [-2, 3]], 0], ([x, y]) => ts.maximum(x!, y!));
    assertClose(gx!, [[1, 0], [0, 1]], EXACT);
    assertClose(gy!, 2, EXACT);
  });

  test("int32", () => {
    assertClose(run(() => ts.maximum(i32([1, -5]), i32([0, 0]))), [1, 0], { ...EXACT, dtype: "int32" });
  });
});

describe("clipByValue, by hand", () => {
  test("values and TensorFlow's gradient: t inside [min, max] (bounds included), min below it, max above it", () => {
    // clip([-3, -1, 0, 1, 3], -1, 1) = [-1, -1, 0, 1, 1];  dt = [0, 1, 1, 1, 0];  dmin = 1 (from −3);  dmax = 1 (from 3)
    assertClose(run(() => ts.clipByValue(f64([-3, -1, 0, 1, 3]), -1, 1)), [-1, -1, 0, 1, 1], EXACT);
    const [gt, glo, ghi] = grads([[-3, -1, 0, 1, 3], -1, 1], ([t, lo, hi]) => ts.clipByValue(t!, lo!, hi!));
    assertClose(gt!, [0, 1, 1, 1, 0], EXACT);
    assertClose(glo!, 1, EXACT);
    assertClose(ghi!, 1, EXACT);
  });

  test("bounds that broadcast to t", () => {
    // t = [[1, 5], [−2, 0]], min = [0, 1], max = 4 → [[max(1,0), min(5,4)], [max(−2,0), max(0,1)]] = [[1, 4], [0, 1]]
    assertClose(run(() => ts.clipByValue(f64([[1, 5], [-2, 0]]), f64([0, 1]), 4)), [[1, 4], [0, 1]], EXACT);
    // dmin = [1 (from −2), 1 (from 0 < 1)] summed per column = [1, 1]
    const [, glo] = grads([[[1, 5], [-2, 0]], [0, 1], 4], ([t, lo, hi]) => ts.clipByValue(t!, lo!, hi!));
    assertClose(glo!, [1, 1], EXACT);
  });

  test("min > max gives min, as TensorFlow's max(min(t, max), min)", () => {
    assertClose(run(() => ts.clipByValue(f64([0, 5]), 3, 1)), [3, 3], EXACT);
    assert.equal(ts.clip_by_value, ts.clipByValue);
  });
});

describe("pow, maximum, minimum and clipByValue errors", () => {
  test("dtypes must agree, naming the node", () => {
    throwsWith(() => inGraph(() => ts.pow(f64([1]), i32([2]), "p")), ts.DTypeError, /Pow 'p': inputs must have the same dtype, got float64 and int32/);
    throwsWith(() => inGraph(() => ts.maximum(ts.constant([true]), ts.constant([false]))), ts.DTypeError, /Maximum 'Maximum' does arithmetic and does not take bool values/);
  });

  test("shapes that do not broadcast, at build time and at run time", () => {
    throwsWith(() => inGraph(() => ts.minimum(f64([[1, 2, 3]]), f64([1, 2]))), ts.ShapeError, /Minimum 'Minimum': operands could not be broadcast together with shapes \[1,3\] and \[2\]/);
    throwsWith(
      atRun([ts.tensor([[1, 2, 3]], { dtype: "float64" }), ts.tensor([1, 2], { dtype: "float64" })], ([x, y]) => ts.maximum(x!, y!)),
      ts.ShapeError,
      /Maximum 'Maximum': operands could not be broadcast together with shapes \[1,3\] and \[2\]/,
    );
  });

  test("clip bounds may not make t larger", () => {
    throwsWith(
      () => inGraph(() => ts.clipByValue(f64([1, 2, 3]), f64([[0, 0, 0], [1, 1, 1]]), 5, "clip")),
      ts.ShapeError,
      /ClipByValue 'clip': clip_value_min of shape \[2,3\] would broadcast t of shape \[3\] to \[2,3\]; a bound must be a scalar or broadcast to t's shape/,
    );
    throwsWith(
      atRun([ts.tensor([1], { dtype: "float64" }), ts.tensor([0, 0, 0], { dtype: "float64" })], ([t, hi]) => ts.clipByValue(t!, 0, hi!)),
      ts.ShapeError,
      /ClipByValue 'ClipByValue': clip_value_max of shape \[3\] would broadcast t of shape \[1\] to \[3\]/,
    );
  });

  test("an int32 base to a negative power fails at run time, naming the node", () => {
    throwsWith(
      atRun([ts.tensor([2, 3], { dtype: "int32" }), ts.tensor([1, -1], { dtype: "int32" })], ([x, y]) => ts.pow(x!, y!, "power")),
      ts.ValueError,
      /'power' \(Pow\) at run time: integers to negative integer powers are not allowed \(3 to the power -1\); cast to float first/,
    );
  });
});

describe("log and IEEE special values", () => {
  test("log(0) = -Infinity, log(1) = 0, log(−1) = NaN; no exception", () => {
    for (const c of [f64, f32]) assertClose(run(() => ts.log(c([0, 1, -1]))), [-Infinity, 0, NaN], { ...EXACT, equalNan: true });
  });

  test("the gradient of log at 0 is +Infinity (1/0)", () => {
    const [dx] = grads([[0, 2]], ([x]) => ts.reduceSum(ts.log(x!)));
    assertClose(dx!, [Infinity, 0.5], EXACT);
  });

  test("NaN propagates through add and reductions", () => {
    assertClose(run(() => ts.add(f64([1, NaN]), f64(1))), [2, NaN], { ...EXACT, equalNan: true });
    assertClose(run(() => ts.reduceSum(f64([[1, NaN], [2, 3]]), 0)), [3, NaN], { ...EXACT, equalNan: true });
  });
});

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

describe("cast, by hand", () => {
  test("beyond int32's range saturates, NaN gives 0", () => {
    // 3e10 → 2147483647;  −3e10 → −2147483648;  NaN → 0;  2147483647.5 → 2147483647
    const out = run(() => ts.cast(f64([3e10, -3e10, Number.NaN, 2147483647.5]), "int32"));
    assertClose(out, [2147483647, -2147483648, 0, 2147483647], { ...EXACT, dtype: "int32" });
  });

  test("to bool is x != 0 (NaN is true); bool to numbers is 0 or 1", () => {
    assertClose(run(() => ts.cast(f64([0, -0, 2, -0.1, Number.NaN]), "bool")), [0, 0, 1, 1, 1], { ...EXACT, dtype: "bool" });
    assertClose(run(() => ts.cast(ts.constant([true, false]), "float32")), [1, 0], { ...EXACT, dtype: "float32" });
    assertClose(run(() => ts.cast(ts.constant([-3, 0], { dtype: "int32" }), "bool")), [1, 0], { ...EXACT, dtype: "bool" });
  });

  test("float64 to float32 rounds to nearest; int32 to float32 too", () => {
    // 0.1 → 0.10000000149011612;  16777217 (2^24 + 1) → 16777216
    assertClose(run(() => ts.cast(f64([0.1]), "float32")), [0.10000000149011612], { ...EXACT, dtype: "float32" });
    assertClose(run(() => ts.cast(ts.constant([16777217], { dtype: "int32" }), "float32")), [16777216], { ...EXACT, dtype: "float32" });
  });

  test("the node keeps TensorFlow's attribute name DstT", () => {
    inGraph(() => {
      const y = ts.cast(f64([1]), "int32", "to_int") as ts.Operation<{ DstT: ts.DType }>;
      assert.equal(y.name, "to_int");
      assert.deepEqual({ ...y.attrs }, { DstT: "int32" });
    });
  });
});

describe("cast errors", () => {
  test("an unknown dtype names the function and the dtypes there are", () => {
    throwsWith(() => inGraph(() => ts.cast(f64([1]), "complex64" as ts.DType, "c")), ts.ArgumentError, /cast: argument 'dtype' must be a dtype: one of "float32", "float64", "int32", "bool", .*got the string "complex64"/);
  });
});
