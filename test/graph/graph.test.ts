import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

describe("Graph", () => {
  test("a default graph exists; asDefault() replaces it; asDefault(fn) scopes it", () => {
    const start = ts.getDefaultGraph();
    assert.ok(start instanceof ts.Graph);
    const g = new ts.Graph();
    const inner = g.asDefault(() => ts.getDefaultGraph());
    assert.equal(inner, g);
    assert.equal(ts.getDefaultGraph(), start);
    const h = new ts.Graph().asDefault();
    assert.equal(ts.getDefaultGraph(), h);
    const k = new ts.Graph().as_default();
    assert.equal(ts.get_default_graph(), k);
  });

  test("names follow TensorFlow: MatMul, MatMul_1, scopes, explicit names made unique", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const a = ts.constant([[1]]);
      assert.equal(a.name, "Const");
      assert.equal(ts.matmul(a, a).name, "MatMul");
      assert.equal(ts.matmul(a, a).name, "MatMul_1");
      const inScope = ts.nameScope("layer1", () => ts.matmul(a, a));
      assert.equal(inScope.name, "layer1/MatMul");
      const nested = g.nameScope("outer", () => g.nameScope("inner", () => ts.add(a, a)));
      assert.equal(nested.name, "outer/inner/Add");
      const again = ts.nameScope("layer1", () => ts.matmul(a, a));
      assert.equal(again.name, "layer1_1/MatMul");
      assert.equal(ts.placeholder({ name: "X" }).name, "X");
      assert.equal(ts.placeholder({ name: "X" }).name, "X_1");
      assert.equal(new ts.Variable(1).name, "Variable");
      assert.equal(new ts.Variable(1, { name: "W" }).name, "W");
      assert.equal(g.getNodeByName("layer1/MatMul"), inScope);
      assert.equal(g.get_tensor_by_name("layer1/MatMul:0"), inScope);
    });
  });

  test("nodes record their inputs and consumers", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder();
      const y = ts.exp(x);
      const z = ts.add(x, y);
      assert.deepEqual(z.inputs, [x, y]);
      assert.deepEqual(x.consumers, [y, z]);
      assert.deepEqual(y.consumers, [z]);
      const sq = ts.multiply(x, x);
      assert.deepEqual(sq.inputs, [x, x]);
      assert.equal(x.consumers.filter((c) => c === sq).length, 1);
    });
  });

  test("shapes and dtypes are inferred when nodes are built", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const X = ts.placeholder({ shape: [null, 2] });
      const W = new ts.Variable(ts.zeros([2, 3]));
      const h = ts.matmul(X, W);
      assert.deepEqual(h.shape, [null, 3]);
      assert.equal(h.dtype, "float32");
      assert.deepEqual(ts.reduceSum(h, 1).shape, [null]);
      assert.deepEqual(ts.reduceSum(h, -1, { keepDims: true }).shape, [null, 1]);
      assert.deepEqual(ts.reduceMean(h).shape, []);
      assert.deepEqual(ts.add(h, [1, 2, 3]).shape, [null, 3]);
      assert.equal(ts.placeholder().shape, null);
      assert.equal(ts.matmul(ts.placeholder(), W).shape, null);
      const d = ts.placeholder("float64", [4, null], "d");
      assert.equal(d.dtype, "float64");
      assert.deepEqual(d.shape, [4, null]);
      assert.equal(ts.multiply(2, d).dtype, "float64", "a plain number takes the other operand's dtype");
      assert.deepEqual(ts.reshape(d, [-1, 2]).shape, [null, 2]);
      assert.deepEqual(ts.matmul(ts.placeholder({ shape: [5, 2, 3] }), ts.placeholder({ shape: [3, 4] })).shape, [5, 2, 4]);
      assert.deepEqual(ts.matmul([1, 2], [[1], [2]]).shape, [1]);
    });
  });

  test("a finalized graph refuses new nodes", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.constant(1);
      g.finalize();
      assert.throws(() => ts.exp(x), /finalized/);
    });
  });

  test("collections of variables", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const a = new ts.Variable(1);
      const b = new ts.Variable(2, { trainable: false });
      assert.deepEqual(ts.globalVariables(), [a, b]);
      assert.deepEqual(ts.trainableVariables(), [a]);
      assert.deepEqual(ts.trainable_variables(), [a]);
    });
  });
});

describe("a failed construction leaves the graph as it was", () => {
  test("no constants, no names and no consumers are left behind", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const x = ts.placeholder({ shape: [2, 3], name: "x" });
      const count = g.numNodes();
      assert.throws(() => ts.add(x, [1, 2]), /Add 'Add'.*\[2,3\] and \[2\]/);
      assert.throws(() => ts.matmul(x, [[1, 2]]), /MatMul/);
      assert.equal(g.numNodes(), count);
      assert.deepEqual(x.consumers, []);
      assert.equal(ts.add(x, 1).name, "Add", "the failed Add did not take the name");
    });
  });
});

test("empty names are refused", () => {
  const g = new ts.Graph();
  g.asDefault(() => {
    assert.throws(() => ts.placeholder({ name: "" }), /needs at least one character/);
    assert.throws(() => ts.nameScope("", () => 0), /needs at least one character/);
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
