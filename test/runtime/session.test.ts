import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

/** Wraps the JS backend so that a test can count kernel calls per node type. */
function countingBackend(): { counts: Map<string, number>; restore: () => void } {
  const counts = new Map<string, number>();
  const previous = ts.getBackend();
  const js = ts.jsBackend;
  const kernels: Record<string, ts.Kernel> = {};
  for (const [name, k] of Object.entries(js.kernels)) {
    kernels[name] = ((inputs: readonly ts.Tensor[], out: ts.Tensor, attrs: never) => {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      k(inputs, out, attrs);
    }) as ts.Kernel;
  }
  ts.registerBackend({ name: "counting", kernels, allocate: js.allocate });
  ts.setBackend("counting");
  return { counts, restore: () => ts.setBackend(previous) };
}

describe("Session.run", () => {
  test("returns the structure of its fetches: node, array, object, nested, group as null", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const a = ts.constant(2);
      const b = ts.constant([1, 2]);
      const c = ts.multiply(a, b);
      const v = new ts.Variable(1);
      const grp = ts.group([ts.assignAdd(v, 1)]);
      const s = new ts.Session();
      assert.equal(s.run(a).item(), 2);
      const [x, y] = s.run([a, c]);
      assert.deepEqual([x.item(), y.toArray()], [2, [2, 4]]);
      const out = s.run({ first: a, rest: [b, { deep: c }], nothing: grp });
      assert.equal(out.first.item(), 2);
      assert.deepEqual(out.rest[0].toArray(), [1, 2]);
      assert.deepEqual(out.rest[1].deep.toArray(), [2, 4]);
      assert.equal(out.nothing, null);
      assert.equal(s.run(c.name)?.toArray().toString(), "2,4");
    });
  });

  test("feeds by Map, by placeholder name, and by TensorFlow's name:0", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder({ name: "x" });
      const y = ts.multiply(x, 3);
      const s = new ts.Session();
      assert.deepEqual(s.run(y, new Map([[x, [1, 2]]])).toArray(), [3, 6]);
      assert.deepEqual(s.run(y, { x: [2] }).toArray(), [6]);
      assert.deepEqual(s.run(y, { "x:0": 5 }).toArray(), 15);
      assert.deepEqual(s.run(y, new Map([["x", ts.tensor([1], { dtype: "float32" })]])).toArray(), [3]);
    });
  });

  test("computes only the nodes needed, each once per run", () => {
    const { counts, restore } = countingBackend();
    try {
      const g = new ts.Graph();
      g.asDefault(() => {
        const x = ts.placeholder({ name: "x" });
        const unused = ts.placeholder({ name: "unused" });
        const e = ts.exp(x);
        // e feeds three consumers; the fetch needs all of them, e must still run once.
        const y = ts.add(ts.add(e, e), ts.multiply(e, 2));
        ts.log(unused);
        const s = new ts.Session();
        const out = s.run([y, e], { x: [0, 1] });
        assert.deepEqual(out[0].toArray(), [4, 4 * Math.fround(Math.E)].map((v) => Math.fround(v)));
        assert.equal(counts.get("Exp"), 1);
        assert.equal(counts.get("Log"), undefined, "log(unused) was not needed");
        assert.equal(counts.get("Add"), 2);
        assert.equal(counts.get("Mul"), 1);
      });
    } finally {
      restore();
    }
  });

  test("a missing feed names the placeholder, its dtype and shape, and what needs it", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const X = ts.placeholder({ shape: [null, 2], name: "X" });
      const W = new ts.Variable([[1], [2]], { name: "W" });
      const z = ts.matmul(X, W);
      const s = new ts.Session();
      assert.throws(() => s.run(z), (e: Error) => {
        assert.ok(e instanceof ts.FeedError);
        assert.match(e.message, /You must feed a value for placeholder 'X' with dtype float32 and shape \[\?,2\]/);
        assert.match(e.message, /MatMul/);
        return true;
      });
    });
  });

  test("feeds that contradict the placeholder are refused with both shapes or dtypes", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const X = ts.placeholder({ shape: [null, 2], name: "X" });
      const n = ts.placeholder("int32", [2], "n");
      const y = ts.reduceSum(X);
      const s = new ts.Session();
      assert.throws(() => s.run(y, { X: [1, 2, 3] }), /Cannot feed value of shape \[3\] for placeholder 'X', which has shape \[\?,2\]/);
      assert.throws(() => s.run(y, { X: [[1, 2, 3]] }), /shape \[1,3\].*\[\?,2\]/);
      assert.throws(() => s.run(y, { X: ts.tensor([[1, 2]], { dtype: "float64" }) }), /float64 value to placeholder 'X', which has dtype float32/);
      assert.throws(() => s.run(y, { X: [[1, 2], [3]] }), (e: Error) => e instanceof ts.FeedError && /ragged/.test(e.message) && /'X'/.test(e.message));
      assert.throws(() => s.run(n, { n: [1.5, 2] }), /cannot feed placeholder 'n': element 0 is 1.5, which int32 cannot hold exactly/);
      assert.throws(() => s.run(y, { X: new Float64Array([1, 2]) }), /float64 value to placeholder 'X', which has dtype float32/);
      assert.throws(() => s.run(y, { nope: 1 }), /no node of that name/);
      assert.throws(() => s.run(y, new Map([[X, X as unknown as number]])), /is a graph node/);
    });
  });

  test("a node fed twice (by node and by name, or by name and name:0) is refused, naming both keys", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const X = ts.placeholder({ shape: [2], name: "X" });
      const y = ts.reduceSum(X);
      const s = new ts.Session();
      const twice = (feeds: Map<ts.GraphNode | string, number[]>, first: RegExp, second: RegExp) =>
        assert.throws(() => s.run(y, feeds), (e: unknown) => e instanceof ts.FeedError && /placeholder 'X' is fed twice/.test((e as Error).message) && first.test((e as Error).message) && second.test((e as Error).message));
      twice(new Map<ts.GraphNode | string, number[]>([[X, [1, 2]], ["X", [3, 4]]]), /as the node/, /as the name 'X'/);
      twice(new Map<ts.GraphNode | string, number[]>([["X", [1, 2]], ["X:0", [3, 4]]]), /the name 'X'/, /the name 'X:0'/);
      assert.equal(s.run(y, new Map([[X, [1, 2]]])).item(), 3);
    });
  });

  test("an intermediate node can be fed; update ops and groups cannot", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder({ name: "x" });
      const h = ts.square(x);
      const y = ts.add(h, 1);
      const v = new ts.Variable(0);
      const up = ts.assign(v, 3);
      const grp = ts.group([up]);
      const s = new ts.Session();
      // Feeding h cuts the graph there: x is not needed.
      assert.equal(s.run(y, new Map([[h, 10]])).item(), 11);
      assert.throws(() => s.run(v, new Map([[up, 1]])), /skip the variable update/);
      assert.throws(() => s.run(v, new Map<ts.GraphNode, number>([[grp, 1]])), /has no value/);
    });
  });

  test("nodes of another graph are refused when fetched, fed or combined", () => {
    const g1 = new ts.Graph();
    const g2 = new ts.Graph();
    const a = g1.asDefault(() => ts.constant(1, { name: "a" }));
    const p = g1.asDefault(() => ts.placeholder({ name: "p" }));
    const b = g2.asDefault(() => ts.constant(2, { name: "b" }));
    const s2 = new ts.Session(g2);
    assert.throws(() => s2.run(a), /not an element of this session's graph/);
    assert.throws(() => s2.run(b, new Map([[p, 1]])), /not an element of this session's graph/);
    assert.throws(() => ts.add(a, b), (e: Error) => e instanceof ts.GraphError && /'b'.*another graph/.test(e.message));
  });

  test("plans are compiled once per signature and the graph stops growing", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder({ shape: [null, 1], name: "x" });
      const w = new ts.Variable([[0.5]]);
      const loss = ts.reduceMean(ts.square(ts.subtract(ts.matmul(x, w), ts.multiply(2, x))));
      const step = new ts.train.GradientDescentOptimizer(0.1).minimize(loss);
      const s = new ts.Session();
      const nodes = g.numNodes();
      for (let i = 0; i < 200; i++) s.run(step, { x: [[1], [2]] });
      assert.equal(g.numNodes(), nodes);
      assert.equal(s.planCount, 1);
      s.run(loss, { x: [[1]] });
      s.run(loss, { x: [[1], [2], [3]] });
      assert.equal(s.planCount, 2);
      // w converges to 2: the fixed point of the update.
      assert.ok(Math.abs((s.run(w).item() as number) - 2) < 1e-4);
    });
  });

  test("changing batch sizes between runs of one plan gives right answers (buffers regrow and shrink)", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder({ shape: [null, 2], name: "x" });
      const W = ts.constant([[1, 2], [3, 4]]);
      const y = ts.sigmoid(ts.add(ts.matmul(x, W), 1));
      const total = ts.reduceSum(y, 1);
      const s = new ts.Session();
      const sig = (v: number) => 1 / (1 + Math.exp(-v));
      for (const rows of [1, 5, 2, 7, 1]) {
        const data = Array.from({ length: rows }, (_, i) => [i, -i]);
        const out = s.run(total, { x: data });
        const expected = data.map(([a, b]) => sig(a! * 1 + b! * 3 + 1) + sig(a! * 2 + b! * 4 + 1));
        assert.equal(out.shape[0], rows);
        (out.toArray() as number[]).forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6));
      }
    });
  });

  test("fetched values are copies: later runs do not change them", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder({ name: "x" });
      const y = ts.multiply(x, 2);
      const s = new ts.Session();
      const first = s.run(y, { x: [1, 2] });
      s.run(y, { x: [10, 20] });
      assert.deepEqual(first.toArray(), [2, 4]);
    });
  });

  test("into: fetched values are written into the given tensors, in the fetches' structure", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float32", [2], "x");
      const y = ts.multiply(x, 2);
      const z = ts.reduceSum(x);
      const s = new ts.Session();
      const yOut = ts.zeros([2]);
      const zOut = ts.zeros([]);
      const got = s.run({ y, rest: [z, y] }, { x: [1, 2] }, { into: { y: yOut, rest: [zOut, null] } });
      assert.equal(got.y, yOut, "the given tensor is returned");
      assert.equal(got.rest[0], zOut);
      assert.deepEqual(yOut.toArray(), [2, 4]);
      assert.equal(zOut.item(), 3);
      assert.notEqual(got.rest[1], yOut, "a null leaf gets a new tensor");
      assert.deepEqual(got.rest[1].toArray(), [2, 4]);
      // A second run overwrites the same storage: a loop allocates nothing for its results.
      const data = yOut.data;
      assert.equal(s.run(y, { x: [5, 6] }, { into: yOut }), yOut);
      assert.equal(yOut.data, data);
      assert.deepEqual(yOut.toArray(), [10, 12]);
    });
  });

  test("into: a tensor of the wrong shape or dtype is refused, naming the node, before anything is written", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float32", [2], "x");
      const y = ts.multiply(x, 2, "double");
      const k = ts.cast(x, "int32");
      const s = new ts.Session();
      const ok = ts.zeros([2]);
      assert.throws(() => s.run([y, y], { x: [1, 2] }, { into: [ok, ts.zeros([3])] }), /double.*float32, shape \[2\].*shape \[3\]/);
      assert.deepEqual(ok.toArray(), [0, 0], "the first target is untouched when the second is refused");
      assert.throws(() => s.run(k, { x: [1, 2] }, { into: ts.zeros([2]) }), /dtype float32/);
      assert.throws(() => s.run(y, { x: [1, 2] }, { into: [1, 2] as never }), /Tensor/);
      assert.throws(() => s.run([y], { x: [1, 2] }, { into: ok as never }), /structure/);
    });
  });

  test("into: what the graph knows is refused before the run; a shape known only at run time after it, with its updates applied", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float32", [null], "x");
      const v = new ts.Variable(1, { name: "v" });
      const step = ts.group([ts.assignAdd(v, ts.reduceSum(x))]);
      const y = ts.multiply(x, 2, "double");
      const s = new ts.Session();
      const target = ts.zeros([3]);
      // A Group has no value; a known dtype or rank that differs: nothing runs.
      assert.throws(() => s.run([step, y], { x: [1, 2] }, { into: [ts.zeros([]) as never, null] }), /Group/);
      assert.throws(() => s.run(y, { x: [1, 2] }, { into: ts.zeros([1, 2]) }), /double.*shape \[\?\].*shape \[1,2\]/);
      assert.equal(s.run(v).item(), 1, "refused before the run: v is unchanged");
      // [?] fed 2 values against a target of 3: the run happens, the target is not written.
      assert.throws(() => s.run([step, y], { x: [1, 2] }, { into: [null, target] }), /double.*shape \[2\].*shape \[3\].*updates were applied/);
      assert.equal(s.run(v).item(), 4, "the refused run's update landed (1 + 1 + 2)");
      assert.deepEqual(target.toArray(), [0, 0, 0]);
    });
  });

  test("into: a fed tensor given as a target does not change the values fetched after it", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder("float32", [2], "x");
      const y = ts.multiply(x, 2);
      const s = new ts.Session();
      const fed = ts.tensor([1, 2]);
      const [yOut, xOut] = s.run([y, x], new Map([[x, fed]]), { into: [fed, null] });
      assert.equal(yOut, fed);
      assert.deepEqual(fed.toArray(), [2, 4]);
      assert.deepEqual(xOut.toArray(), [1, 2], "x as it was fed, not the target written before it");
    });
  });

  test("a closed session refuses to run", () => {
    const g = new ts.Graph();
    const c = g.asDefault(() => ts.constant(1));
    const s = new ts.Session(g);
    s.close();
    assert.throws(() => s.run(c), /closed/);
  });
});

describe("variables", () => {
  test("hold their initial value, per session, until changed; the initializer resets them", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const v = new ts.Variable([1, 2], { name: "v" });
      const inc = ts.assignAdd(v, [10, 10]);
      const init = ts.globalVariablesInitializer();
      const s1 = new ts.Session();
      const s2 = new ts.Session();
      s1.run(inc);
      s1.run(inc);
      assert.deepEqual(s1.run(v).toArray(), [21, 22]);
      assert.deepEqual(s2.run(v).toArray(), [1, 2]);
      assert.equal(s1.run(init), null);
      assert.deepEqual(s1.run(v).toArray(), [1, 2]);
    });
  });

  test("reads within one run see the values from the start of the run; updates land after", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const v = new ts.Variable(1);
      const set = ts.assign(v, 5);
      const doubled = ts.multiply(v, 2);
      const s = new ts.Session();
      const [newValue, read, twice] = s.run([set, v, doubled]);
      assert.equal(newValue.item(), 5);
      assert.equal(read.item(), 1);
      assert.equal(twice.item(), 2);
      assert.equal(s.run(v).item(), 5);
      assert.equal(s.run(ts.assignSub(v, 1.5)).item(), 3.5);
    });
  });

  test("two updates of one variable in one run compose in plan order", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const v = new ts.Variable(1);
      const set = ts.assign(v, 5);
      const inc = ts.assignAdd(v, 2);
      const read = ts.multiply(v, 10);
      const s = new ts.Session();
      const [afterSet, afterInc, r] = s.run([set, inc, read]);
      // set runs first (built first): 5; inc starts from it: 7; plain reads see the snapshot: 1·10.
      assert.deepEqual([afterSet.item(), afterInc.item(), r.item()], [5, 7, 10]);
      assert.equal(s.run(v).item(), 7);
    });
  });

  test("two optimizers sharing a global step, run together, both count and both update", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const w = new ts.Variable(1, { dtype: "float64" });
      const step = new ts.Variable(0, { dtype: "int32", trainable: false });
      const loss = ts.square(w); // ∇ = 2w, evaluated at the run's snapshot w = 1
      const a = new ts.train.GradientDescentOptimizer(0.1).minimize(loss, { globalStep: step });
      const b = new ts.train.GradientDescentOptimizer(0.25).minimize(loss, { globalStep: step });
      const s = new ts.Session();
      s.run([a, b]);
      // w = 1 − 0.1·2 − 0.25·2 = 0.3 (both gradients from the snapshot), two steps counted.
      assert.ok(Math.abs((s.run(w).item() as number) - 0.3) < 1e-15);
      assert.equal(s.run(step).item(), 2);
    });
  });

  test("assigning a value of another shape or dtype is refused", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const v = new ts.Variable([1, 2], { name: "v" });
      assert.throws(() => ts.assign(v, [1, 2, 3]), /shape \[3\] must equal the variable's shape \[2\]/);
      const p = ts.placeholder({ name: "p" });
      const a = ts.assign(v, p);
      assert.throws(() => new ts.Session().run(a, { p: [1, 2, 3] }), /\[3\].*\[2\]/);
      const w = new ts.Variable([1, 2], { dtype: "float64" });
      assert.throws(() => ts.assign(w, ts.constant([1, 2])), /float64 and float32/);
    });
  });

  test("the initial value is copied: changing the caller's tensor later changes nothing", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const init = ts.tensor([1, 2]);
      const v = new ts.Variable(init);
      init.data[0] = 100;
      assert.deepEqual(new ts.Session().run(v).toArray(), [1, 2]);
    });
  });
});
