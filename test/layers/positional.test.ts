/**
 * TensorFlow 1.x's positional forms of the functional layers (`dense(x, 128, tf.nn.relu)`,
 * `conv2d(x, 4, 3, 2, "same")`, ...): each builds the same layer as the keyword form. Both forms
 * are built in one graph with the same initializer seeds and run in one Session; every positional
 * argument used is one whose effect shows (no bias variable, a ReLU's zeros, SAME's output size).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { inGraph, throwsWith } from "../helpers/graph-run.js";

const seeded = (seed: number): ts.initializers.Initializer => ts.initializers.glorotUniform({ seed });

describe("layers: TF1's positional arguments", () => {
  test("dense(inputs, units, activation, use_bias, kernel_initializer) equals the keyword call", () => {
    inGraph((g) => {
      const x = ts.placeholder("float64", [null, 3]);
      const positional = ts.layers.dense(x, 4, ts.nn.relu, false, seeded(5));
      const keyword = ts.layers.dense(x, 4, { activation: ts.nn.relu, use_bias: false, kernelInitializer: seeded(5) });
      assert.deepEqual(ts.globalVariables().map((v) => v.name), ["dense/kernel", "dense_1/kernel"], "use_bias=False made no bias");
      assert.equal(positional.name, "dense/Relu");
      const xv = ts.tensor([[1, -2, 3], [-1, 0.5, -2], [2, 2, -4]], { dtype: "float64" });
      const [a, b, k] = new ts.Session(g).run([positional, keyword, "dense/kernel"], new Map([[x, xv]]));
      assertClose(a!, b!, { atol: 0, rtol: 0, dtype: "float64" });
      assert.ok(a!.data.every((v) => v >= 0) && a!.data.some((v) => v === 0), "the ReLU was applied");
      assert.ok(k!.data.some((v) => v !== 0));
    });
  });

  test("dense: activation None (null) and the options object after positional arguments", () => {
    inGraph((g) => {
      const x = ts.placeholder("float64", [null, 2]);
      const positional = ts.layers.dense(x, 2, null, true, seeded(3), 0.5, null, null, null, null, null, true, "pos");
      const keyword = ts.layers.dense(x, 2, { kernelInitializer: seeded(3), biasInitializer: 0.5, name: "kw" });
      const mixed = ts.layers.dense(x, 2, null, { kernel_initializer: seeded(3), bias_initializer: 0.5, name: "mixed" });
      assert.deepEqual(ts.globalVariables().map((v) => v.name), ["pos/kernel", "pos/bias", "kw/kernel", "kw/bias", "mixed/kernel", "mixed/bias"]);
      const [a, b, c] = new ts.Session(g).run([positional, keyword, mixed], new Map([[x, ts.tensor([[1, -3], [0.25, 2]], { dtype: "float64" })]]));
      assertClose(a!, b!, { atol: 0, rtol: 0, dtype: "float64" });
      assertClose(c!, b!, { atol: 0, rtol: 0, dtype: "float64" });
      assert.ok(a!.data.some((v) => v < 0), "no activation");
    });
  });

  test("conv2d(inputs, filters, kernel_size, strides, padding) equals the keyword call", () => {
    inGraph((g) => {
      const x = ts.placeholder("float32", [null, 5, 5, 2]);
      const positional = ts.layers.conv2d(x, 4, 3, 2, "same", "channels_last", 1, ts.nn.relu, true, seeded(7), 0.1);
      const keyword = ts.layers.conv2d(x, 4, 3, { strides: 2, padding: "same", activation: ts.nn.relu, kernelInitializer: seeded(7), biasInitializer: 0.1 });
      const short = ts.layers.conv2d(x, 4, 3, 2, "same", { kernel_initializer: seeded(7), bias_initializer: 0.1, activation: ts.nn.relu });
      // SAME with stride 2 over 5: ceil(5/2) = 3 (VALID would give 2).
      assert.deepEqual(positional.shape, [null, 3, 3, 4]);
      const xv = ts.tensor(Array.from({ length: 50 }, (_, i) => Math.sin(i)), { shape: [1, 5, 5, 2] });
      const [a, b, c] = new ts.Session(g).run([positional, keyword, short], new Map([[x, xv]]));
      assertClose(a!, b!, { atol: 0, rtol: 0 });
      assertClose(c!, b!, { atol: 0, rtol: 0 });
    });
  });

  test("max_pooling2d and average_pooling2d(inputs, pool_size, strides, padding, data_format, name)", () => {
    inGraph((g) => {
      const x = ts.placeholder("float32", [1, 5, 5, 1]);
      const maxP = ts.layers.maxPooling2d(x, 2, 2, "same", "channels_last", "mp");
      const maxK = ts.layers.max_pooling2d(x, 2, 2, { padding: "same", name: "mk" });
      const avgP = ts.layers.averagePooling2d(x, [2, 2], [2, 2], "same");
      const avgK = ts.layers.average_pooling2d(x, [2, 2], [2, 2], { padding: "same" });
      assert.deepEqual(maxP.shape, [1, 3, 3, 1], "SAME padding was taken");
      assert.match(maxP.name, /^mp\//);
      const xv = ts.tensor(Array.from({ length: 25 }, (_, i) => (i * 7) % 11), { shape: [1, 5, 5, 1] });
      const [a, b, c, d] = new ts.Session(g).run([maxP, maxK, avgP, avgK], new Map([[x, xv]]));
      assertClose(a!, b!, { atol: 0, rtol: 0 });
      assertClose(c!, d!, { atol: 0, rtol: 0 });
    });
  });

  test("dropout(inputs, rate, noise_shape, seed, training) equals the keyword call", () => {
    inGraph((g) => {
      const x = ts.ones([4, 6]);
      const positional = ts.layers.dropout(x, 0.5, null as never, 11, true);
      const keyword = ts.layers.dropout(x, { rate: 0.5, seed: 11, training: true });
      const [a, b] = new ts.Session(g).run([positional, keyword]);
      assertClose(a!, b!, { atol: 0, rtol: 0 });
      assert.ok(a!.data.some((v) => v === 0) && a!.data.some((v) => v === 2), "dropout was on: zeros and 1/(1-rate)");
    });
  });

  test("flatten(inputs, name) names the layer as the keyword call does", () => {
    inGraph(() => {
      const x = ts.placeholder("float32", [null, 2, 3]);
      assert.equal(ts.layers.flatten(x, "flat").name, ts.layers.flatten(x, { name: "flat_kw" }).name.replace("flat_kw", "flat"));
    });
  });

  test("wrong kinds in positional places are refused by name", () => {
    inGraph(() => {
      const x = ts.placeholder("float32", [null, 3]);
      throwsWith(() => ts.layers.dense(x, 2, "relu" as never), ts.ArgumentError, /dense: argument 'activation' must be a function .* or null, got the string "relu"/);
      throwsWith(() => ts.layers.dense(x, 2, null, "yes" as never), ts.ArgumentError, /dense: argument 'useBias' must be true or false/);
      throwsWith(() => ts.layers.dense(x, 2, null, true, null, null, (() => 0) as never), ts.ArgumentError, /dense: argument 'kernelRegularizer' must be null or undefined \(regularizers are not supported/);
      throwsWith(() => ts.layers.dense(x, 2, { kernel_constraint: (() => 0) as never }), ts.ArgumentError, /dense: argument 'kernel_constraint' must be null or undefined \(constraints are not supported/);
      throwsWith(() => ts.layers.dense(x, 2, { units: 3 } as never), ts.TensorSlowError, /dense: 'units' is given twice/);
      const img = ts.placeholder("float32", [null, 4, 4, 1]);
      throwsWith(() => ts.layers.conv2d(img, 2, 3, 1, "full" as never), ts.ValueError, /padding must be "valid" or "same", got "full"/);
      throwsWith(() => ts.layers.conv2d(img, 2, 3, { data_format: "channels_first" }), ts.ValueError, /conv2d: only data format "channels_last"/);
      throwsWith(() => ts.layers.averagePooling2d(img, 2, 2, null, "channels_first"), ts.ValueError, /average_pooling2d: only data format "channels_last"/);
      throwsWith(() => (ts.layers.maxPooling2d as (...a: unknown[]) => unknown)(img, 2, 2, "same", "channels_last", "p", "extra"), ts.TensorSlowError, /max_pooling2d: takes at most 6 positional arguments/);
    });
  });
});
