import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";

/** Builds in a fresh float64 graph and evaluates the gradients of y w.r.t. xs at the given values. */
function gradAt(
  values: number[][],
  build: (xs: ts.Node[]) => ts.Node,
): number[][] {
  const g = new ts.Graph();
  return g.asDefault(() => {
    const xs = values.map((_, i) => ts.placeholder({ dtype: "float64", shape: [values[i]!.length], name: `x${i}` }));
    const y = build(xs);
    const grads = ts.gradients(y, xs);
    const feeds = new Map(xs.map((x, i) => [x, ts.tensor(values[i]!, { dtype: "float64" })]));
    return grads.map((gr) => (gr === null ? [] : Array.from(new ts.Session().run(gr, feeds).data)));
  });
}

const close = (a: number[], b: number[], tol = 1e-12) =>
  assert.ok(a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= tol * (1 + Math.abs(b[i]!))), `${a} vs ${b}`);

describe("gradients() where the tutorial's breadth-first version fails", () => {
  test("a node reached by paths of different lengths: a = x*w, loss = sum(a*a + x)", () => {
    // dL/dx = 2·a·w + 1 = 2·x·w² + 1;  dL/dw = 2·a·x = 2·x²·w
    const x = [1, -2, 0.5];
    const w = [3, 0.5, -1];
    const [dx, dw] = gradAt([x, w], ([X, W]) => {
      const a = ts.multiply(X!, W!);
      return ts.reduceSum(ts.add(ts.multiply(a, a), X!));
    });
    close(dx!, x.map((xi, i) => 2 * xi * w[i]! ** 2 + 1));
    close(dw!, x.map((xi, i) => 2 * xi ** 2 * w[i]!));
  });

  test("a consumer that does not lead to the loss is ignored", () => {
    const x = [1, 2];
    const [dx] = gradAt([x], ([X]) => {
      ts.negative(X!); // unused consumer
      ts.reduceSum(ts.exp(X!)); // another branch, not part of the loss
      return ts.reduceSum(ts.multiply(X!, X!));
    });
    close(dx!, [2, 4]);
  });

  test("consumers at different depths: y feeding add(y, sigmoid(y))", () => {
    // d/dx [y + σ(y)] with y = 3x: 3·(1 + σ(y)(1−σ(y)))
    const x = [0.2, -1];
    const [dx] = gradAt([x], ([X]) => {
      const y = ts.multiply(X!, 3);
      return ts.reduceSum(ts.add(y, ts.sigmoid(y)));
    });
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    close(dx!, x.map((v) => 3 * (1 + s(3 * v) * (1 - s(3 * v)))));
  });

  test("an op using one input twice: multiply(x, x)", () => {
    const [dx] = gradAt([[3, -4]], ([X]) => ts.reduceSum(ts.multiply(X!, X!)));
    close(dx!, [6, -8]);
  });

  test("a diamond: y = exp(x) * log(x + 2) shares x through two branches", () => {
    const x = [0.5, 1.5];
    const [dx] = gradAt([x], ([X]) => ts.reduceSum(ts.multiply(ts.exp(X!), ts.log(ts.add(X!, 2)))));
    close(dx!, x.map((v) => Math.exp(v) * Math.log(v + 2) + Math.exp(v) / (v + 2)));
  });
});

describe("gradients() semantics", () => {
  test("an x that y does not depend on gets null", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const a = ts.placeholder({ name: "a" });
      const b = ts.placeholder({ name: "b" });
      const [da, db] = ts.gradients(ts.square(a), [a, b]);
      assert.ok(da instanceof ts.Node);
      assert.equal(db, null);
    });
  });

  test("stopGradient blocks the gradient through it", () => {
    const [dx] = gradAt([[2]], ([X]) => ts.reduceSum(ts.add(ts.square(X!), ts.stopGradient(ts.square(X!)))));
    close(dx!, [4]);
  });

  test("non-scalar y with explicit gradYs weights each element", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder({ dtype: "float64", shape: [3], name: "x" });
      const y = ts.square(x);
      const [dx] = ts.gradients(y, [x], [ts.constant([1, 10, 100], { dtype: "float64" })]);
      const out = new ts.Session().run(dx!, { x: ts.tensor([1, 2, 3], { dtype: "float64" }) });
      assert.deepEqual(out.toArray(), [2, 40, 600]);
      // Without gradYs, ones: the gradient of sum(y).
      const [dx1] = ts.gradients(y, x);
      assert.deepEqual(new ts.Session().run(dx1!, { x: ts.tensor([1, 2, 3], { dtype: "float64" }) }).toArray(), [2, 4, 6]);
    });
  });

  test("gradients of several ys add up", () => {
    const [dx] = gradAt([[1, 2]], ([X]) => ts.reduceSum(X!)); // sanity
    close(dx!, [1, 1]);
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder({ dtype: "float64", shape: [], name: "x" });
      const [d] = ts.gradients([ts.square(x), ts.multiply(x, 5)], [x]);
      assert.equal(new ts.Session().run(d!, { x: ts.tensor(3, { dtype: "float64" }) }).item(), 11);
    });
  });

  test("broadcast operands get gradients of their own shape (summed over broadcast axes)", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const a = ts.placeholder({ dtype: "float64", shape: [null, 3], name: "a" });
      const b = ts.placeholder({ dtype: "float64", shape: [3], name: "b" });
      const c = ts.placeholder({ dtype: "float64", shape: [null, 1], name: "c" });
      const y = ts.reduceSum(ts.multiply(ts.add(a, b), c));
      const [da, db, dc] = ts.gradients(y, [a, b, c]);
      const feeds = {
        a: ts.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" }),
        b: ts.tensor([10, 20, 30], { dtype: "float64" }),
        c: ts.tensor([[2], [-1]], { dtype: "float64" }),
      };
      const [ga, gb, gc] = new ts.Session().run([da!, db!, dc!], feeds);
      assert.deepEqual(ga.toArray(), [[2, 2, 2], [-1, -1, -1]]);
      assert.deepEqual(gb.toArray(), [1, 1, 1]); // 2 + (−1) per column
      assert.deepEqual(gc.toArray(), [[66], [75]]); // row sums of a + b
    });
  });

  test("second derivatives: gradients of gradients of x³ is 6x", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder({ dtype: "float64", shape: [2], name: "x" });
      const y = ts.reduceSum(ts.multiply(ts.square(x), x));
      const [dx] = ts.gradients(y, [x]);
      const [ddx] = ts.gradients(dx!, [x]);
      const out = new ts.Session().run([dx!, ddx!], { x: ts.tensor([2, -1], { dtype: "float64" }) });
      assert.deepEqual(out[0].toArray(), [12, 3]);
      assert.deepEqual(out[1].toArray(), [12, -6]);
    });
  });

  test("gradient nodes are added to the graph under the 'gradients' name scope", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder({ name: "x" });
      const before = g.numNodes();
      const [dx] = ts.gradients(ts.sigmoid(x), [x]);
      assert.ok(g.numNodes() > before);
      assert.match(dx!.name, /^gradients\//);
    });
  });

  test("y of an integer dtype has no gradient", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const n = ts.placeholder({ dtype: "int32", name: "n" });
      assert.throws(() => ts.gradients(ts.add(n, 1), [n]), (e: Error) => e instanceof ts.GradientError && /int32/.test(e.message));
    });
  });
});

describe("matmul gradients when an operand's rank is unknown", () => {
  test("the tutorial's part I graph: x = placeholder() fed a vector, or a matrix", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const A = new ts.Variable([[1, 0], [0, -1]]);
      const b = new ts.Variable([1, 1]);
      const x = ts.placeholder();
      const [dA, dx] = ts.gradients(ts.reduceSum(ts.add(ts.matmul(A, x), b)), [A, x]);
      const s = new ts.Session();
      // z_i = Σ_k A_ik x_k + b_i: ∂Σz/∂A_ik = x_k, ∂Σz/∂x_k = Σ_i A_ik.
      const [gA, gx] = s.run([dA!, dx!], new Map([[x, [1, 2]]]));
      assert.deepEqual(gA.toArray(), [[1, 2], [1, 2]]);
      assert.deepEqual(gx.toArray(), [1, -1]);
      // Fed a matrix: Z = A·X (+ b broadcast over the last axis), ∂ΣZ/∂A_ik = Σ_j X_kj.
      const [gA2, gx2] = s.run([dA!, dx!], new Map([[x, [[1, 2], [3, 4]]]]));
      assert.deepEqual(gA2.toArray(), [[3, 7], [3, 7]]);
      assert.deepEqual(gx2.toArray(), [[1, 1], [-1, -1]]);
    });
  });
});

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

describe("gradients(): intermediate xs, repeated ys, gradYs, second order, other graphs", () => {
  test("w.r.t. an intermediate node and an ancestor of it at once: the ancestor gets the total derivative", () => {
    // y = Σ h·x with h = x²: ∂y/∂h = x (h held fixed), dy/dx = 3x² (through h and directly).
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float64", [3], "x");
      const h = ts.multiply(x, x);
      const y = ts.reduceSum(ts.multiply(h, x));
      const [dh, dx] = ts.gradients(y, [h, x]);
      const s = new ts.Session();
      const xv = [1, -2, 0.5];
      assertClose(s.run(dh!, { x: xv }).data, xv, { atol: 1e-12, rtol: 1e-12 });
      assertClose(s.run(dx!, { x: xv }).data, xv.map((v) => 3 * v * v), { atol: 1e-12, rtol: 1e-12 });
      // Feeding h: the direct term h + the term through h, 2x·x, use the fed h.
      const hv = [10, 20, 30];
      assertClose(s.run(dx!, new Map([[x, xv], [h, hv]])).data, xv.map((v, i) => hv[i]! + 2 * v * v), { atol: 1e-12, rtol: 1e-12 });
    });
  });

  test("a node used by many consumers at different depths, and a y listed twice", () => {
    // y = σ(a)·σ(a) + σ(a)·a with a = 2x; dy/dx = 2·(2σσ' + σ'a + σ) with σ' = σ(1−σ).
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float64", [null], "x");
      const a = ts.multiply(x, 2);
      const sa = ts.sigmoid(a);
      const y = ts.reduceSum(ts.add(ts.multiply(sa, sa), ts.multiply(sa, a)));
      const [dx] = ts.gradients(y, x);
      const [dx2] = ts.gradients([y, y], [x]);
      const xv = [0.3, -1.2, 2];
      const expected = xv.map((v) => {
        const s = sig(2 * v);
        const ds = s * (1 - s);
        return 2 * (2 * s * ds + ds * 2 * v + s);
      });
      const sess = new ts.Session();
      assertClose(sess.run(dx!, { x: xv }).data, expected, { atol: 1e-12, rtol: 1e-12 });
      assertClose(sess.run(dx2!, { x: xv }).data, expected.map((e) => 2 * e), { atol: 1e-12, rtol: 1e-12 });
    });
  });

  test("gradYs of unknown shape, given at run time, weight each element", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float64", [null], "x");
      const w = ts.placeholder("float64", null, "w");
      const y = ts.exp(x);
      const [dx] = ts.gradients(y, x, [w]);
      const xv = [0, 1, -1];
      const wv = [1, 10, 100];
      assertClose(new ts.Session().run(dx!, { x: xv, w: wv }).data, xv.map((v, i) => wv[i]! * Math.exp(v)), { atol: 1e-12, rtol: 1e-12 });
    });
  });

  test("gradYs that cannot be y's gradient are refused when gradients() builds, naming gradYs", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float32", [2], "x");
      const y = ts.multiply(x, 3);
      assert.throws(() => ts.gradients(y, x, [2]), (e: Error) => e instanceof ts.GradientError && /gradYs\[0\] has shape \[\], which does not match the shape \[2\]/.test(e.message));
      assert.throws(() => ts.gradients(y, x, [ts.constant([1, 1], { dtype: "float64" })]), (e: Error) => e instanceof ts.GradientError && /gradYs\[0\] has dtype float64/.test(e.message));
      assert.throws(() => ts.gradients(y, x, [[1, 1], [1, 1]]), (e: Error) => e instanceof ts.GradientError && /2 gradYs for 1 ys/.test(e.message));
      // One node where an array belongs is taken as the one gradYs (as TensorFlow does), not ignored.
      const gy = ts.constant([1, 10]);
      const [dx] = ts.gradients(y, x, gy as unknown as ts.Node[]);
      assert.deepEqual(new ts.Session().run(dx!, { x: [5, 5] }).toArray(), [3, 30]);
    });
  });

  test("second order: d²/dx² Σσ(x²) and the Hessian diagonal of a mean over an unknown shape", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float64", [null], "x");
      const [d] = ts.gradients(ts.reduceSum(ts.sigmoid(ts.multiply(x, x))), x);
      const [dd] = ts.gradients(d!, x);
      const [dm] = ts.gradients(ts.reduceMean(ts.exp(x)), x);
      const [ddm] = ts.gradients(dm!, x);
      const s = new ts.Session();
      const xv = [0.5, -1, 2];
      // f = σ(u), u = x²: f'' = 2σ' + 4x²σ'' with σ' = σ(1−σ), σ'' = σ'(1−2σ).
      const expected = xv.map((v) => {
        const sv = sig(v * v);
        const d1 = sv * (1 - sv);
        return 2 * d1 + 4 * v * v * d1 * (1 - 2 * sv);
      });
      assertClose(s.run(dd!, { x: xv }).data, expected, { atol: 1e-12, rtol: 1e-12 });
      assertClose(s.run(ddm!, { x: xv }).data, xv.map((v) => Math.exp(v) / 3), { atol: 1e-12, rtol: 1e-12 });
    });
  });

  test("gradients and minimize on a graph that is not the default add nothing to the default graph", () => {
    const g = new ts.Graph();
    const { x, w, loss } = g.asDefault(() => {
      const x = ts.placeholder("float32", [null, 2], "x");
      const w = new ts.Variable([[1], [2]], { name: "w" });
      const loss = ts.reduceMean(ts.square(ts.sigmoid(ts.matmul(x, w))));
      return { x, w, loss };
    });
    const outside = ts.getDefaultGraph();
    const before = outside.numNodes();
    const [dw] = ts.gradients(loss, [w]);
    const step = new ts.train.GradientDescentOptimizer(0.1).minimize(loss);
    assert.equal(dw!.graph, g);
    assert.equal(step.graph, g);
    assert.equal(outside.numNodes(), before);
    const s = new ts.Session(g);
    s.run(step, new Map([[x, [[1, 1]]]]));
    // loss = σ(3)², dloss/dw = 2σ(3)·σ(3)(1−σ(3))·[1, 1]
    const y = sig(3);
    const grad = 2 * y * y * (1 - y);
    assertClose(s.run(w).data, [1 - 0.1 * grad, 2 - 0.1 * grad], { atol: 1e-6, rtol: 1e-6 });
  });
});
