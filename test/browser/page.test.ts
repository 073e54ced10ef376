/**
 * The page (web/) in Debian's Chromium, headless, driven by playwright-core (which downloads no
 * browser): served by web/serve.js with and without COOP/COEP, it loads without console errors
 * and trains part V's MLP to the losses and accuracy that the same module gives in Node.
 *
 * Skipped, saying what to install, when Chromium is not there (TENSORSLOW_CHROMIUM overrides
 * the path /usr/bin/chromium).
 */
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import * as ts from "tensorslow";
import { loadMlp, loadServe, type MlpResult } from "../helpers/web.js";

const CHROMIUM = process.env.TENSORSLOW_CHROMIUM ?? "/usr/bin/chromium";
const missing = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM}: install Debian's package to run the browser tests (apt-get install -y chromium)`;

interface PageRun {
  seed: number;
  backend: string;
  finalLoss: number;
  accuracy: number;
  lossHistory: number[];
  crossOriginIsolated: boolean;
  /** On the wasm backend: whether its memory was shared, and its thread figures after the run. */
  wasm?: { sharedMemory: boolean; threads: number; workers: number; parallelCalls: number };
}

interface Demo {
  runs: PageRun[];
  graphs: number;
  error?: string;
}

/** What went wrong on a page: console errors, uncaught exceptions, failed or refused requests. */
function watch(page: Page): string[] {
  const problems: string[] = [];
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

/** Waits for the page's `n`-th finished run (or its error) and returns the runs. */
async function runs(page: Page, n: number): Promise<PageRun[]> {
  await page.waitForFunction(
    (count) => {
      const demo = (globalThis as { tensorslowDemo?: Demo }).tensorslowDemo;
      return demo !== undefined && (demo.runs.length >= count || demo.error !== undefined);
    },
    n,
    { timeout: 60_000 },
  );
  const demo = await page.evaluate(() => (globalThis as unknown as { tensorslowDemo: Demo }).tensorslowDemo);
  assert.equal(demo.error, undefined, `the page failed: ${demo.error}`);
  return demo.runs;
}

/** Part V in Node, through the page's own module, once per backend and seed. */
const nodeRuns = new Map<string, Promise<MlpResult>>();
function inNode(backend: string, seed: number): Promise<MlpResult> {
  const key = `${backend}|${seed}`;
  if (!nodeRuns.has(key)) {
    nodeRuns.set(
      key,
      loadMlp().then(async ({ trainMlp }) => {
        const previous = ts.getBackend();
        ts.setBackend(backend);
        try {
          const result = await trainMlp({ seed });
          result.session.close();
          return result;
        } finally {
          ts.setBackend(previous);
        }
      }),
    );
  }
  return nodeRuns.get(key)!;
}

/**
 * The browser's run against Node's on the same backend: the JS backend does the same float32
 * arithmetic in both, so the losses are identical; another backend's kernels may order sums by
 * thread or SIMD lane, so its losses agree within float32 rounding grown over 1000 steps.
 */
function assertSameAsNode(run: PageRun, node: MlpResult, where: string): number {
  assert.equal(run.backend, node.backend, where);
  assert.equal(run.lossHistory.length, node.lossHistory.length, where);
  if (run.backend === "js") {
    assert.deepEqual(run.lossHistory, node.lossHistory, `${where}: the loss at every step`);
    assert.equal(run.finalLoss, node.finalLoss, where);
  } else {
    run.lossHistory.forEach((loss, step) => {
      const expected = node.lossHistory[step]!;
      const tol = 1e-4 * Math.abs(expected) + 1e-5;
      assert.ok(Math.abs(loss - expected) <= tol, `${where}: step ${step}: browser ${loss}, Node ${expected} (±${tol})`);
    });
  }
  assert.equal(run.accuracy, node.accuracy, `${where}: training accuracy`);
  return Math.max(...run.lossHistory.map((loss, step) => Math.abs(loss - node.lossHistory[step]!)));
}

/**
 * A run of part V in the page: as Node's on its backend, said in the test's diagnostics with the
 * wasm backend's figures. Cross-origin isolation is what gives the wasm backend a shared memory;
 * without it there is no SharedArrayBuffer, so no shared memory and no threads.
 */
async function checkRun(t: TestContext, run: PageRun, isolated: boolean, seed = 5): Promise<void> {
  const where = `${run.backend}, ${isolated ? "isolated" : "not isolated"}, seed ${seed}`;
  const worst = assertSameAsNode(run, await inNode(run.backend, seed), where);
  const wasm = run.wasm === undefined ? "" : ` (shared memory ${run.wasm.sharedMemory}, threads ${run.wasm.threads}, workers ${run.wasm.workers}, parallel calls ${run.wasm.parallelCalls})`;
  t.diagnostic(`${where}${wasm}: final loss ${run.finalLoss}, accuracy ${run.accuracy}, largest |browser - Node| over the 1001 losses ${worst}`);
  assert.equal(run.wasm !== undefined, run.backend === "wasm", where);
  if (run.wasm !== undefined) {
    assert.equal(run.wasm.sharedMemory, isolated, `${where}: shared memory`);
    if (!isolated) {
      assert.equal(run.wasm.threads, 1, where);
      assert.equal(run.wasm.parallelCalls, 0, where);
    }
  }
}

describe("the page in headless Chromium", { skip: missing, timeout: 180_000 }, () => {
  let browser: Browser;

  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  });
  after(async () => {
    await browser?.close();
  });

  for (const isolated of [true, false]) {
    describe(isolated ? "served with COOP/COEP (cross-origin isolated)" : "served without COOP/COEP", () => {
      let url = "";
      let close = (): void => {};
      let context: BrowserContext;
      let page: Page;
      let problems: string[] = [];
      before(async () => {
        const { serve } = await loadServe();
        const started = await serve({ isolated, port: 0 });
        url = started.url;
        close = () => started.server.close();
        context = await browser.newContext();
        page = await context.newPage();
        problems = watch(page);
      });
      after(async () => {
        await context?.close();
        close();
      });

      it("loads without console errors and trains part V's MLP as Node does, on each backend", async (t) => {
        await page.goto(url);
        const [first] = await runs(page, 1);
        const backends = await page.$$eval("#backend-select option", (options) => options.map((o) => (o as unknown as { value: string }).value));
        const defaultBackend = first!.backend;
        t.diagnostic(`the page's default backend ${defaultBackend} of ${backends.join(", ")}; crossOriginIsolated ${first!.crossOriginIsolated}`);

        assert.equal(first!.crossOriginIsolated, isolated);
        assert.equal(await page.evaluate(() => typeof SharedArrayBuffer), isolated ? "function" : "undefined");
        assert.match((await page.textContent("#isolated"))!, isolated ? /^yes/ : /^no$/);
        assert.match((await page.textContent("#backend"))!, new RegExp(`^${defaultBackend}\\b`));
        // The browser gets the backends Node has, and the same default (the fastest that loads).
        assert.deepEqual(backends, ts.listBackends());
        assert.equal(defaultBackend, ts.getBackend());

        // The loss falls, shown every 100 steps, and the page says the accuracy it reached.
        const shownSteps = [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
        const table = await page.$$eval("#loss-table tbody tr", (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
        assert.deepEqual(table.map(([step]) => Number(step)), shownSteps);
        assert.deepEqual(table.map(([, loss]) => loss), shownSteps.map((s) => first!.lossHistory[s]!.toFixed(4)));
        assert.ok(first!.finalLoss < first!.lossHistory[0]! / 10, `loss ${first!.lossHistory[0]} → ${first!.finalLoss}`);
        assert.match((await page.textContent("#status"))!, new RegExp(`training accuracy ${(100 * first!.accuracy).toFixed(1)}% of 100 points`));

        // The loss curve and the decision boundary.
        assert.equal(await page.locator("#loss-curve svg").count(), 1);
        assert.equal(await page.locator("#boundary svg").count(), 1);
        const circles = await page.locator("#boundary svg circle").count();
        assert.ok(circles >= 100, `the 100 points on the boundary: ${circles} circles`);

        await checkRun(t, first!, isolated);
        for (const backend of backends.filter((b) => b !== defaultBackend)) {
          await page.goto(`${url}?backend=${backend}`);
          const [run] = await runs(page, 1);
          assert.match((await page.textContent("#backend"))!, new RegExp(`^${backend}\\b`));
          await checkRun(t, run!, isolated);
        }
        assert.deepEqual(problems, []);
      });

      if (isolated) {
        it("runs a large product on Web Workers and the page's thread, as the JS backend computes it", async (t) => {
          const got = await page.evaluate(async () => {
            const ts = await import("tensorslow");
            const n = 256; // 2^24 multiply-adds: past the size where the wasm GEMM splits
            const g = new ts.Graph();
            const c = g.asDefault(() => ts.matmul(ts.constant(ts.random.uniform([n, n], { seed: 1 })), ts.constant(ts.random.uniform([n, n], { seed: 2 }))));
            const previous = ts.getBackend();
            ts.setBackend("wasm");
            const session = new ts.Session(g);
            // Workers start once the page's task returns: until they are ready, products run on one thread.
            const t0 = performance.now();
            while (ts.wasmBackend!.threadStats().parallelCalls === 0 && performance.now() - t0 < 20000) {
              session.run(c);
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
            const wasm = session.run(c).data;
            const stats = ts.wasmBackend!.threadStats();
            ts.setBackend("js");
            const js = new ts.Session(g).run(c).data;
            ts.setBackend(previous);
            let worst = 0;
            for (let i = 0; i < js.length; i++) worst = Math.max(worst, Math.abs(wasm[i]! - js[i]!) / (1 + Math.abs(js[i]!)));
            return { stats, worst, waited: performance.now() - t0, cores: (globalThis as unknown as { navigator: { hardwareConcurrency: number } }).navigator.hardwareConcurrency };
          });
          t.diagnostic(`threads ${got.stats.threads}, workers ${got.stats.workers}, parallel calls ${got.stats.parallelCalls}, workers ready after ${got.waited.toFixed(0)} ms, worst relative difference ${got.worst}`);
          if (got.cores < 2) return t.skip(`the browser reports ${got.cores} core`);
          assert.equal(got.stats.threads, got.cores);
          assert.ok(got.stats.workers >= 1 && got.stats.parallelCalls >= 1, "the product ran on several threads");
          assert.ok(got.worst <= 1e-5, `wasm on threads against the JS backend: ${got.worst}`);
          assert.deepEqual(problems, []);
        });
      }

      if (!isolated) {
        it("trains again, on the backend chosen and with the seed typed in, when Train is pressed", async (t) => {
          const before = (await runs(page, 1)).length;
          await page.selectOption("#backend-select", "js");
          await page.fill("#seed", "7");
          await page.click("#train");
          const run = (await runs(page, before + 1))[before]!;
          assert.equal(run.seed, 7);
          assert.equal(run.backend, "js");
          await checkRun(t, run, isolated, 7);
          assert.deepEqual(problems, []);
        });

        it("draws the model's graph with Graphviz (WebAssembly, loaded through the import map) on request", async () => {
          await page.click("#draw-graph");
          await page.waitForFunction(() => {
            const demo = (globalThis as { tensorslowDemo?: Demo }).tensorslowDemo!;
            return demo.graphs > 0 || demo.error !== undefined;
          });
          const svg = await page.innerHTML("#graph");
          for (const name of ["W_hidden", "b_hidden", "W_output", "b_output", "Sigmoid", "Softmax", "Log"]) assert.ok(svg.includes(name), `the graph shows ${name}`);
          assert.deepEqual(problems, []);
        });
      }
    });
  }
});
