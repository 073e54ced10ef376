/**
 * Inference against onnxruntime-node on the model our own exporter writes: part VI's MLP
 * (784-256-128-10) and CNN (conv32-pool-conv64-pool-dense128-10) with their seeded initial weights,
 * at batch 1 (latency: µs per call, lower is better) and batch 256 (throughput: samples/s). Both
 * sides run the same input each call (seeded uniform [0, 1) pixels); TensorSlow's `session.run`
 * returns a new Tensor and onnxruntime's a new output array, as users call them. Before timing, the
 * two outputs are compared; a disagreement beyond float32 rounding fails the peer's row.
 */
import * as ts from "tensorslow";
import { buildCnn, buildMlp, type Classifier } from "../../examples/part6/models.js";
import { now, type Contestant } from "../harness.js";
import { ORT_THREADS, ortRunner, type OrtRunner } from "../peers/ort.js";
import type { Workload } from "../workload.js";

type Kind = "mlp" | "cnn";

/** Largest |ours − theirs| accepted: float32 sums of a few thousand products in another order. */
const AGREEMENT = 1e-4;

interface Shared {
  model: Classifier;
  session: ts.Session;
  input: ts.Tensor;
  /** Our logits for `input`, computed in our setup, for the peer to agree with. */
  expected?: Float32Array;
}

function shared(kind: Kind, batch: number): Shared {
  const model = kind === "mlp" ? buildMlp({ seed: 1 }) : buildCnn({ seed: 1 });
  const shape = kind === "mlp" ? [batch, 784] : [batch, 28, 28, 1];
  const input = ts.random.uniform(shape, { seed: 3, minval: 0, maxval: 1 });
  return { model, session: new ts.Session(model.graph), input };
}

/** Calls per round for about `budget` seconds, from the time of one call. */
function callsFor(seconds: number, budget: number): number {
  return Math.max(1, Math.min(5000, Math.ceil(budget / Math.max(seconds, 1e-9))));
}

/** The workload's figure for `calls` calls of `batch` samples taking `seconds`. */
function figure(batch: number, calls: number, seconds: number): number {
  return batch === 1 ? (seconds / calls) * 1e6 : (calls * batch) / seconds;
}

const extras: Record<string, Record<string, Record<string, number | string>>> = {};

function ours(s: Shared, batch: number): Contestant {
  let run: () => ts.Tensor = () => s.input;
  let calls = 1;
  return {
    name: "TensorSlow",
    setup() {
      const feeds = new Map([[s.model.x, s.input]]);
      run = () => s.session.run(s.model.logits, feeds);
      s.expected = run().data as Float32Array;
      for (let i = 0; i < 10; i++) run();
      const t0 = now();
      run();
      calls = callsFor(now() - t0, 0.25);
    },
    round() {
      const t0 = now();
      for (let i = 0; i < calls; i++) run();
      return figure(batch, calls, now() - t0);
    },
  };
}

function onnxruntime(id: string, s: Shared, batch: number, spinning = true): Contestant {
  let runner: OrtRunner | undefined;
  let calls = 1;
  const name = spinning ? `onnxruntime-node (${ORT_THREADS} threads)` : `onnxruntime-node (${ORT_THREADS} threads sleeping, the engine's options)`;
  return {
    name,
    async setup() {
      const onnx = await ts.io.exportOnnx(s.session, { inputs: [s.model.x], outputs: [s.model.logits] });
      runner = await ortRunner(onnx.bytes, onnx.inputs[0]!.name, s.input, { spinning });
      const got = await runner.run();
      const want = s.expected;
      if (want === undefined || want.length !== got.length) throw new Error(`onnxruntime gave ${got.length} values, TensorSlow ${want?.length}`);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      ((extras[id] ??= {})[name] ??= {})["max |Δ| vs TensorSlow"] = Number(worst.toPrecision(2));
      if (!(worst <= AGREEMENT)) throw new Error(`outputs disagree with TensorSlow's by up to ${worst}`);
      for (let i = 0; i < 10; i++) await runner.run();
      const t0 = now();
      await runner.run();
      calls = callsFor(now() - t0, 0.25);
    },
    async round() {
      const t0 = now();
      for (let i = 0; i < calls; i++) await runner!.run();
      return figure(batch, calls, now() - t0);
    },
    async teardown() {
      await runner?.release();
    },
  };
}

/**
 * TensorSlow on the onnxruntime engine: the session's plan for the logits compiled into an ONNX
 * model and run by onnxruntime-node (`await session.runAsync`), beside the raw runtime on the
 * exported model: the difference is the engine's overhead (feeds, variables as inputs, results as
 * Tensors). The raw runtime runs twice: as a deployment configures it by default (its threads spin
 * while they wait) and with the engine's session options (threads that sleep: see engine.ts), the
 * second being the measure of the engine's own overhead. At batch 1 the engine also runs with
 * `allowSpinning` (its threads spin as the default deployment's do), beside the first.
 */
function onEngine(s: Shared, batch: number, allowSpinning = false): Contestant {
  let session: ts.Session | undefined;
  let run: () => Promise<ts.Tensor> = async () => s.input;
  let calls = 1;
  return {
    name: allowSpinning ? "TensorSlow (onnxruntime engine, allowSpinning)" : "TensorSlow (onnxruntime engine)",
    async setup() {
      session = new ts.Session({ graph: s.model.graph, engine: "onnxruntime", allowSpinning });
      const feeds = new Map([[s.model.x, s.input]]);
      run = () => session!.runAsync(s.model.logits, feeds);
      const got = (await run()).data;
      const want = s.expected;
      if (want === undefined || want.length !== got.length) throw new Error(`the engine gave ${got.length} values, TensorSlow ${want?.length}`);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      if (!(worst <= AGREEMENT)) throw new Error(`outputs disagree with TensorSlow's by up to ${worst}`);
      for (let i = 0; i < 10; i++) await run();
      const t0 = now();
      await run();
      calls = callsFor(now() - t0, 0.25);
    },
    async round() {
      const t0 = now();
      for (let i = 0; i < calls; i++) await run();
      return figure(batch, calls, now() - t0);
    },
    teardown() {
      session?.close();
    },
  };
}

export function inferenceWorkload(kind: Kind, batch: number, rounds: number): Workload {
  const id = `ort-${kind}-b${batch}`;
  const net = kind === "mlp" ? "MLP 784-256-128-10" : "CNN conv32-pool-conv64-pool-dense128-10";
  return {
    id,
    title: `${net} inference, batch ${batch}`,
    unit: batch === 1 ? "µs/call" : "samples/s",
    higherIsBetter: batch !== 1,
    rounds,
    contestants: () => {
      const s = shared(kind, batch);
      const spinning = batch === 1 ? [onEngine(s, batch, true)] : [];
      return [ours(s, batch), onnxruntime(id, s, batch), onEngine(s, batch), ...spinning, onnxruntime(id, s, batch, false)];
    },
    extras: () => extras[id] ?? {},
  };
}
