/**
 * The Playground's controls in Debian's headless Chromium, driven by playwright-core: every
 * control changes the graph the page trains and the URL; play, pause, step and reset; the graph
 * panel and the code panel; the downloads (the checkpoint holds the page's weights; the ONNX
 * model, run by onnxruntime, gives the page's outputs); the keyboard; a narrow window; and a
 * screenshot of a trained spiral, whose heat map has its colours where the classes are.
 *
 * Skipped, saying what to install, when Chromium is not there (TENSORSLOW_CHROMIUM overrides
 * the path /usr/bin/chromium).
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type BrowserContext, type Page } from "playwright-core";
import * as ts from "tensorslow";
import { loadCode, loadState, type PlaygroundState } from "../helpers/web.js";
import { launchedChromium, TF_SPIRAL, clickUntil, graphOf, missing, open, servedPage, setRange, view, watch, weightsOf, type AppView } from "../helpers/playground-page.js";
import { decodePng } from "../helpers/png.js";
import { runOnnx } from "../io/runtimes.js";

// Browser globals that the page.evaluate callbacks use (the tests compile without the DOM library).
interface Element {
  activeElement: { getAttribute(name: string): string | null; closest(selector: string): unknown } | null;
  documentElement: { scrollWidth: number };
  getElementById(id: string): { click(): void };
}
declare const document: Element;
declare const location: { hash: string };
declare const innerWidth: number;
declare function requestAnimationFrame(callback: () => void): number;

describe("the Playground's controls in headless Chromium", { skip: missing, timeout: 300_000 }, async () => {
  const { parseHash } = await loadState();
  const { programFor } = await loadCode();
  const browser = launchedChromium();
  const served = servedPage(browser, true);
  let url = "";
  let context: BrowserContext;
  let page: Page;
  let problems: string[] = [];
  before(() => ({ url, context, page, problems } = served));

  it("each control changes the graph the page trains and the URL", async () => {
    await open(page, url, "seed=2");
    const hash = async () => (await view(page)).hash;
    let g = await graphOf(page);
    assert.deepEqual(g.x, [null, 2]);
    assert.ok(g.types.includes("Tanh") && !g.types.includes("Relu"));

    await page.selectOption("#activations", "relu");
    assert.match(await hash(), /activation=relu/);
    g = await graphOf(page);
    assert.ok(g.types.includes("Relu") && g.types.filter((t) => t === "Tanh").length === 1, "ReLU hidden layers, the tanh output");

    await page.click("#add-layers");
    assert.match(await hash(), /networkShape=4,2,2/);
    assert.ok((await graphOf(page)).names.includes("dense_3/kernel"));
    await page.click("#network .layer-controls button[aria-label='Add a neuron to hidden layer 3']");
    assert.match(await hash(), /networkShape=4,2,3/);
    await page.click("#network .layer-controls button[aria-label='Remove a neuron from hidden layer 1']");
    assert.match(await hash(), /networkShape=3,2,3/);
    await page.click("#remove-layers");
    assert.match(await hash(), /networkShape=3,2&/);
    assert.ok(!(await graphOf(page)).names.includes("dense_3/kernel"));

    await page.click("#nodexSquared button");
    assert.match(await hash(), /xSquared=true/);
    assert.deepEqual((await graphOf(page)).x, [null, 3]);
    await page.click("#nodex button");
    assert.match(await hash(), /&x=false/);
    assert.deepEqual((await graphOf(page)).x, [null, 2]);

    await page.selectOption("#regularizations", "L2");
    await page.selectOption("#regularRate", "0.01");
    assert.match(await hash(), /regularization=L2&.*regularizationRate=0\.01/);
    g = await graphOf(page);
    assert.ok(g.names.includes("regularization") && g.names.includes("objective") && g.types.includes("L2Loss"));
    await page.selectOption("#regularizations", "L1");
    assert.match(await hash(), /regularization=L1&/);
    g = await graphOf(page);
    assert.ok(g.types.includes("Abs") && !g.types.includes("L2Loss"), "L1: the sum of the kernels' absolute values");
    await page.selectOption("#activations", "sigmoid");
    assert.ok((await graphOf(page)).types.includes("Sigmoid"));
    await page.selectOption("#activations", "linear");
    assert.match(await hash(), /activation=linear/);
    g = await graphOf(page);
    assert.ok(!g.types.some((t) => ["Relu", "Sigmoid"].includes(t)) && g.types.filter((t) => t === "Tanh").length === 1, "no activation in the hidden layers, the tanh output");

    // The learning rate and the optimizer keep the weights (and the epoch).
    await page.click("#next-step-button");
    const weights = await weightsOf(page);
    await page.selectOption("#learningRate", "0.1");
    assert.match(await hash(), /learningRate=0\.1&/);
    assert.equal((await graphOf(page)).learningRate, 0.1);
    await page.selectOption("#optimizer", "adam");
    assert.match(await hash(), /optimizer=adam/);
    assert.ok((await graphOf(page)).names.some((n) => n.endsWith("/Adam")));
    assert.deepEqual(await weightsOf(page), weights);
    assert.equal((await view(page)).epoch, 1);

    await page.click(".dataset[aria-label='Exclusive or']");
    assert.match(await hash(), /dataset=xor/);
    assert.equal((await view(page)).epoch, 0, "a new data set resets");
    await setRange(page, "percTrainData", 70);
    await setRange(page, "noise", 25);
    await setRange(page, "batchSize", 17);
    assert.match(await hash(), /batchSize=17&.*noise=25&.*percTrainData=70/);
    assert.equal(await page.textContent("label[for='percTrainData'] .value"), "70");
    const sizes = await page.evaluate(() => {
      const t = (globalThis as unknown as { playground: { trainer: { data: { train: unknown[]; test: unknown[] }; firstEpoch: unknown[] } } }).playground.trainer;
      return [t.data.train.length, t.data.test.length, t.firstEpoch.length];
    });
    assert.deepEqual(sizes, [350, 150, Math.floor(350 / 17)]);

    await page.check("#show-test-data");
    await page.check("#discretize");
    assert.match(await hash(), /showTestData=true&discretize=true/);
    const seed = /seed=([^&]*)/.exec(await hash())![1];
    await page.click("#data-regen-button");
    assert.notEqual(/seed=([^&]*)/.exec(await hash())![1], seed);

    await page.selectOption("#problem", "regression");
    assert.match(await hash(), /problem=regression/);
    g = await graphOf(page);
    assert.equal(g.types.filter((t) => t === "Tanh").length, 0, "a linear output for regression");
    await page.click(".dataset[aria-label='Multi Gaussian']");
    assert.match(await hash(), /regDataset=reg-gauss/);
    assert.deepEqual(problems, []);
  });

  it("holds the Playground's limits: 0 to 6 hidden layers of 1 to 8 neurons", async () => {
    await open(page, url, "seed=20&networkShape=8,8,8,8,8,8");
    assert.equal(await page.isDisabled("#add-layers"), true);
    assert.equal(await page.isDisabled("#remove-layers"), false);
    assert.deepEqual(await page.$$eval("#network .layer-controls button", (bs) => bs.map((b) => (b as unknown as { disabled: boolean }).disabled)), Array.from({ length: 6 }, () => [true, false]).flat());
    await page.click("#network .layer-controls button[aria-label='Remove a neuron from hidden layer 1']");
    assert.match((await view(page)).hash, /networkShape=7,8,8,8,8,8&/);
    await open(page, url, "seed=20&networkShape=1");
    assert.equal(await page.isDisabled("#network .layer-controls button[aria-label='Remove a neuron from hidden layer 1']"), true);
    await page.click("#remove-layers");
    assert.match((await view(page)).hash, /networkShape=&/);
    assert.equal(await page.isDisabled("#remove-layers"), true);
    assert.equal(await page.textContent("#num-layers"), "0");
    assert.deepEqual((await graphOf(page)).names.filter((n) => n.endsWith("/kernel")), ["dense/kernel"], "the inputs straight to the output");
    assert.deepEqual(problems, []);
  });

  it("play, pause, step and reset", async () => {
    await open(page, url, "dataset=gauss&networkShape=2&seed=4");
    const initial = await weightsOf(page);
    await page.click("#next-step-button");
    let v = await view(page);
    assert.equal(v.epoch, 1);
    assert.equal(v.history.length, 2);
    assert.equal(v.playing, false);
    await page.click("#play-pause-button");
    assert.equal(await page.getAttribute("#play-pause-button", "aria-pressed"), "true");
    await page.waitForFunction(() => (globalThis as unknown as { playground: AppView }).playground.epoch >= 30);
    await page.click("#play-pause-button");
    v = await view(page);
    assert.equal(v.playing, false);
    assert.equal(await page.getAttribute("#play-pause-button", "aria-label"), "Run");
    await page.waitForTimeout(200);
    const paused = await view(page);
    assert.equal(paused.epoch, v.epoch, "paused: no more epochs");
    assert.equal(paused.history.length, paused.epoch + 1);
    assert.ok(paused.heatmapRuns >= paused.frames && paused.frames >= 1, `${paused.frames} frames, ${paused.heatmapRuns} heat-map runs`);
    assert.ok(paused.history.at(-1)!.train < paused.history[0]!.train);
    await page.click("#reset-button");
    v = await view(page);
    assert.equal(v.epoch, 0);
    assert.equal(await page.textContent("#iter-number"), "000,000");
    assert.deepEqual(await weightsOf(page), initial, "the seed decides the initial weights");
    // A preset's stopAt pauses the page where the tutorial stops.
    await page.click("[data-preset=part4]");
    assert.match((await view(page)).hash, /dataset=blobs.*loss=crossEntropy&init=normal&stopAt=100/);
    await page.click("#play-pause-button");
    await page.waitForFunction(() => !(globalThis as unknown as { playground: AppView }).playground.playing);
    assert.equal((await view(page)).epoch, 100);
    assert.match((await page.textContent("#status"))!, /Stopped at epoch 100/);
    assert.deepEqual(problems, []);
  });

  it("draws the graph with Graphviz, with values under its nodes; a node shows its value over the plane", async () => {
    await open(page, url, "dataset=circle&networkShape=3&seed=5");
    await page.click("#next-step-button");
    const texts = await page.$$eval("svg.tensor-graph g.node title", (ts) => ts.map((t) => t.textContent));
    for (const name of ["x", "y", "dense/kernel", "dense/bias", "dense/MatMul", "dense/BiasAdd", "dense/Tanh", "loss"]) assert.ok(texts.includes(name), `the graph shows ${name}`);
    assert.ok(!texts.some((n) => n!.startsWith("gradients/")), "the forward graph by default");
    const values = await page.$$eval("svg.tensor-graph text.node-value", (ts) => ts.map((t) => t.textContent));
    assert.ok(values.some((v) => /^250×3 · rms /.test(v!)), values.join(" | "));
    assert.ok((await page.$$("svg.tensor-graph path.has-gradient")).length >= 5, "edges carry the loss's gradient");
    await page.click("svg.tensor-graph g.node:has(title:text-is('dense/Tanh'))");
    assert.equal(await page.locator("#node-inspector .inspector-maps canvas").count(), 3);
    await page.click("svg.tensor-graph g.node:has(title:text-is('dense/kernel'))");
    assert.equal(await page.locator("#node-inspector table.matrix td").count(), 6);
    const drawn = (await view(page)).graphsDrawn;
    await page.check("#graph-gradients");
    await page.waitForFunction((n) => (globalThis as unknown as { playground: AppView }).playground.graphsDrawn > n, drawn);
    const all = await page.$$eval("svg.tensor-graph g.node title", (ts) => ts.map((t) => t.textContent));
    assert.ok(all.some((n) => n!.startsWith("gradients/")) && all.some((n) => /GradientDescent/.test(n!)), "the gradient and update nodes");
    assert.deepEqual(problems, []);
  });

  it("shows the code of the network, as code.js prints it", async () => {
    const v = await open(page, url, "dataset=spiral&networkShape=5&activation=sigmoid&seed=8");
    const shown = await page.textContent("#code");
    assert.equal(shown, programFor(parseHash(v.hash).state as PlaygroundState, v.hash));
    await page.selectOption("#optimizer", "rmsprop");
    assert.match((await page.textContent("#code"))!, /new ts\.train\.RMSPropOptimizer\(0\.03\)\.minimize\(loss\)/);
    assert.deepEqual(problems, []);
  });

  it("downloads the trained model: a checkpoint with the page's weights, an ONNX model that computes the page's outputs", async () => {
    await open(page, url, "dataset=xor&networkShape=4,2&xTimesY=true&seed=6");
    await clickUntil(page, "#next-step-button", 3);
    const weights = await weightsOf(page);
    const saved = async (button: string): Promise<Uint8Array> => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
      return new Uint8Array(readFileSync((await download.path())!));
    };
    const checkpoint = ts.io.decodeSafetensors(await saved("#download-checkpoint"));
    const names = ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias", "dense_2/kernel", "dense_2/bias"];
    assert.deepEqual([...checkpoint.tensors.keys()].sort(), [...names].sort());
    assert.deepEqual(
      names.map((n) => Array.from(checkpoint.tensors.get(n)!.data)),
      weights,
    );
    const onnx = await saved("#download-onnx");
    const X = ts.tensor([
      [1, 2, 2],
      [-3, 0.5, -1.5],
      [4, -4, -16],
    ]);
    const expected = await page.evaluate((rows) => {
      const t = (globalThis as unknown as { playground: { trainer: { session: { run(n: unknown, f: unknown): { data: Float32Array } }; net: { output: unknown; x: { shape: unknown } } } } }).playground.trainer;
      return import("tensorslow").then((ts) => Array.from(t.session.run(t.net.output, new Map([[t.net.x, ts.tensor(rows)]])).data));
    }, X.toArray() as number[][]);
    const out = Object.values(await runOnnx(onnx, { x: X }))[0]!;
    Array.from(out.data).forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= 1e-6, `row ${i}: onnxruntime ${v}, page ${expected[i]}`));
    const code = new TextDecoder().decode(await saved("#download-code"));
    assert.match(code, /import \* as ts from "tensorslow";/);
    assert.deepEqual(problems, []);
  });

  it("is usable by keyboard: Space plays and pauses, Enter on a neuron edits its weights", async () => {
    await open(page, url, "dataset=circle&networkShape=2&seed=7");
    await page.focus("#nodex button");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Input feature x₂: on");
    // Keys the page answers when no control has the focus (on a button, Space presses the button).
    await page.evaluate(() => (document.activeElement as unknown as { blur(): void }).blur());
    await page.keyboard.press("s");
    assert.equal((await view(page)).epoch, 1);
    const { history } = await view(page);
    assert.equal(await page.textContent("#announce"), `Trained to epoch 1: training loss ${history[1]!.train.toFixed(3)}, test loss ${history[1]!.test.toFixed(3)}.`);
    await page.keyboard.press(" ");
    await page.waitForFunction(() => (globalThis as unknown as { playground: AppView }).playground.epoch >= 5);
    await page.keyboard.press(" ");
    assert.equal((await view(page)).playing, false);
    await page.focus("#node0-1 button");
    await page.keyboard.press("Enter");
    assert.equal(await page.isVisible("#hovercard"), true);
    const labels = await page.$$eval("#hovercard label span", (s) => s.map((e) => e.textContent));
    assert.deepEqual(labels, ["Bias", "Weight from x₁ to neuron 2 of layer 1", "Weight from x₂ to neuron 2 of layer 1"]);
    assert.equal(await page.evaluate(() => document.activeElement?.closest("#hovercard") !== null), true);
    await page.fill("#hovercard label:nth-of-type(2) input", "2.5");
    await page.keyboard.press("Enter");
    assert.equal(await page.isVisible("#hovercard"), false);
    assert.equal((await weightsOf(page))[0]![1], 2.5, "kernel[0][1]: from x₁ to neuron 2");
    assert.equal(await page.evaluate(() => document.activeElement?.closest("#node0-1") !== null), true, "focus returns to the neuron");
    // Every control has a name a screen reader can say.
    const unnamed = await page.$$eval("button, select, input", (els) =>
      els
        .filter((e) => (e as unknown as { offsetParent: unknown }).offsetParent !== null)
        .filter((e) => {
          const el = e as unknown as { id: string; labels?: ArrayLike<unknown>; getAttribute(n: string): string | null; textContent: string | null };
          return !el.getAttribute("aria-label") && !(el.labels && el.labels.length > 0) && !(el.textContent ?? "").trim();
        })
        .map((e) => (e as unknown as { outerHTML: string }).outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unnamed, []);
    assert.deepEqual(problems, []);
  });

  it("edits a weight by clicking its link, and loads a new configuration typed into the URL", async () => {
    await open(page, url, "dataset=circle&networkShape=2&seed=3");
    const link = page.locator("#network path.link-hover").nth(3);
    await link.dispatchEvent("click", { clientX: 300, clientY: 300 });
    const labels = await page.$$eval("#hovercard label span", (s) => s.map((e) => e.textContent));
    assert.deepEqual(labels, ["Weight from x₂ to neuron 2 of layer 1"]);
    await page.fill("#hovercard input", "-1.75");
    await page.keyboard.press("Enter");
    assert.equal((await weightsOf(page))[0]![3], -1.75, "kernel[1][1]: from x₂ to neuron 2");
    await page.evaluate(() => (location.hash = "dataset=gauss&networkShape=5,5&activation=sigmoid&seed=9"));
    await page.waitForFunction(() => /networkShape=5,5/.test(location.hash) && (globalThis as unknown as { playground: { trainer: { state: { networkShape: number[] } } } }).playground.trainer.state.networkShape.length === 2);
    const g = await graphOf(page);
    assert.ok(g.names.includes("dense_1/kernel") && g.types.includes("Sigmoid"));
    assert.equal(await page.getAttribute(".dataset.selected", "aria-label"), "Gaussian");
    assert.deepEqual(problems, []);
  });

  it("fits a narrow window: no sideways scrolling of the page, the heat map and the play button in view", async () => {
    const narrow = await context.newPage();
    const issues = watch(narrow);
    await narrow.setViewportSize({ width: 400, height: 800 });
    await open(narrow, url, TF_SPIRAL);
    const sizes = await narrow.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: innerWidth }));
    assert.ok(sizes.scroll <= sizes.width, `page ${sizes.scroll} px wide in a ${sizes.width} px window`);
    const heat = (await narrow.locator("#heatmap").boundingBox())!;
    assert.ok(heat.x >= 0 && heat.x + heat.width <= 400 && heat.width >= 200, JSON.stringify(heat));
    assert.ok(await narrow.isVisible("#play-pause-button"));
    await narrow.close();
    assert.deepEqual(issues, []);
  });

  it("trains the spiral with its heat maps updating; a screenshot has the output's colours where the classes are", async (t) => {
    await open(page, url, TF_SPIRAL);
    const timing = await page.evaluate(
      () =>
        new Promise<{ ms: number; epoch: number; frames: number }>((resolve) => {
          const app = (globalThis as unknown as { playground: AppView & { playStartedAt: number } }).playground;
          document.getElementById("play-pause-button").click();
          const poll = (): void => {
            if (app.epoch >= 300) {
              const ms = performance.now() - app.playStartedAt;
              document.getElementById("play-pause-button").click();
              resolve({ ms, epoch: app.epoch, frames: app.frames });
            } else requestAnimationFrame(poll);
          };
          poll();
        }),
    );
    t.diagnostic(`spiral 8-8-5: epoch ${timing.epoch} after ${timing.ms.toFixed(0)} ms of play, ${timing.frames} frames (no threshold here: scripts/playground-speed.mjs measures)`);
    const v = await view(page);
    assert.ok(v.heatmapRuns >= timing.frames, "every frame drew the heat maps");
    const test = v.history.at(-1)!.test;
    // The points layer hidden: the screenshot shows the heat map alone.
    await page.locator("#heatmap .points").evaluate((c) => ((c as unknown as { style: { visibility: string } }).style.visibility = "hidden"));
    const shot = decodePng(await page.locator("#heatmap").screenshot());
    const points = await page.evaluate(() => {
      const t = (globalThis as unknown as { playground: { trainer: { data: { test: { x: number; y: number; label: number }[] } } } }).playground.trainer;
      return t.data.test;
    });
    let right = 0;
    let blue = 0;
    for (const p of points) {
      const col = Math.min(shot.width - 1, Math.floor(((p.x + 6) / 12) * shot.width));
      const row = Math.min(shot.height - 1, Math.floor(((6 - p.y) / 12) * shot.height));
      const i = 4 * (row * shot.width + col);
      const [r, , b] = [shot.pixels[i]!, shot.pixels[i + 1]!, shot.pixels[i + 2]!];
      const shownLabel = b > r ? 1 : -1;
      if (shownLabel === 1) blue++;
      if (shownLabel === p.label) right++;
    }
    t.diagnostic(`test loss ${test}; the screenshot's colour matches the class at ${right} of ${points.length} test points (${blue} blue)`);
    assert.ok(right >= 0.9 * points.length, `${right} of ${points.length}`);
    assert.ok(blue > 0.3 * points.length && blue < 0.7 * points.length, `${blue} blue of ${points.length}`);
    assert.deepEqual(problems, []);
  });
});
