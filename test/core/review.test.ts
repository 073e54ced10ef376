/**
 * An adversarial review of the core semantics: plans (buffer sharing, cached outputs, feeds and
 * fetches of the same node), sessions and feeds, gradients (many uses, intermediate xs, gradYs,
 * fed nodes, second order), names and default graphs, updates and optimizers, numerics.
 * Expected values are computed here, by hand or in plain JS, never read back from the library.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12, what = ""): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= tol * (1 + Math.abs(e)), `${what}[${i}]: ${a} vs ${e}`);
  }
}

/** A seeded generator for the randomized test (a plain LCG: the library's own random is not used). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe("plans: buffer sharing and cached outputs", () => {
  test("random DAGs agree with plain JS across runs with changing batch sizes, fetch sets and fed intermediates", () => {
    // Each graph mixes binary, unary and reducing ops over x [n, 3], so that values die at
    // different depths and buffers get shared; each run picks a new batch size (0 included), a new
    // fetch set and sometimes feeds an intermediate node that other nodes also read.
    type Rows = number[][];
    const rnd = lcg(2024);
    const ri = (n: number): number => Math.floor(rnd() * n);
    for (let trial = 0; trial < 60; trial++) {
      const g = new ts.Graph();
      g.asDefault(() => {
        const x = ts.placeholder("float64", [null, 3], "x");
        const nodes: { node: ts.Node; f: (at: (i: number) => Rows, xv: Rows) => Rows }[] = [{ node: x, f: (_at, xv) => xv }];
        const count = 4 + ri(10);
        for (let n = 0; n < count; n++) {
          const a = ri(nodes.length);
          const b = ri(nodes.length);
          const A = nodes[a]!.node;
          const B = nodes[b]!.node;
          const zip = (fn: (p: number, q: number) => number) => (at: (i: number) => Rows) =>
            at(a).map((r, i) => r.map((v, j) => fn(v, at(b)[i]![j]!)));
          const map = (fn: (p: number) => number) => (at: (i: number) => Rows) => at(a).map((r) => r.map(fn));
          switch (ri(6)) {
            case 0: nodes.push({ node: ts.add(A, B), f: zip((p, q) => p + q) }); break;
            case 1: nodes.push({ node: ts.multiply(A, B), f: zip((p, q) => p * q) }); break;
            case 2: nodes.push({ node: ts.subtract(A, B), f: zip((p, q) => p - q) }); break;
            case 3: nodes.push({ node: ts.sigmoid(A), f: map(sig) }); break;
            case 4:
              // Row sums broadcast back over the row: [n, 1] + [n, 3] * 0.
              nodes.push({
                node: ts.add(ts.reduceSum(A, 1, { keepDims: true }), ts.multiply(A, 0)),
                f: (at) => at(a).map((r) => { const s = r.reduce((p, q) => p + q, 0); return r.map(() => s); }),
              });
              break;
            default: nodes.push({ node: ts.negative(A), f: map((p) => -p) });
          }
        }
        const s = new ts.Session();
        for (let run = 0; run < 5; run++) {
          const rows = ri(4);
          const xv = Array.from({ length: rows }, () => [rnd() - 0.5, rnd() - 0.5, rnd() - 0.5]);
          const fetchIdx = [...new Set(Array.from({ length: 1 + ri(3) }, () => ri(nodes.length)))];
          const fedIdx = rnd() < 0.5 ? 1 + ri(nodes.length - 1) : -1;
          const fedValue = Array.from({ length: rows }, () => [rnd(), rnd(), rnd()]);
          const memo = new Map<number, Rows>();
          const at = (i: number): Rows => {
            if (i === fedIdx) return fedValue;
            if (!memo.has(i)) memo.set(i, nodes[i]!.f(at, xv));
            return memo.get(i)!;
          };
          const feeds = new Map<ts.Node, ts.Tensor>([[x, ts.tensor(new Float64Array(xv.flat()), { shape: [rows, 3] })]]);
          if (fedIdx >= 0) feeds.set(nodes[fedIdx]!.node, ts.tensor(new Float64Array(fedValue.flat()), { shape: [rows, 3] }));
          const got = s.run(fetchIdx.map((i) => nodes[i]!.node), feeds);
          got.forEach((t, k) => {
            assert.deepEqual(t.shape, [rows, 3]);
            assertAllClose(t.data, at(fetchIdx[k]!).flat(), 1e-12, `trial ${trial} run ${run} node ${fetchIdx[k]}`);
          });
        }
      });
    }
  });

  test("a variable, its update and reads of it fetched in one run: reads see the old value, the update the new one", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const v = new ts.Variable([1, 2]);
      const up = ts.assignAdd(v, [10, 20]);
      const read = ts.identity(v);
      const after = ts.multiply(up, 2); // a consumer of the update sees the new value
      const s = new ts.Session();
      const [a, b, c, d, e] = s.run([v, up, read, v, after]);
      assert.deepEqual(a.toArray(), [1, 2]);
      assert.deepEqual(b.toArray(), [11, 22]);
      assert.deepEqual(c.toArray(), [1, 2]);
      assert.deepEqual(d.toArray(), [1, 2]);
      assert.deepEqual(e.toArray(), [22, 44]);
      assert.deepEqual(s.run(v).toArray(), [11, 22]);
      // The values fetched before are copies: the update after them did not change them.
      assert.deepEqual(a.toArray(), [1, 2]);
    });
  });

  test("a failed run leaves variables as they were", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const v = new ts.Variable([1, 2]);
      const p = ts.placeholder({ name: "p" });
      const up = ts.assignAdd(v, [1, 1]);
      const bad = ts.add(v, p); // fails at run time for p of shape [3]
      const s = new ts.Session();
      assert.throws(() => s.run([up, bad], { p: [1, 2, 3] }), ts.ShapeError);
      assert.deepEqual(s.run(v).toArray(), [1, 2]);
    });
  });
});

describe("feeds and fetches", () => {
  test("a node both fed and fetched comes back as fed; an intermediate fed for one consumer is fed for all", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder({ name: "x" });
      const h = ts.exp(x);
      const y = ts.add(h, x); // reads h and x
      const v = new ts.Variable([0, 0]);
      const up = ts.assignAdd(v, h); // reads h too
      const s = new ts.Session();
      const [hv, yv, uv] = s.run([h, y, up], new Map([[x, [1, 2]], [h, [5, 6]]]));
      assert.deepEqual(hv.toArray(), [5, 6]);
      assert.deepEqual(yv.toArray(), [6, 8]);
      assert.deepEqual(uv.toArray(), [5, 6]);
      // Feeding h cuts x off for the update: x need not be fed.
      s.run(up, new Map([[h, [1, 1]]]));
      assert.deepEqual(s.run(v).toArray(), [6, 7]);
      const [xv] = s.run([x], { x: [3] });
      assert.deepEqual(xv.toArray(), [3]);
    });
  });

  test("int32 feeds outside int32's range are refused, not wrapped", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const n = ts.placeholder("int32", [null], "n");
      const s = new ts.Session();
      assert.throws(() => s.run(n, { n: [2 ** 31] }), (e: Error) => e instanceof ts.FeedError && /int32 cannot hold exactly/.test(e.message) && /'n'/.test(e.message));
      assert.throws(() => s.run(n, { n: [-(2 ** 31) - 1] }), ts.FeedError);
      assert.deepEqual(s.run(n, { n: [2 ** 31 - 1, -(2 ** 31)] }).toArray(), [2147483647, -2147483648]);
    });
  });

  test("fetching a Tensor value instead of a node says so", () => {
    const g = new ts.Graph();
    const s = new ts.Session(g);
    assert.throws(() => s.run(ts.tensor([1, 2]) as unknown as ts.Node), /cannot fetch a Tensor value \(shape \[2\]\)/);
  });

  test("loadVariable refuses a value of another shape or dtype, and later runs use a value it accepts", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const v = new ts.Variable([1, 2], { name: "v" });
      const twice = ts.multiply(v, 2);
      const s = new ts.Session();
      assert.throws(() => s.loadVariable(v, ts.tensor([1, 2, 3])), (e: Error) => e instanceof ts.ShapeError && /\[3\].*'v'.*\[2\]/.test(e.message));
      assert.throws(() => s.loadVariable(v, ts.tensor([1, 2], { dtype: "float64" })), ts.DTypeError);
      assert.deepEqual(s.run(twice).toArray(), [2, 4]);
      const value = ts.tensor([5, 6]);
      s.loadVariable(v, value);
      value.data[0] = 100; // loadVariable keeps its own copy
      assert.deepEqual(s.run(twice).toArray(), [10, 12]);
    });
  });
});

describe("values captured at graph construction", () => {
  test("variables and constants made from a typed array or a Tensor do not follow later changes to it", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const array = new Float32Array([1, 2]);
      const v = new ts.Variable(array);
      const c = ts.constant(array);
      const shaped = ts.constant(array, { shape: [2, 1] });
      const t = ts.tensor([3, 4]);
      const ct = ts.constant(t);
      array[0] = 9;
      t.data[0] = 9;
      const s = new ts.Session();
      assert.deepEqual(s.run(v).toArray(), [1, 2]);
      assert.deepEqual(s.run(c).toArray(), [1, 2]);
      assert.deepEqual(s.run(shaped).toArray(), [[1], [2]]);
      assert.deepEqual(s.run(ct).toArray(), [3, 4]);
    });
  });
});

describe("gradients", () => {
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
      assertAllClose(s.run(dh!, { x: xv }).data, xv);
      assertAllClose(s.run(dx!, { x: xv }).data, xv.map((v) => 3 * v * v));
      // Feeding h: the direct term h + the term through h, 2x·x, use the fed h.
      const hv = [10, 20, 30];
      assertAllClose(s.run(dx!, new Map([[x, xv], [h, hv]])).data, xv.map((v, i) => hv[i]! + 2 * v * v));
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
      assertAllClose(sess.run(dx!, { x: xv }).data, expected, 1e-12);
      assertAllClose(sess.run(dx2!, { x: xv }).data, expected.map((e) => 2 * e), 1e-12);
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
      assertAllClose(new ts.Session().run(dx!, { x: xv, w: wv }).data, xv.map((v, i) => wv[i]! * Math.exp(v)));
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
      assertAllClose(s.run(dd!, { x: xv }).data, expected, 1e-12);
      assertAllClose(s.run(ddm!, { x: xv }).data, xv.map((v) => Math.exp(v) / 3), 1e-12);
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
    assertAllClose(s.run(w).data, [1 - 0.1 * grad, 2 - 0.1 * grad], 1e-6);
  });
});

describe("names and default graphs, as TensorFlow", () => {
  test("explicit and generated names share one namespace with scopes", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const names = [
        ts.placeholder({ name: "a_1" }).name,
        ts.placeholder({ name: "a" }).name,
        ts.placeholder({ name: "a" }).name, // a_1 is taken: TensorFlow skips to a_2
        ts.placeholder({ name: "a" }).name,
      ];
      assert.deepEqual(names, ["a_1", "a", "a_2", "a_3"]);
      assert.equal(ts.nameScope("s", () => ts.constant(1).name), "s/Const");
      assert.equal(ts.nameScope("s", () => ts.constant(1).name), "s_1/Const");
      assert.equal(ts.constant(1, { name: "s" }).name, "s_2"); // a scope name is taken like a node name
      assert.equal(ts.constant(1, { name: "s_1/Const" }).name, "s_1/Const_1");
      const x = ts.placeholder("float32", [2], "x");
      const y = ts.reduceSum(ts.multiply(x, x));
      const [d1] = ts.gradients(y, x);
      const [d2] = ts.gradients(y, x);
      assert.match(d1!.name, /^gradients\//);
      assert.match(d2!.name, /^gradients_1\//);
    });
  });

  test("a name with ':' is refused (it would clash with the 'x:0' form) and takes no name", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const a = ts.constant(1, { name: "a" });
      assert.throws(() => ts.constant(2, { name: "a:0" }), (e: Error) => e instanceof ts.GraphError && /'a:0'.*':'/.test(e.message));
      assert.throws(() => ts.placeholder({ name: "p:1" }), ts.GraphError);
      assert.throws(() => ts.nameScope("s:0", () => 0), ts.GraphError);
      assert.equal(g.getNodeByName("a:0"), a);
      assert.equal(ts.placeholder({ name: "p" }).name, "p");
    });
  });

  test("a group that fails to build leaves its name free", () => {
    const g1 = new ts.Graph();
    const g2 = new ts.Graph();
    const other = g2.asDefault(() => ts.constant(1));
    g1.asDefault(() => {
      assert.throws(() => ts.group([ts.constant(1), other]), ts.GraphError);
      assert.equal(ts.group([]).name, "group_deps");
    });
  });

  test("resetting the default graph inside asDefault(fn) lasts only while fn runs", () => {
    const start = ts.getDefaultGraph();
    const g = new ts.Graph();
    const inside = g.asDefault(() => ts.resetDefaultGraph());
    assert.notEqual(inside, g);
    assert.equal(ts.getDefaultGraph(), start);
  });
});

describe("updates and optimizers", () => {
  test("globalStep counts the steps, across optimizers run one after another", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const w = new ts.Variable(1, { name: "w" });
      const step = new ts.Variable(0, { name: "global_step", dtype: "int32", trainable: false });
      const loss = ts.square(w); // d/dw = 2w
      const a = new ts.train.GradientDescentOptimizer(0.1).minimize(loss, { globalStep: step });
      const b = new ts.train.GradientDescentOptimizer(0.25, "Other").minimize(loss, { globalStep: step });
      const s = new ts.Session();
      s.run(a);
      s.run(b);
      s.run(a);
      assert.equal(s.run(step).item(), 3);
      assert.equal(s.run(step).dtype, "int32");
      // w ← w(1 − 2·lr): 1 → 0.8 → 0.4 → 0.32, in float32.
      let wv = 1;
      for (const lr of [0.1, 0.25, 0.1]) wv = Math.fround(wv - Math.fround(Math.fround(lr) * Math.fround(2 * wv)));
      assert.equal(s.run(w).item(), wv);
      assert.ok(trainableNames(g).every((n) => n !== "global_step"));
    });
  });

  test("the loss fetched with the training step is the loss before the step", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const v = new ts.Variable(3, { dtype: "float64" });
      const loss = ts.add(ts.multiply(v, v), v); // v² + v, d/dv = 2v + 1
      const step = new ts.train.GradientDescentOptimizer(0.1).minimize(loss);
      const s = new ts.Session();
      const [, l] = s.run([step, loss]);
      assert.equal(l.item(), 12);
      assert.equal(s.run(v).item(), 3 - 0.1 * 7);
    });
  });
});

function trainableNames(g: ts.Graph): string[] {
  return g.trainableVariables().map((v) => v.name);
}

describe("numerics at the extremes", () => {
  test("softmax: huge logits, -Infinity entries, axis 0", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float32", null, "x");
      const s = new ts.Session();
      const out = s.run(ts.softmax(x), { x: [[1000, 0, -1000], [-Infinity, 0, -Infinity], [3.4e38, 3.4e38, 0]] });
      assert.deepEqual(out.toArray(), [[1, 0, 0], [0, 1, 0], [0.5, 0.5, 0]]);
      const e = Math.exp(2);
      const cols = s.run(ts.softmax(x, 0), { x: [[1, 2], [1, 4]] }).toArray() as number[][];
      assertAllClose(cols.flat(), [0.5, 1 / (1 + e), 0.5, e / (1 + e)], 1e-7);
      // The gradient at saturated logits is finite (zero), not NaN.
      const sm = ts.softmax(x);
      const [dx] = ts.gradients(ts.reduceSum(ts.multiply(sm, [1, 2, 3])), x);
      assert.deepEqual(s.run(dx!, { x: [[1000, 0, -1000]] }).toArray(), [[0, 0, 0]]);
    });
  });

  test("sigmoid saturates to exact 0 and 1 without NaN, in float32 and float64; its gradient too", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float32", null, "x");
      const x64 = ts.placeholder("float64", null, "x64");
      const s = new ts.Session();
      const xs = [-1000, -20, 0, 20, 1000, -Infinity, Infinity];
      const y32 = Array.from(s.run(ts.sigmoid(x), { x: xs }).data);
      assertAllClose(y32, xs.map(sig), 1e-7);
      assert.deepEqual([y32[0], y32[4], y32[5], y32[6]], [0, 1, 0, 1]);
      const y64 = Array.from(s.run(ts.sigmoid(x64), { x64: [-745, -40, 40, 745] }).data);
      assert.deepEqual(y64, [Math.exp(-745), Math.exp(-40) / (1 + Math.exp(-40)), 1 / (1 + Math.exp(-40)), 1]);
      assert.ok(y64[0]! > 0, "exp(-745) is the smallest subnormal, not 0");
      const [d] = ts.gradients(ts.reduceSum(ts.sigmoid(x)), x);
      const dv = Array.from(s.run(d!, { x: xs }).data);
      assert.ok(dv.every((v) => Number.isFinite(v) && v >= 0), String(dv));
      assert.equal(dv[2], 0.25);
    });
  });

  test("float32 arithmetic rounds each op's result to float32; float64 keeps double precision", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float32", null, "x");
      const x64 = ts.placeholder("float64", null, "x64");
      const s = new ts.Session();
      assert.equal(s.run(ts.multiply(x, 0.1), { x: 3 }).item(), Math.fround(3 * Math.fround(0.1)));
      assert.equal(s.run(ts.multiply(x64, 0.1), { x64: 3 }).item(), 3 * 0.1);
      assert.equal(s.run(ts.add(ts.divide(x, 3), 0), { x: 1 }).item(), Math.fround(1 / 3));
    });
  });
});
