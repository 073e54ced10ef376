/**
 * The test helpers must be able to fail: assertClose on each kind of mismatch, gradcheck on
 * deliberately wrong gradients (built from op definitions that are not registered, so the op
 * table's coverage test does not see them).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose, isClose } from "../helpers/assert-close.js";
import { gradcheck, gradgradcheck } from "../helpers/gradcheck.js";

describe("assertClose", () => {
  test("passes within |a−e| <= atol + rtol·|e| and fails just outside", () => {
    assertClose([1, 100], [1 + 1e-8, 100 + 1e-3], { atol: 1e-7, rtol: 1e-5 });
    assert.throws(() => assertClose([100.0011], [100], { atol: 0, rtol: 1e-5 }), /not close/);
    assert.ok(isClose(1.5, 1, 0.5, 0));
    assert.ok(!isClose(1.5000001, 1, 0.5, 0));
  });

  test("checks shapes before values", () => {
    assert.throws(() => assertClose(ts.tensor([[1, 2, 3], [4, 5, 6]]), [1, 2, 3, 4, 5, 6]), /shape mismatch: actual \[2,3\], expected \[6\]/);
    assert.throws(() => assertClose(5, [5]), /shape mismatch: actual \[\], expected \[1\]/);
  });

  test("NaN, +Inf and −Inf are distinct classes; NaN equals NaN only when asked", () => {
    assert.throws(() => assertClose([NaN], [Infinity]), /not close/);
    assert.throws(() => assertClose([Infinity], [NaN], { equalNan: true }), /not close/);
    assert.throws(() => assertClose([Infinity], [-Infinity]), /not close/);
    assert.throws(() => assertClose([1e308], [Infinity], { atol: Infinity }), /not close/);
    assert.throws(() => assertClose([NaN], [NaN]), /equalNan/);
    assertClose([NaN, Infinity, -Infinity], [NaN, Infinity, -Infinity], { equalNan: true });
  });

  test("the failure message gives the index, both values, the difference and the tolerance", () => {
    assert.throws(
      () => assertClose(ts.tensor([[1, 2], [3, 4.5]], { dtype: "float64" }), [[1, 2], [3, 4]], { atol: 0.1, rtol: 0, what: "demo" }),
      (e: Error) => {
        assert.match(e.message, /\(demo\)/);
        assert.match(e.message, /1 of 4 elements/);
        assert.match(e.message, /index \[1,1\] \(flat 3\)/);
        assert.match(e.message, /actual 4\.5, expected 4, \|diff\| 0\.5 > tol 0\.1/);
        return true;
      },
    );
  });

  test("checks the dtype when asked", () => {
    assert.throws(() => assertClose(ts.tensor([1], { dtype: "float32" }), [1], { dtype: "float64" }), /dtype mismatch: actual float32, expected float64/);
  });
});

type NoAttrs = Record<string, never>;

/** An unregistered op type: `kernel` computes the values, `gradient` is the one under test. */
function fakeOp(kernel: string, gradient: ts.GradientFn<NoAttrs>): (xs: ts.Node[]) => ts.Node {
  const def: ts.OpDef<NoAttrs> = {
    type: `Fake${kernel}`,
    kernel,
    infer: (inputs) => ({ dtype: inputs[0]!.dtype, shape: inputs[0]!.shape }),
    gradient,
  };
  return (xs) => new ts.Operation(def, xs[0]!.graph, xs, {}, def.type);
}

const X = { shape: [2, 3], data: Float64Array.of(0.5, -1, 1.5, 2, -0.25, 0.75) };

describe("gradcheck", () => {
  test("passes a correct gradient and counts every element", () => {
    const square = fakeOp("Square", (op, dy) => [ts.multiply(dy, ts.multiply(2, op.inputs[0]!))]);
    assert.equal(gradcheck("FakeSquare", square, [X]).checked, 6);
  });

  test("fails a wrong gradient, naming the op, the input, the element and both values", () => {
    const wrong = fakeOp("Square", (op, dy) => [ts.multiply(dy, ts.multiply(3, op.inputs[0]!))]);
    assert.throws(() => gradcheck("FakeSquare(3x)", wrong, [X]), (e: Error) => {
      assert.match(e.message, /gradcheck FakeSquare\(3x\)/);
      assert.match(e.message, /6 of 6 gradient elements/);
      // x[0][0] = 0.5: numeric 2·0.5·w, analytic 3·0.5·w
      assert.match(e.message, /input 0 element \[0,0\] \(flat 0\): numeric -?[\d.e-]+, analytic -?[\d.e-]+/);
      return true;
    });
  });

  test("fails a gradient that ignores the output gradient (the random weighting catches it)", () => {
    // 2x instead of 2x·dy: right for sum(y), wrong for any other weighting of the outputs.
    const noDy = fakeOp("Square", (op) => [ts.multiply(2, op.inputs[0]!)]);
    assert.throws(() => gradcheck("FakeSquare(no dy)", noDy, [X]), /do not match finite differences/);
  });

  test("fails a null gradient for an input that matters", () => {
    const half = fakeOp("Mul", (op, dy) => [ts.multiply(dy, op.inputs[1]!), null]);
    assert.throws(() => gradcheck("FakeMul(null)", half, [X, X]), /input 1 element .* \(no gradient: null\)/);
  });

  test("fails a gradient of the wrong shape", () => {
    const sumMul = fakeOp("Mul", (op, dy) => [ts.multiply(dy, op.inputs[1]!), ts.reduceSum(ts.multiply(dy, op.inputs[0]!), 0, { keepDims: true })]);
    const bShape = { shape: [1, 3], data: Float64Array.of(1, 2, 3) };
    // infer takes input 0's shape; b [1,3] broadcasts. The gradient for b is reduced correctly here,
    // so this passes; reducing over the wrong axis must not.
    gradcheck("FakeMul(b [1,3])", sumMul, [X, bShape]);
    const wrongAxis = fakeOp("Mul", (op, dy) => [ts.multiply(dy, op.inputs[1]!), ts.reduceSum(ts.multiply(dy, op.inputs[0]!), 1, { keepDims: true })]);
    // With unknown shapes only the run shows the gradient's shape [2,1] against b's [1,3].
    assert.throws(() => gradcheck("FakeMul(wrong axis)", wrongAxis, [X, bShape], { shapes: "rank" }), /gradient of input 1 has shape \[2,1\], the input has \[1,3\]/);
    // With known shapes gradients() itself refuses it; gradcheck says which check was running.
    assert.throws(() => gradcheck("FakeMul(wrong axis)", wrongAxis, [X, bShape]), /gradcheck FakeMul\(wrong axis\) \(placeholder shapes: static\) threw GradientError: .*does not match the input's shape \[1,3\]/);
  });

  test("gradgradcheck catches a gradient that is right but not differentiable in the right way", () => {
    // d/dx x² = 2x·dy, but with 2x behind stopGradient the second derivative is lost.
    const frozen = fakeOp("Square", (op, dy) => [ts.multiply(dy, ts.stopGradient(ts.multiply(2, op.inputs[0]!)))]);
    gradcheck("FakeSquare(frozen)", frozen, [X]);
    assert.throws(() => gradgradcheck("FakeSquare(frozen)", frozen, [X]), /2nd order: gradient of input 0/);
    const good = fakeOp("Square", (op, dy) => [ts.multiply(dy, ts.multiply(2, op.inputs[0]!))]);
    assert.equal(gradgradcheck("FakeSquare", good, [X]), 1);
  });
});
