/**
 * Numeric checks as in TensorFlow 1.x: checkNumerics (check_numerics), addCheckNumericsOps
 * (add_check_numerics_ops), and the session option that checks every op and names the first one
 * whose output is not finite. The case is the tutorial's loss, -sum(c * log(p)), which turns every
 * weight into NaN the moment a probability underflows to 0, even for a correct prediction.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

function numericsError(...patterns: RegExp[]): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof ts.NumericsError, `expected a NumericsError, got ${String(e)}`);
    for (const p of patterns) assert.match((e as Error).message, p);
    return true;
  };
}

/** The tutorial's perceptron and loss on one point it classifies right with a huge margin: softmax gives p = [1, 0] exactly. */
function tutorial() {
  const graph = new ts.Graph();
  return graph.asDefault(() => {
    const X = ts.placeholder("float32", [null, 2], "X");
    const c = ts.placeholder("float32", [null, 2], "c");
    const W = new ts.Variable([[1, -1], [1, -1]], { name: "W" });
    const p = ts.softmax(ts.matmul(X, W));
    const J = ts.negative(ts.reduceSum(ts.reduceSum(ts.multiply(c, ts.log(p)), 1)));
    const minimize = new ts.train.GradientDescentOptimizer(0.01).minimize(J);
    const feeds = { X: [[300, 300]], c: [[1, 0]] };
    return { graph, W, p, J, minimize, feeds };
  });
}

describe("checkNumerics", () => {
  test("passes finite values through and fails on NaN or an infinity with its message, naming the node", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float64", [3], "x");
      const checked = ts.checkNumerics(x, "x went bad");
      const s = new ts.Session();
      assert.deepEqual(s.run(checked, { x: [1, -2, 1e300] }).toArray(), [1, -2, 1e300]);
      assert.throws(() => s.run(checked, { x: [1, NaN, 3] }), numericsError(/'CheckNumerics' \(CheckNumerics\) at run time: x went bad : Tensor had NaN values/, /element 1 of shape \[3\]/));
      assert.throws(() => s.run(checked, { x: [1, 2, -Infinity] }), numericsError(/x went bad : Tensor had -Inf values/));
    });
  });

  test("refuses integer tensors and a message that is not a string", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      assert.throws(() => ts.checkNumerics(ts.constant([1, 2], { dtype: "int32" }), "m"), ts.DTypeError);
      assert.throws(() => ts.checkNumerics(ts.constant([1, 2]), undefined as never), (e: unknown) => e instanceof ts.ValueError && /checkNumerics: the message/.test((e as Error).message));
    });
  });

  test("its gradient passes through, checked in turn (as TensorFlow's)", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float32", [2], "x");
      const scale = ts.placeholder("float32", [2], "scale");
      const y = ts.reduceSum(ts.multiply(ts.checkNumerics(x, "x"), scale));
      const [dx] = ts.gradients(y, [x]);
      const s = new ts.Session();
      assert.deepEqual(s.run(dx!, { x: [1, 2], scale: [3, 4] }).toArray(), [3, 4]);
      assert.throws(() => s.run(dx!, { x: [1, 2], scale: [3, Infinity] }), numericsError(/Not a number \(NaN\) or infinity \(Inf\) values detected in gradient\. x : Tensor had Inf values/));
    });
  });
});

describe("the tutorial's loss when a probability underflows", () => {
  test("unchecked, one step silently turns the weights into NaN (the defect the checks are for)", () => {
    const m = tutorial();
    const s = new ts.Session(m.graph);
    s.run(m.minimize, m.feeds);
    assert.ok((s.run(m.W).toArray() as number[][]).flat().every((v) => Number.isNaN(v)));
  });

  test("addCheckNumericsOps: running its group with the step fails on the first value that is not finite", () => {
    const m = tutorial();
    const check = ts.addCheckNumericsOps(m.graph);
    const s = new ts.Session(m.graph);
    // As in TensorFlow, the checks do not order the step's updates after them (a control dependency would).
    assert.throws(() => s.run([m.minimize, check], m.feeds), numericsError(/at run time: \S+:0 : Tensor had (-Inf|NaN) values/));
    // A point predicted with a finite log-probability passes every check.
    const fine = new ts.Session(m.graph);
    fine.run([m.minimize, check], { X: [[0.3, 0.3]], c: [[1, 0]] });
  });

  test("a session with checkNumerics names the first op whose output is not finite: the Log of an underflowed probability", () => {
    const m = tutorial();
    const s = new ts.Session({ graph: m.graph, checkNumerics: true });
    assert.throws(() => s.run(m.minimize, m.feeds), numericsError(/^'Log' \(Log\) at run time: the output holds -Inf \(element 1 of shape \[1,2\]\)/, /its inputs are finite: this op produced it/));
    assert.deepEqual(s.run(m.W).toArray(), [[1, -1], [1, -1]]);
    // A value that arrives non-finite is named as such.
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float32", [1], "x");
      const y = ts.exp(x);
      assert.throws(() => new ts.Session({ checkNumerics: true }).run(y, { x: [NaN] }), numericsError(/'Exp' \(Exp\) at run time: the output holds NaN/, /its input 0 \(placeholder 'x'|input 0 .*x.* already holds NaN/));
    });
  });

  test("setCheckNumericsEnabled(true) checks sessions without the option; a session's option wins", () => {
    const m = tutorial();
    ts.setCheckNumericsEnabled(true);
    try {
      assert.equal(ts.isCheckNumericsEnabled(), true);
      assert.throws(() => new ts.Session(m.graph).run(m.minimize, m.feeds), numericsError(/'Log'/));
      const unchecked = new ts.Session({ graph: m.graph, checkNumerics: false });
      unchecked.run(m.minimize, m.feeds);
      assert.ok(Number.isNaN((unchecked.run(m.W).toArray() as number[][])[0]![0]!));
    } finally {
      ts.setCheckNumericsEnabled(false);
    }
    assert.throws(() => ts.setCheckNumericsEnabled(1 as never), ts.ValueError);
    assert.throws(() => new ts.Session({ checkNumerics: "yes" as never }), ts.ValueError);
  });
});
