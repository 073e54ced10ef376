/**
 * TensorFlow 1.x layers: dense computes x·W + b from its own variables, names them as TensorFlow
 * does (dense/kernel, dense_1/kernel), honours trainable/reuse/initializers; flatten keeps the batch
 * dimension (known or not); a small dense network trains with softmaxCrossEntropyWithLogits.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { inGraph, throwsWith } from "../helpers/graph-run.js";

/** x·W + b in plain JS, row by row. */
function affine(x: number[][], w: ts.Tensor, b: ts.Tensor | null): number[][] {
  const [k, n] = w.shape as [number, number];
  return x.map((row) =>
    Array.from({ length: n }, (_, j) => {
      let s = b === null ? 0 : b.data[j]!;
      for (let q = 0; q < k; q++) s += row[q]! * w.data[q * n + j]!;
      return s;
    }),
  );
}

describe("layers.dense", () => {
  test("the output is x·kernel + bias, computed here from the variables' values", () => {
    inGraph((g) => {
      const x = ts.placeholder("float64", [null, 3]);
      const y = ts.layers.dense(x, 2, { biasInitializer: ts.initializers.randomUniform({ seed: 1 }), kernelInitializer: ts.initializers.glorotUniform({ seed: 2 }) });
      const xv = [[1, 2, 3], [-1, 0.5, 2]];
      const s = new ts.Session(g);
      const [out, w, b] = s.run([y, "dense/kernel", "dense/bias"], new Map([[x, ts.tensor(xv, { dtype: "float64" })]]));
      assert.deepEqual(w!.shape, [3, 2]);
      assert.deepEqual(b!.shape, [2]);
      assert.ok(b!.data.some((v) => v !== 0), "the bias initializer was used");
      assertClose(out, affine(xv, w!, b!), { atol: 1e-12, rtol: 1e-12, dtype: "float64" });
      assert.deepEqual(y.shape, [null, 2]);
    });
  });

  test("variables and ops are named as TensorFlow 1.x names them", () => {
    inGraph(() => {
      const x = ts.placeholder("float32", [null, 4]);
      const h = ts.layers.dense(x, 3, { activation: ts.sigmoid });
      const y = ts.layers.dense(h, 2);
      const z = ts.layers.dense(y, 2, { name: "logits", useBias: false });
      assert.deepEqual(ts.globalVariables().map((v) => v.name), ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias", "logits/kernel"]);
      assert.equal(h.name, "dense/Sigmoid");
      assert.equal(y.name, "dense_1/BiasAdd");
      assert.equal(z.name, "logits/MatMul");
    });
  });

  test("inside a name scope the layer's scope nests", () => {
    inGraph((g) => {
      g.nameScope("model", () => ts.layers.dense(ts.placeholder("float32", [null, 2]), 1));
      assert.deepEqual(ts.globalVariables().map((v) => v.name), ["model/dense/kernel", "model/dense/bias"]);
    });
  });

  test("trainable: false keeps the variables out of the trainable ones", () => {
    inGraph(() => {
      const x = ts.placeholder("float32", [null, 2]);
      ts.layers.dense(x, 2, { trainable: false });
      ts.layers.dense(x, 2);
      assert.deepEqual(ts.trainableVariables().map((v) => v.name), ["dense_1/kernel", "dense_1/bias"]);
      assert.equal(ts.globalVariables().length, 4);
    });
  });

  test("reuse shares the variables of an earlier layer of the same name; without it a second one is refused", () => {
    inGraph((g) => {
      const a = ts.placeholder("float32", [null, 2]);
      const b = ts.placeholder("float32", [null, 2]);
      const ya = ts.layers.dense(a, 3, { name: "shared" });
      const yb = ts.layers.dense(b, 3, { name: "shared", reuse: true });
      assert.equal(ts.globalVariables().length, 2);
      const s = new ts.Session(g);
      const v = ts.tensor([[1, -1]]);
      const [ra, rb] = s.run([ya, yb], new Map([[a, v], [b, v]]));
      assertClose(ra, rb, { atol: 0, rtol: 0 });
      throwsWith(() => ts.layers.dense(a, 3, { name: "shared" }), ts.GraphError, /Variable shared\/kernel already exists, disallowed/);
      throwsWith(() => ts.layers.dense(a, 4, { name: "shared", reuse: true }), ts.ShapeError, /Trying to reuse shared\/kernel of float32 \[2,3\] as float32 \[2,4\]/);
      throwsWith(() => ts.layers.dense(a, 3, { name: "other", reuse: true }), ts.GraphError, /Variable other\/kernel does not exist/);
    });
  });

  test("inputs of rank 3 multiply along the last axis; float64 inputs make float64 variables", () => {
    inGraph((g) => {
      const x = ts.placeholder("float64", [null, 2, 3]);
      const y = ts.layers.dense(x, 4, { kernelInitializer: ts.initializers.constant([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), biasInitializer: 1 });
      assert.deepEqual(y.shape, [null, 2, 4]);
      assert.equal(ts.globalVariables()[0]!.dtype, "float64");
      const out = new ts.Session(g).run(y, new Map([[x, ts.tensor([[[1, 0, 0], [0, 0, 1]]], { dtype: "float64" })]]));
      // Row [1,0,0] picks kernel row 0 = [1,2,3,4]; [0,0,1] picks row 2 = [9,10,11,12]; plus 1.
      assertClose(out, [[[2, 3, 4, 5], [10, 11, 12, 13]]], { atol: 0, rtol: 0 });
    });
  });

  test("errors: unknown last dimension, rank 1, integer inputs, bad units, an uncalled initializer factory", () => {
    inGraph(() => {
      throwsWith(() => ts.layers.dense(ts.placeholder("float32", [2, null]), 3), ts.ShapeError, /dense 'dense': the last dimension of the inputs must be known .* \[2,\?\]/);
      throwsWith(() => ts.layers.dense(ts.placeholder("float32", [3]), 3), ts.ShapeError, /at least rank 2 .* \[3\]/);
      throwsWith(() => ts.layers.dense(ts.placeholder("int32", [1, 3]), 3), ts.DTypeError, /must be float32 or float64, got int32/);
      throwsWith(() => ts.layers.dense(ts.placeholder("float32", [1, 3]), 0), ts.ArgumentError, /dense: argument 'units' must be an integer > 0, got number 0/);
      throwsWith(
        () => ts.layers.dense(ts.placeholder("float32", [1, 3]), 2, { kernelInitializer: ts.initializers.zeros as never }),
        ts.ValueError,
        /kernel: got the initializer factory zeros, not an initializer \(call it: zeros\(\)\)/,
      );
    });
  });
});

describe("layers.flatten", () => {
  test("an unknown batch dimension stays unknown; the rest multiply", () => {
    inGraph((g) => {
      const x = ts.placeholder("float32", [null, 2, 3]);
      const y = ts.layers.flatten(x);
      assert.deepEqual(y.shape, [null, 6]);
      assert.equal(y.name, "flatten/Reshape");
      const out = new ts.Session(g).run(y, new Map([[x, ts.tensor([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]])]]));
      assertClose(out, [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]], { atol: 0, rtol: 0 });
    });
  });

  test("a known batch with unknown other dimensions, and both unknown (shape taken at run time)", () => {
    inGraph((g) => {
      const a = ts.placeholder("float32", [2, null, null]);
      const ya = ts.layers.flatten(a);
      assert.deepEqual(ya.shape, [2, null]);
      const b = ts.placeholder("float32", [null, null, 2]);
      const yb = ts.layers.flatten(b);
      assert.deepEqual(yb.shape, [null, null]);
      const s = new ts.Session(g);
      const v = ts.tensor([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]);
      assertClose(s.run(ya, new Map([[a, v]])), [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]], { atol: 0, rtol: 0 });
      assertClose(s.run(yb, new Map([[b, v]])), [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]], { atol: 0, rtol: 0 });
      // Gradients flow back through the reshape to the input's shape.
      const [db] = ts.gradients(ts.reduceSum(yb), [b]);
      assert.deepEqual(s.run(db!, new Map([[b, v]])).shape, [2, 3, 2]);
    });
  });

  test("a vector of per-example scalars becomes [batch, 1]", () => {
    inGraph(() => assert.deepEqual(ts.layers.flatten(ts.placeholder("float32", [null])).shape, [null, 1]));
  });
});

describe("a small dense network trains", () => {
  test("two dense layers on the XOR clusters: the softmax cross-entropy falls", () => {
    inGraph((g) => {
      const { points, labels } = ts.data.xorClusters();
      const X = ts.placeholder("float32", [null, 2]);
      const c = ts.placeholder("float32", [null, 2]);
      const hidden = ts.layers.dense(X, 8, { activation: ts.sigmoid, kernelInitializer: ts.initializers.glorotUniform({ seed: 1 }) });
      const logits = ts.layers.dense(hidden, 2, { kernelInitializer: ts.initializers.glorotUniform({ seed: 2 }) });
      const loss = ts.reduceMean(ts.nn.softmaxCrossEntropyWithLogits({ labels: c, logits }));
      const step = new ts.train.GradientDescentOptimizer(1).minimize(loss);
      const s = new ts.Session(g);
      const feeds = new Map([[X, points], [c, labels]]);
      const before = s.run(loss, feeds).item() as number;
      for (let i = 0; i < 300; i++) s.run(step, feeds);
      const after = s.run(loss, feeds).item() as number;
      // Chance level is log 2 = 0.693; a network that separates the clusters goes well below.
      assert.ok(after < 0.5 * before && after < 0.3, `loss ${before} → ${after}`);
    });
  });
});
