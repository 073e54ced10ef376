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
