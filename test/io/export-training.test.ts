/**
 * Exported training steps: `exportOnnx(session, { inputs, outputs, updates: [trainOp] })` run by
 * onnxruntime gives the loss and the new values of every variable that `Session.run` gives for
 * the same batch (the Fashion MLP and CNN with Adam, each optimizer on a small graph), step after
 * step when the new values are fed back; updates of one variable compose as in a session run.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { buildCnn, buildMlp, type Classifier } from "../../examples/part6/models.js";
import { assertClose } from "../helpers/assert-close.js";
import { runOnnx } from "./runtimes.js";

/** float32 after one step: Adam's update divides by √v, which magnifies rounding differences of tiny gradients. */
const TOL = { atol: 2e-5, rtol: 2e-4 };

/** A seeded batch of `n` images (values in [0, 1)) and labels in 0..9. */
function batch(n: number, shape: number[], seed: number): { x: ts.Tensor; y: ts.Tensor } {
  let s = seed;
  const next = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const size = n * shape.reduce((a, b) => a * b, 1);
  const x = new ts.Tensor([n, ...shape], "float32", Float32Array.from({ length: size }, next));
  const y = new ts.Tensor([n], "int32", Int32Array.from({ length: n }, () => Math.floor(10 * next())));
  return { x, y };
}

/**
 * Exports one training step of `model` from a fresh session, then runs `steps` steps both ways on
 * the same batches: onnxruntime with the variables fed back from its own outputs, the session as
 * usual. Losses and every variable's value agree after each step.
 */
async function compareSteps(model: Classifier, imageShape: number[], steps: number, batchSize: number): Promise<void> {
  const session = new ts.Session(model.graph);
  const exported = await ts.io.exportOnnx(session, { inputs: [model.x, model.y], outputs: [model.loss], updates: [model.train] });
  const variables = model.graph.globalVariables();
  assert.deepEqual(exported.variables.map((v) => v.name).sort(), variables.map((v) => v.name).sort(), "every variable of the step is an input");
  for (const v of exported.variables) assert.ok(v.output !== null, `${v.name} is updated by the step`);
  let state: Record<string, ts.Tensor> = Object.fromEntries(exported.variables.map((v) => [v.input, v.value]));
  for (const v of variables) assertClose(state[v.name]!, session.run(v), { atol: 0, rtol: 0, what: `${v.name}: the exported value is the session's` });
  for (let step = 0; step < steps; step++) {
    const { x, y } = batch(batchSize, imageShape, 7 + step);
    const [loss] = session.run([model.loss, model.train], new Map<ts.Node, ts.Tensor>([[model.x, x], [model.y, y]])) as ts.Tensor[];
    const theirs = await runOnnx(exported.bytes, { [model.x.name]: x, [model.y.name]: y, ...state });
    assertClose(theirs[exported.outputs[0]!.name]!, loss!, { ...TOL, what: `loss at step ${step}` });
    state = {};
    for (const v of exported.variables) {
      const ours = session.run(model.graph.getNodeByName(v.name) as ts.Variable);
      assertClose(theirs[v.output!]!, ours, { ...TOL, what: `${v.name} after step ${step}` });
      state[v.input] = theirs[v.output!]!;
    }
  }
}

describe("exported training steps run in onnxruntime", () => {
  test("the Fashion MLP (784-256-128-10, Adam): three steps agree with Session.run", async () => {
    await compareSteps(buildMlp({ seed: 3 }), [784], 3, 16);
  });

  test("the Fashion CNN (conv, max-pool, dense, Adam): two steps agree with Session.run", async () => {
    await compareSteps(buildCnn({ seed: 3 }), [28, 28, 1], 2, 4);
  });

  for (const [name, make] of [
    ["GradientDescent", () => new ts.train.GradientDescentOptimizer(0.1)],
    ["Momentum (Nesterov)", () => new ts.train.MomentumOptimizer(0.1, 0.9, { useNesterov: true })],
    ["Adam", () => new ts.train.AdamOptimizer(0.05)],
    ["RMSProp (centered, momentum)", () => new ts.train.RMSPropOptimizer(0.05, { momentum: 0.5, centered: true })],
    ["Adagrad", () => new ts.train.AdagradOptimizer(0.1)],
  ] as const) {
    test(`${name}: a tanh layer with a global step, two steps`, async () => {
      const graph = new ts.Graph();
      const { x, y, loss, train } = graph.asDefault(() => {
        const x = ts.placeholder("float32", [null, 3], "x");
        const y = ts.placeholder("int32", [null], "y");
        const W = new ts.Variable(ts.random.normal([3, 10], { seed: 1 }), { name: "W" });
        const b = new ts.Variable(ts.zeros([10]), { name: "b" });
        const logits = ts.tanh(ts.add(ts.matmul(x, W), b));
        const loss = ts.reduceMean(ts.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits }));
        const step = ts.train.getOrCreateGlobalStep();
        return { x, y, loss, train: make().minimize(loss, { globalStep: step }) };
      });
      await compareSteps({ graph, x, y, loss, train } as unknown as Classifier, [3], 2, 5);
    });
  }
});

describe("what an exported step means", () => {
  test("reads see the start of the step; updates of one variable compose in graph order", async () => {
    const graph = new ts.Graph();
    const { v, read, step } = graph.asDefault(() => {
      const v = new ts.Variable([1, 2], { name: "v", dtype: "float32" });
      const read = ts.multiply(v, 10, "read");
      const first = ts.assignAdd(v, [1, 1]);
      const second = ts.assign(v, ts.multiply(first, 3));
      return { v, read, step: ts.group([first, second]) };
    });
    const session = new ts.Session(graph);
    const model = await ts.io.exportOnnx(session, { inputs: [], outputs: [read], updates: [step] });
    const theirs = await runOnnx(model.bytes, { v: model.variables[0]!.value });
    const ours = session.run([read, step])[0] as ts.Tensor;
    assertClose(theirs[model.outputs[0]!.name]!, ours, { atol: 0, rtol: 0, what: "the read" });
    assert.deepEqual([...theirs[model.variables[0]!.output!]!.data], [...(session.run(v) as ts.Tensor).data], "(1 + 1)·3 and (2 + 1)·3");
    assert.deepEqual([...(session.run(v) as ts.Tensor).data], [6, 9]);
  });

  test("variables as inputs of an inference model, and as constants", async () => {
    const graph = new ts.Graph();
    const out = graph.asDefault(() => ts.multiply(new ts.Variable([2], { name: "v", dtype: "float32" }), 3, "out"));
    const fed = await ts.io.exportOnnx(graph, { inputs: [], outputs: [out], variables: "inputs" });
    assert.deepEqual(
      fed.variables.map(({ value, ...rest }) => ({ ...rest, value: [...value.data] })),
      [{ name: "v", dtype: "float32", shape: [1], input: "v", output: null, value: [2] }],
    );
    assert.deepEqual(fed.inputs.map((i) => i.name), ["v"]);
    assert.deepEqual([...(await runOnnx(fed.bytes, { v: new ts.Tensor([1], "float32", Float32Array.of(5)) }))["out"]!.data], [15]);
    await assert.rejects(runOnnx(fed.bytes, {}), /input 'v' is missing/, "the variable must be fed");
    const constant = await ts.io.exportOnnx(graph, { inputs: [], outputs: [out] });
    assert.deepEqual(constant.variables, []);
    assert.deepEqual([...(await runOnnx(constant.bytes, {}))["out"]!.data], [6]);
  });

  test("refusals: bad options, a step with constant variables, random draws in a step", async () => {
    const graph = new ts.Graph();
    const { x, loss, train, dropped } = graph.asDefault(() => {
      const x = ts.placeholder("float32", [null, 2], "x");
      const W = new ts.Variable(ts.ones([2, 1]), { name: "W" });
      const loss = ts.reduceSum(ts.matmul(x, W));
      const dropped = ts.reduceSum(ts.nn.dropout(ts.matmul(x, W), { rate: 0.5 }));
      return { x, loss, train: new ts.train.GradientDescentOptimizer(0.1).minimize(loss), dropped };
    });
    const exportStep = (extra: object) => ts.io.exportOnnx(graph, { inputs: [x], outputs: [loss], updates: [train], ...extra } as ts.io.OnnxExportOptions);
    await assert.rejects(exportStep({ variables: "constants" }), /training step .* needs its variables as inputs/);
    await assert.rejects(exportStep({ variables: "weights" }), /variables must be "constants" or "inputs"/);
    await assert.rejects(ts.io.exportOnnx(graph, { inputs: [x], outputs: [loss], updates: train as never }), /updates must be an array/);
    await assert.rejects(ts.io.exportOnnx(graph, { inputs: [x], outputs: [loss], updates: ["nothing"] }), /no node named 'nothing' \(given as an update\)/);
    const dropStep = graph.asDefault(() => new ts.train.GradientDescentOptimizer(0.1).minimize(dropped));
    await assert.rejects(ts.io.exportOnnx(graph, { inputs: [x], outputs: [], updates: [dropStep] }), /cannot contain ops that draw random values.*DropoutMask/);
  });
});
