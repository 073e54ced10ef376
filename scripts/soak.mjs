/**
 * The soak test (`npm run soak`, not part of `npm test`): the Fashion-MNIST MLP trained for
 * thousands of steps with a checkpoint every N, once without interruption and once killed at
 * random moments (SIGKILL of the child process) and resumed from its last checkpoint each time.
 * (The kill clock starts when a worker has loaded the data and restored its checkpoint.) Both runs must end with bit-identical weights (the final checkpoint files compared byte for
 * byte); memory (RSS, JS heap, wasm memory) is sampled at every checkpoint of the uninterrupted run
 * and reported at its start and end.
 *
 *   npm run soak [-- --steps 20000 --every 500 --kill-after 2000,12000 --seed 7]
 *
 * Needs the built package (dist/) and Debian's dataset-fashion-mnist (or TENSORSLOW_FASHION_MNIST).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(import.meta.url);
const dist = new URL("../dist/index.js", import.meta.url).href;

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : process.argv[at + 1];
}

const BATCH = 100;

/** One process's share of training: resume from `dir`/model.ckpt if it exists, train to `steps`, saving every `every`. */
async function worker(dir, steps, every) {
  const ts = await import(dist);
  const data = await ts.data.fashionMnist();
  const images = data.train.images; // float32 [60000, 784]
  const labels = data.train.labels; // int32 [60000]
  const batches = Math.floor(images.shape[0] / BATCH);
  const graph = new ts.Graph();
  const m = graph.asDefault(() => {
    ts.setRandomSeed(1);
    const x = ts.placeholder("float32", [null, 784], "x");
    const y = ts.placeholder("int32", [null], "y");
    const h = ts.layers.dense(x, 128, { activation: ts.nn.relu, name: "hidden" });
    const logits = ts.layers.dense(h, 10, { name: "logits" });
    const loss = ts.reduceMean(ts.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: y, logits }));
    const step = ts.train.getOrCreateGlobalStep();
    const train = new ts.train.AdamOptimizer(0.001).minimize(loss, { globalStep: step });
    return { x, y, loss, step, train, saver: new ts.train.Saver() };
  });
  const session = new ts.Session(graph);
  const path = join(dir, "model.ckpt");
  if (existsSync(path)) await m.saver.restore(session, path);
  const xb = new ts.Tensor([BATCH, 784], "float32");
  const yb = new ts.Tensor([BATCH], "int32");
  const sample = (s) => {
    const wasm = ts.wasmBackend?.memoryStats();
    const mem = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ step: s, rss: mem.rss, heapUsed: mem.heapUsed, wasmUsed: wasm?.usedBytes ?? 0, wasmTotal: wasm?.totalBytes ?? 0 })}\n`);
  };
  let s = session.run(m.step).item();
  sample(s);
  while (s < steps) {
    // The batch depends on the step alone, so a resumed run sees what an uninterrupted one does.
    const b = s % batches;
    xb.data.set(images.data.subarray(b * BATCH * 784, (b + 1) * BATCH * 784));
    yb.data.set(labels.data.subarray(b * BATCH, (b + 1) * BATCH));
    session.run(m.train, new Map([[m.x, xb], [m.y, yb]]));
    s++;
    if (s % every === 0 || s === steps) {
      await m.saver.save(session, path);
      sample(s);
    }
  }
  session.close();
}

/** Runs a worker to the end; when `killAfter` is given, kills it after a random delay in that range (ms) and starts it again. */
async function drive(dir, steps, every, killAfter, random) {
  let kills = 0;
  const samples = [];
  for (;;) {
    const child = spawn(process.execPath, [here, "worker", dir, String(steps), String(every)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const delay = killAfter === undefined ? undefined : killAfter[0] + random() * (killAfter[1] - killAfter[0]);
    let timer;
    child.stdout.on("data", (d) => {
      // The clock starts once the worker has loaded the data and restored (its first sample).
      if (delay !== undefined && timer === undefined) timer = setTimeout(() => child.kill("SIGKILL"), delay);
      out += d;
    });
    const { code, signal } = await new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    clearTimeout(timer);
    const lines = out.split("\n").filter(Boolean).map((l) => JSON.parse(l));
    samples.push(...lines);
    if (signal === "SIGKILL") {
      kills++;
      const reached = lines.at(-1)?.step ?? "?";
      console.log(`  killed ${Math.round(delay)} ms into training (from step ${lines[0]?.step ?? "?"}; last checkpoint: step ${reached}); resuming`);
      continue;
    }
    if (code !== 0) throw new Error(`worker exited with code ${code}`);
    return { kills, samples };
  }
}

function seeded(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

async function main() {
  const steps = Number(option("steps", 20000));
  const every = Number(option("every", 500));
  const killAfter = option("kill-after", "2000,12000").split(",").map(Number);
  const random = seeded(Number(option("seed", 7)));
  const root = mkdtempSync(join(tmpdir(), "tensorslow-soak-"));
  const started = Date.now();
  try {
    console.log(`soak: ${steps} steps of the Fashion-MNIST MLP (784-128-10, Adam, batch ${BATCH}), a checkpoint every ${every}`);
    console.log("uninterrupted run:");
    const plain = await drive(join(root, "plain"), steps, every, undefined, random);
    const mb = (n) => `${(n / 2 ** 20).toFixed(1)} MB`;
    const first = plain.samples[0];
    const last = plain.samples.at(-1);
    const peak = Math.max(...plain.samples.map((x) => x.rss));
    console.log(`  memory at step ${first.step}: RSS ${mb(first.rss)}, JS heap ${mb(first.heapUsed)}, wasm ${mb(first.wasmUsed)} used of ${mb(first.wasmTotal)}`);
    // The first sample is before any step: the plan's buffers come at the first one. Compare from the first checkpoint on.
    const warm = plain.samples[1];
    console.log(`  memory at step ${warm.step}: RSS ${mb(warm.rss)}, JS heap ${mb(warm.heapUsed)}, wasm ${mb(warm.wasmUsed)} used of ${mb(warm.wasmTotal)}`);
    console.log(`  memory at step ${last.step}: RSS ${mb(last.rss)}, JS heap ${mb(last.heapUsed)}, wasm ${mb(last.wasmUsed)} used of ${mb(last.wasmTotal)}; peak RSS ${mb(peak)} over ${plain.samples.length} samples`);
    console.log(`killed and resumed run (kills after ${killAfter[0]}-${killAfter[1]} ms):`);
    const killed = await drive(join(root, "killed"), steps, every, killAfter, random);
    const a = readFileSync(join(root, "plain", "model.ckpt"));
    const b = readFileSync(join(root, "killed", "model.ckpt"));
    const same = a.equals(b);
    console.log(`  ${killed.kills} kills, ${killed.kills} resumes`);
    console.log(`final checkpoints (${a.length} bytes each): ${same ? "bit-identical" : "DIFFERENT"}`);
    console.log(`soak took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (!same) process.exitCode = 1;
    if (warm.wasmUsed !== last.wasmUsed) {
      console.log(`wasm memory in use changed from ${warm.wasmUsed} to ${last.wasmUsed} bytes`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === "worker") await worker(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
else await main();
