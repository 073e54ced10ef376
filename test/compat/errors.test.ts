import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

/** One test per message that used to send people the wrong way. */
describe("errors that point the way", () => {
  test("softmax_cross_entropy_with_logits(logits, labels) called positionally (pre-1.0 style)", () => {
    new ts.Graph().asDefault(() => {
      const logits = ts.placeholder(ts.float32, [null, 10]);
      const labels = ts.placeholder(ts.float32, [null, 10]);
      const call = ts.nn.softmax_cross_entropy_with_logits as unknown as (...a: unknown[]) => ts.Node;
      assert.throws(
        () => call(logits, labels),
        (e: Error) =>
          e instanceof ts.ArgumentError &&
          e.message.startsWith("softmaxCrossEntropyWithLogits: argument 'args' must be one object of named arguments, { labels, logits }, got an array of length 2") &&
          e.message.includes("call it as softmaxCrossEntropyWithLogits({ labels, logits }): since TensorFlow 1.0 it takes named arguments only (the pre-1.0 positional order was (logits, labels)"),
      );
      const sparse = ts.nn.sparse_softmax_cross_entropy_with_logits as unknown as (...a: unknown[]) => ts.Node;
      assert.throws(() => sparse(logits, labels), /sparseSoftmaxCrossEntropyWithLogits: .*call it as sparseSoftmaxCrossEntropyWithLogits\(\{ labels, logits \}\)/);
      assert.throws(() => ts.nn.softmaxCrossEntropyWithLogits({ logits } as never), /softmaxCrossEntropyWithLogits: argument 'labels' must be a node with a value/);
      assert.throws(() => ts.nn.softmaxCrossEntropyWithLogits({ labels, logits, dims: 1 } as never), /softmaxCrossEntropyWithLogits: unknown option 'dims' \(it takes labels, logits, axis, dim, name\)/);
      // The named form works.
      const loss = ts.nn.softmax_cross_entropy_with_logits({ labels, logits });
      assert.deepEqual(loss.shape, [null]);
    });
  });

  test("a Python-style feed { x: value } for an auto-named placeholder says what the keys are", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder(ts.float32, [null, 2]);
      const y = ts.multiply(x, 2);
      const sess = new ts.Session();
      assert.throws(
        () => sess.run(y, { x: [[1, 2]] }),
        (e: Error) =>
          e instanceof ts.FeedError &&
          e.message ===
            "cannot feed 'x': the graph has no node of that name; its placeholders are 'Placeholder'. The keys of a feed object are node names: " +
              '{ x: value } means the name "x", not a variable x (as Python\'s feed_dict={x: value} would). ' +
              'Feed a Map keyed by the nodes, new Map([[x, value]]), or name the node: placeholder(dtype, shape, "x")',
      );
      // Both suggestions work.
      assert.deepEqual(sess.run(y, new Map([[x, [[1, 2]]]])).toArray(), [[2, 4]]);
      const named = ts.placeholder(ts.float32, [null, 2], "x");
      assert.deepEqual(sess.run(ts.add(named, 1), { x: [[1, 2]] }).toArray(), [[2, 3]]);
    });
  });

  test("new Variable(constant(...)) now works instead of 'element value is object'", () => {
    new ts.Graph().asDefault(() => {
      const v = new ts.Variable(ts.constant([1, 2, 3]));
      assert.deepEqual(new ts.Session().run(v).toArray(), [1, 2, 3]);
      assert.throws(() => new ts.Variable({ value: 1 } as never), /Variable: unknown option 'value' \(it takes initialValue, initial_value, trainable, name, dtype\)/);
      assert.throws(() => new ts.Variable(undefined as never), /Variable: argument 'initialValue' must be a value \(a number, a nested array, a typed array, a Tensor\) or a node with a value, got undefined/);
      assert.throws(() => new ts.Variable("abc" as never), /Variable: argument 'initialValue' must be .*got the string "abc"/);
    });
  });

  test("options where a positional argument is expected: a named argument error, not a TypeError from inside", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.constant([[1, 2]]);
      assert.throws(() => ts.reduceSum(x, { axes: 1 } as never), (e: Error) => e instanceof ts.TensorSlowError && /reduceSum: unknown option 'axes'/.test(e.message));
      assert.throws(() => ts.placeholder(ts.float32, { shape: [2] } as never, "p"), (e: Error) => e instanceof ts.TensorSlowError && /placeholder: argument 'shape' must be a shape \(an array of integers >= 0, null or -1 where unknown, or one integer\) or null \(any shape\) \(or undefined\), got an object \{"shape":\[2\]\}/.test(e.message));
      assert.throws(() => ts.tensor([1, 2], { dims: [2] } as never), /tensor: unknown option 'dims'/);
    });
  });
});
