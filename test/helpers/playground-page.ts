/**
 * The Playground page in headless Chromium, for the browser tests (test/browser/): where Chromium
 * is, a TensorFlow Playground link, what the page exposes (window.playground), and the steps the
 * tests share: serve the page, open it at a URL, watch it for errors and for requests that leave
 * the machine, read its graph and weights.
 */
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { loadServe } from "./web.js";

// Browser globals that the page.evaluate callbacks use (the tests compile without the DOM library).
declare const location: { hash: string };
declare const crossOriginIsolated: boolean;

export const CHROMIUM = process.env.TENSORSLOW_CHROMIUM ?? "/usr/bin/chromium";
export const missing = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM}: install Debian's package to run the browser tests (apt-get install -y chromium)`;

/** A TensorFlow Playground link, as playground.tensorflow.org writes it: the spiral of the issue, six features, 8-8-5 tanh. */
export const TF_SPIRAL =
  "activation=tanh&batchSize=10&dataset=spiral&regDataset=reg-plane&learningRate=0.03&regularizationRate=0&noise=0&networkShape=8,8,5&seed=1" +
  "&showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=true&ySquared=true&cosX=false&sinX=true&cosY=false" +
  "&sinY=true&collectStats=false&problem=classification&initZero=false&hideText=false";

export interface AppView {
  ready: boolean;
  error?: string;
  epoch: number;
  history: { train: number; test: number }[];
  playing: boolean;
  frames: number;
  heatmapRuns: number;
  graphsDrawn: number;
  hash: string;
  backend: string;
  crossOriginIsolated: boolean;
}

/**
 * What went wrong on a page: console errors, uncaught exceptions, failed or refused requests, and
 * any request that leaves this machine (the page works offline: everything it loads is served by
 * web/serve.js on the loopback address, or is a data: or blob: URL it made itself).
 */
export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    const local = ["data:", "blob:", "about:"].includes(url.protocol) || ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    if (!local) problems.push(`request off the machine: ${r.url()}`);
  });
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console.error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.stack ?? e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

export async function view(page: Page): Promise<AppView> {
  return page.evaluate(async () => {
    const ts = await import("tensorslow");
    const app = (globalThis as unknown as { playground: AppView }).playground;
    return {
      ready: app.ready,
      error: app.error,
      epoch: app.epoch,
      history: app.history,
      playing: app.playing,
      frames: app.frames,
      heatmapRuns: app.heatmapRuns,
      graphsDrawn: app.graphsDrawn,
      hash: location.hash.slice(1),
      backend: ts.getBackend(),
      crossOriginIsolated,
    };
  });
}

/** Opens the page at `hash` (a fresh load) and waits until it is ready and its graph is drawn. */
export async function open(page: Page, url: string, hash: string): Promise<AppView> {
  await page.goto("about:blank");
  await page.goto(`${url}#${hash}`);
  await page.waitForFunction(
    () => {
      const app = (globalThis as unknown as { playground?: AppView }).playground;
      return app !== undefined && ((app.ready && app.graphsDrawn > 0) || app.error !== undefined);
    },
    null,
    { timeout: 60_000 },
  );
  const v = await view(page);
  assert.equal(v.error, undefined, `the page failed: ${v.error}`);
  return v;
}

/** The graph the page trains now: its nodes' names and types, and the input's static shape. */
export async function graphOf(page: Page): Promise<{ names: string[]; types: string[]; x: (number | null)[]; learningRate: number }> {
  return page.evaluate(() => {
    const t = (globalThis as unknown as { playground: { trainer: { net: { graph: { nodes: { name: string; type: string }[] }; x: { shape: (number | null)[] } }; state: { learningRate: number } } } }).playground.trainer;
    return { names: t.net.graph.nodes.map((n) => n.name), types: t.net.graph.nodes.map((n) => n.type), x: t.net.x.shape, learningRate: t.state.learningRate };
  });
}

export async function weightsOf(page: Page): Promise<number[][]> {
  return page.evaluate(() => {
    const t = (globalThis as unknown as { playground: { trainer: { weights(): { kernel: { data: Float32Array }; bias: { data: Float32Array } }[] } } }).playground.trainer;
    return t.weights().flatMap((w) => [Array.from(w.kernel.data), Array.from(w.bias.data)]);
  });
}

/** Headless Chromium, launched before the enclosing describe's tests and closed after them. */
export function launchedChromium(): () => Browser {
  let browser: Browser | undefined;
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser!;
}

/**
 * Serves the page (cross-origin isolated or not) in a browser context of 1400×1000 with one
 * watched page, before the enclosing describe's tests; closes both after them.
 */
export function servedPage(browser: () => Browser, isolated: boolean): { url: string; context: BrowserContext; page: Page; problems: string[] } {
  const served = { url: "", context: undefined as unknown as BrowserContext, page: undefined as unknown as Page, problems: [] as string[] };
  let close = (): void => {};
  before(async () => {
    const { serve } = await loadServe();
    const started = await serve({ isolated, port: 0 });
    served.url = started.url;
    close = () => started.server.close();
    served.context = await browser().newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    served.page = await served.context.newPage();
    served.problems = watch(served.page);
  });
  after(async () => {
    await served.context?.close();
    close();
  });
  return served;
}

export async function clickUntil(page: Page, selector: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await page.click(selector);
}

export async function setRange(page: Page, id: string, value: number): Promise<void> {
  await page.locator(`#${id}`).evaluate((el, v) => {
    const input = el as unknown as { value: string; dispatchEvent(e: unknown): void };
    input.value = String(v);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, value);
}
