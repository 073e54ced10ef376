// Development timing of the onnxruntime engine (not the bench: no ratios to report from here).
// Training: Part VI's MLP (batch 128) and CNN (batch 64) with Adam, as bench/workloads/fashion.ts
// trains them, on the default engine (wasm backend, session.run) and on the onnxruntime engine
// (session.runAsync), rounds alternating between the two; each round reports wall samples/s and
// samples per CPU second (the process's, every thread counted). Medians and [min–max] of the rounds.
// Inference: batch 1 and 256 through the engine beside raw onnxruntime-node on io.exportOnnx's model.
// Engine (engine): the engine's training steps alone, wall and CPU time per step (to compare builds).
// Profile (profile): the training step's plan model run by onnxruntime-node with enableProfiling,
// its per-node times summed by op type and by node, and the JS side of an engine call.
// Usage: node bench/dev-engine.mjs [mlp|cnn ...] [train|infer|engine|profile ...] [--rounds N] [--threads N]
//   (after `node scripts/build.mjs`)
import { loadavg } from "node:os";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import * as ts from "../dist/index.js";
import { planModel } from "../dist/engine/onnxruntime/plan-model.js";
import { encodeModel } from "../dist/io/onnx/proto.js";
import { buildCnn, buildMlp } from "../build/examples/part6/models.js";
import { median, repsFor } from "./dev-timing.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const kinds = args.filter((a) => a === "mlp" || a === "cnn");
const modes = args.filter((a) => a === "train" || a === "infer" || a === "profile" || a === "engine");
const rounds = opt("--rounds", 5);
const threads = opt("--threads", 2);
ts.setNumThreads(threads);
const ort = await import("onnxruntime-node");
const data = await ts.data.fashionMnist();

const spread = (xs) => `${median(xs).toFixed(0)} [${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}]`;
const shapeOf = (kind, n) => (kind === "mlp" ? [n, 784] : [n, 28, 28, 1]);
const net = (kind) => ({ kind, batch: kind === "mlp" ? 128 : 64, perRound: kind === "mlp" ? 40 : 8 });

function stream(kind, batch) {
  const batches = ts.data.batches({ x: data.train.images, y: data.train.labels }, batch, { shuffle: true, seed: 7, dropRemainder: true });
  let it = batches[Symbol.iterator]();
  return () => {
    let r = it.next();
    if (r.done) r = (it = batches[Symbol.iterator]()).next();
    return { x: new ts.Tensor(shapeOf(kind, batch), "float32", r.value.x.data), y: r.value.y };
  };
}

function trainer(kind, engine) {
  const { batch } = net(kind);
  const model = kind === "mlp" ? buildMlp({ seed: 1 }) : buildCnn({ seed: 1 });
  const session = new ts.Session({ graph: model.graph, engine });
  const next = stream(kind, batch);
  const feeds = () => {
    const b = next();
    return new Map([[model.x, b.x], [model.y, b.y]]);
  };
  const step = engine === "tensorslow" ? async () => session.run(model.train, feeds()) : () => session.runAsync(model.train, feeds());
  return { model, session, step };
}

async function train(kind) {
  const { batch, perRound } = net(kind);
  const contestants = { wasm: trainer(kind, "tensorslow"), engine: trainer(kind, "onnxruntime") };
  for (const c of Object.values(contestants)) for (let i = 0; i < 5; i++) await c.step();
  const wall = { wasm: [], engine: [] };
  const cpu = { wasm: [], engine: [] };
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 === 0 ? ["wasm", "engine"] : ["engine", "wasm"]) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < perRound; i++) await contestants[name].step();
      const t = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      wall[name].push((perRound * batch) / t);
      cpu[name].push((perRound * batch) / ((c.user + c.system) / 1e6));
    }
  }
  const ratios = wall.engine.map((e, i) => e / wall.wasm[i]);
  console.log(
    `${kind} training batch ${batch}, ${rounds} rounds of ${perRound} steps: engine ${spread(wall.engine)} samples/s (per CPU s ${spread(cpu.engine)}); ` +
      `wasm ${spread(wall.wasm)} (per CPU s ${spread(cpu.wasm)}); engine/wasm per round ${median(ratios).toFixed(2)} [${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}]; load ${loadavg()[0].toFixed(1)}`,
  );
  for (const c of Object.values(contestants)) c.session.close();
}

async function engineOnly(kind) {
  const { batch, perRound } = net(kind);
  const { session, step } = trainer(kind, "onnxruntime");
  for (let i = 0; i < 5; i++) await step();
  const wall = [];
  const cpu = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) await step();
    wall.push((performance.now() - t0) / perRound);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000 / perRound);
  }
  const ms = (xs) => `${median(xs).toFixed(2)} [${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}]`;
  console.log(`${kind} engine training step, batch ${batch}, ${rounds} rounds of ${perRound}: wall ${ms(wall)} ms, CPU ${ms(cpu)} ms; load ${loadavg()[0].toFixed(1)}`);
  session.close();
}

async function infer(kind) {
  const model = kind === "mlp" ? buildMlp({ seed: 1 }) : buildCnn({ seed: 1 });
  const local = new ts.Session(model.graph);
  const engine = new ts.Session({ graph: model.graph, engine: "onnxruntime" });
  const exported = await ts.io.exportOnnx(local, { inputs: [model.x], outputs: [model.logits] });
  const raw = await ort.InferenceSession.create(exported.bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: "0" } } } });
  for (const batch of [1, 256]) {
    const x = ts.random.uniform(shapeOf(kind, batch), { seed: 3 });
    const feeds = new Map([[model.x, x]]);
    const ortFeeds = { [exported.inputs[0].name]: new ort.Tensor("float32", x.data, shapeOf(kind, batch)) };
    const calls = { engine: () => engine.runAsync(model.logits, feeds), ort: () => raw.run(ortFeeds) };
    const reps = await repsFor(calls.engine);
    await repsFor(calls.ort);
    const per = { engine: [], ort: [] };
    for (let r = 0; r < rounds * 2; r++) {
      for (const name of r % 2 === 0 ? ["engine", "ort"] : ["ort", "engine"]) {
        const t0 = performance.now();
        for (let i = 0; i < reps; i++) await calls[name]();
        per[name].push(((performance.now() - t0) * 1000) / reps);
      }
    }
    const ratios = per.engine.map((e, i) => per.ort[i] / e);
    console.log(
      `${kind} inference batch ${batch}: engine ${spread(per.engine)} µs, raw onnxruntime ${spread(per.ort)} µs; ORT time / engine time per round ${median(ratios).toFixed(2)} [${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}]; load ${loadavg()[0].toFixed(1)}`,
    );
  }
  engine.close();
  local.close();
}

/** The training step's plan model in onnxruntime-node with per-node profiling; the JS side of an engine call. */
async function profile(kind) {
  const { batch } = net(kind);
  const { model, session, step } = trainer(kind, "onnxruntime");
  const plan = planModel([model.train], new Set([model.x, model.y]));
  const bytes = await encodeModel(plan.proto);
  const prefix = `/tmp/dev-engine-${kind}-${process.pid}`;
  const s = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    enableProfiling: true,
    profileFilePrefix: prefix,
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  });
  const next = stream(kind, batch);
  const feedsFor = () => {
    const b = next();
    const feeds = {};
    for (const { name, source } of plan.inputs) {
      const t = source.kind === "variable" ? session.readVariable(source.variable) : source.node === model.x ? b.x : b.y;
      feeds[name] = new ort.Tensor(t.dtype, t.data, t.shape);
    }
    return feeds;
  };
  const steps = 20;
  for (let i = 0; i < steps; i++) await s.run(feedsFor());
  s.endProfiling();
  const dir = "/tmp";
  const file = `${dir}/${readdirSync(dir).find((f) => f.startsWith(prefix.slice(dir.length + 1)) && f.endsWith(".json"))}`;
  const events = JSON.parse(readFileSync(file, "utf8"));
  rmSync(file);
  const runEvents = events.filter((e) => e.cat === "Session" && e.name === "model_run");
  const warm = runEvents.slice(5).map((e) => e.dur);
  // Node times of the runs after the first 5 (warm-up: allocation, pre-packing).
  const from = runEvents[5].ts;
  const nodes = events.filter((e) => e.cat === "Node" && e.name.endsWith("_kernel_time") && e.ts >= from);
  const counted = runEvents.length - 5;
  const byType = new Map();
  const byNode = new Map();
  for (const e of nodes) {
    const type = e.args.op_name;
    byType.set(type, (byType.get(type) ?? 0) + e.dur);
    const shapes = (e.args.input_type_shape ?? []).map((t) => `[${Object.values(t)[0]}]`).join(" ");
    const key = `${e.name.replace(/_kernel_time$/, "")} (${type} ${shapes})`;
    byNode.set(key, (byNode.get(key) ?? 0) + e.dur);
  }
  const total = nodes.reduce((a, e) => a + e.dur, 0);
  console.log(`${kind} training step (batch ${batch}), ${steps} runs: model_run median ${median(warm).toFixed(0)} µs; kernels ${(total / counted).toFixed(0)} µs/step over ${nodes.length / counted} nodes`);
  for (const [type, us] of [...byType].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${type.padEnd(22)} ${(us / counted).toFixed(0).padStart(7)} µs  ${((100 * us) / total).toFixed(1)}%`);
  console.log("  top nodes:");
  for (const [name, us] of [...byNode].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`    ${(us / counted).toFixed(0).padStart(7)} µs  ${name}`);
  // The JS side: an engine step against the bare ORT run of the same model.
  for (let i = 0; i < 5; i++) await step();
  const n = kind === "mlp" ? 60 : 10;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await step();
  const engineStep = ((performance.now() - t0) * 1000) / n;
  const fixed = feedsFor();
  const t1 = performance.now();
  for (let i = 0; i < n; i++) await s.run(fixed);
  const rawStep = ((performance.now() - t1) * 1000) / n;
  await s.release();
  console.log(`  engine step ${engineStep.toFixed(0)} µs wall, the bare ORT run of the model ${rawStep.toFixed(0)} µs (model_run in ORT's profile: ${median(warm).toFixed(0)} µs); load ${loadavg()[0].toFixed(1)}`);
  session.close();
}

for (const kind of kinds.length > 0 ? kinds : ["mlp", "cnn"]) {
  for (const mode of modes.length > 0 ? modes : ["train", "infer"]) {
    if (mode === "train") await train(kind);
    else if (mode === "infer") await infer(kind);
    else if (mode === "engine") await engineOnly(kind);
    else await profile(kind);
  }
}
