/**
 * Sessions dropped without close(): the wasm backend takes their memory back when it runs short,
 * inside a synchronous loop where finalizers never run, and when the garbage collector has not
 * found them yet, tensors go to JS memory instead of failing. The backends here have a 64 MiB
 * memory of their own, so that running short takes a few hundred sessions.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import * as ts from "tensorslow";
import { internal } from "../helpers/internals.js";
import type * as WasmIndex from "../../dist/backends/wasm/index.js";
import type * as WasmRuntime from "../../dist/backends/wasm/runtime.js";

const PAGES = 1024; // 64 MiB, of which 48 MiB for tensors

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

let count = 0;
/** A wasm backend over a memory of its own, registered under a new name and made active. */
async function smallWasm(): Promise<{ backend: ts.WasmBackend; heap: { alloc(bytes: number): number }; restore: () => void }> {
  const { createWasmBackend } = await internal<typeof WasmIndex>("backends/wasm/index.js");
  const { loadRuntime } = await internal<typeof WasmRuntime>("backends/wasm/runtime.js");
  const rt = loadRuntime({ maximumPages: PAGES })!;
  const backend = Object.create(createWasmBackend(rt), { name: { value: `wasm-64MiB-${++count}` } }) as ts.WasmBackend;
  ts.registerBackend(backend);
  const before = ts.getBackend();
  ts.setBackend(backend.name);
  // The loops below run in a later job than the one that loaded the library (owners.ts says why that matters).
  await new Promise((resolve) => setTimeout(resolve, 0));
  return { backend, heap: rt.heap, restore: () => ts.setBackend(before) };
}

/** One training step of a small MLP in a new session that is never closed; returns its loss. */
function stepInNewSession(): number {
  const g = new ts.Graph();
  return g.asDefault(() => {
    const x = ts.placeholder("float32", [null, 32]);
    const w1 = new ts.Variable(ts.random.normal([32, 256], { seed: 1, stddev: 0.1 }));
    const w2 = new ts.Variable(ts.random.normal([256, 10], { seed: 2, stddev: 0.1 }));
    const loss = ts.reduceMean(ts.square(ts.matmul(ts.relu(ts.matmul(x, w1)), w2)));
    const step = new ts.train.GradientDescentOptimizer(0.1).minimize(loss);
    const s = new ts.Session();
    const feed = new Map([[x, new ts.Tensor([64, 32], "float32", Float32Array.from({ length: 64 * 32 }, (_, i) => Math.sin(i)))]]);
    const [value] = s.run([loss, step], feed);
    return value!.item() as number;
  });
}

describe("wasm memory of sessions dropped without close()", { skip: ts.wasmBackend === undefined ? "WebAssembly SIMD is not available here" : false }, () => {
  test("is taken back inside a synchronous loop once the garbage collector has run (1,000 sessions in a 64 MiB memory)", async () => {
    const { backend, restore } = await smallWasm();
    try {
      const losses: number[] = [];
      // One synchronous loop: no finalizer can run until it ends.
      for (let i = 0; i < 1000; i++) {
        losses.push(stepInNewSession());
        if (i % 50 === 49) gc();
      }
      const stats = backend.memoryStats();
      assert.ok(stats.reclaimedBytes > 64 * 2 ** 20, `reclaimed ${stats.reclaimedBytes} bytes`);
      assert.equal(stats.fallbackBytes, 0, "no tensor needed JS memory");
      assert.ok(stats.totalBytes <= PAGES * 65536);
      assert.deepEqual(new Set(losses).size, 1, "every session computed the same loss");
    } finally {
      restore();
    }
  });

  test("without the garbage collector's help, tensors go to JS memory with one warning, and every step still computes the same loss", async () => {
    const { backend, restore } = await smallWasm();
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => void warnings.push(message);
    try {
      const losses: number[] = [];
      for (let i = 0; i < 1000; i++) losses.push(stepInNewSession());
      const stats = backend.memoryStats();
      assert.ok(stats.fallbackBytes + stats.reclaimedBytes > 0);
      assert.ok(stats.totalBytes <= PAGES * 65536);
      assert.deepEqual(new Set(losses).size, 1, "every session computed the same loss");
      if (stats.fallbackBytes > 0) {
        assert.equal(warnings.length, 1);
        assert.match(warnings[0]!, /wasm memory is full/);
        assert.match(warnings[0]!, /\d+ live sessions hold tensors \(session #\d+ [\d.]+ MB/);
        assert.match(warnings[0]!, /session\.close\(\), or declare them with `using`/);
      }
    } finally {
      console.warn = warn;
      restore();
    }
  });

  test("an allocation that cannot fit is a WasmOutOfMemoryError naming the sessions that hold memory and what to do", async () => {
    const { heap, restore } = await smallWasm();
    try {
      const g = new ts.Graph();
      const v = g.asDefault(() => new ts.Variable(ts.zeros([1024, 1024])));
      const live = new ts.Session(g);
      live.run(v);
      assert.throws(
        () => heap.alloc(128 * 2 ** 20),
        (e: unknown) =>
          e instanceof ts.TensorSlowError &&
          /out of memory allocating 128\.0 MB/.test((e as Error).message) &&
          /1 live session holds tensors \(session #\d+ 4\.0 MB\)/.test((e as Error).message) &&
          /session\.close\(\)/.test((e as Error).message),
      );
      live.close();
    } finally {
      restore();
    }
  });
});
