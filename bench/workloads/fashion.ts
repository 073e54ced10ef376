/**
 * W3 and W4: training and inference on Fashion-MNIST, the networks of examples/part6 (an MLP
 * 784-256-128-10 with Adam at batch 128; a CNN conv3×3×32-pool-conv3×3×64-pool-dense128-10 with
 * Adam at batch 64) against the same networks in TensorFlow.js layers (glorot-uniform kernels, zero
 * biases, Adam 1e-3, sparse categorical cross-entropy). Every contestant sees the same seeded
 * batches. A round trains the next `batchesPerRound` batches (continuing the epoch) and reports
 * samples/s; after the rounds, the MLP's contestants finish their first epoch untimed and report
 * test accuracy, so speed is compared at equal accuracy.
 */
import * as ts from "tensorslow";
import { buildCnn, buildMlp, type Classifier } from "../../examples/part6/models.js";
import { now, type Contestant } from "../harness.js";
import { useTfjs, type TfjsBackend } from "../peers/tfjs.js";
import type { Workload } from "../workload.js";

type TF = typeof import("@tensorflow/tfjs");
type Data = Awaited<ReturnType<typeof ts.data.fashionMnist>>;

let loaded: Promise<Data> | undefined;
/** Loads Fashion-MNIST once per process (the contestants set up after the first round ends). */
function fashion(): Promise<Data> {
  loaded ??= ts.data.fashionMnist();
  return loaded;
}

interface Net {
  kind: "mlp" | "cnn";
  batchSize: number;
  batchesPerRound: number;
  /**
   * Untimed batches in setup (they count towards the epoch): JIT compilers reach steady code only
   * after some calls, and with three rounds a slow first one moves the median.
   */
  warmupBatches?: number;
}

/** Rows as a network takes them: [n, 784] or [n, 28, 28, 1]. */
function imageShape(kind: Net["kind"], n: number): number[] {
  return kind === "mlp" ? [n, 784] : [n, 28, 28, 1];
}

/** A shared, seeded stream of training batches (one Batches object per contestant, same order). */
function batchStream(data: Data, batchSize: number): () => { x: ts.Tensor; y: ts.Tensor } {
  const batches = ts.data.batches({ x: data.train.images, y: data.train.labels }, batchSize, { shuffle: true, seed: 7, dropRemainder: true });
  let it = batches[Symbol.iterator]();
  return () => {
    let r = it.next();
    if (r.done === true) {
      it = batches[Symbol.iterator]();
      r = it.next();
    }
    return r.value as { x: ts.Tensor; y: ts.Tensor };
  };
}

const extras: Record<string, Record<string, Record<string, number | string>>> = {};
function note(workload: string, contestant: string, key: string, value: number | string): void {
  ((extras[workload] ??= {})[contestant] ??= {})[key] = value;
}

async function testAccuracyOurs(model: Classifier, session: ts.Session, data: Data, kind: Net["kind"]): Promise<number> {
  const images = new ts.Tensor(imageShape(kind, data.test.labels.size), "float32", data.test.images.data);
  const test = ts.data.batches(new Map([[model.x, images], [model.y, data.test.labels]]), 1000);
  return (await ts.train.evaluateAsync(session, { accuracy: model.accuracy }, test)).accuracy;
}

/**
 * TensorSlow, on the default engine (the wasm backend: `session.run`) or on the onnxruntime engine
 * (`await session.runAsync`, the whole step one ONNX Runtime call).
 */
function ours(id: string, net: Net, finishEpoch: boolean, engine: "tensorslow" | "onnxruntime" = "tensorslow"): Contestant {
  const name = engine === "tensorslow" ? "TensorSlow" : "TensorSlow (onnxruntime engine)";
  let model: Classifier;
  let session: ts.Session;
  let next: () => { x: ts.Tensor; y: ts.Tensor };
  let data: Data;
  let trained = 0;
  const feeds = (): Map<ts.Node, ts.Tensor> => {
    const b = next();
    trained++;
    return new Map([[model.x, new ts.Tensor(imageShape(net.kind, b.x.shape[0]!), "float32", b.x.data)], [model.y, b.y]]);
  };
  const step = engine === "tensorslow" ? (): unknown => session.run(model.train, feeds()) : (): Promise<unknown> => session.runAsync(model.train, feeds());
  return {
    name,
    async setup() {
      data = await fashion();
      model = net.kind === "mlp" ? buildMlp({ seed: 1 }) : buildCnn({ seed: 1 });
      session = new ts.Session({ graph: model.graph, engine });
      next = batchStream(data, net.batchSize);
      for (let i = 0; i < (net.warmupBatches ?? 1); i++) await step();
    },
    async round() {
      const t0 = now();
      for (let i = 0; i < net.batchesPerRound; i++) await step();
      return (net.batchesPerRound * net.batchSize) / (now() - t0);
    },
    async teardown() {
      if (finishEpoch) {
        const perEpoch = Math.floor(data.train.labels.size / net.batchSize);
        while (trained < perEpoch) await step();
        note(id, name, "test accuracy after 1 epoch", Number((await testAccuracyOurs(model, session, data, net.kind)).toFixed(4)));
      }
      session.close();
    },
  };
}

/** The same network in tfjs-layers. */
function tfjsModel(tf: TF, kind: Net["kind"]): import("@tensorflow/tfjs").Sequential {
  const model = tf.sequential();
  if (kind === "mlp") {
    model.add(tf.layers.dense({ inputShape: [784], units: 256, activation: "relu" }));
    model.add(tf.layers.dense({ units: 128, activation: "relu" }));
  } else {
    model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: "same", activation: "relu" }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    model.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: "same", activation: "relu" }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 128, activation: "relu" }));
  }
  model.add(tf.layers.dense({ units: 10, activation: "softmax" }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "sparseCategoricalCrossentropy" });
  return model;
}

function tfjs(id: string, net: Net, backend: TfjsBackend, finishEpoch: boolean): Contestant {
  const name = `tfjs-${backend}`;
  let tf: TF;
  let model: import("@tensorflow/tfjs").Sequential;
  let next: () => { x: ts.Tensor; y: ts.Tensor };
  let data: Data;
  let trained = 0;
  const step = async (): Promise<void> => {
    const b = next();
    const x = tf.tensor(b.x.data as Float32Array, imageShape(net.kind, b.x.shape[0]!));
    const y = tf.tensor1d(b.y.data as Int32Array, "float32");
    await model.trainOnBatch(x, y);
    x.dispose();
    y.dispose();
    trained++;
  };
  return {
    name,
    async setup() {
      tf = (await useTfjs(backend)) as unknown as TF;
      data = await fashion();
      model = tfjsModel(tf, net.kind);
      next = batchStream(data, net.batchSize);
      for (let i = 0; i < (net.warmupBatches ?? 1); i++) await step();
    },
    async round() {
      await useTfjs(backend);
      const t0 = now();
      for (let i = 0; i < net.batchesPerRound; i++) await step();
      return (net.batchesPerRound * net.batchSize) / (now() - t0);
    },
    async teardown() {
      if (!finishEpoch || model === undefined) return;
      await useTfjs(backend);
      const perEpoch = Math.floor(data.train.labels.size / net.batchSize);
      while (trained < perEpoch) await step();
      const n = data.test.labels.size;
      const logits = model.predict(tf.tensor(data.test.images.data as Float32Array, imageShape(net.kind, n))) as import("@tensorflow/tfjs").Tensor;
      const predicted = await logits.argMax(1).data();
      let correct = 0;
      for (let i = 0; i < n; i++) if (predicted[i] === data.test.labels.data[i]) correct++;
      note(id, name, "test accuracy after 1 epoch", Number((correct / n).toFixed(4)));
      model.dispose();
    },
  };
}

/** W3: MLP training samples/s, then test accuracy after one epoch (TensorSlow and tfjs-wasm). */
export function fashionMlpWorkload(rounds: number): Workload {
  const id = "fashion-mlp-train";
  const net: Net = { kind: "mlp", batchSize: 128, batchesPerRound: 40, warmupBatches: 10 };
  return {
    id,
    title: "Fashion-MNIST MLP training, batch 128",
    unit: "samples/s",
    higherIsBetter: true,
    rounds,
    contestants: () => [ours(id, net, true), ours(id, net, true, "onnxruntime"), tfjs(id, net, "cpu", false), tfjs(id, net, "wasm", true)],
    extras: () => extras[id] ?? {},
  };
}

/** W4: CNN training samples/s at batch 64 (tfjs-wasm has no conv filter-gradient kernel). */
export function cnnTrainWorkload(rounds: number): Workload {
  const id = "fashion-cnn-train";
  return {
    id,
    title: "Fashion-MNIST CNN training, batch 64",
    unit: "samples/s",
    higherIsBetter: true,
    rounds,
    contestants: () => [
      ours(id, { kind: "cnn", batchSize: 64, batchesPerRound: 4 }, false),
      ours(id, { kind: "cnn", batchSize: 64, batchesPerRound: 4 }, false, "onnxruntime"),
      tfjs(id, { kind: "cnn", batchSize: 64, batchesPerRound: 1 }, "cpu", false), tfjs(id, { kind: "cnn", batchSize: 64, batchesPerRound: 1 }, "wasm", false)],
    extras: () => extras[id] ?? {},
  };
}

/** W4: CNN inference samples/s on batches of 256 test images (untrained weights: speed only). */
export function cnnInferenceWorkload(rounds: number): Workload {
  const batch = 256;
  const ourSide = (): Contestant => {
    let run: () => void = () => {};
    return {
      name: "TensorSlow",
      async setup() {
        const data = await fashion();
        const model = buildCnn({ seed: 1 });
        const session = new ts.Session(model.graph);
        const x = new ts.Tensor([batch, 28, 28, 1], "float32", data.test.images.data.subarray(0, batch * 784));
        run = () => void session.run(model.logits, new Map([[model.x, x]]));
        run();
      },
      round() {
        const t0 = now();
        for (let i = 0; i < 4; i++) run();
        return (4 * batch) / (now() - t0);
      },
    };
  };
  const peer = (backend: TfjsBackend): Contestant => {
    let tf: TF;
    let model: import("@tensorflow/tfjs").Sequential;
    let x: import("@tensorflow/tfjs").Tensor;
    const once = async (): Promise<void> => {
      const y = model.predict(x) as import("@tensorflow/tfjs").Tensor;
      await y.data();
      y.dispose();
    };
    return {
      name: `tfjs-${backend}`,
      async setup() {
        tf = (await useTfjs(backend)) as unknown as TF;
        const data = await fashion();
        model = tfjsModel(tf, "cnn");
        x = tf.tensor(data.test.images.data.subarray(0, batch * 784) as Float32Array, [batch, 28, 28, 1]);
        await once();
      },
      async round() {
        await useTfjs(backend);
        const reps = backend === "cpu" ? 1 : 4;
        const t0 = now();
        for (let i = 0; i < reps; i++) await once();
        return (reps * batch) / (now() - t0);
      },
      teardown() {
        model?.dispose();
        x?.dispose();
      },
    };
  };
  return {
    id: "fashion-cnn-inference",
    title: `Fashion-MNIST CNN inference, batch ${batch}`,
    unit: "samples/s",
    higherIsBetter: true,
    rounds,
    contestants: () => [ourSide(), peer("cpu"), peer("wasm")],
  };
}
