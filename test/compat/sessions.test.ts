import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

describe("TF1 session idioms", () => {
  test("InteractiveSession: eval() and run() without a session, until it is closed", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder(ts.float32, [2]);
      const v = new ts.Variable([1, 2]);
      const step = ts.assignAdd(v, x);
      const sess = new ts.InteractiveSession();
      ts.globalVariablesInitializer().run();
      step.run(new Map([[x, [10, 20]]]));
      assert.deepEqual(v.eval().toArray(), [11, 22]);
      assert.deepEqual(ts.multiply(x, 2).eval({ [x.name]: [1, 2] }).toArray(), [2, 4]);
      sess.close();
      assert.throws(() => v.eval(), /'Variable' \(VariableV2\)\.eval\(\): no default session\. Run it inside sess\.asDefault\(\(\) => \.\.\.\), make an InteractiveSession, or pass the session: eval\(feeds, sess\)/);
    });
  });

  test("session.asDefault(fn), and eval(feeds, session)", () => {
    new ts.Graph().asDefault(() => {
      const c = ts.constant([3, 4]);
      const sess = new ts.Session();
      assert.deepEqual(sess.asDefault(() => ts.square(c).eval().toArray()), [9, 16]);
      assert.deepEqual(sess.as_default(() => c.eval()).toArray(), [3, 4]);
      assert.deepEqual(c.eval(undefined, sess).toArray(), [3, 4]);
      // With one session of the graph open, eval() uses it (Python's `with tf.Session() as sess:`);
      // with two, it asks which.
      assert.deepEqual(c.eval().toArray(), [3, 4]);
      const second = new ts.Session();
      assert.throws(() => c.eval(), /no default session, and 2 sessions of its graph are open\. Run it inside sess\.asDefault/);
      second.close();
      const other = new ts.Session(new ts.Graph());
      assert.throws(() => other.asDefault(() => c.eval()), /the session's graph is not the graph of 'Const' \(Const\)/);
    });
  });

  test("asDefault around an async function is refused, saying why", async () => {
    const g = new ts.Graph();
    assert.throws(
      () => g.asDefault(async () => {
        await Promise.resolve();
        return ts.constant(1);
      }),
      /Graph\.asDefault\(fn\) was given an async function \(it returned a Promise\): the default holds only until the function's first await/,
    );
    const sess = new ts.Session(g);
    assert.throws(() => sess.asDefault(async () => 1), /Session\.asDefault\(fn\) was given an async function/);
    await new Promise((r) => setTimeout(r, 0));
  });

  test("`using` closes the session at the end of the block (Python's `with tf.Session() as sess`)", () => {
    let kept: ts.Session | undefined;
    new ts.Graph().asDefault(() => {
      const c = ts.constant(5);
      {
        using sess = new ts.Session();
        kept = sess;
        assert.equal(sess.run(c).item(), 5);
        assert.equal(ts.add(c, 1).eval().item(), 6);
      }
      assert.throws(() => c.eval(), /no default session\. Run it inside/);
      assert.equal(kept!.isClosed, true);
      assert.throws(() => kept!.run(c), /this session is closed/);
    });
  });
});

describe("shape, size, rank and getShape()", () => {
  test("int32 values computed when the graph runs, following the fed batch", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder(ts.float32, [null, 3]);
      assert.deepEqual(x.getShape().asList(), [null, 3]);
      assert.deepEqual(x.get_shape().as_list(), [null, 3]);
      assert.equal(x.getShape().ndims, 2);
      assert.equal(x.getShape().toString(), "[?,3]");
      assert.equal(x.getShape().numElements(), null);
      assert.throws(() => ts.placeholder().getShape().asList(), /asList\(\) is not defined on a shape of unknown rank/);
      const sess = new ts.Session();
      const feed = new Map([[x, ts.zeros([4, 3])]]);
      const [s, n, r] = sess.run([ts.shape(x), ts.size(x), ts.rank(x)], feed);
      assert.deepEqual([s.dtype, s.toArray(), n.item(), r.item()], ["int32", [4, 3], 12, 2]);
      assert.deepEqual(ts.shape(x).shape, [2]);
    });
  });
});

describe("nn.inTopK and the to* casts", () => {
  test("whether the target is among the k highest predictions, ties in its favour, non-finite never", () => {
    new ts.Graph().asDefault(() => {
      const p = ts.constant([[0.1, 0.7, 0.2], [0.5, 0.5, 0.0], [0.3, 0.2, 0.5], [NaN, 0.1, 0.2]]);
      const labels = ts.placeholder(ts.int64, [null]);
      const sess = new ts.Session();
      const run = (k: number, t: number[]) => sess.run(ts.nn.inTopK(p, labels, k), new Map([[labels, t]])).toArray();
      // Row by row: target 1 is the max; 0 ties the max; 1 is the lowest; 0 is NaN.
      assert.deepEqual(run(1, [1, 0, 1, 0]), [true, true, false, false]);
      assert.deepEqual(run(2, [2, 1, 0, 2]), [true, true, true, true]);
      assert.deepEqual(run(2, [0, 2, 1, 1]), [false, false, false, true]);
      const correct = ts.nn.in_top_k(p, labels, 1);
      assert.equal(sess.run(ts.reduceSum(ts.toInt32(correct)), new Map([[labels, [1, 1, 2, 0]]])).item(), 3);
      assert.throws(() => sess.run(ts.nn.inTopK(p, labels, 1), new Map([[labels, [0, 0, 3, 0]]])), /target 3 of example 2 is not a class id in \[0, 3\)/);
      assert.throws(() => ts.nn.inTopK(p, ts.constant([0, 1, 2, 0]), 1), /InTopK 'InTopK_\d+': targets must be integer class ids/);
      assert.throws(() => ts.nn.inTopK(p, labels, 1.5), /inTopK: argument 'k' must be an integer, got number 1.5/);
    });
  });
});

describe("reductions under TensorFlow's keyword names", () => {
  test("reduction_indices, keep_dims, keepdims, axis: null and positional keepdims all work", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.constant([[1, 2, 3], [4, 5, 6]]);
      const sess = new ts.Session();
      const v = (n: ts.Node) => sess.run(n).toArray();
      assert.deepEqual(v(ts.reduce_mean(x, { reduction_indices: [1] })), [2, 5]);
      assert.deepEqual(v(ts.reduceSum(x, { axis: 1, keepdims: true })), [[6], [15]]);
      assert.deepEqual(v(ts.reduce_sum(x, 0, { keep_dims: true })), [[5, 7, 9]]);
      assert.deepEqual(v(ts.reduceSum(x, null)), 21);
      assert.deepEqual(v(ts.reduceMax(x, { axis: null })), 6);
      assert.deepEqual(v(ts.reduceSum(x, 1, true)), [[6], [15]]);
      assert.deepEqual(v(ts.reduceSum(x, 1, { keepDims: true, name: "s" })), [[6], [15]]);
      assert.deepEqual(v(ts.reduceMean(x, -1, false, "m")), [2, 5]);
    });
  });

  test("wrong kinds of arguments name the function and the argument", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.constant([[1, 2]]);
      assert.throws(() => ts.reduceSum(x, { keepdim: true } as never), /reduceSum: unknown option 'keepdim' \(it takes inputTensor, input_tensor, input, x, axis, reduction_indices, reductionIndices, keepdims, keep_dims, keepDims, name\)/);
      assert.throws(() => ts.reduceSum(x, "1" as never), /reduceSum: argument 'axis' must be an integer, an array of integers, or null \(all axes\) \(or undefined\), got the string "1"/);
      assert.throws(() => ts.reduceMean(x, 1, { axis: 0 } as never), /reduceMean: 'axis' is given twice \(as positional argument 2 and as option 'axis'\)/);
      assert.throws(() => ts.reduceMean(x, { reduction_indices: 1.5 } as never), /reduceMean: argument 'reduction_indices' must be an integer/);
      assert.throws(() => ts.reduceSum(undefined as never), /reduceSum: argument 'inputTensor' must be a node with a value, or a number/);
    });
  });
});
