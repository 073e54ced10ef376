/**
 * How fast the Playground trains the issue's spiral (features x₁, x₂, x₁², x₂², sin x₁, sin x₂;
 * 8-8-5 tanh; learning rate 0.03; batch 10; 50 % training data; no noise) in the page, in
 * headless Chromium, with its heat maps updating: the time from pressing play to epoch 300, and
 * the page's epochs per second, per backend; and the same network's epochs per second in Node
 * without drawing (web/playground/model.js alone). The machine's load average is printed with
 * the figures: the machine is shared, so compare runs made at a similar load.
 *
 * With `--anchor DIR`, each round also runs the TensorFlow Playground's own engine on the same
 * configuration in a fresh Node process: DIR is a build of its nn.ts and dataset.ts with the
 * anchor's run.mjs (how to make one: /work/shared/anchors/playground/README.md); its epochs per
 * second without and with the heat maps' computation are printed beside ours, as ratios, from the
 * same rounds (the machine's load changes between runs, not within a round).
 *
 * Not part of `npm test` (no timing belongs in a test). Run after `npm run build`:
 *   node scripts/playground-speed.mjs [--runs 3] [--epochs 300] [--backends js,wasm] [--chromium /usr/bin/chromium] [--anchor DIR]
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import * as ts from "tensorslow";
import { serve } from "../web/serve.js";
import { Trainer } from "../web/playground/model.js";
import { parseHash } from "../web/playground/state.js";

const SPIRAL = "dataset=spiral&networkShape=8,8,5&x=true&y=true&xSquared=true&ySquared=true&sinX=true&sinY=true&activation=tanh&learningRate=0.03&batchSize=10&percTrainData=50&noise=0&seed=1";

function options(argv) {
  const o = { runs: 3, epochs: 300, backends: ts.listBackends(), chromium: process.env.TENSORSLOW_CHROMIUM ?? "/usr/bin/chromium" };
  for (let i = 0; i < argv.length; i++) {
    const [name, value] = [argv[i], argv[i + 1]];
    i++;
    if (name === "--runs") o.runs = Number(value);
    else if (name === "--epochs") o.epochs = Number(value);
    else if (name === "--backends") o.backends = value.split(",");
    else if (name === "--chromium") o.chromium = value;
    else if (name === "--anchor") o.anchor = value;
    else throw new Error(`unknown option ${name}; usage: node scripts/playground-speed.mjs [--runs N] [--epochs N] [--backends js,wasm] [--chromium PATH] [--anchor DIR]`);
  }
  if (o.anchor !== undefined && !existsSync(join(o.anchor, "run.mjs"))) throw new Error(`--anchor: no run.mjs in ${o.anchor} (see /work/shared/anchors/playground/README.md)`);
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error(`--runs: expected a positive integer, got ${o.runs}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new Error(`--epochs: expected a positive integer, got ${o.epochs}`);
  return o;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

/** One run in the page: load, press play, wait for the epoch, pause; the page's own clock. */
async function pageRun(page, url, backend, epochs) {
  await page.goto("about:blank");
  await page.goto(`${url}#${SPIRAL}&backend=${backend}`);
  await page.waitForFunction(() => window.playground?.ready || window.playground?.error, null, { timeout: 60_000 });
  const error = await page.evaluate(() => window.playground.error);
  if (error !== undefined) throw new Error(`the page failed: ${error}`);
  return page.evaluate(
    (n) =>
      new Promise((resolve) => {
        const app = window.playground;
        document.getElementById("play-pause-button").click();
        const poll = () => {
          if (app.epoch < n) return requestAnimationFrame(poll);
          const ms = performance.now() - app.playStartedAt;
          document.getElementById("play-pause-button").click();
          resolve({ ms, epoch: app.epoch, frames: app.frames, heatmapRuns: app.heatmapRuns, timing: app.timing, test: app.history[n].test });
        };
        poll();
      }),
    epochs,
  );
}

/** The same network in Node: epochs (with both losses, as the page computes them) per second, no drawing. */
function nodeRun(backend, epochs) {
  ts.setBackend(backend);
  const trainer = new Trainer(parseHash(SPIRAL).state);
  const t0 = performance.now();
  for (let e = 0; e < epochs; e++) {
    trainer.step();
    trainer.losses();
  }
  const ms = performance.now() - t0;
  trainer.close();
  return ms;
}

/**
 * The TensorFlow Playground's engine on the same spiral (the anchor's configuration A, seed "1") in
 * a fresh process: epochs per second of its first 1000 oneSteps (both losses each epoch, as ours),
 * and of oneStep with its decision boundary's computation (100×100 forward passes and every
 * node's output copied, drawing aside).
 */
function anchorRun(dir) {
  const out = JSON.parse(execFileSync(process.execPath, [join(dir, "run.mjs"), "--child", "time", "--config", "A", "--seed", "1"], { cwd: dir, encoding: "utf8" }));
  return { cold: out.cold.epochsPerSec, withMaps: out.withBoundary.epochsPerSec };
}

async function main() {
  const o = options(process.argv.slice(2));
  if (!existsSync(o.chromium)) throw new Error(`no Chromium at ${o.chromium} (apt-get install -y chromium, or --chromium PATH)`);
  if (!existsSync(fileURLToPath(new URL("../dist/index.js", import.meta.url)))) throw new Error("no dist/: run npm run build first");
  console.log(`The Playground's spiral (6 features, 8-8-5 tanh, batch 10), ${o.epochs} epochs, ${o.runs} runs per backend; ${new Date().toISOString()}`);
  console.log(`load average before: ${load()}`);
  const { server, url } = await serve({ port: 0 });
  const browser = await chromium.launch({ executablePath: o.chromium, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // Rounds: the page and Node on each backend, then the Playground's engine, so that the
    // figures of one round saw about the same load; the load average is printed per round.
    const pageRuns = new Map(o.backends.map((b) => [b, []]));
    const nodeMs = new Map(o.backends.map((b) => [b, []]));
    const anchor = [];
    for (let r = 0; r < o.runs; r++) {
      for (const backend of o.backends) pageRuns.get(backend).push(await pageRun(page, url, backend, o.epochs));
      for (const backend of o.backends) nodeMs.get(backend).push(nodeRun(backend, o.epochs));
      if (o.anchor !== undefined) anchor.push(anchorRun(o.anchor));
      console.log(`round ${r + 1} done; load average ${load()}`);
    }
    const ratios = (rates, key) => (anchor.length === 0 ? "" : `; the Playground's engine's in the same rounds: ${rates.map((v, i) => (v / anchor[i][key]).toFixed(1)).join(", ")}×`);
    for (const [backend, runs] of pageRuns) {
      const ms = runs.map((r) => r.ms);
      const rate = runs.map((r) => (1000 * r.epoch) / r.ms);
      const per = (key) => median(runs.map((r) => r.timing[key] / r.frames)).toFixed(1);
      console.log(
        `page, ${backend}: epoch ${o.epochs} after ${median(ms).toFixed(0)} ms of play (median; runs ${ms.map((m) => m.toFixed(0)).join(", ")}), ` +
          `${median(rate).toFixed(0)} epochs/s with the heat maps (runs ${rate.map((v) => v.toFixed(0)).join(", ")})${ratios(rate, "withMaps")}; ${median(runs.map((r) => r.frames))} frames ` +
          `(per frame: training ${per("train")} ms, heat-map run ${per("heatmaps")} ms, drawing ${per("draw")} ms, graph panel ${per("graph")} ms); ` +
          `test loss at epoch ${o.epochs} ${runs[0].test.toFixed(4)}`,
      );
    }
    for (const [backend, ms] of nodeMs) {
      const rates = ms.map((m) => (1000 * o.epochs) / m);
      console.log(`Node, ${backend}, no drawing: ${median(rates).toFixed(0)} epochs/s (median; runs ${rates.map((v) => v.toFixed(0)).join(", ")})${ratios(rates, "cold")}`);
    }
    if (anchor.length > 0) {
      const list = (key) => anchor.map((a) => a[key].toFixed(0)).join(", ");
      console.log(
        `The Playground's engine (its nn.ts in Node), no drawing: ${median(anchor.map((a) => a.cold)).toFixed(0)} epochs/s (median; runs ${list("cold")}); ` +
          `with its heat maps computed every epoch, drawing aside: ${median(anchor.map((a) => a.withMaps)).toFixed(0)} (runs ${list("withMaps")})`,
      );
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`load average after: ${load()}`);
  console.log("The TensorFlow Playground's page draws one epoch per animation frame (at most about 60 epochs/s); its engine does 47-56 epochs/s with its heat maps, 620-750 without (anchor RESULTS.md).");
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
