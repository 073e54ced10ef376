/**
 * The tutorial's part V training step as its reader writes it (examples/part5-mlp.ts): placeholders
 * with no shape and no dtype, the points and classes as nested JS arrays in the feed dict, fed again
 * at every step; the loss as the tutorial builds it (two reduce_sums). tutorial-mlp.ts measures the
 * same network on the bench's terms (shaped placeholders, tensors made once); the difference between
 * the two rows is what unshaped placeholders and nested-array feeds cost.
 *
 * The peers do what their users would with the same nested arrays: TensorFlow.js makes tensors of
 * them at each step (inside the tidy, so they are freed), the hand-written network reads them
 * directly. Every contestant starts from the same weights; the loss each reaches is the check.
 */
import * as ts from "tensorslow";
import { now, type Contestant } from "../harness.js";
import { TFJS_BACKENDS, useTfjs, type TfjsBackend } from "../peers/tfjs.js";
import type { Workload } from "../workload.js";

const STEPS_PER_ROUND = 500;
/** As in tutorial-mlp.ts: JIT compilers need a few thousand calls to reach steady code. */
const WARMUP_STEPS = 1000;
const LR = 0.03;

interface Problem {
  /** The points, blue rows then red rows, as the tutorial's X: number[100][2]. */
  X: number[][];
  /** The one-hot classes, the tutorial's c: number[100][2]. */
  c: number[][];
  init: { w1: number[][]; b1: number[]; w2: number[][]; b2: number[] };
}

function problem(): Problem {
  const { red, blue } = ts.data.xorClusters();
  const X = ts.data.concatRows(blue, red).toArray() as number[][];
  const c = [...Array.from({ length: blue.shape[0]! }, () => [1, 0]), ...Array.from({ length: red.shape[0]! }, () => [0, 1])];
  const w = (shape: number[], seed: number) => ts.random.normal(shape, { seed }).toArray();
  return { X, c, init: { w1: w([2, 2], 5) as number[][], b1: w([2], 6) as number[], w2: w([2, 2], 7) as number[][], b2: w([2], 8) as number[] } };
}

const losses: Record<string, number> = {};

function ours(p: Problem): Contestant {
  let step: () => void = () => {};
  let loss: () => number = () => NaN;
  return {
    name: "TensorSlow",
    setup() {
      const graph = new ts.Graph();
      graph.asDefault(() => {
        const X = ts.placeholder({ name: "X" });
        const c = ts.placeholder({ name: "c" });
        const wHidden = new ts.Variable(p.init.w1, { name: "W_hidden" });
        const bHidden = new ts.Variable(p.init.b1, { name: "b_hidden" });
        const pHidden = ts.sigmoid(ts.add(ts.matmul(X, wHidden), bHidden));
        const wOutput = new ts.Variable(p.init.w2, { name: "W_output" });
        const bOutput = new ts.Variable(p.init.b2, { name: "b_output" });
        const pOutput = ts.softmax(ts.add(ts.matmul(pHidden, wOutput), bOutput));
        const J = ts.negative(ts.reduceSum(ts.reduceSum(ts.multiply(c, ts.log(pOutput)), 1)));
        const minimizationOp = new ts.train.GradientDescentOptimizer(LR).minimize(J);
        const feedDict = new Map<ts.Node, ts.TensorLike>([
          [X, p.X],
          [c, p.c],
        ]);
        const session = new ts.Session(graph);
        step = () => void session.run(minimizationOp, feedDict);
        loss = () => session.run(J, feedDict).item() as number;
      });
      for (let i = 0; i < WARMUP_STEPS; i++) step();
    },
    round() {
      const t0 = now();
      for (let i = 0; i < STEPS_PER_ROUND; i++) step();
      const perStep = ((now() - t0) / STEPS_PER_ROUND) * 1e6;
      losses["TensorSlow"] = loss();
      return perStep;
    },
  };
}

function tfjs(p: Problem, backend: TfjsBackend): Contestant {
  type TF = typeof import("@tensorflow/tfjs");
  type Scalar = import("@tensorflow/tfjs").Scalar;
  let state: { tf: TF; f: () => Scalar; opt: import("@tensorflow/tfjs").Optimizer } | undefined;
  const name = `tfjs-${backend}`;
  return {
    name,
    async setup() {
      const tf = await useTfjs(backend);
      const W1 = tf.variable(tf.tensor2d(p.init.w1));
      const b1 = tf.variable(tf.tensor1d(p.init.b1));
      const W2 = tf.variable(tf.tensor2d(p.init.w2));
      const b2 = tf.variable(tf.tensor1d(p.init.b2));
      const f = (): Scalar =>
        tf.tidy(() => {
          const X = tf.tensor2d(p.X);
          const c = tf.tensor2d(p.c);
          const hidden = tf.sigmoid(tf.add(tf.matMul(X, W1), b1));
          const out = tf.softmax(tf.add(tf.matMul(hidden, W2), b2));
          return tf.neg(tf.sum(tf.sum(tf.mul(c, tf.log(out)), 1))) as Scalar;
        });
      state = { tf, f, opt: tf.train.sgd(LR) };
      for (let i = 0; i < WARMUP_STEPS; i++) state.opt.minimize(f);
    },
    async round() {
      await useTfjs(backend);
      const { f, opt } = state!;
      const t0 = now();
      for (let i = 0; i < STEPS_PER_ROUND; i++) opt.minimize(f);
      const perStep = ((now() - t0) / STEPS_PER_ROUND) * 1e6;
      const J = f();
      losses[name] = (await J.data())[0]!;
      J.dispose();
      return perStep;
    },
  };
}

/** The same network and gradient descent derived by hand, reading the nested arrays as they are. */
function handWritten(p: Problem): Contestant {
  const { X, c } = p;
  const n = X.length;
  const w1 = p.init.w1.map((r) => [...r]);
  const b1 = [...p.init.b1];
  const w2 = p.init.w2.map((r) => [...r]);
  const b2 = [...p.init.b2];
  let J = 0;
  const g1 = [[0, 0], [0, 0]], gb1 = [0, 0], g2 = [[0, 0], [0, 0]], gb2 = [0, 0];
  const step = (update = true): void => {
    for (let r = 0; r < 2; r++) (g1[r]![0] = g1[r]![1] = 0), (g2[r]![0] = g2[r]![1] = 0), (gb1[r] = gb2[r] = 0);
    J = 0;
    const [u, v] = w1 as [number[], number[]];
    const [p, q] = w2 as [number[], number[]];
    for (let i = 0; i < n; i++) {
      const x = X[i]!, ci = c[i]!;
      const x0 = x[0]!, x1 = x[1]!, c0 = ci[0]!, c1 = ci[1]!;
      const h0 = 1 / (1 + Math.exp(-(x0 * u[0]! + x1 * v[0]! + b1[0]!)));
      const h1 = 1 / (1 + Math.exp(-(x0 * u[1]! + x1 * v[1]! + b1[1]!)));
      const z0 = h0 * p[0]! + h1 * q[0]! + b2[0]!;
      const z1 = h0 * p[1]! + h1 * q[1]! + b2[1]!;
      const m = Math.max(z0, z1);
      const e0 = Math.exp(z0 - m), e1 = Math.exp(z1 - m);
      const y0 = e0 / (e0 + e1), y1 = e1 / (e0 + e1);
      J -= c0 * Math.log(y0) + c1 * Math.log(y1);
      // dJ/dz = y − c for one-hot rows
      const d0 = y0 - c0, d1 = y1 - c1;
      g2[0]![0] += h0 * d0;
      g2[0]![1] += h0 * d1;
      g2[1]![0] += h1 * d0;
      g2[1]![1] += h1 * d1;
      const dh0 = (d0 * p[0]! + d1 * p[1]!) * h0 * (1 - h0);
      const dh1 = (d0 * q[0]! + d1 * q[1]!) * h1 * (1 - h1);
      g1[0]![0] += x0 * dh0;
      g1[0]![1] += x0 * dh1;
      g1[1]![0] += x1 * dh0;
      g1[1]![1] += x1 * dh1;
      gb1[0] += dh0;
      gb1[1] += dh1;
      gb2[0] += d0;
      gb2[1] += d1;
    }
    if (!update) return;
    for (let r = 0; r < 2; r++) {
      for (let k = 0; k < 2; k++) (w1[r]![k] -= LR * g1[r]![k]!), (w2[r]![k] -= LR * g2[r]![k]!);
      (b1[r] -= LR * gb1[r]!), (b2[r] -= LR * gb2[r]!);
    }
  };
  return {
    name: "hand-written JS",
    setup: () => {
      for (let i = 0; i < WARMUP_STEPS; i++) step();
    },
    round() {
      const t0 = now();
      for (let i = 0; i < STEPS_PER_ROUND; i++) step();
      const perStep = ((now() - t0) / STEPS_PER_ROUND) * 1e6;
      step(false);
      losses["hand-written JS"] = J;
      return perStep;
    },
  };
}

export function tutorialLiteralWorkload(rounds: number): Workload {
  return {
    id: "tutorial-literal",
    title: "tutorial part V as written: placeholder(), nested arrays fed per step, GD step",
    unit: "µs/step",
    higherIsBetter: false,
    rounds,
    contestants: () => {
      const p = problem();
      return [ours(p), ...TFJS_BACKENDS.map((b) => tfjs(p, b)), handWritten(p)];
    },
    extras: () => Object.fromEntries(Object.entries(losses).map(([k, v]) => [k, { "loss after all steps": Number(v.toFixed(4)) }])),
  };
}
