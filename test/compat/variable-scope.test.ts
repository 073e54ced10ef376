import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

describe("variableScope and getVariable", () => {
  test("getVariable makes scope/name; reuse: true finds it again; a second make is refused", () => {
    new ts.Graph().asDefault(() => {
      const w = ts.variableScope("layer1", () => ts.getVariable("w", [2, 3], ts.float32, ts.zerosInitializer()));
      assert.equal(w.name, "layer1/w");
      const again = ts.variableScope("layer1", { reuse: true }, () => ts.getVariable("w", [2, 3]));
      assert.equal(again, w);
      assert.throws(() => ts.variableScope("layer1", () => ts.getVariable("w", [2, 3])), /Variable layer1\/w already exists, disallowed\. Did you mean to set reuse: true or reuse: AUTO_REUSE/);
      assert.throws(() => ts.variableScope("layer1", () => ts.getVariable("v", [1]), { reuse: true }), /Variable layer1\/v does not exist, or was not created with getVariable\(\) or a layer/);
      assert.throws(() => ts.variable_scope("layer1", { reuse: true }, () => ts.get_variable("w", [3, 2])), /Trying to reuse layer1\/w of float32 \[2,3\] as float32 \[3,2\]/);
    });
  });

  test("AUTO_REUSE makes the variable the first time and returns it afterwards; reuse is inherited", () => {
    new ts.Graph().asDefault(() => {
      const get = () => ts.variableScope("shared", () => ts.getVariable("b", { shape: [4], initializer: ts.constantInitializer(0.5) }), { reuse: ts.AUTO_REUSE });
      const b = get();
      assert.equal(get(), b);
      const inner = ts.variableScope("outer", { reuse: ts.AUTO_REUSE }, () => ts.variableScope("inner", () => [ts.getVariable("c", [1]), ts.getVariable("c", [1])]));
      assert.equal(inner[0], inner[1]);
      assert.equal(inner[0]!.name, "outer/inner/c");
      const sess = new ts.Session();
      assert.deepEqual(sess.run(b).toArray(), [0.5, 0.5, 0.5, 0.5]);
    });
  });

  test("a node as the initializer gives the shape; its draw is made by the initializer", () => {
    new ts.Graph().asDefault(() => {
      ts.setRandomSeed(3);
      const w = ts.getVariable("w", { initializer: ts.truncatedNormal([5, 2], { stddev: 0.1 }) });
      assert.deepEqual([w.shape, w.dtype], [[5, 2], "float32"]);
      assert.throws(() => ts.getVariable("z"), /getVariable: 'z' needs a shape, or a node of known shape as its initializer/);
      assert.throws(() => ts.getVariable("r", [1], "float32", undefined, (() => 0) as never), /getVariable: argument 'regularizer' must be undefined \(regularizers are not supported/);
    });
  });

  test("layers.dense in a reused scope reuses its variables (shared with getVariable)", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder(ts.float32, [null, 3]);
      const model = (reuse: boolean) => ts.variableScope("model", { reuse }, () => ts.layers.dense(x, 2, { name: "out" }));
      const a = model(false);
      const b = model(true);
      assert.notEqual(a, b);
      assert.deepEqual(ts.trainableVariables().map((v) => v.name), ["model/out/kernel", "model/out/bias"]);
      const k = ts.variableScope("model", { reuse: true }, () => ts.getVariable("out/kernel", [3, 2]));
      assert.equal(k.name, "model/out/kernel");
      const sess = new ts.Session();
      const feed = new Map([[x, [[1, 2, 3]]]]);
      assert.deepEqual(sess.run(a, feed).toArray(), sess.run(b, feed).toArray());
      assert.throws(() => model(false), /Variable model\/out\/kernel already exists, disallowed/);
    });
  });

  test("layers.dense under AUTO_REUSE makes its variables on the first call and shares them after", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder(ts.float32, [null, 3]);
      const tower = () => ts.variable_scope("tower", { reuse: ts.AUTO_REUSE }, () => ts.layers.dense(x, 2, { name: "fc", activation: ts.nn.relu }));
      const a = tower();
      const b = tower();
      // The layer's own reuse option does the same outside any scope.
      const c = ts.layers.dense(x, 4, { name: "head", reuse: ts.AUTO_REUSE });
      const d = ts.layers.dense(x, 4, { name: "head", reuse: ts.AUTO_REUSE });
      assert.deepEqual(ts.trainableVariables().map((v) => v.name), ["tower/fc/kernel", "tower/fc/bias", "head/kernel", "head/bias"]);
      const sess = new ts.Session();
      sess.run(ts.globalVariablesInitializer());
      const feed = new Map([[x, [[1, -2, 3]]]]);
      assert.deepEqual(sess.run(a, feed).toArray(), sess.run(b, feed).toArray());
      assert.deepEqual(sess.run(c, feed).toArray(), sess.run(d, feed).toArray());
      // A shape other than the shared variable's is refused rather than silently made anew.
      assert.throws(() => ts.variable_scope("tower", { reuse: ts.AUTO_REUSE }, () => ts.layers.dense(x, 5, { name: "fc" })), /Trying to reuse tower\/fc\/kernel of float32 \[3,2\] as float32 \[3,5\]/);
    });
  });
});
