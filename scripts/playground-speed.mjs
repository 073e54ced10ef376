/**
 * How fast the Playground trains the spiral (features x₁, x₂, x₁², x₂², sin x₁, sin x₂;
 * 8-8-5 tanh; learning rate 0.03; batch 10; 50 % training data; no noise) in the page, in
 * headless Chromium, with its heat maps updating: the time from pressing play to epoch 300, and
 * the page's epochs per second, per backend; and the same network's epochs per second in Node
 * without drawing (web/playground/model.js alone). The machine's load average is printed with
 * the figures: the machine is shared, so compare runs made at a similar load.
 *
 * Not part of `npm test` (no timing belongs in a test). Run after `npm run build`:
 *   node scripts/playground-speed.mjs [--runs 3] [--epochs 300] [--backends js,wasm] [--chromium /usr/bin/chromium]
 */
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
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
    else throw new Error(`unknown option ${name}; usage: node scripts/playground-speed.mjs [--runs N] [--epochs N] [--backends js,wasm] [--chromium PATH]`);
  }
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
    for (const backend of o.backends) {
      const runs = [];
      for (let r = 0; r < o.runs; r++) runs.push(await pageRun(page, url, backend, o.epochs));
      const ms = runs.map((r) => r.ms);
      const rate = runs.map((r) => (1000 * r.epoch) / r.ms);
      const per = (key) => median(runs.map((r) => r.timing[key] / r.frames)).toFixed(1);
      console.log(
        `page, ${backend}: epoch ${o.epochs} after ${median(ms).toFixed(0)} ms of play (median; runs ${ms.map((m) => m.toFixed(0)).join(", ")}), ` +
          `${median(rate).toFixed(0)} epochs/s with the heat maps, ${median(runs.map((r) => r.frames))} frames ` +
          `(per frame: training ${per("train")} ms, heat-map run ${per("heatmaps")} ms, drawing ${per("draw")} ms, graph panel ${per("graph")} ms); ` +
          `test loss at epoch ${o.epochs} ${runs[0].test.toFixed(4)}`,
      );
    }
    for (const backend of o.backends) {
      const ms = Array.from({ length: o.runs }, () => nodeRun(backend, o.epochs));
      console.log(`Node, ${backend}, no drawing: ${((1000 * o.epochs) / median(ms)).toFixed(0)} epochs/s (median of ${ms.map((m) => m.toFixed(0)).join(", ")} ms)`);
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
