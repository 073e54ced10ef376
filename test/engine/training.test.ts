/**
 * Training on the onnxruntime engine: one graph, two sessions (the default engine on the wasm
 * backend, and onnxruntime), the same seeded Fashion-MNIST batches. Part VI's MLP and CNN with Adam
 * give the same losses step by step (1e-3 relative over the first 12 steps), and the same weights
 * afterwards: the two engines compute the same training step by different kernels.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { buildCnn, buildMlp, type Classifier } from "../../examples/part6/models.js";

const STEPS = 12;
const BATCH = 32;

type Data = Awaited<ReturnType<typeof ts.data.fashionMnist>>;
let data: Data;

before(async () => {
  data = await ts.data.fashionMnist();
});

/** The first `STEPS` batches of a seeded shuffle, shaped for the network. */
function batches(kind: "mlp" | "cnn"): { x: ts.Tensor; y: ts.Tensor }[] {
  const stream = ts.data.batches({ x: data.train.images, y: data.train.labels }, BATCH, { shuffle: true, seed: 11, dropRemainder: true });
  const out: { x: ts.Tensor; y: ts.Tensor }[] = [];
  for (const b of stream as Iterable<{ x: ts.Tensor; y: ts.Tensor }>) {
    out.push({ x: kind === "mlp" ? b.x : new ts.Tensor([BATCH, 28, 28, 1], b.x.dtype, b.x.data), y: b.y });
    if (out.length === STEPS) break;
  }
  return out;
}

async function losses(net: Classifier, engine: "tensorslow" | "onnxruntime", data: { x: ts.Tensor; y: ts.Tensor }[]): Promise<{ losses: number[]; session: ts.Session }> {
  const session = new ts.Session({ graph: net.graph, engine });
  const out: number[] = [];
  for (const b of data) {
    const r = await session.runAsync({ train: net.train, loss: net.loss }, new Map<ts.Node, ts.Tensor>([[net.x, b.x], [net.y, b.y]]));
    out.push(Number(r.loss.item()));
  }
  return { losses: out, session };
}

for (const kind of ["mlp", "cnn"] as const) {
  describe(`Part VI's ${kind.toUpperCase()} with Adam`, () => {
    test(`the onnxruntime engine's losses agree with the wasm backend's for ${STEPS} steps, and so do the weights`, async () => {
      const net = kind === "mlp" ? buildMlp({ seed: 3 }) : buildCnn({ seed: 3 });
      const feeds = batches(kind);
      const support = ts.engineSupport("onnxruntime");
      const notInModel = [...new Set(net.graph.nodes.filter((n): n is ts.Operation => n instanceof ts.Operation && support[n.type] !== null).map((n) => n.type))];
      // The MLP's whole step runs in the model; the CNN's too once every gradient op has a mapping.
      if (kind === "mlp") assert.deepEqual(notInModel, [], "op types of the MLP's step the engine runs before its model");
      const wasm = await losses(net, "tensorslow", feeds);
      const ort = await losses(net, "onnxruntime", feeds);
      assert.ok(wasm.losses[STEPS - 1]! < wasm.losses[0]!, `the loss falls: ${wasm.losses.join(", ")}`);
      wasm.losses.forEach((l, i) => {
        const rel = Math.abs(ort.losses[i]! - l) / Math.abs(l);
        assert.ok(rel <= 1e-3, `step ${i + 1}: wasm ${l}, onnxruntime ${ort.losses[i]} (relative difference ${rel.toExponential(2)})`);
      });
      for (const v of net.graph.trainableVariables()) {
        const a = wasm.session.readVariable(v).data;
        const b = ort.session.readVariable(v).data;
        let worst = 0;
        let scale = 0;
        for (let i = 0; i < a.length; i++) {
          worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
          scale = Math.max(scale, Math.abs(a[i]!));
        }
        assert.ok(worst <= 1e-3 * scale + 1e-5, `${v.name}: the weights differ by ${worst} (largest ${scale})`);
      }
      wasm.session.close();
      ort.session.close();
    });
  });
}

describe("Part VI's MLP for one epoch on each engine (train.fitAsync, train.evaluateAsync)", () => {
  test("reaches the same test accuracy within 0.5 points", async () => {
    const net = buildMlp({ seed: 5 });
    const accuracy: number[] = [];
    for (const engine of ["tensorslow", "onnxruntime"] as const) {
      const session = new ts.Session({ graph: net.graph, engine });
      const train = ts.data.batches(new Map([[net.x, data.train.images], [net.y, data.train.labels]]), 128, { shuffle: true, seed: 3 });
      const [log] = await ts.train.fitAsync(session, { step: net.train, loss: net.loss }, train, { reporter: null });
      assert.ok(log!.loss < 1, `${engine}: the epoch's mean loss ${log!.loss}`);
      const test = ts.data.batches(new Map([[net.x, data.test.images], [net.y, data.test.labels]]), 1000);
      accuracy.push((await ts.train.evaluateAsync(session, { accuracy: net.accuracy }, test)).accuracy);
      session.close();
    }
    assert.ok(accuracy[0]! > 0.75, `accuracy after an epoch: ${accuracy[0]}`);
    assert.ok(Math.abs(accuracy[0]! - accuracy[1]!) <= 0.005, `test accuracy: wasm ${accuracy[0]}, onnxruntime ${accuracy[1]}`);
  });
});
