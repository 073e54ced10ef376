/** Comparisons, logical connectives and where by hand: bool results, broadcasting, NaN, gradients, errors. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { atRun, inGraph, run, throwsWith } from "../helpers/graph-run.js";

const f64 = (v: ts.NestedArray): ts.Node => ts.constant(v, { dtype: "float64" });
const i32 = (v: ts.NestedArray): ts.Node => ts.constant(v, { dtype: "int32" });
const bool = (v: ts.NestedArray): ts.Node => ts.constant(v, { dtype: "bool" });
const BOOL = { atol: 0, rtol: 0, dtype: "bool" as const };
const EXACT = { atol: 0, rtol: 0 };

describe("comparisons, by hand", () => {
  test("each comparison on [1, 2, 3] against [1, 0, 3]", () => {
    const a = [1, 2, 3];
    const b = [1, 0, 3];
    // equal [T,F,T]; notEqual [F,T,F]; greater [F,T,F]; greaterEqual [T,T,T]; less [F,F,F]; lessEqual [T,F,T]
    const cases: [(x: ts.Node, y: ts.Node) => ts.Node, number[]][] = [
      [ts.equal, [1, 0, 1]],
      [ts.notEqual, [0, 1, 0]],
      [ts.greater, [0, 1, 0]],
      [ts.greaterEqual, [1, 1, 1]],
      [ts.less, [0, 0, 0]],
      [ts.lessEqual, [1, 0, 1]],
    ];
    for (const [f, expected] of cases) {
      assertClose(run(() => f(f64(a), f64(b))), expected, BOOL);
      assertClose(run(() => f(i32(a), i32(b))), expected, BOOL);
    }
  });

  test("broadcasting [2,1] against [3], and a plain number taking the other operand's dtype", () => {
    // greater([[1],[3]], [0, 2, 4]) = [[T, F, F], [T, T, F]]
    assertClose(run(() => ts.greater(f64([[1], [3]]), f64([0, 2, 4]))), [[1, 0, 0], [1, 1, 0]], BOOL);
    // less(int32 [1, 5], 3) = [T, F]
    assertClose(run(() => ts.less(i32([1, 5]), 3)), [1, 0], BOOL);
  });

  test("NaN is unequal to everything, itself included, and unordered", () => {
    const nan = (): ts.Node => f64([Number.NaN, Number.NaN]);
    assertClose(run(() => ts.equal(nan(), f64([Number.NaN, 0]))), [0, 0], BOOL);
    assertClose(run(() => ts.notEqual(nan(), f64([Number.NaN, 0]))), [1, 1], BOOL);
    assertClose(run(() => ts.greaterEqual(nan(), f64([0, Number.NaN]))), [0, 0], BOOL);
  });

  test("equal and notEqual on bools", () => {
    assertClose(run(() => ts.equal(bool([true, false]), bool([true, true]))), [1, 0], BOOL);
    assertClose(run(() => ts.not_equal(bool([true, false]), true)), [0, 1], BOOL);
  });

  test("no gradient flows through a comparison", () => {
    inGraph(() => {
      const x = ts.placeholder({ dtype: "float32", shape: [2] });
      assert.deepEqual(ts.gradients(ts.cast(ts.greater(x, 0), "float32"), [x]), [null]);
    });
  });
});

describe("logical connectives, by hand", () => {
  test("truth tables, broadcasting, and the snake_case names", () => {
    // a = [[T], [F]], b = [T, F]:  and = [[T, F], [F, F]];  or = [[T, T], [T, F]];  not a = [[F], [T]]
    const a = (): ts.Node => bool([[true], [false]]);
    const b = (): ts.Node => bool([true, false]);
    assertClose(run(() => ts.logicalAnd(a(), b())), [[1, 0], [0, 0]], BOOL);
    assertClose(run(() => ts.logical_or(a(), b())), [[1, 1], [1, 0]], BOOL);
    assertClose(run(() => ts.logical_not(a())), [[0], [1]], BOOL);
    assert.equal(ts.logical_and, ts.logicalAnd);
    assert.equal(ts.greater_equal, ts.greaterEqual);
    assert.equal(ts.less_equal, ts.lessEqual);
  });
});

describe("where, by hand", () => {
  test("elementwise choice, with condition, x and y broadcast together", () => {
    // where([T, F, T], [1, 2, 3], [10, 20, 30]) = [1, 20, 3]
    assertClose(run(() => ts.where(bool([true, false, true]), f64([1, 2, 3]), f64([10, 20, 30]))), [1, 20, 3], EXACT);
    // condition [[T], [F]] (rows), x [1, 2], y 0 → [[1, 2], [0, 0]]
    assertClose(run(() => ts.where(bool([[true], [false]]), f64([1, 2]), 0)), [[1, 2], [0, 0]], EXACT);
  });

  test("plain numbers take the other value's dtype, not the condition's", () => {
    const out = run(() => ts.where(bool([true, false]), 1, 0));
    assert.equal(out.dtype, "float32", "where(c, 1, 0) has the default dtype of plain numbers, not bool");
    assertClose(out, [1, 0], EXACT);
    const f = run(() => ts.where(bool([true, false]), 0.5, f64([7, 8])));
    assert.equal(f.dtype, "float64");
    assertClose(f, [0.5, 8], EXACT);
  });

  test("gradients go to x where the condition holds and to y elsewhere, summed over broadcasting", () => {
    inGraph((g) => {
      // c = [T, F, T]; x = [1, 2, 3]; y scalar 5 → d/dx Σ = [1, 0, 1], d/dy Σ = 1 (one F)
      const c = ts.placeholder({ dtype: "bool" });
      const x = ts.placeholder({ dtype: "float64" });
      const y = ts.placeholder({ dtype: "float64" });
      const gs = ts.gradients(ts.where(c, x, y), [c, x, y]);
      assert.equal(gs[0], null, "the condition gets no gradient");
      const [gx, gy] = new ts.Session(g).run([gs[1]!, gs[2]!], new Map([
        [c, ts.tensor([true, false, true])],
        [x, ts.tensor([1, 2, 3], { dtype: "float64" })],
        [y, ts.tensor(5, { dtype: "float64" })],
      ]));
      assertClose(gx!, [1, 0, 1], EXACT);
      assertClose(gy!, 1, EXACT);
    });
  });

  test("where on bool values", () => {
    assertClose(run(() => ts.where(bool([true, false]), bool([false, false]), bool([true, true]))), [0, 1], BOOL);
  });
});

describe("comparison, logical and where errors", () => {
  test("ordering comparisons refuse bool; equal refuses mixed dtypes", () => {
    throwsWith(() => inGraph(() => ts.greater(bool([true]), bool([false]), "gt")), ts.DTypeError, /Greater 'gt' orders numbers and does not take bool values \(shapes \[1\] and \[1\]\)/);
    throwsWith(() => inGraph(() => ts.equal(f64([1]), i32([1]))), ts.DTypeError, /Equal 'Equal': inputs must have the same dtype, got float64 and int32 \(use cast to convert one\)/);
  });

  test("logical ops take bools only", () => {
    throwsWith(() => inGraph(() => ts.logicalAnd(bool([true]), f64([1, 0]))), ts.DTypeError, /LogicalAnd 'LogicalAnd' takes bool inputs, got float64 of shape \[2\] as input 1/);
    throwsWith(() => inGraph(() => ts.logicalNot(i32([1]), "not")), ts.DTypeError, /LogicalNot 'not' takes bool inputs, got int32/);
  });

  test("comparison shapes that do not broadcast, at run time", () => {
    throwsWith(
      atRun([ts.tensor([1, 2], { dtype: "float64" }), ts.tensor([1, 2, 3], { dtype: "float64" })], ([x, y]) => ts.lessEqual(x!, y!)),
      ts.ShapeError,
      /LessEqual 'LessEqual': operands could not be broadcast together with shapes \[2\] and \[3\]/,
    );
  });

  test("where: a bool condition, x and y of one dtype, shapes that broadcast", () => {
    throwsWith(() => inGraph(() => ts.where(f64([1]), f64([1]), f64([2]))), ts.DTypeError, /SelectV2 'SelectV2': the condition must be bool, got float64 of shape \[1\]/);
    throwsWith(() => inGraph(() => ts.where(bool([true]), f64([1]), i32([2]))), ts.DTypeError, /SelectV2 'SelectV2': inputs must have the same dtype, got float64 and int32/);
    throwsWith(
      () => inGraph(() => ts.where(bool([true, false]), f64([1, 2, 3]), f64([1, 2, 3]), "pick")),
      ts.ShapeError,
      /SelectV2 'pick': the condition \[2\], x \[3\] and y \[3\] do not broadcast together/,
    );
    throwsWith(() => inGraph(() => ts.where(bool([true]), i32([1]), 0.5)), ts.ValueError, /SelectV2 'SelectV2', input 2: /);
  });
});
