/**
 * TensorSlow on onnxruntime-web in headless Chromium (Debian's, driven by playwright-core): the
 * tutorial's MLP (part V: a sigmoid hidden layer, a softmax output, gradient descent, on the XOR
 * clusters) trains in one page on TensorSlow's wasm backend and on the onnxruntime engine with
 * onnxruntime-web's wasm execution provider and its WebGPU one (Chromium started with
 * --enable-unsafe-webgpu offers a software adapter: correctness only, its speed means nothing).
 * An exported training step run by onnxruntime-web itself, on both providers, gives the wasm
 * backend's losses step by step, and so does the engine on both providers.
 *
 * Skipped, saying what to install, when Chromium is not there.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM, missing, watch } from "../helpers/playground-page.js";
import { loadServe } from "../helpers/web.js";

const STEPS = 8;

interface Trained {
  losses: number[];
  error?: string;
}

/** What the page reports: losses per run, keyed by how it trained. */
type Report = Record<string, Trained> & { webgpu: Trained & { adapter: boolean } };

/**
 * Runs in the page. Builds part V's MLP with shaped placeholders, trains STEPS steps of gradient
 * descent on each engine from the same initial weights, and returns the losses.
 */
async function trainInPage(steps: number): Promise<Report> {
  type TS = typeof import("tensorslow");
  const ts = (await import("tensorslow" as string)) as TS;
  const ort = (await import("onnxruntime-web" as string)) as { InferenceSession: { create(b: Uint8Array, o: object): Promise<any> }; Tensor: any; env: any };
  ort.env.wasm.numThreads = 1;
  // Warnings (nodes ONNX Runtime places on the CPU beside WebGPU) would be console errors.
  ort.env.logLevel = "error";
  ts.setBackend("wasm");
  const { red, blue } = ts.data.xorClusters();
  const classes = [...Array.from({ length: blue.shape[0]! }, () => [1, 0]), ...Array.from({ length: red.shape[0]! }, () => [0, 1])];
  const graph = new ts.Graph();
  const { X, c, J, train } = graph.asDefault(() => {
    const X = ts.placeholder("float32", [null, 2], "X");
    const c = ts.placeholder("float32", [null, 2], "c");
    const wHidden = new ts.Variable(ts.random.normal([2, 2], { seed: 5 }), { name: "W_hidden" });
    const bHidden = new ts.Variable(ts.random.normal([2], { seed: 6 }), { name: "b_hidden" });
    const pHidden = ts.sigmoid(ts.add(ts.matmul(X, wHidden), bHidden));
    const wOutput = new ts.Variable(ts.random.normal([2, 2], { seed: 7 }), { name: "W_output" });
    const bOutput = new ts.Variable(ts.random.normal([2], { seed: 8 }), { name: "b_output" });
    const pOutput = ts.softmax(ts.add(ts.matmul(pHidden, wOutput), bOutput));
    const J = ts.negative(ts.reduceSum(ts.reduceSum(ts.multiply(c, ts.log(pOutput)), 1)));
    return { X, c, J, train: new ts.train.GradientDescentOptimizer(0.03).minimize(J) };
  });
  const feeds = new Map<any, any>([
    [X, new ts.Tensor([classes.length, 2], "float32", Float32Array.from(ts.data.concatRows(blue, red).data))],
    [c, new ts.Tensor([classes.length, 2], "float32", Float32Array.from(classes.flat()))],
  ]);
  const report: Record<string, Trained> = {};
  const attempt = async (key: string, run: () => Promise<number[]>): Promise<void> => {
    try {
      report[key] = { losses: await run() };
    } catch (e) {
      report[key] = { losses: [], error: String((e as Error).stack ?? e) };
    }
  };
  const onSession = async (options: object): Promise<number[]> => {
    const session = new ts.Session({ graph, ...options });
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) losses.push(((await session.runAsync([J, train], feeds)) as any[])[0].data[0]);
    await (session as any).close?.();
    return losses;
  };
  await attempt("wasm backend", () => onSession({}));
  await attempt("onnxruntime engine, wasm", () => onSession({ engine: "onnxruntime", executionProviders: ["wasm"] }));
  // The exported training step, run by onnxruntime-web itself with the variables fed back.
  const exportedStep = (provider: string) => async (): Promise<number[]> => {
    const model = await ts.io.exportOnnx(new ts.Session({ graph }), { inputs: [X, c], outputs: [J], updates: [train] });
    const session = await ort.InferenceSession.create(model.bytes, { executionProviders: [provider] });
    const tensor = (t: any): any => new ort.Tensor(t.dtype, t.data, [...t.shape]);
    let state: Record<string, any> = Object.fromEntries(model.variables.map((v) => [v.input, tensor(v.value)]));
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      const out = await session.run({ X: tensor(feeds.get(X)), c: tensor(feeds.get(c)), ...state });
      losses.push(out[model.outputs[0]!.name].data[0]);
      state = Object.fromEntries(model.variables.map((v) => [v.input, out[v.output!]]));
    }
    return losses;
  };
  await attempt("exported step, wasm", exportedStep("wasm"));
  const gpu = (globalThis as any).navigator?.gpu;
  const adapter = gpu === undefined ? null : await gpu.requestAdapter();
  if (adapter !== null) {
    await attempt("exported step, webgpu", exportedStep("webgpu"));
    await attempt("webgpu", () => onSession({ engine: "onnxruntime", executionProviders: ["webgpu"] }));
  }
  return { ...report, webgpu: { ...(report["webgpu"] ?? { losses: [] }), adapter: adapter !== null } } as Report;
}

describe("onnxruntime-web in headless Chromium", { skip: missing, timeout: 300_000 }, () => {
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];
  let close = (): void => {};
  let report: Report;

  before(async () => {
    const { serve } = await loadServe();
    const started = await serve({ isolated: true, port: 0 });
    close = () => started.server.close();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--enable-unsafe-webgpu"] });
    page = await browser.newPage();
    problems = watch(page);
    await page.goto(new URL("/test/browser/onnxruntime-web.html", started.url).href);
    report = await page.evaluate(trainInPage, STEPS);
  });
  after(async () => {
    await browser?.close();
    close();
  });

  const closeTo = (ours: number[], theirs: number[], what: string): void => {
    assert.equal(theirs.length, ours.length, `${what}: steps`);
    theirs.forEach((l, i) => assert.ok(Math.abs(l - ours[i]!) <= 1e-4 * Math.abs(ours[i]!) + 1e-5, `${what}: step ${i} loss ${l}, the wasm backend's ${ours[i]}`));
  };

  it("trains the tutorial MLP on the wasm backend", () => {
    const ours = report["wasm backend"]!;
    assert.equal(ours.error, undefined, ours.error);
    assert.equal(ours.losses.length, STEPS);
    // Gradient descent at the tutorial's rate overshoots at first (as in Node); the losses stay finite.
    assert.ok(ours.losses.every(Number.isFinite), `losses ${ours.losses.join(", ")}`);
  });

  it("an exported training step run by onnxruntime-web's wasm provider gives the wasm backend's losses", () => {
    const theirs = report["exported step, wasm"]!;
    assert.equal(theirs.error, undefined, theirs.error);
    closeTo(report["wasm backend"]!.losses, theirs.losses, "exported step, wasm provider");
  });

  it("the same exported step on WebGPU (Chromium's software adapter) gives the same losses", () => {
    assert.ok(report.webgpu.adapter, "Chromium started with --enable-unsafe-webgpu offers a WebGPU adapter");
    const theirs = report["exported step, webgpu"]!;
    assert.equal(theirs.error, undefined, theirs.error);
    closeTo(report["wasm backend"]!.losses, theirs.losses, "exported step, webgpu provider");
  });

  // onnxruntime-web does not write a run's outputs into preallocated CPU tensors (it runs on copies in
  // its wasm heap): with them, the engine's variables became zeros after the first step (losses of
  // 100·ln 2 from step 1 on). These check the variables it keeps on the web, step after step.
  it("the onnxruntime engine on onnxruntime-web's wasm provider gives the wasm backend's losses", () => {
    const theirs = report["onnxruntime engine, wasm"]!;
    assert.equal(theirs.error, undefined, theirs.error);
    closeTo(report["wasm backend"]!.losses, theirs.losses, "engine, wasm provider");
  });

  it("the onnxruntime engine on WebGPU gives the same losses", () => {
    assert.equal(report.webgpu.error, undefined, report.webgpu.error);
    closeTo(report["wasm backend"]!.losses, report.webgpu.losses, "engine, webgpu provider");
  });

  it("the page loaded everything from this machine without errors", () => {
    // onnxruntime-web prints its warnings (nodes it keeps on the CPU beside WebGPU) as console errors.
    assert.deepEqual(problems.filter((p) => !p.includes("[W:onnxruntime:")), []);
  });
});
