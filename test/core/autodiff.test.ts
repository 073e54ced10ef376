import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

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
