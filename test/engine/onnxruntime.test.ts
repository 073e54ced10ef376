/**
 * The onnxruntime engine as a session sees it: options checked, `run` refused, `runAsync` with
 * `run`'s semantics on both engines (fetch structures, feeds by node or name, reads that see the
 * run's starting values, updates that compose in plan order, `into`), variables that come back on
 * readVariable, restore, Saver and export, ops computed before the model, and plans refused before
 * anything runs. Expected values are worked out by hand from the graphs' small numbers.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { internal } from "../helpers/internals.js";
import type * as Engine from "../../dist/engine/onnxruntime/engine.js";

const ENGINES = ["tensorslow", "onnxruntime"] as const;

function linear() {
  const graph = new ts.Graph();
  return graph.asDefault(() => {
    const x = ts.placeholder({ dtype: "float32", shape: [null, 3], name: "x" });
    const w = new ts.Variable(ts.tensor([[1, 2], [3, 4], [5, 6]]), { name: "w" });
    const y = ts.matmul(x, w, { name: "y" });
    const add = ts.assignAdd(w, ts.onesLike(w), "add");
    const halve = ts.assignSub(w, ts.multiply(w, 0.5), "halve");
    return { graph, x, w, y, add, halve };
  });
}

describe("Session's engine option", () => {
  test("is checked, as are the options that go with it", () => {
    const graph = new ts.Graph();
    assert.throws(() => new ts.Session({ graph, engine: "tensorflow" }), /Session: the engine option must be one of "tensorslow", "onnxruntime", got "tensorflow"/);
    assert.throws(() => new ts.Session({ graph, engine: 3 as unknown as string }), /engine option must be one of/);
    assert.throws(() => new ts.Session({ graph, executionProviders: ["cpu"] }), /the executionProviders option belongs to another engine than "tensorslow"/);
    assert.throws(() => new ts.Session({ graph, engine: "onnxruntime", executionProviders: [] }), /executionProviders option must be a non-empty array/);
    assert.throws(() => new ts.Session({ graph, engine: "onnxruntime", executionProviders: "cpu" as never }), /executionProviders option must be a non-empty array/);
    assert.throws(() => new ts.Session({ graph, engine: "onnxruntime", executionProviders: [{ device: 0 }] as never }), /\{ name, \.\.\.options \}/);
    assert.throws(() => new ts.Session({ graph, engine: "onnxruntime", checkNumerics: true }), /checkNumerics is not available on the onnxruntime engine/);
    assert.throws(() => new ts.Session({ graph, engin: "onnxruntime" } as never), /Session: unknown option 'engin'/);
    assert.throws(() => new ts.Session({ graph, fusion: "yes" as never }), /the fusion option must be true or false/);
    assert.throws(() => new ts.Session({ graph: {} as never }), /the graph option must be a Graph/);
    assert.throws(() => new ts.Session(5 as never), /must be a Graph or an options object/);
    assert.throws(() => new ts.Session({ graph, engine: "onnxruntime", allowSpinning: "1" as never }), /Session: the allowSpinning option must be true or false, got "1"/);
    assert.throws(() => new ts.Session({ graph, allowSpinning: true }), /the allowSpinning option belongs to another engine than "tensorslow"/);
    new ts.Session({ graph, engine: "onnxruntime", executionProviders: ["cpu", { name: "cpu" }] }).close();
    new ts.Session({ graph, engine: "tensorslow" }).close();
  });

  test("gives ONNX Runtime the execution providers, setNumThreads' threads, and spinning only when allowed", async () => {
    const { ortSessionOptions, checkOnnxruntimeOptions } = await internal<typeof Engine>("engine/onnxruntime/engine.js");
    const threads = ts.getNumThreads();
    const byDefault = ortSessionOptions(checkOnnxruntimeOptions({}));
    assert.deepEqual(byDefault.executionProviders, ["cpu"]);
    assert.equal(byDefault.intraOpNumThreads, threads);
    assert.deepEqual(byDefault.extra, { session: { intra_op: { allow_spinning: "0" } } });
    const spinning = ortSessionOptions(checkOnnxruntimeOptions({ allowSpinning: true, executionProviders: [{ name: "cpu" }] }));
    assert.deepEqual(spinning.extra, { session: { intra_op: { allow_spinning: "1" } } });
    assert.deepEqual(spinning.executionProviders, [{ name: "cpu" }]);
    // ONNX Runtime takes either setting: both engines' sessions give the hand-computed product.
    const { graph, x, y } = linear();
    for (const allowSpinning of [false, true]) {
      const session = new ts.Session({ graph, engine: "onnxruntime", allowSpinning });
      const got = await session.runAsync(y, new Map([[x, ts.tensor([[1, 0, 2]])]]));
      assert.deepEqual(Array.from(got.data), [11, 14]);
      session.close();
    }
  });

  test("run on the onnxruntime engine is refused, saying to use runAsync", () => {
    const { graph, y, x } = linear();
    const s = new ts.Session({ graph, engine: "onnxruntime" });
    assert.throws(() => s.run(y, new Map([[x, ts.tensor([[1, 1, 1]])]])), /runs on the onnxruntime engine, which answers asynchronously: use `await session.runAsync/);
  });
});

for (const engine of ENGINES) {
  describe(`runAsync on the ${engine} engine`, () => {
    test("returns the fetches' structure; feeds by node or by name", async () => {
      const { graph, x, w, y } = linear();
      const s = new ts.Session({ graph, engine });
      const feeds = new Map([[x, ts.tensor([[1, 0, 1], [0, 1, 0]])]]);
      const out = await s.runAsync({ y, pair: [w, "y"], again: "x" }, feeds);
      assertClose(out.y, [[6, 8], [3, 4]]);
      assertClose(out.pair[0] as ts.Tensor, [[1, 2], [3, 4], [5, 6]]);
      assertClose(out.pair[1] as ts.Tensor, [[6, 8], [3, 4]]);
      assertClose(out.again as ts.Tensor, [[1, 0, 1], [0, 1, 0]]);
      assertClose((await s.runAsync("y", { x: [[1, 1, 1]] }))!, [[9, 12]]);
      assert.equal(await s.runAsync(graph.asDefault(() => ts.group([y], "g")), feeds), null);
      s.close();
    });

    test("reads see the run's starting values; updates compose in plan order and land after the run", async () => {
      const { graph, x, w, y, add, halve } = linear();
      const s = new ts.Session({ graph, engine });
      const feeds = new Map([[x, ts.tensor([[1, 1, 1]])]]);
      const [y0, added, w0] = await s.runAsync([y, add, w], feeds);
      assertClose(y0!, [[9, 12]]);
      assertClose(added!, [[2, 3], [4, 5], [6, 7]]);
      assertClose(w0!, [[1, 2], [3, 4], [5, 6]]);
      // halve reads w (the snapshot, [[2,3],[4,5],[6,7]]) and subtracts from the newest value: both updates in one run.
      const both = await s.runAsync({ add, halve, w, y }, feeds);
      assertClose(both.add, [[3, 4], [5, 6], [7, 8]]);
      assertClose(both.halve, [[2, 2.5], [3, 3.5], [4, 4.5]]);
      assertClose(both.w, [[2, 3], [4, 5], [6, 7]]);
      assertClose(both.y, [[12, 15]]);
      assertClose(s.readVariable(w), [[2, 2.5], [3, 3.5], [4, 4.5]]);
      assertClose(await s.runAsync(w), [[2, 2.5], [3, 3.5], [4, 4.5]]);
      s.close();
    });

    test("a variable fed for its reads is still updated from its stored value", async () => {
      const { graph, w, add, y, x } = linear();
      const s = new ts.Session({ graph, engine });
      const zeros = ts.zeros([3, 2]);
      const out = await s.runAsync({ add, y }, new Map<ts.Node, ts.Tensor>([[w, zeros], [x, ts.tensor([[1, 1, 1]])]]));
      assertClose(out.add, [[2, 3], [4, 5], [6, 7]]);
      assertClose(out.y, [[0, 0]]);
      assertClose(s.readVariable(w), [[2, 3], [4, 5], [6, 7]]);
      s.close();
    });

    test("into: fetched values written into the caller's tensors", async () => {
      const { graph, w, y, add } = linear();
      const s = new ts.Session({ graph, engine });
      const target = ts.zeros([1, 2]);
      const wTarget = ts.zeros([3, 2]);
      const out = await s.runAsync([y, add, w], { x: [[1, 1, 1]] }, { into: [target, null, wTarget] });
      assert.equal(out[0], target);
      assert.equal(out[2], wTarget);
      assertClose(target, [[9, 12]]);
      assertClose(wTarget, [[1, 2], [3, 4], [5, 6]]);
      // A shape known only at run time that does not fit: refused after the run, its updates applied.
      await assert.rejects(s.runAsync([y, add], { x: [[1, 1, 1], [1, 1, 1]] }, { into: [target, null] }), /cannot write the value of .* into a tensor of dtype float32 and shape \[1,2\]; the run's updates were applied/);
      assertClose(s.readVariable(w), [[3, 4], [5, 6], [7, 8]]);
      s.close();
    });

    test("runs one after another in the order asked; a failed run does not stop the next", async () => {
      const { graph, w, add } = linear();
      const s = new ts.Session({ graph, engine });
      const runs = [s.runAsync(add), s.runAsync("no such node"), s.runAsync(add), s.runAsync(w)];
      const [a, bad, b, last] = await Promise.allSettled(runs);
      assert.equal(bad!.status, "rejected");
      assertClose((a as PromiseFulfilledResult<ts.Tensor>).value, [[2, 3], [4, 5], [6, 7]]);
      assertClose((b as PromiseFulfilledResult<ts.Tensor>).value, [[3, 4], [5, 6], [7, 8]]);
      assertClose((last as PromiseFulfilledResult<ts.Tensor>).value, [[3, 4], [5, 6], [7, 8]]);
      s.close();
      await assert.rejects(s.runAsync(w), /this session is closed/);
    });
  });
}

describe("variables on the onnxruntime engine", () => {
  test("come back on readVariable, Saver and export; a restore is seen by the next run", async () => {
    const { graph, x, w, y, add } = linear();
    const saver = graph.asDefault(() => new ts.train.Saver([w]));
    const s = new ts.Session({ graph, engine: "onnxruntime" });
    await s.runAsync(add);
    await s.runAsync(add);
    const bytes = saver.toBytes(s);
    const model = await ts.io.exportOnnx(s, { inputs: [x], outputs: [y] });
    assert.ok(model.bytes.length > 0);
    await s.runAsync(add);
    assertClose(s.readVariable(w), [[4, 5], [6, 7], [8, 9]]);
    saver.fromBytes(s, bytes);
    assertClose(s.readVariable(w), [[3, 4], [5, 6], [7, 8]]);
    assertClose(await s.runAsync(add), [[4, 5], [6, 7], [8, 9]]);
    s.loadVariable(w, ts.zeros([3, 2]));
    assertClose(await s.runAsync(y, { x: [[1, 1, 1]] }), [[0, 0]]);
    // The exported model holds the values at export time: y at x = [1,1,1] with w = [[3,4],[5,6],[7,8]].
    const fresh = new ts.Session({ graph, engine: "onnxruntime" });
    saver.fromBytes(fresh, bytes);
    assertClose(await fresh.runAsync(y, { x: [[1, 1, 1]] }), [[15, 18]]);
  });
});

describe("an inference plan on the onnxruntime engine", () => {
  test("holds the variables' values while they stay the same, and sees every change after", async () => {
    const { graph, w, y, add } = linear();
    const s = new ts.Session({ graph, engine: "onnxruntime" });
    const feeds = { x: [[1, 1, 1]] };
    assertClose((await s.runAsync(y, feeds))!, [[9, 12]]);
    assertClose((await s.runAsync(y, feeds))!, [[9, 12]]);
    await s.runAsync(add);
    assertClose((await s.runAsync(y, feeds))!, [[12, 15]]);
    s.loadVariable(w, ts.ones([3, 2]));
    assertClose((await s.runAsync(y, feeds))!, [[3, 3]]);
    await s.runAsync(add);
    assertClose((await s.runAsync(y, feeds))!, [[6, 6]]);
    assert.equal(s.planCount, 2);
    s.close();
  });
});

describe("ops the onnxruntime engine's model does not run", () => {
  test("random initializers run on the session's kernels first: the same values as the default engine", async () => {
    const values: ts.Tensor[] = [];
    for (const engine of ENGINES) {
      const graph = new ts.Graph();
      const w = graph.asDefault(() => {
        ts.setRandomSeed(5);
        return new ts.Variable(ts.truncatedNormal([4, 3], { stddev: 0.1 }), { name: "w" });
      });
      const init = graph.asDefault(() => ts.globalVariablesInitializer());
      const s = new ts.Session({ graph, engine });
      await s.runAsync(init);
      values.push(await s.runAsync(w));
    }
    assert.ok(values[0]!.data.some((v) => v !== 0));
    assertClose(values[1]!, values[0]!, { atol: 0, rtol: 0 });
  });

  test("one that needs an update of the same run refuses the plan before anything runs, listing every such op", async () => {
    const graph = new ts.Graph();
    const { w, fetch } = graph.asDefault(() => {
      const w = new ts.Variable(ts.ones([2, 2]), { name: "w" });
      const updated = ts.assignAdd(w, ts.ones([2, 2]), "bump");
      return { w, fetch: ts.nn.inTopK(updated, ts.tensor([0, 1], { dtype: "int32" }), 1, "top") };
    });
    const s = new ts.Session({ graph, engine: "onnxruntime" });
    await assert.rejects(s.runAsync(fetch), (e: Error) => {
      assert.match(e.message, /the onnxruntime engine cannot run this plan: 1 op has no place in its model/);
      assert.match(e.message, /'top' \(InTopK\): it scores predictions against target labels.*needs the update 'bump'/);
      return true;
    });
    assertClose(s.readVariable(w), [[1, 1], [1, 1]]);
  });
});
