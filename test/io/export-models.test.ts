/**
 * Whole models through both exporters: a trained MLP run by onnxruntime and by TensorFlow.js's
 * graph-model loader on the same inputs as our session (to 1e-5), the files they write, the
 * model structure (opset, inputs with symbolic dimensions, initializers), and the refusals.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import protobuf from "protobufjs";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { runOnnx, runTfjs, runTfjsFromFolder } from "./runtimes.js";

const TOL = { atol: 1e-5, rtol: 1e-5 };

interface Mlp {
  graph: ts.Graph;
  x: ts.Placeholder;
  labels: ts.Placeholder;
  probs: ts.Node;
  loss: ts.Node;
  step: ts.GraphNode;
  variables: ts.Variable[];
}

/** x [N,4] → relu 8 → sigmoid 6 → softmax 3, with a cross-entropy loss and a training step. */
function buildMlp(dtype: ts.DType = "float32"): Mlp {
  const graph = new ts.Graph();
  return graph.asDefault(() => {
    const x = ts.placeholder(dtype, [null, 4], "x");
    const labels = ts.placeholder(dtype, [null, 3], "labels");
    const layer = (input: ts.Node, n: number, units: number, seed: number, name: string): [ts.Node, ts.Variable[]] =>
      ts.nameScope(name, () => {
        const W = new ts.Variable(ts.random.normal([n, units], { seed, stddev: 0.5, dtype }), { name: "W" });
        const b = new ts.Variable(ts.random.normal([units], { seed: seed + 1, stddev: 0.1, dtype }), { name: "b" });
        return [ts.add(ts.matmul(input, W), b), [W, b]];
      });
    const [z1, v1] = layer(x, 4, 8, 1, "layer1");
    const [z2, v2] = layer(ts.relu(z1), 8, 6, 3, "layer2");
    const [z3, v3] = layer(ts.sigmoid(z2), 6, 3, 5, "layer3");
    const probs = ts.softmax(z3, -1, "probs");
    const loss = ts.negative(ts.reduceMean(ts.reduceSum(ts.multiply(labels, ts.log(probs)), 1)), "loss");
    const step = new ts.train.GradientDescentOptimizer(0.5).minimize(loss);
    return { graph, x, labels, probs, loss, step, variables: [...v1, ...v2, ...v3] };
  });
}

function batch(rows: number, seed: number, dtype: ts.DType = "float32"): ts.Tensor {
  return ts.random.normal([rows, 4], { seed, dtype });
}

function oneHot(rows: number): ts.Tensor {
  return ts.tensor(Array.from({ length: rows }, (_, i) => [0, 1, 2].map((c) => (c === i % 3 ? 1 : 0))));
}

describe("a trained MLP", () => {
  const mlp = buildMlp();
  const session = new ts.Session(mlp.graph);
  const input = batch(5, 7);
  let before: ts.Tensor;
  let after: ts.Tensor;

  test("trains (so that exported values differ from the initial ones)", () => {
    before = session.run(mlp.probs, { x: input });
    const train = { x: batch(6, 11), labels: oneHot(6) };
    const loss0 = session.run(mlp.loss, train).item() as number;
    for (let i = 0; i < 20; i++) session.run(mlp.step, train);
    assert.ok((session.run(mlp.loss, train).item() as number) < loss0 - 0.05, "the loss went down");
    after = session.run(mlp.probs, { x: input });
  });

  test("exported to ONNX, runs in onnxruntime with the session's outputs", async () => {
    const model = await ts.io.exportOnnx(session, { inputs: [mlp.x], outputs: [mlp.probs] });
    assert.equal(model.opset, 17);
    assert.deepEqual(model.inputs, [{ name: "x", dtype: "float32", shape: ["N", 4] }]);
    assert.deepEqual(model.outputs, [{ name: "probs", dtype: "float32", shape: [null, 3] }]);
    const out = await runOnnx(model.bytes, { x: input });
    assertClose(out["probs"]!, after, { ...TOL, what: "onnxruntime vs session" });
    // A batch size other than the one used in training: the batch dimension is symbolic.
    const seven = batch(7, 13);
    assertClose((await runOnnx(model.bytes, { x: seven }))["probs"]!, session.run(mlp.probs, { x: seven }), TOL);
  });

  test("exported to TensorFlow.js, runs in tfjs-converter's loadGraphModel with the session's outputs", async () => {
    const model = await ts.io.exportTfjsGraphModel(session, { inputs: [mlp.x], outputs: [mlp.probs] });
    assert.equal(model.modelJson.format, "graph-model");
    const [out] = await runTfjs(model.artifacts, { x: input }, ["probs"]);
    assertClose(out!, after, { ...TOL, what: "tfjs vs session" });
  });

  test("exported from the Graph, a model holds the variables' initial values", async () => {
    const onnx = await ts.io.exportOnnx(mlp.graph, { inputs: ["x"], outputs: ["probs"] });
    assertClose((await runOnnx(onnx.bytes, { x: input }))["probs"]!, before, TOL);
    const tfjs = await ts.io.exportTfjsGraphModel(mlp.graph, { inputs: ["x"], outputs: ["probs"] });
    assertClose((await runTfjs(tfjs.artifacts, { x: input }, ["probs"]))[0]!, before, TOL);
    assert.match(tfjs.modelJson.convertedBy, /initial values/);
    assert.ok(Math.max(...Array.from(before.data, (v, i) => Math.abs(v - after.data[i]!))) > 1e-3, "training changed the outputs");
  });

  test("only the inference part is written: no loss, labels, gradients or updates", async () => {
    const model = await ts.io.exportTfjsGraphModel(session, { inputs: [mlp.x], outputs: [mlp.probs] });
    const names = model.modelJson.modelTopology.node.map((n) => n.name);
    const ops = new Set(model.modelJson.modelTopology.node.map((n) => n.op));
    assert.ok(!names.includes("labels") && !names.includes("loss"), names.join(", "));
    assert.ok(!names.some((n) => n.startsWith("gradients")), names.join(", "));
    assert.deepEqual([...ops].sort(), ["Add", "Const", "MatMul", "Placeholder", "Relu", "Sigmoid", "Softmax"]);
    const consts = model.modelJson.modelTopology.node.filter((n) => n.op === "Const").map((n) => n.name);
    assert.deepEqual(consts.sort(), mlp.variables.map((v) => v.name).sort());
    assert.deepEqual(
      model.modelJson.weightsManifest[0]!.weights.map((w) => [w.name, w.shape, w.dtype]),
      mlp.variables.map((v) => [v.name, [...v.shape!], "float32"]),
    );
  });

  test("a float64 MLP exports to ONNX (doubles) and is refused by TensorFlow.js, which has no float64", async () => {
    const m64 = buildMlp("float64");
    const s64 = new ts.Session(m64.graph);
    const x = batch(3, 5, "float64");
    const model = await ts.io.exportOnnx(s64, { inputs: [m64.x], outputs: [m64.probs] });
    const out = (await runOnnx(model.bytes, { x }))["probs"]!;
    assert.equal(out.dtype, "float64");
    assertClose(out, s64.run(m64.probs, { x }), { atol: 1e-12, rtol: 1e-12 });
    await assert.rejects(ts.io.exportTfjsGraphModel(s64, { inputs: [m64.x], outputs: [m64.probs] }), (e: Error) => {
      assert.ok(e instanceof ts.io.ExportError);
      assert.match(e.message, /'x' \(Placeholder\) is float64 \[\?,4\].*no float64/);
      return true;
    });
  });
});

/** ModelProto's fields read back by an independent decoder (protobufjs with a schema written here). */
const ONNX_READER = protobuf.Root.fromJSON({
  nested: {
    M: { fields: { ir: { type: "int64", id: 1 }, opset: { type: "O", id: 8, rule: "repeated" }, graph: { type: "G", id: 7 } } },
    O: { fields: { domain: { type: "string", id: 1 }, version: { type: "int64", id: 2 } } },
    G: {
      fields: {
        node: { type: "N", id: 1, rule: "repeated" },
        initializer: { type: "T", id: 5, rule: "repeated" },
        input: { type: "V", id: 11, rule: "repeated" },
        output: { type: "V", id: 12, rule: "repeated" },
      },
    },
    N: { fields: { input: { type: "string", id: 1, rule: "repeated" }, output: { type: "string", id: 2, rule: "repeated" }, opType: { type: "string", id: 4 } } },
    T: { fields: { dims: { type: "int64", id: 1, rule: "repeated" }, dataType: { type: "int32", id: 2 }, name: { type: "string", id: 8 }, raw: { type: "bytes", id: 9 } } },
    V: { fields: { name: { type: "string", id: 1 }, type: { type: "TP", id: 2 } } },
    TP: { fields: { tensor: { type: "TT", id: 1 } } },
    TT: { fields: { elem: { type: "int32", id: 1 }, shape: { type: "S", id: 2 } } },
    S: { fields: { dim: { type: "D", id: 1, rule: "repeated" } } },
    D: { fields: { value: { type: "int64", id: 1 }, param: { type: "string", id: 2 } } },
  },
}).lookupType("M");

function readOnnx(bytes: Uint8Array): any {
  return ONNX_READER.toObject(ONNX_READER.decode(bytes), { longs: Number, arrays: true });
}

describe("the ONNX file", () => {
  test("states opset 17 and IR 8; inputs with symbolic dims; variables as float initializers holding their values", async () => {
    const mlp = buildMlp();
    const session = new ts.Session(mlp.graph);
    const model = await ts.io.exportOnnx(session, { inputs: [mlp.x], outputs: [mlp.probs], dimName: (input, axis) => `${input}_${axis}` });
    const m = readOnnx(model.bytes);
    assert.equal(m.ir, 8);
    // The default ONNX domain is the empty string, which proto3 leaves out.
    assert.deepEqual(m.opset.map((o: any) => [o.domain ?? "", o.version]), [["", 17]]);
    assert.deepEqual(m.graph.input, [{ name: "x", type: { tensor: { elem: 1, shape: { dim: [{ param: "x_0" }, { value: 4 }] } } } }]);
    assert.deepEqual(m.graph.output.map((o: any) => o.name), ["probs"]);
    const W = m.graph.initializer.find((t: any) => t.name === "layer1/W");
    assert.deepEqual([W.dims, W.dataType], [[4, 8], 1]);
    const raw: Uint8Array = W.raw;
    const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    assert.deepEqual(values, session.run(mlp.variables[0]!).data);
    assert.deepEqual(m.graph.initializer.map((t: any) => t.name).sort(), mlp.variables.map((v) => v.name).sort());
  });

  test("a variable given as an input is cut off there: it becomes a graph input, fed at run time", async () => {
    const mlp = buildMlp();
    const session = new ts.Session(mlp.graph);
    const W = mlp.variables[0]!;
    const model = await ts.io.exportOnnx(session, { inputs: [mlp.x, W], outputs: [mlp.probs] });
    assert.deepEqual(model.inputs.map((i) => [i.name, i.shape]), [["x", ["N", 4]], ["layer1/W", [4, 8]]]);
    const otherW = ts.random.normal([4, 8], { seed: 99 });
    const x = batch(2, 3);
    const expected = session.run(mlp.probs, new Map<ts.Node, ts.Tensor>([[mlp.x, x], [W, otherW]]));
    assertClose((await runOnnx(model.bytes, { x, "layer1/W": otherW }))["probs"]!, expected, TOL);
    assert.ok(!readOnnx(model.bytes).graph.initializer.some((t: any) => t.name === "layer1/W"));
  });

  test("an output that is an input or a variable gets its own name through Identity", async () => {
    const g = new ts.Graph();
    const [x, v, y] = g.asDefault(() => {
      const x = ts.placeholder("float32", [2], "x");
      const v = new ts.Variable([1, 2], { name: "v" });
      return [x, v, ts.add(x, v, "y")];
    });
    const model = await ts.io.exportOnnx(g, { inputs: [x], outputs: [x, v, y] });
    assert.deepEqual(model.outputs.map((o) => o.name), ["x_output", "v_output", "y"]);
    const out = await runOnnx(model.bytes, { x: ts.tensor([10, 20]) });
    assert.deepEqual([...out["x_output"]!.data], [10, 20]);
    assert.deepEqual([...out["v_output"]!.data], [1, 2]);
    assert.deepEqual([...out["y"]!.data], [11, 22]);
  });
});

describe("files", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tensorslow-export-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("exportOnnx writes the bytes it returns to path; onnxruntime loads the file", async () => {
    const mlp = buildMlp();
    const session = new ts.Session(mlp.graph);
    const path = join(dir, "mlp.onnx");
    const model = await ts.io.exportOnnx(session, { inputs: [mlp.x], outputs: [mlp.probs], path });
    assert.deepEqual(new Uint8Array(readFileSync(path)), model.bytes);
    const x = batch(3, 21);
    assertClose((await runOnnx(readFileSync(path), { x }))["probs"]!, session.run(mlp.probs, { x }), TOL);
    assert.deepEqual(readdirSync(dir), ["mlp.onnx"], "no temporary file is left behind");
  });

  test("exportTfjsGraphModel writes model.json and weight shards (split at shardBytes) that load from the folder", async () => {
    const mlp = buildMlp();
    const session = new ts.Session(mlp.graph);
    const folder = join(dir, "tfjs");
    const model = await ts.io.exportTfjsGraphModel(session, { inputs: [mlp.x], outputs: [mlp.probs], path: folder, shardBytes: 100 });
    // 4·8 + 8 + 8·6 + 6 + 6·3 + 3 = 115 floats = 460 bytes: five shards of at most 100 bytes.
    const shards = model.modelJson.weightsManifest[0]!.paths;
    assert.deepEqual(shards, [1, 2, 3, 4, 5].map((i) => `group1-shard${i}of5.bin`));
    assert.deepEqual(readdirSync(folder).sort(), [...shards, "model.json"].sort());
    assert.deepEqual(shards.map((s) => readFileSync(join(folder, s)).length), [100, 100, 100, 100, 60]);
    assert.deepEqual(JSON.parse(readFileSync(join(folder, "model.json"), "utf8")), model.modelJson);
    for (const [name, bytes] of Object.entries(model.files)) assert.deepEqual(new Uint8Array(readFileSync(join(folder, name))), bytes, name);
    const x = batch(4, 8);
    const [out] = await runTfjsFromFolder(folder, { x }, ["probs"]);
    assertClose(out!, session.run(mlp.probs, { x }), TOL);
  });

  test("bad paths and options are refused, naming them", async () => {
    const mlp = buildMlp();
    await assert.rejects(ts.io.exportOnnx(mlp.graph, { inputs: [mlp.x], outputs: [mlp.probs], path: "" }), /path must be a non-empty string/);
    await assert.rejects(ts.io.exportTfjsGraphModel(mlp.graph, { inputs: [mlp.x], outputs: [mlp.probs], shardBytes: 0 }), /shardBytes must be a positive integer/);
    writeFileSync(join(dir, "a-file"), "not a folder");
    await assert.rejects(ts.io.exportOnnx(mlp.graph, { inputs: [mlp.x], outputs: [mlp.probs], path: join(dir, "a-file", "m.onnx") }), /could not write the ONNX model '.*m\.onnx': could not create its folder '.*a-file'/);
  });

  test("missing parent folders are made", async () => {
    const mlp = buildMlp();
    const onnx = await ts.io.exportOnnx(mlp.graph, { inputs: [mlp.x], outputs: [mlp.probs], path: join(dir, "new", "deeper", "m.onnx") });
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, "new", "deeper", "m.onnx"))), onnx.bytes);
    await ts.io.exportTfjsGraphModel(mlp.graph, { inputs: [mlp.x], outputs: [mlp.probs], path: join(dir, "new2", "tfjs") });
    assert.ok(readdirSync(join(dir, "new2", "tfjs")).includes("model.json"));
  });
});

/** Both exporters, for the refusals they share. */
const EXPORTERS = [
  ["exportOnnx", (s: ts.Graph | ts.Session, o: ts.io.ExportSelection) => ts.io.exportOnnx(s, o)],
  ["exportTfjsGraphModel", (s: ts.Graph | ts.Session, o: ts.io.ExportSelection) => ts.io.exportTfjsGraphModel(s, o)],
] as const;

describe("refusals name what is wrong", () => {
  for (const [what, exporter] of EXPORTERS) {
    test(`${what}: an output that needs an input not given names the placeholder and the output`, async () => {
      const mlp = buildMlp();
      await assert.rejects(exporter(mlp.graph, { inputs: [mlp.x], outputs: [mlp.loss] }), (e: Error) => {
        assert.ok(e instanceof ts.io.ExportError, String(e));
        assert.match(e.message, new RegExp(`^${what}: the output 'loss' \\(Neg\\) needs the placeholder 'labels' \\(Placeholder\\) \\(float32 \\[\\?,3\\]\\), which is not among the inputs \\['x'\\]`));
        return true;
      });
    });

    test(`${what}: an op type without an export entry names the node and its type`, async () => {
      const g = new ts.Graph();
      const [x, y] = g.asDefault(() => {
        const x = ts.placeholder("float32", [2], "x");
        // An op type that no export table knows (and that is not registered).
        const def = { type: "MyCustomOp", kernel: "Identity", infer: (inputs: ts.TensorSpec[]) => inputs[0]!, gradient: { notDifferentiable: "test" } } as ts.OpDef<Record<string, never>>;
        return [x, ts.sigmoid(new ts.Operation(def, g, [x], {}, "custom"))];
      });
      await assert.rejects(exporter(g, { inputs: [x], outputs: [y] }), (e: Error) => {
        assert.ok(e instanceof ts.io.ExportError, String(e));
        assert.match(e.message, /'custom' is a MyCustomOp op, which has no (ONNX|TensorFlow\.js) mapping/);
        return true;
      });
    });

    // ONNX maps the gradient ops (training runs on ONNX Runtime); TensorFlow.js does not.
    test(`${what}: a gradient op is ${what === "exportOnnx" ? "exported (σ'(x) = σ(x)(1 − σ(x)) in onnxruntime)" : "refused with the reason"}`, async () => {
      const g = new ts.Graph();
      const [x, dx] = g.asDefault(() => {
        const x = ts.placeholder("float32", [2], "x");
        return [x, ts.gradients(ts.reduceSum(ts.sigmoid(x)), [x])[0]!];
      });
      if (what !== "exportOnnx") {
        await assert.rejects(exporter(g, { inputs: [x], outputs: [dx] }), /cannot be exported: only gradients\(\) builds it/);
        return;
      }
      const { bytes } = await ts.io.exportOnnx(g, { inputs: [x], outputs: [dx] });
      const xs = [-1.5, 0.25];
      const out = Object.values(await runOnnx(bytes, { x: ts.tensor(xs, [2]) }))[0]!;
      const s = (v: number): number => 1 / (1 + Math.exp(-v));
      assertClose(out, ts.tensor(xs.map((v) => s(v) * (1 - s(v))), [2]), TOL);
    });

    test(`${what}: bad selections are refused`, async () => {
      const mlp = buildMlp();
      await assert.rejects(exporter(mlp.graph, { inputs: [mlp.x], outputs: [] }), /no outputs given/);
      await assert.rejects(exporter(mlp.graph, { inputs: [mlp.x], outputs: ["nope"] }), /the graph has no node named 'nope' \(given as an output\)/);
      await assert.rejects(exporter(mlp.graph, { inputs: [mlp.x], outputs: [mlp.step as ts.Node] }), /has no value \(it only groups other nodes\)/);
      await assert.rejects(exporter(mlp.graph, { inputs: [mlp.x, mlp.x], outputs: [mlp.probs] }), /'x' \(Placeholder\) is given twice as an input/);
      await assert.rejects(exporter(new ts.Graph(), { inputs: [], outputs: [mlp.probs] }), /belongs to another graph/);
      await assert.rejects(exporter(mlp.graph, undefined as unknown as ts.io.ExportSelection), /give \{ inputs, outputs \}/);
    });
  }
});
