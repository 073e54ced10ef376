/**
 * What the Playground page draws, read back from its canvases and SVG in Debian's headless
 * Chromium: a hovered neuron's map shown large, links coloured and thickened by their weights,
 * test points and the discretized output, the loss curve, one run over the grid per frame for
 * every neuron's map, the graph panel refreshed while training, controls hidden by the URL, the
 * code on the clipboard, and new points from Regenerate and the noise.
 *
 * Expected pictures come from Node (the page's own module, web/playground/model.js, on the JS
 * backend, which the page's JS backend matches bit for bit) and from the TensorFlow Playground's
 * colour and width scales written out here.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Page } from "playwright-core";
import * as ts from "tensorslow";
import { loadFeatures, loadModel, loadState, type PlaygroundState } from "../helpers/web.js";
import { launchedChromium, clickUntil, missing, open, servedPage, setRange, view, weightsOf, type AppView } from "../helpers/playground-page.js";

// Browser globals that the page.evaluate callbacks use (the tests compile without the DOM library).
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
declare const document: { querySelector(selector: string): unknown; getElementById(id: string): { click(): void } };
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare function requestAnimationFrame(callback: () => void): number;

/** The TensorFlow Playground's colours: −1 orange #f59322, 0 grey #e8eaeb, 1 blue #0877bd, linear in RGB between. */
function playgroundColour(value: number): [number, number, number] {
  const v = Math.max(-1, Math.min(1, value));
  const [from, to] = v < 0 ? [[0xe8, 0xea, 0xeb], [0xf5, 0x93, 0x22]] : [[0xe8, 0xea, 0xeb], [0x08, 0x77, 0xbd]];
  return [0, 1, 2].map((i) => Math.round(from[i]! + (to[i]! - from[i]!) * Math.abs(v))) as [number, number, number];
}

/** A canvas's pixels (RGBA), read in the page. */
async function pixelsOf(page: Page, selector: string): Promise<{ width: number; height: number; data: number[] }> {
  return page.locator(selector).evaluate((el) => {
    const c = el as unknown as CanvasLike;
    return { width: c.width, height: c.height, data: Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data) };
  });
}

describe("what the Playground draws, in headless Chromium", { skip: missing, timeout: 300_000 }, async () => {
  const { Trainer } = await loadModel();
  const { parseHash } = await loadState();
  const { FEATURES, activeFeatures, featureMatrix, gridPoints } = await loadFeatures();
  const browser = launchedChromium();
  const served = servedPage(browser, true);

  /** The values of every layer over the page's 100×100 grid after `epochs` epochs, from the page's module in Node on the JS backend. */
  function nodeLayers(hash: string, epochs: number): ts.Tensor[] {
    const previous = ts.getBackend();
    ts.setBackend("js");
    try {
      const state = parseHash(hash).state as PlaygroundState;
      const trainer = new Trainer(state);
      for (let e = 0; e < epochs; e++) trainer.step();
      const points = gridPoints(100, [-6, 6]);
      const features = activeFeatures(state);
      const { layers } = trainer.snapshot(new ts.Tensor([points.length, features.length], "float32", featureMatrix(points, features)));
      trainer.close();
      return layers.map((l) => new ts.Tensor(l.shape, "float32", Float32Array.from(l.data)));
    } finally {
      ts.setBackend(previous);
    }
  }

  it("shows a hovered neuron's map large in place of the output, and the output again when the pointer leaves", async () => {
    const { page, url, problems } = served;
    const hash = "dataset=circle&networkShape=3,2&seed=11";
    await open(page, url, hash);
    await clickUntil(page, "#next-step-button", 5);
    const layers = nodeLayers(`${hash}&backend=js`, 5);
    /** How many of the 100×100 pixels differ by more than 2 in a channel from `values[(p · stride) + offset]` in the Playground's 31 shades. */
    const mismatches = (shown: { data: number[] }, values: Float32Array, stride: number, offset: number): number => {
      let bad = 0;
      for (let p = 0; p < 100 * 100; p++) {
        const v = values[p * stride + offset]!;
        // The Playground quantizes [−1, 1] into 31 shades, each drawn in the colour of its bin's lower edge.
        const bin = v >= 1 ? 30 : v <= -1 ? 0 : Math.floor(((v + 1) / 2) * 31);
        const colour = playgroundColour(-1 + (2 * bin) / 30);
        if (colour.some((c, i) => Math.abs(c - shown.data[4 * p + i]!) > 2)) bad++;
      }
      return bad;
    };
    const output = layers.at(-1)!;
    const before = await pixelsOf(page, "#heatmap canvas.background");
    assert.deepEqual([before.width, before.height], [100, 100]);
    assert.equal(mismatches(before, output.data as Float32Array, 1, 0), 0, "the output's map");
    await page.hover("#node0-1 button");
    assert.match((await page.textContent("#heatmap-caption"))!, /^Neuron 2 of hidden layer 1 over the plane/);
    const hovered = await pixelsOf(page, "#heatmap canvas.background");
    assert.equal(mismatches(hovered, layers[0]!.data as Float32Array, 3, 1), 0, "neuron 2 of layer 1");
    assert.ok(mismatches(hovered, output.data as Float32Array, 1, 0) > 1000, "the neuron's map is not the output's");
    await page.hover("#linechart");
    assert.match((await page.textContent("#heatmap-caption"))!, /^The output over the plane/);
    assert.deepEqual((await pixelsOf(page, "#heatmap canvas.background")).data, before.data);
    assert.deepEqual(problems, []);
  });

  it("colours and thickens each link by its weight (the Playground's scales), and redraws it when the weight is edited", async () => {
    const { page, url, problems } = served;
    await open(page, url, "dataset=xor&networkShape=2&seed=12");
    const edit = async (link: number, value: string): Promise<void> => {
      await page.locator("#network path.link-hover").nth(link).dispatchEvent("click", { clientX: 300, clientY: 300 });
      await page.fill("#hovercard input", value);
      await page.keyboard.press("Enter");
    };
    await edit(0, "4");
    await edit(3, "-0.5");
    await edit(1, "-9");
    const styles = await page.$$eval("#network path.link", (paths) =>
      paths.slice(0, 4).map((p) => {
        const style = (p as unknown as { style: { stroke: string; strokeWidth: string } }).style;
        return { stroke: style.stroke, width: style.strokeWidth };
      }),
    );
    const weights = (await weightsOf(page))[0]!;
    assert.deepEqual([weights[0], weights[1], weights[3]], [4, -9, -0.5]);
    // Width: |w| from 0 to 5 onto 1 to 10 pixels, clamped (the Playground's linkWidthScale).
    const rgb = (v: number) => `rgb(${playgroundColour(v).join(", ")})`;
    assert.deepEqual(styles[0], { stroke: rgb(1), width: "8.2px" });
    assert.deepEqual(styles[1], { stroke: rgb(-1), width: "10px" });
    assert.deepEqual(styles[3], { stroke: rgb(-0.5), width: "1.9px" });
    assert.equal(styles[3]!.stroke, "rgb(239, 191, 135)", "halfway between the grey and the orange");
    assert.deepEqual(problems, []);
  });

  it("draws the test points when asked, and only the two colours of the classes when discretized", async () => {
    const { page, url, problems } = served;
    await open(page, url, "dataset=gauss&networkShape=2&seed=13");
    await clickUntil(page, "#next-step-button", 10);
    // Test points are ringed in black, training points in white: count the black ring pixels.
    const ringed = (): Promise<number> =>
      page.locator("#heatmap canvas.points").evaluate((el) => {
        const c = el as unknown as CanvasLike;
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 200 && d[i]! < 40 && d[i + 1]! < 40 && d[i + 2]! < 40) n++;
        return n;
      });
    assert.equal(await ringed(), 0, "no test points drawn");
    await page.check("#show-test-data");
    const rings = await ringed();
    assert.ok(rings >= 250 * 4, `${rings} black pixels for 250 test points`);
    assert.match((await page.textContent("#heatmap-caption"))!, /test \(black ring\)/);
    const colours = async (): Promise<number> => {
      const { data } = await pixelsOf(page, "#heatmap canvas.background");
      return new Set(Array.from({ length: data.length / 4 }, (_, p) => data.slice(4 * p, 4 * p + 3).join())).size;
    };
    assert.ok((await colours()) > 5, "shades of the output");
    await page.check("#discretize");
    assert.equal(await colours(), 2);
    // Every pixel is the orange of −1 or the blue of 1 (±2: the canvas keeps colours premultiplied by the heat map's opacity).
    const { data } = await pixelsOf(page, "#heatmap canvas.background");
    const near = (p: number, colour: number[]) => colour.every((c, k) => Math.abs(data[4 * p + k]! - c) <= 2);
    const counts = [0, 0];
    for (let p = 0; p < data.length / 4; p++) {
      if (near(p, playgroundColour(-1))) counts[0]!++;
      else if (near(p, playgroundColour(1))) counts[1]!++;
    }
    assert.ok(counts[0]! > 0 && counts[1]! > 0 && counts[0]! + counts[1]! === data.length / 4, `orange ${counts[0]}, blue ${counts[1]} of ${data.length / 4}`);
    assert.deepEqual(problems, []);
  });

  it("draws the loss curve across the chart, falling as the loss falls", async () => {
    const { page, url, problems } = served;
    await open(page, url, "dataset=circle&networkShape=4&seed=14");
    await clickUntil(page, "#next-step-button", 20);
    const { history } = await view(page);
    assert.ok(history[20]!.train < history[0]!.train);
    const chart = await pixelsOf(page, "#linechart");
    /** The topmost painted row of column `x` in the colour `[r, g, b]` (±24), or −1. */
    const top = (x: number, colour: number[]): number => {
      for (let y = 0; y < chart.height; y++) {
        const i = 4 * (y * chart.width + x);
        if (chart.data[i + 3]! > 128 && colour.every((c, k) => Math.abs(chart.data[i + k]! - c) <= 24)) return y;
      }
      return -1;
    };
    const any = (x: number): number => {
      for (let y = 0; y < chart.height; y++) if (chart.data[4 * (y * chart.width + x) + 3]! > 128) return y;
      return -1;
    };
    const columns = Array.from({ length: chart.width }, (_, x) => any(x));
    assert.ok(columns.filter((y) => y >= 0).length >= 0.9 * chart.width, "the curves span the chart");
    const first = columns.find((y) => y >= 0)!;
    const last = columns.filter((y) => y >= 0).at(-1)!;
    assert.ok(last > first, `the curve ends lower (row ${last}) than it starts (row ${first})`);
    for (const [name, colour] of [["training loss in grey", [0x88, 0x88, 0x88]], ["test loss in black", [0x11, 0x11, 0x11]]] as const) {
      assert.ok(Array.from({ length: chart.width }, (_, x) => top(x, [...colour])).some((y) => y >= 0), `the ${name}`);
    }
    assert.deepEqual(problems, []);
  });

  it("computes every neuron's map with one run over the grid per frame while playing, and refreshes the graph panel", async () => {
    const { page, url, problems } = served;
    await open(page, url, "dataset=spiral&networkShape=8,8,5&xSquared=true&ySquared=true&sinX=true&sinY=true&seed=15");
    const lossBefore = await page.textContent("svg.tensor-graph g.node:has(title:text-is('loss')) text.node-value");
    const got = await page.evaluate(
      () =>
        new Promise<{ frames: number; gridRuns: number; fetched: number[]; trainRows: number[] }>((resolve) => {
          const app = (globalThis as unknown as { playground: AppView & { trainer: { session: { run: (...a: unknown[]) => unknown } } } }).playground;
          const session = app.trainer.session;
          const run = session.run.bind(session);
          const seen = { gridRuns: 0, fetched: [] as number[], trainRows: new Set<number>() };
          session.run = (fetches: unknown, feed: unknown, options: unknown) => {
            for (const value of (feed as Map<unknown, { shape: number[] }> | undefined)?.values() ?? []) {
              if (value.shape[0] === 100 * 100) {
                seen.gridRuns++;
                seen.fetched.push(Array.isArray(fetches) ? fetches.length : 1);
              } else seen.trainRows.add(value.shape[0]!);
            }
            return run(fetches, feed, options);
          };
          const frames = app.frames;
          document.getElementById("play-pause-button").click();
          const poll = (): void => {
            if (app.epoch < 150 || performance.now() - (app as unknown as { playStartedAt: number }).playStartedAt < 600) return void requestAnimationFrame(poll);
            document.getElementById("play-pause-button").click();
            resolve({ frames: app.frames - frames, gridRuns: seen.gridRuns, fetched: seen.fetched, trainRows: [...seen.trainRows].sort((a, b) => a - b) });
          };
          poll();
        }),
    );
    assert.ok(got.frames >= 2, `${got.frames} frames`);
    assert.equal(got.gridRuns, got.frames, "one run over the 10,000 grid points per frame");
    // Each of those runs fetches the four layers' outputs (every neuron's map) and the eight variables (the links).
    assert.deepEqual(new Set(got.fetched), new Set([4 + 8]));
    assert.deepEqual(got.trainRows, [10, 250], "batches of 10 and the 250 training points (losses, graph panel), never one point at a time");
    const lossAfter = await page.textContent("svg.tensor-graph g.node:has(title:text-is('loss')) text.node-value");
    const { history } = await view(page);
    assert.notEqual(lossAfter, lossBefore, "the graph panel's values follow training");
    const shown = Number(lossAfter);
    assert.ok(history.some((h) => Math.abs(h.train - shown) <= 0.0005 * Math.max(1, shown) + 1e-3), `the loss node shows ${lossAfter}, a training loss the page reached`);
    const labels = await page.$$eval("svg.tensor-graph g.edge text", (ts) => ts.map((t) => t.textContent ?? ""));
    assert.ok(labels.filter((l) => /∇\d\.\de[-+]\d+$/.test(l)).length >= 10, "edges carry the gradient's size");
    assert.deepEqual(problems, []);
  });

  it("hides the text and the controls a URL hides, as the Playground does", async () => {
    const { page, url, problems } = served;
    await open(page, url, "seed=16&hideText=true&noise_hide=true&playButton_hide=true");
    assert.equal(await page.isVisible("#article-text"), false);
    assert.equal(await page.isVisible("#noise"), false);
    assert.equal(await page.isVisible("#play-pause-button"), false);
    assert.equal(await page.isVisible("#next-step-button"), true);
    const hash = (await view(page)).hash;
    for (const part of ["hideText=true", "noise_hide=true", "playButton_hide=true"]) assert.ok(hash.split("&").includes(part), `${part} in ${hash}`);
    await open(page, url, "seed=16");
    assert.equal(await page.isVisible("#article-text"), true);
    assert.equal(await page.isVisible("#noise"), true);
    assert.deepEqual(problems, []);
  });

  it("copies the code to the clipboard", async () => {
    const { page, url, problems, context } = served;
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(url).origin });
    await open(page, url, "dataset=xor&networkShape=3&optimizer=adam&seed=17");
    await page.click("#copy-code");
    // The page writes the clipboard asynchronously and says so once the write has resolved.
    await page.locator("#status", { hasText: "The code is on the clipboard." }).waitFor({ timeout: 10_000 }).catch(() => undefined);
    assert.equal(await page.textContent("#status"), "The code is on the clipboard.");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, await page.textContent("#code"));
    assert.match(copied, /new ts\.train\.AdamOptimizer\(0\.03\)/);
    assert.deepEqual(problems, []);
  });

  it("draws new points with Regenerate and with more noise", async () => {
    const { page, url, problems } = served;
    await open(page, url, "dataset=circle&networkShape=2&seed=18");
    const points = (): Promise<string> =>
      page.evaluate(() => JSON.stringify((globalThis as unknown as { playground: { trainer: { data: { train: unknown[] } } } }).playground.trainer.data.train));
    const first = await points();
    await page.click("#data-regen-button");
    const regenerated = await points();
    assert.notEqual(regenerated, first);
    // The circle's noise moves the point its label is computed from, not the point drawn: some labels change.
    await setRange(page, "noise", 30);
    assert.notEqual(await points(), regenerated);
    assert.equal((await view(page)).epoch, 0);
    assert.deepEqual(problems, []);
  });

  it("lists every input feature the Playground has, on and off by its URL name", async () => {
    const { page, url, problems } = served;
    await open(page, url, "seed=19&x=false&y=true&xSquared=true&ySquared=false&xTimesY=true&sinX=false&sinY=true");
    const inputs = await page.$$eval("#network .node.input button", (bs) => bs.map((b) => [b.getAttribute("aria-label"), b.getAttribute("aria-pressed")]));
    assert.deepEqual(
      inputs.map(([label]) => label),
      FEATURES.map((f) => `Input feature ${f.label}: ${["y", "xSquared", "xTimesY", "sinY"].includes(f.key) ? "on" : "off"}`),
    );
    assert.deepEqual(FEATURES.map((f) => f.key), ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]);
    assert.deepEqual(problems, []);
  });
});
