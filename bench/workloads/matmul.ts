/**
 * W1: fp32 square matmul, GFLOPS = 2n³ / time per product, output read back included.
 *
 * Ours reads the product back into a tensor allocated once (`run(c, feeds, { into })`), as a loop
 * that cares about speed would; TensorFlow.js has no such API, so its `data()` gets a new array
 * each call. A new 4 MB array costs 0.4 ms when malloc reuses memory, but about 14 ms when it takes
 * fresh pages from the OS (13 µs per page fault on the 2-core VM of anchors/), and which one
 * happens flips over runs. The second TensorSlow row reads back into a new array per call, for
 * comparison.
 */
import * as ts from "tensorslow";
import { now, type Contestant } from "../harness.js";
import { TFJS_BACKENDS, useTfjs } from "../peers/tfjs.js";
import type { Workload } from "../workload.js";

/** Calls per round: enough for about `budget` seconds, measured on one call. */
function repsFor(seconds: number, budget = 0.25): number {
  return Math.max(1, Math.min(200, Math.ceil(budget / Math.max(seconds, 1e-9))));
}

function values(n: number, seed: number): Float32Array {
  return ts.random.uniform([n, n], { seed, minval: -1, maxval: 1 }).data as Float32Array;
}

function ours(n: number, readBack: "into" | "new"): Contestant {
  let run: () => void = () => {};
  let reps = 1;
  return {
    name: readBack === "into" ? "TensorSlow" : "TensorSlow, new array per call",
    setup() {
      const graph = new ts.Graph();
      // The operands are variables: like TensorFlow.js's tensors, made before timing, they live in
      // the library's memory, so neither side copies them in per call.
      const c = graph.asDefault(() => {
        const a = new ts.Variable(new ts.Tensor([n, n], "float32", values(n, 1)), { name: "a" });
        const b = new ts.Variable(new ts.Tensor([n, n], "float32", values(n, 2)), { name: "b" });
        return ts.matmul(a, b);
      });
      const session = new ts.Session(graph);
      const product = ts.zeros([n, n]);
      run = readBack === "into" ? () => void session.run(c, undefined, { into: product }) : () => void session.run(c);
      run();
      const t0 = now();
      run();
      reps = repsFor(now() - t0);
    },
    round() {
      const t0 = now();
      for (let i = 0; i < reps; i++) run();
      return (2 * n ** 3) / ((now() - t0) / reps) / 1e9;
    },
  };
}

function tfjs(n: number, backend: "cpu" | "wasm"): Contestant {
  let reps = 1;
  let a: import("@tensorflow/tfjs").Tensor2D | undefined;
  let b: import("@tensorflow/tfjs").Tensor2D | undefined;
  const once = async (): Promise<void> => {
    const tf = await useTfjs(backend);
    const c = tf.matMul(a!, b!);
    await c.data();
    c.dispose();
  };
  return {
    name: `tfjs-${backend}`,
    async setup() {
      const tf = await useTfjs(backend);
      a = tf.tensor2d(values(n, 1), [n, n]);
      b = tf.tensor2d(values(n, 2), [n, n]);
      await once();
      const t0 = now();
      await once();
      reps = repsFor(now() - t0);
    },
    async round() {
      await useTfjs(backend);
      const t0 = now();
      for (let i = 0; i < reps; i++) await once();
      return (2 * n ** 3) / ((now() - t0) / reps) / 1e9;
    },
    teardown() {
      a?.dispose();
      b?.dispose();
    },
  };
}

export function matmulWorkload(n: number, rounds: number): Workload {
  return {
    id: `matmul-${n}`,
    title: `matmul ${n}×${n} fp32`,
    unit: "GFLOPS",
    higherIsBetter: true,
    rounds,
    contestants: () => [ours(n, "into"), ...TFJS_BACKENDS.map((b) => tfjs(n, b)), ours(n, "new")],
  };
}
