/**
 * The Playground page (web/) in Debian's Chromium, headless, driven by playwright-core (which
 * downloads no browser), served by web/serve.js with and without COOP/COEP:
 * a TensorFlow Playground link opens the same configuration, and the page trains it, on each
 * backend, to the losses the same module (web/playground/model.js) gives in Node; isolated, a large
 * product runs on Web Workers. The controls are tested in controls.test.ts, the pictures in
 * views.test.ts.
 *
 * Skipped, saying what to install, when Chromium is not there (TENSORSLOW_CHROMIUM overrides
 * the path /usr/bin/chromium).
 */
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Page } from "playwright-core";
import * as ts from "tensorslow";
import { loadModel, loadState, type PlaygroundState } from "../helpers/web.js";
import { launchedChromium, TF_SPIRAL, clickUntil, graphOf, missing, open, servedPage, view } from "../helpers/playground-page.js";

// A browser global that the page.evaluate callbacks use (the tests compile without the DOM library).
declare const crossOriginIsolated: boolean;

describe("the Playground in headless Chromium", { skip: missing, timeout: 300_000 }, async () => {
  const { Trainer } = await loadModel();
  const { parseHash } = await loadState();

  /** The page's losses at every epoch, computed in Node by the page's own module on `backend`. */
  function nodeLosses(hash: string, epochs: number, backend: string): { train: number; test: number }[] {
    const previous = ts.getBackend();
    ts.setBackend(backend);
    try {
      const trainer = new Trainer(parseHash(hash).state as PlaygroundState);
      const out = [trainer.losses()];
      for (let e = 0; e < epochs; e++) {
        trainer.step();
        out.push(trainer.losses());
      }
      trainer.close();
      return out;
    } finally {
      ts.setBackend(previous);
    }
  }

  const browser = launchedChromium();

  for (const isolated of [true, false]) {
    describe(isolated ? "served with COOP/COEP (cross-origin isolated)" : "served without COOP/COEP", () => {
      const served = servedPage(browser, isolated);
      let url = "";
      let page: Page;
      let problems: string[] = [];
      before(() => ({ url, page, problems } = served));

      it("opens a TensorFlow Playground link as the same configuration and trains it as Node does, on each backend", async (t) => {
        const backends = ts.listBackends();
        for (const [i, backend] of backends.entries()) {
          // The first backend from the link, the others from the page's menu (which resets the network).
          if (i === 0) await open(page, url, `${TF_SPIRAL}&backend=${backend}`);
          else await page.selectOption("#backend-select", backend);
          const v = await view(page);
          assert.match(v.hash, new RegExp(`backend=${backend}$`));
          assert.equal(v.epoch, 0);
          assert.equal(v.crossOriginIsolated, isolated);
          assert.equal(await page.evaluate(() => typeof SharedArrayBuffer), isolated ? "function" : "undefined");
          assert.equal(v.backend, backend);
          assert.deepEqual(
            await page.$$eval("#backend-select option", (options) => options.map((o) => (o as unknown as { value: string }).value)),
            backends,
          );
          // The controls show the link's configuration.
          assert.equal(await page.inputValue("#learningRate"), "0.03");
          assert.equal(await page.inputValue("#activations"), "tanh");
          assert.equal(await page.inputValue("#batchSize"), "10");
          assert.equal(await page.inputValue("#percTrainData"), "50");
          assert.equal(await page.textContent("#num-layers"), "3");
          assert.equal(await page.getAttribute("canvas[data-dataset=spiral]", "data-dataset"), "spiral");
          assert.equal(await page.getAttribute(".dataset.selected", "aria-label"), "Spiral");
          const pressed = await page.$$eval("#network .node.input button", (bs) => bs.map((b) => b.getAttribute("aria-pressed")));
          assert.deepEqual(pressed, ["true", "true", "true", "true", "false", "true", "true"]);
          assert.deepEqual((await graphOf(page)).x, [null, 6]);
          assert.deepEqual(
            await page.$$eval("#network .layer-controls .count", (els) => els.map((e) => e.textContent)),
            ["8 neurons", "8 neurons", "5 neurons"],
          );
          // Ten epochs, one step at a time: the losses of the same module in Node on the same backend.
          await clickUntil(page, "#next-step-button", 10);
          const got = (await view(page)).history;
          const expected = nodeLosses(TF_SPIRAL, 10, backend);
          assert.equal(got.length, 11);
          if (backend === "js") assert.deepEqual(got, expected, "the JS backend's float32 arithmetic is the same in both");
          else {
            got.forEach((l, e) => {
              for (const k of ["train", "test"] as const) {
                const tol = 1e-4 * Math.abs(expected[e]![k]) + 1e-6;
                assert.ok(Math.abs(l[k] - expected[e]![k]) <= tol, `${backend} epoch ${e} ${k}: browser ${l[k]}, Node ${expected[e]![k]}`);
              }
            });
          }
          assert.equal(await page.textContent("#iter-number"), "000,010");
          assert.equal(await page.textContent("#loss-train"), got[10]!.train.toFixed(3));
          assert.equal(await page.textContent("#loss-test"), got[10]!.test.toFixed(3));
          t.diagnostic(`${backend}: epoch 10 training loss ${got[10]!.train}, test loss ${got[10]!.test}`);
        }
        assert.deepEqual(problems, []);
      });

      if (isolated) {
        it("runs a large product on Web Workers and the page's thread, as the JS backend computes it", async (t) => {
          await open(page, url, "seed=1");
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
    });
  }
});
