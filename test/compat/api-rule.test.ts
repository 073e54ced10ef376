/**
 * The rule for the whole public API, walked over every exported function (top level and the nn,
 * train, layers, losses and initializers namespaces): a wrong kind of argument is a
 * TensorSlowError that names the function (camelCase or snake_case) or, for an op's inputs, the
 * op and its node — never a TypeError from inside, never silence. Every export is held to it.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

const NAMESPACES: Record<string, Record<string, unknown>> = {
  "": ts as unknown as Record<string, unknown>,
  nn: ts.nn as unknown as Record<string, unknown>,
  train: ts.train as unknown as Record<string, unknown>,
  layers: ts.layers as unknown as Record<string, unknown>,
  losses: ts.losses as unknown as Record<string, unknown>,
  initializers: ts.initializers as unknown as Record<string, unknown>,
};

/** Functions that take no argument, or only an optional options object, and ignore a stray one. */
const TAKES_NO_ARGUMENT = new Set([
  "getBackend", "getDefaultGraph", "get_default_graph", "getDefaultSession", "getNumThreads", "globalVariables", "global_variables",
  "globalVariablesInitializer", "global_variables_initializer", "isCheckNumericsEnabled", "isFusionEnabled", "listBackends", "registeredOps",
  "resetDefaultGraph", "reset_default_graph", "trainableVariables", "trainable_variables",
]);

/** Functions that take one argument and ignore a stray second one. */
const TAKES_ONE_ARGUMENT = new Set(["train.trainableVariablesOf"]);

const norm = (s: string): string => s.toLowerCase().replace(/_/g, "");
/** An op's own input check: "Mul 'Mul': argument 'input 0' must be ...". */
const OP_INPUT = /^[A-Z]\w* '[^']*': argument 'input \d+' must be /;
/** An op's own check of its name argument (a string, or TF1's trailing `{ name }`): "Relu: unknown option 'x' (it takes name)". */
const OP_NAME = /^[A-Z]\w*: (argument 'name' must be |unknown option )/;

function exportedFunctions(): { name: string; key: string; fn: (...a: unknown[]) => unknown }[] {
  const out = [];
  for (const [ns, mod] of Object.entries(NAMESPACES)) {
    for (const [key, value] of Object.entries(mod)) {
      // Classes (PascalCase) are constructed, not called; they are checked by their own tests.
      if (typeof value !== "function" || /^[A-Z]/.test(key)) continue;
      out.push({ name: ns === "" ? key : `${ns}.${key}`, key, fn: value as (...a: unknown[]) => unknown });
    }
  }
  return out;
}

describe("the API rule over every exported function", () => {
  const all = exportedFunctions();

  test("finds the exports (over 250 functions)", () => {
    assert.ok(all.length > 250, `${all.length} functions`);
  });

  test("a wrong kind of first argument is a TensorSlowError naming the function or the op", () => {
    const broken: string[] = [];
    for (const { name, key, fn } of all) {
      if (TAKES_NO_ARGUMENT.has(name)) continue;
      try {
        new ts.Graph().asDefault(() => fn(Symbol("not an argument")));
        broken.push(`${name}: accepted it`);
      } catch (e) {
        const message = (e as Error).message;
        if (!(e instanceof ts.TensorSlowError)) broken.push(`${name}: ${(e as Error).name}: ${message}`);
        else if (!norm(message).includes(norm(key)) && !OP_INPUT.test(message)) broken.push(`${name}: does not name it: ${message}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  // After a valid first argument (a float node, which most functions take first; the others refuse
  // it, naming themselves), a second of a wrong kind: a Symbol, then an options object with an
  // unknown key, which a function taking options must refuse rather than ignore.
  for (const [what, second] of [["a Symbol", Symbol("not an argument")], ["an unknown option", { notAnOption: 1 }]] as const) {
    test(`${what} as the second argument is a TensorSlowError naming the function or the op`, () => {
      const broken: string[] = [];
      for (const { name, key, fn } of all) {
        if (TAKES_NO_ARGUMENT.has(name) || TAKES_ONE_ARGUMENT.has(name)) continue;
        try {
          new ts.Graph().asDefault(() => fn(ts.constant([[1, 2], [3, 4]]), second));
          broken.push(`${name}: accepted it`);
        } catch (e) {
          const message = (e as Error).message;
          if (!(e instanceof ts.TensorSlowError)) broken.push(`${name}: ${(e as Error).name}: ${message}`);
          else if (!norm(message).includes(norm(key)) && !OP_INPUT.test(message) && !OP_NAME.test(message)) broken.push(`${name}: does not name it: ${message}`);
        }
      }
      assert.deepEqual(broken, []);
    });
  }

  test("the lists of exceptions name only exports that exist", () => {
    const names = new Set(all.map((f) => f.name));
    assert.deepEqual([...TAKES_NO_ARGUMENT, ...TAKES_ONE_ARGUMENT].filter((n) => !names.has(n)), []);
  });
});

describe("the classes users construct refuse wrong arguments the same way", () => {
  const bad = Symbol("not an argument");
  const unknown = { notAnOption: 1 };
  // [class, arguments, the message's start]: the class (or its TF1 name) and the argument.
  const cases: [string, (x: ts.Node) => unknown, RegExp][] = [
    ["Session", () => new ts.Session(bad as never), /^Session: the argument must be a Graph or an options object/],
    ["Session", () => new ts.Session(unknown as never), /^Session: unknown option 'notAnOption'/],
    ["InteractiveSession", () => new ts.InteractiveSession(bad as never), /^Session: the argument must be a Graph or an options object/],
    ["Variable", () => new ts.Variable(bad as never), /^Variable: argument 'initialValue' must be /],
    ["Variable", () => new ts.Variable(1, unknown as never), /^Variable: unknown option 'notAnOption'/],
    ["TensorShape", () => new ts.TensorShape(bad as never), /^TensorShape: argument 'dims' must be /],
    ["Saver", () => new ts.train.Saver(bad as never), /^Saver: argument 'varList' must be an array of Variables/],
    ["Saver", (x) => new ts.train.Saver([x] as never), /^Saver: the variable list must hold Variables, got 'Const'/],
    ["GradientDescentOptimizer", () => new ts.train.GradientDescentOptimizer("0.1" as never), /^GradientDescent: argument 'learning rate' must be a number or a scalar float node, got the string "0\.1"/],
    ["GradientDescentOptimizer", () => new ts.train.GradientDescentOptimizer(0.1, bad as never), /^GradientDescentOptimizer: argument 'name' must be a string/],
    ["MomentumOptimizer", () => new ts.train.MomentumOptimizer(0.1, undefined as never), /^Momentum: argument 'momentum' must be a number or a scalar float node, got undefined/],
    ["MomentumOptimizer", () => new ts.train.MomentumOptimizer(0.1, 0.9, unknown as never), /^MomentumOptimizer: unknown option 'notAnOption'/],
    ["AdamOptimizer", () => new ts.train.AdamOptimizer(unknown as never), /^AdamOptimizer: unknown option 'notAnOption'/],
    ["AdamOptimizer", () => new ts.train.AdamOptimizer(0.1, { beta1: "0.9" } as never), /^AdamOptimizer: argument 'beta1' must be a number/],
    ["RMSPropOptimizer", () => new ts.train.RMSPropOptimizer(0.1, { decay: bad } as never), /^RMSPropOptimizer: argument 'decay' must be a number or a scalar float node/],
    ["AdagradOptimizer", () => new ts.train.AdagradOptimizer(0.1, unknown as never), /^AdagradOptimizer: unknown option 'notAnOption'/],
    ["summary.FileWriter", () => new ts.summary.FileWriter(bad as never), /^summary\.FileWriter: argument 'logdir' must be /],
    ["summary.FileWriter", () => new ts.summary.FileWriter(null, unknown as never), /^summary\.FileWriter: unknown option 'notAnOption'/],
  ];
  for (const [name, make, message] of cases) {
    test(`${name}: ${message.source.slice(1, 60)}`, () => {
      new ts.Graph().asDefault(() => {
        const x = ts.constant(1);
        assert.throws(() => make(x), (e: Error) => e instanceof ts.TensorSlowError && message.test(e.message));
      });
    });
  }

  test("the optimizers take TF1's keyword names, and use_locking (which changes nothing here)", () => {
    const o = new ts.train.MomentumOptimizer(0.1, 0.9, { use_nesterov: true, use_locking: true } as never);
    assert.equal(o.useNesterov, true);
    assert.equal(new ts.train.AdamOptimizer({ learning_rate: 0.5, beta1: 0.5 } as never).learningRate, 0.5);
    assert.equal(new ts.train.AdagradOptimizer(0.1, { initial_accumulator_value: 2 } as never).initialAccumulatorValue, 2);
  });
});

describe("TF1 positional arguments in TF1 order, and a trailing options object with TF1's keyword names", () => {
  test("the issue's examples", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.constant([[1, 2], [3, 4]]);
      const sess = new ts.Session();
      const v = (n: ts.Node) => sess.run(n).toArray();
      assert.deepEqual(v(ts.reduce_mean(x, { reduction_indices: [1] })), [1.5, 3.5]);
      assert.deepEqual(v(ts.reduce_sum(x, { axis: 1, keepdims: true })), [[3], [7]]);
      assert.deepEqual(v(ts.constant(0.1, "float32", [2, 3])), v(ts.constant(0.1, { shape: [2, 3] })));
      assert.deepEqual(v(ts.random_uniform([2], { minval: 1, maxval: 1, seed: 1 })), [1, 1]);
      assert.deepEqual(v(ts.nn.max_pool(ts.reshape(x, [1, 2, 2, 1]), { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: "VALID" })), [[[[4]]]]);
      const w = new ts.Variable(0, { trainable: false, name: "step" });
      assert.deepEqual([w.trainable, w.name], [false, "step"]);
      assert.equal(ts.placeholder({ dtype: ts.int32, shape: [null], name: "ids" }).dtype, "int32");
    });
  });

  test("a function whose only keyword is its name takes it as a trailing { name }", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.constant([[1, -2]]);
      assert.equal(ts.nn.relu(x, { name: "r" }).name, "r");
      assert.equal(ts.cast(x, "float64", { name: "c" }).name, "c");
      assert.equal(ts.toFloat(ts.constant([1], "int32"), { name: "f" }).name, "f");
      assert.match(ts.split(x, 2, 1, { name: "halves" })[0]!.name, /^halves\//);
      assert.throws(() => ts.nn.relu(x, { nmae: "r" } as never), /^TensorSlowError: Relu: unknown option 'nmae' \(it takes name\)$/);
    });
  });

  test("TF1's snake_case names of FileWriter's methods and of tf.losses, which take keyword arguments only too", () => {
    assert.equal(ts.summary.FileWriter.prototype.add_graph, ts.summary.FileWriter.prototype.addGraph);
    assert.equal(ts.summary.FileWriter.prototype.add_summary, ts.summary.FileWriter.prototype.addSummary);
    new ts.Graph().asDefault(() => {
      // −log softmax([1, 2, 3])[2] = lse − 3, the mean over one row.
      const loss = ts.losses.sparse_softmax_cross_entropy({ labels: ts.constant([2], "int32"), logits: ts.constant([[1, 2, 3]], "float64") });
      const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
      assert.ok(Math.abs((new ts.Session().run(loss).item() as number) - (lse - 3)) < 1e-12);
      assert.equal(ts.losses.mean_squared_error, ts.losses.meanSquaredError);
    });
  });

  test("console.log of a Tensor shows its values, as Python's print of an array", async () => {
    const { inspect } = await import("node:util");
    assert.equal(inspect(ts.tensor([[1, 2], [3, 4]], undefined, "int32")), "[[1, 2],\n [3, 4]]");
    assert.equal(inspect(ts.scalar(0.5)), "0.5");
  });
});
