import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

const values = (t: ts.Tensor): number[] => [...t.data];
const inGraph = <T>(fn: () => T, seed?: number): T =>
  new ts.Graph().asDefault(() => {
    if (seed !== undefined) ts.setRandomSeed(seed);
    return fn();
  });

describe("random_normal, truncated_normal, random_uniform as graph ops", () => {
  test("every run draws anew; a new session starts the same sequence again (TensorFlow's rule)", () => {
    inGraph(() => {
      const r = ts.randomUniform([4], { seed: 1 });
      const s1 = new ts.Session();
      const [a1, a2] = [values(s1.run(r)), values(s1.run(r))];
      assert.notDeepEqual(a1, a2);
      const s2 = new ts.Session();
      assert.deepEqual([values(s2.run(r)), values(s2.run(r))], [a1, a2]);
    });
  });

  test("seed rules: a graph seed alone makes a rebuilt program repeat, and ops at other positions differ", () => {
    const build = () => {
      const a = ts.randomNormal([3]);
      const b = ts.randomNormal([3]);
      const s = new ts.Session();
      return [values(s.run(a)), values(s.run(b))];
    };
    const [a, b] = inGraph(build, 42);
    assert.deepEqual(inGraph(build, 42), [a, b]);
    assert.notDeepEqual(a, b);
    assert.notDeepEqual(inGraph(build, 43)[0], a);
  });

  test("seed rules: an op seed without a graph seed repeats across graphs, whatever was built before", () => {
    const first = inGraph(() => new ts.Session().run(ts.truncatedNormal([5], { seed: 7 })));
    const second = inGraph(() => {
      ts.constant(1);
      ts.constant(2);
      return new ts.Session().run(ts.truncatedNormal([5], { seed: 7 }));
    });
    assert.deepEqual(values(second), values(first));
    // The graph seed joins the op seed when both are given.
    const both = inGraph(() => new ts.Session().run(ts.truncatedNormal([5], { seed: 7 })), 1);
    assert.notDeepEqual(values(both), values(first));
  });

  test("seed rules: a graph seed and an op seed together repeat across graphs, whatever was built before", () => {
    const first = inGraph(() => new ts.Session().run(ts.randomNormal([4], { seed: 3 })), 9);
    const second = inGraph(() => {
      ts.randomNormal([4]);
      ts.constant(1);
      return new ts.Session().run(ts.randomNormal([4], { seed: 3 }));
    }, 9);
    assert.deepEqual(values(second), values(first));
    // Another graph seed with the same op seed draws otherwise.
    assert.notDeepEqual(values(inGraph(() => new ts.Session().run(ts.randomNormal([4], { seed: 3 })), 10)), values(first));
  });

  test("seed rules: neither seed gives different draws in two graphs", () => {
    const a = inGraph(() => new ts.Session().run(ts.randomUniform([4])));
    const b = inGraph(() => new ts.Session().run(ts.randomUniform([4])));
    assert.notDeepEqual(values(a), values(b));
  });

  test("the distributions: mean, spread, truncation at two standard deviations, uniform bounds", () => {
    inGraph(() => {
      const n = 20000;
      const s = new ts.Session();
      const [z, t, u] = s.run([
        ts.randomNormal([n], 3, 2, "float64", 1),
        ts.truncatedNormal([n], { mean: -1, stddev: 0.5, dtype: ts.float64, seed: 2 }),
        ts.random_uniform([n], -2, 6, ts.float64, 3),
      ]).map(values);
      const stats = (v: number[]) => {
        const m = v.reduce((p, x) => p + x, 0) / v.length;
        return [m, Math.sqrt(v.reduce((p, x) => p + (x - m) ** 2, 0) / v.length)];
      };
      // Standard errors with n = 20000: mean ~0.014 (normal), spread ~0.01; bounds at 4-5 of them.
      const [zm, zs] = stats(z!);
      assert.ok(Math.abs(zm! - 3) < 0.07 && Math.abs(zs! - 2) < 0.05, `normal: mean ${zm}, std ${zs}`);
      // A standard normal cut at ±2 has variance 1 − 4φ(2)/(Φ(2) − Φ(−2)) = 0.77374, std 0.87962.
      const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
      const expectedStd = 0.5 * Math.sqrt(1 - (4 * phi2) / 0.954499736);
      const [tm, tsd] = stats(t!);
      assert.ok(Math.abs(tm! + 1) < 0.02 && Math.abs(tsd! - expectedStd) < 0.01, `truncated: mean ${tm}, std ${tsd}, expected ${expectedStd}`);
      assert.ok(t!.every((x) => Math.abs(x + 1) <= 1), "truncated draws stay within two standard deviations");
      const [um, us] = stats(u!);
      assert.ok(u!.every((x) => x >= -2 && x < 6));
      assert.ok(Math.abs(um! - 2) < 0.1 && Math.abs(us! - 8 / Math.sqrt(12)) < 0.05, `uniform: mean ${um}, std ${us}`);
    });
  });

  test("nodes as mean and stddev, TensorFlow's node names, and the arguments checked", () => {
    inGraph(() => {
      const stddev = ts.placeholder(ts.float32, []);
      const r = ts.random_normal([2, 2], { stddev, seed: 3 });
      assert.equal(r.name, "random_normal/add");
      assert.ok(ts.getDefaultGraph().hasNode("random_normal/RandomStandardNormal"));
      const zero = new ts.Session().run(r, new Map([[stddev, ts.scalar(0)]]));
      assert.deepEqual(values(zero), [0, 0, 0, 0]);
      assert.throws(() => ts.randomNormal([2], { stdev: 1 } as never), /randomNormal: unknown option 'stdev' \(it takes shape, mean, stddev, dtype, seed, name\)/);
      assert.throws(() => ts.randomUniform(3 as never), /randomUniform: argument 'shape' must be a shape \(an array of integers >= 0\), got number 3/);
      assert.throws(() => ts.truncatedNormal([2], 0, 1, ts.int32), /TruncatedNormal 'truncated_normal\/TruncatedNormal' makes float32 or float64 values, not int32/);
    });
  });
});

describe("Variable from a node, and constant with a shape", () => {
  test("a variable initialized from a random op redraws at every run of the initializer", () => {
    inGraph(() => {
      const w = new ts.Variable(ts.truncatedNormal([3, 2], { stddev: 0.1 }));
      assert.deepEqual(w.shape, [3, 2]);
      const init = ts.globalVariablesInitializer();
      const sess = new ts.Session();
      sess.run(init);
      const first = values(sess.run(w));
      sess.run(init);
      const second = values(sess.run(w));
      assert.notDeepEqual(first, second);
      assert.ok([...first, ...second].every((x) => Math.abs(x) <= 0.2 + 1e-7));
      // Read before any initializer run, a session initializes the variable from its node.
      const fresh = new ts.Session();
      assert.equal(values(fresh.run(w)).length, 6);
    }, 5);
  });

  test("a variable initialized from a node of other variables and placeholders-free arithmetic", () => {
    inGraph(() => {
      const a = new ts.Variable([1, 2]);
      const b = new ts.Variable(ts.multiply(a, 3), { name: "b" });
      const sess = new ts.Session();
      sess.run(ts.globalVariablesInitializer());
      assert.deepEqual(values(sess.run(b)), [3, 6]);
      assert.throws(() => new ts.Variable(ts.placeholder(ts.float32, [null])), /Variable 'Variable_1': the initial value 'Placeholder' \(Placeholder\) must have a fully known shape, got \[\?\]/);
      assert.throws(() => new ts.Variable(ts.multiply(a, 2), { dtype: "int32", name: "n" }), /Variable 'n': the initial value 'Mul_1' \(Mul\) is float32, but dtype int32 was asked for \(cast it first\)/);
    });
  });

  test("new Variable(constant(...)) works, as in TensorFlow", () => {
    inGraph(() => {
      const v = new ts.Variable(ts.constant([[1, 2], [3, 4]]), { name: "v" });
      const sess = new ts.Session();
      sess.run(ts.globalVariablesInitializer());
      assert.deepEqual(sess.run(v).toArray(), [[1, 2], [3, 4]]);
      assert.equal(new ts.Variable(ts.constant(1.5), { dtype: ts.float64 }).dtype, "float64");
    });
  });

  test("constant(0.1, { shape }) and constant(0.1, 'float32', [2, 3]) fill the shape", () => {
    inGraph(() => {
      const sess = new ts.Session();
      const a = sess.run(ts.constant(0.1, { shape: [2, 3] }));
      const b = sess.run(ts.constant(0.1, "float32", [2, 3]));
      const c = sess.run(ts.constant(7, ts.int32, [2], "seven"));
      assert.deepEqual(a.toArray(), [[0.1, 0.1, 0.1], [0.1, 0.1, 0.1]].map((r) => r.map(Math.fround)));
      assert.deepEqual(b.toArray(), a.toArray());
      assert.deepEqual([c.dtype, c.toArray()], ["int32", [7, 7]]);
      assert.equal(ts.getDefaultGraph().getNodeByName("seven").type, "Const");
      assert.throws(() => ts.constant([1, 2], { shape: [3] }), /a value of shape \[2\] cannot take the shape \[3\]/);
      assert.throws(() => ts.constant(1, [2, 3] as never), /constant: argument 'dtype' must be a dtype: .*got an array \[2,3\]/);
    });
  });
});
