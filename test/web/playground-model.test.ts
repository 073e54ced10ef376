/**
 * The Playground's network (web/playground/model.js), run in Node:
 * - an epoch is the TensorFlow Playground's: checked against an independent float64
 *   implementation of its per-point algorithm (nn.ts's forward and backward passes, an update
 *   after every batchSize points with the mean gradient, a partial batch carried into the next
 *   epoch, the regularization term), from the same data and initial weights;
 * - it reaches the TensorFlow Playground's losses: the medians over seeds 1–5 of its own engine,
 *   measured in Node (/work/shared/anchors/playground/RESULTS.md), against ours over the same
 *   seeds (which draw other points: the Playground seeds Math.random);
 * - the tutorial's presets give the examples' losses;
 * - one run gives every neuron's heat map, as a float64 forward pass computes it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { runPart2 } from "../../examples/part2-perceptrons.js";
import { runPart4 } from "../../examples/part4-gradient-descent.js";
import { runPart5 } from "../../examples/part5-mlp.js";
import { loadFeatures, loadModel, loadPresets, loadState, type PlaygroundState, type Trainer } from "../helpers/web.js";

type Point = ts.data.playground.PlaygroundPoint;

const ACT: Record<string, { f(x: number): number; d(x: number): number }> = {
  tanh: { f: Math.tanh, d: (x) => 1 - Math.tanh(x) ** 2 },
  relu: { f: (x) => Math.max(0, x), d: (x) => (x <= 0 ? 0 : 1) },
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), d: (x) => Math.exp(-x) / (1 + Math.exp(-x)) ** 2 },
  linear: { f: (x) => x, d: () => 1 },
};

interface Net {
  /** Per layer: w[i][j] from unit i of the layer below to unit j, and b[j]. */
  w: number[][][];
  b: number[][];
  acts: { f(x: number): number; d(x: number): number }[];
}

function fromTrainer(t: Trainer, hidden: string, output: string): Net {
  const w = t.weights();
  return {
    w: w.map(({ kernel }) => kernel.toArray() as number[][]),
    b: w.map(({ bias }) => Array.from(bias.data as Float32Array)),
    acts: w.map((_, l) => ACT[l === w.length - 1 ? output : hidden]!),
  };
}

/** The forward pass of one input row: each layer's total inputs and outputs. */
function forward(net: Net, input: number[]): { z: number[][]; a: number[][] } {
  const z: number[][] = [];
  const a: number[][] = [input];
  net.w.forEach((w, l) => {
    const zl = net.b[l]!.map((b, j) => b + a[l]!.reduce((s, v, i) => s + v * w[i]![j]!, 0));
    z.push(zl);
    a.push(zl.map((v) => net.acts[l]!.f(v)));
  });
  return { z, a };
}

function meanLoss(net: Net, rows: number[][], labels: number[]): number {
  return rows.reduce((s, r, i) => s + 0.5 * (forward(net, r).a.at(-1)![0]! - labels[i]!) ** 2, 0) / rows.length;
}

/**
 * The TensorFlow Playground's training, point by point in float64: backpropagate each point's
 * squared error, accumulate, and every batchSize points of an epoch (counting from 0 in each epoch)
 * update with the mean of what accumulated since the last update, which may include points left
 * from the previous epoch; then the regularization step lr · rate · R'(w), R' taken at the weight
 * before the update. With L1, a weight that this step (not the loss's) takes across 0 becomes 0
 * and its link is dead: never updated again. Returns the loss after each epoch; `dead` (per layer,
 * [from][to]) ends holding the dead links.
 * `carry: false` is the variant that drops a partial batch, and `plainL1: true` the one that only
 * takes the L1 subgradient step, to show the test can tell them apart.
 */
function referenceTraining(
  net: Net,
  rows: number[][],
  labels: number[],
  o: { lr: number; batch: number; reg: "none" | "L1" | "L2"; rate: number; epochs: number; carry?: boolean; plainL1?: boolean },
  dead: boolean[][][] = net.w.map((w) => w.map((r) => r.map(() => false))),
): number[] {
  const gw = net.w.map((w) => w.map((r) => r.map(() => 0)));
  const gb = net.b.map((b) => b.map(() => 0));
  let count = 0;
  const losses: number[] = [];
  for (let e = 0; e < o.epochs; e++) {
    if (o.carry === false) {
      gw.forEach((w) => w.forEach((r) => r.fill(0)));
      gb.forEach((b) => b.fill(0));
      count = 0;
    }
    rows.forEach((row, p) => {
      const { z, a } = forward(net, row);
      let delta = [a.at(-1)![0]! - labels[p]!];
      for (let l = net.w.length - 1; l >= 0; l--) {
        const dz = delta.map((d, j) => d * net.acts[l]!.d(z[l]![j]!));
        dz.forEach((d, j) => {
          gb[l]![j]! += d;
          a[l]!.forEach((v, i) => (gw[l]![i]![j]! += d * v));
        });
        delta = a[l]!.map((_, i) => dz.reduce((s, d, j) => s + d * net.w[l]![i]![j]!, 0));
      }
      count++;
      if ((p + 1) % o.batch === 0) {
        net.w.forEach((w, l) =>
          w.forEach((r, i) =>
            r.forEach((v, j) => {
              const g = gw[l]![i]![j]!;
              gw[l]![i]![j] = 0;
              if (dead[l]![i]![j]) return;
              // The regularizer's derivative at the weight before the update: w (L2), or sign(w) (L1, 0 at 0).
              const der = o.reg === "L2" ? v : o.reg === "L1" ? Math.sign(v) : 0;
              const stepped = v - (o.lr * g) / count;
              const next = stepped - o.lr * o.rate * der;
              if (o.reg === "L1" && !o.plainL1 && stepped * next < 0) {
                r[j] = 0;
                dead[l]![i]![j] = true;
              } else {
                r[j] = next;
              }
            }),
          ),
        );
        net.b.forEach((b, l) =>
          b.forEach((v, j) => {
            b[j] = v - (o.lr * gb[l]![j]!) / count;
            gb[l]![j] = 0;
          }),
        );
        count = 0;
      }
    });
    losses.push(meanLoss(net, rows, labels));
  }
  return losses;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe("web/playground/model.js", async () => {
  const { Trainer, makeData, buildProblem, dependsOn } = await loadModel();
  const { parseHash, seedNumber } = await loadState();
  const { activeFeatures, featureMatrix, gridPoints } = await loadFeatures();
  const { presetState } = await loadPresets();
  const stateOf = (hash: string): PlaygroundState => {
    const { state, problems } = parseHash(hash);
    assert.deepEqual(problems, [], hash);
    return state;
  };
  const rowsOf = (state: PlaygroundState, points: Point[]): number[][] => points.map((p) => activeFeatures(state).map((f) => f.f(p.x, p.y)));

  describe("an epoch is the TensorFlow Playground's", () => {
    const cases: [string, string, number][] = [
      ["spiral, six features, 8-8-5 tanh, batch 10", "dataset=spiral&networkShape=8,8,5&xSquared=true&ySquared=true&sinX=true&sinY=true&seed=3", 15],
      ["circle, ReLU, batch 30 (250 points leave 10 over each epoch), L2 0.01", "dataset=circle&networkShape=4&activation=relu&batchSize=30&regularization=L2&regularizationRate=0.01&seed=4", 15],
      ["XOR with x₁x₂, a linear hidden layer, batch 5, L1 0.03", "dataset=xor&networkShape=3&activation=linear&xTimesY=true&batchSize=5&regularization=L1&regularizationRate=0.03&learningRate=0.1&seed=6", 10],
      ["the plane, regression, sigmoid, 30 % training data, batch 7", "problem=regression&regDataset=reg-plane&networkShape=3,2&activation=sigmoid&batchSize=7&percTrainData=30&learningRate=0.1&seed=5", 8],
    ];
    for (const [name, hash, epochs] of cases) {
      it(name, () => {
        const state = stateOf(hash);
        const t = new Trainer(state);
        const net = fromTrainer(t, state.activation, state.problem === "regression" ? "linear" : "tanh");
        const rows = rowsOf(state, t.data.train);
        const labels = t.data.train.map((p) => p.label);
        const ours = [t.losses().train];
        for (let e = 0; e < epochs; e++) {
          t.step();
          ours.push(t.losses().train);
        }
        const start = meanLoss(net, rows, labels);
        const reg = state.regularization as "none" | "L1" | "L2";
        const dead = net.w.map((w) => w.map((r) => r.map(() => false)));
        const reference = [start, ...referenceTraining(net, rows, labels, { lr: state.learningRate, batch: state.batchSize, reg, rate: state.regularizationRate, epochs }, dead)];
        ours.forEach((loss, e) => {
          const tol = 2e-5 * Math.abs(reference[e]!) + 1e-7;
          assert.ok(Math.abs(loss - reference[e]!) <= tol, `epoch ${e}: TensorSlow ${loss}, float64 reference ${reference[e]} (±${tol})`);
        });
        assert.ok(ours.at(-1)! < ours[0]!, "training lowers the loss");
        // The weights themselves, and with L1 the dead links: the same ones, at exactly 0.
        const trained = fromTrainer(t, state.activation, "linear").w;
        trained.forEach((w, l) => w.forEach((r, i) => r.forEach((v, j) => assert.ok(Math.abs(v - net.w[l]![i]![j]!) <= 1e-4, `weight ${l}/${i}/${j}: TensorSlow ${v}, float64 reference ${net.w[l]![i]![j]}`))));
        if (reg === "L1") {
          const deadCount = dead.flat(2).filter(Boolean).length;
          assert.ok(deadCount > 0, "the case makes L1 take some weight across 0");
          assert.deepEqual(t.deadLinks(), dead);
          dead.forEach((w, l) => w.forEach((r, i) => r.forEach((d, j) => d && assert.equal(trained[l]![i]![j], 0, `dead weight ${l}/${i}/${j}`))));
          // Plain subgradient steps (no zeroing, no dead links) end elsewhere: the test sees the difference.
          const fresh = new Trainer(state);
          const plain = fromTrainer(fresh, state.activation, state.problem === "regression" ? "linear" : "tanh");
          fresh.close();
          referenceTraining(plain, rows, labels, { lr: state.learningRate, batch: state.batchSize, reg, rate: state.regularizationRate, epochs, plainL1: true });
          const apart = Math.max(...plain.w.flatMap((w, l) => w.flatMap((r, i) => r.map((v, j) => Math.abs(v - net.w[l]![i]![j]!)))));
          assert.ok(apart > 10 * 1e-4, `plain subgradient steps end ${apart} from the Playground's weights`);
        } else {
          assert.equal(t.deadLinks(), null);
        }
        if (t.data.train.length % state.batchSize !== 0) {
          // Dropping the partial batch instead of carrying it gives other losses: the test sees the difference.
          const dropped = referenceTraining(fromTrainer(new Trainer(state), state.activation, state.problem === "regression" ? "linear" : "tanh"), rows, labels, {
            lr: state.learningRate,
            batch: state.batchSize,
            reg: state.regularization as "none" | "L1" | "L2",
            rate: state.regularizationRate,
            epochs,
            carry: false,
          });
          assert.ok(Math.abs(dropped.at(-1)! - ours.at(-1)!) > 20 * 2e-5 * Math.abs(ours.at(-1)!), `dropped ${dropped.at(-1)} vs carried ${ours.at(-1)}`);
        }
        t.close();
      });
    }
  });

  it("reaches the TensorFlow Playground's test losses at 100 and 300 epochs (medians over seeds 1–5)", (t) => {
    // The TensorFlow Playground's own engine (its nn.ts and dataset.ts in Node, seeds "1"–"5"):
    // test loss median [min, max] after 100 and 300 epochs, from the anchor's RESULTS.md.
    const anchor: [string, string, Record<number, [number, number, number]>][] = [
      ["A spiral 6-8-8-5-1 tanh", "dataset=spiral&networkShape=8,8,5&xSquared=true&ySquared=true&sinX=true&sinY=true", { 100: [0.0663, 0.0198, 0.2723], 300: [0.0154, 0.0015, 0.1059] }],
      ["B xor 2-4-2-1 tanh", "dataset=xor&networkShape=4,2", { 100: [0.0269, 0.0061, 0.2133], 300: [0.0198, 0.0012, 0.0356] }],
      ["C circle 2-4-1 relu", "dataset=circle&networkShape=4&activation=relu", { 100: [0.0178, 0.0102, 0.0201], 300: [0.0079, 0.0025, 0.0116] }],
      ["D gauss 2-1 tanh", "dataset=gauss&networkShape=", { 100: [0.0007, 0.0002, 0.0022], 300: [0.0003, 0.0001, 0.0022] }],
    ];
    for (const [name, hash, figures] of anchor) {
      const test: Record<number, number[]> = { 100: [], 300: [] };
      for (let seed = 1; seed <= 5; seed++) {
        const trainer = new Trainer(stateOf(`${hash}&seed=${seed}`));
        for (let e = 1; e <= 300; e++) {
          trainer.step();
          if (e === 100 || e === 300) test[e]!.push(trainer.losses().test);
        }
        trainer.close();
      }
      for (const epoch of [100, 300]) {
        const [tfMedian, tfMin, tfMax] = figures[epoch]!;
        const ours = median(test[epoch]!);
        t.diagnostic(`${name}, epoch ${epoch}: test loss median ${ours.toFixed(4)} [${Math.min(...test[epoch]!).toFixed(4)}–${Math.max(...test[epoch]!).toFixed(4)}]; the Playground's ${tfMedian} [${tfMin}–${tfMax}]`);
        assert.ok(ours >= tfMin && ours <= tfMax, `${name}, epoch ${epoch}: our median ${ours} outside the Playground's range [${tfMin}, ${tfMax}]`);
      }
    }
  });

  it("gives the tutorial's parts II, IV and V as its examples do", () => {
    // Part II: the hand-set perceptron's probabilities on the blobs, before any training.
    const part2 = new Trainer(presetState("part2"));
    const p = part2.session.run(part2.net.output, part2.trainFeed).toArray() as number[][];
    const example2 = runPart2(() => {});
    assert.equal(p.length, example2.probabilities.length);
    p.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - example2.probabilities[i]![j]!) <= 1e-6, `point ${i}: ${v} vs ${example2.probabilities[i]![j]}`)));
    part2.close();
    // Parts IV and V: the loss at every step. The page's dense layer adds its bias with BiasAdd
    // (whose gradient sums the batch in its own order) where the example uses Add: float32 rounding apart.
    for (const [id, example, steps] of [
      ["part4", runPart4(() => {}), 100],
      ["part5", runPart5(() => {}), 1000],
    ] as const) {
      const trainer = new Trainer(presetState(id));
      const losses = [trainer.losses().train];
      for (let s = 0; s < steps; s++) {
        trainer.step();
        losses.push(trainer.losses().train);
      }
      assert.equal(losses.length, example.lossHistory.length);
      losses.forEach((loss, s) => {
        const expected = example.lossHistory[s]!;
        assert.ok(Math.abs(loss - expected) <= 1e-5 * Math.abs(expected), `${id} step ${s}: page ${loss}, example ${expected}`);
      });
      assert.ok(Number.isNaN(trainer.losses().test), `${id}: all points train, none test`);
      trainer.close();
    }
  });

  it("computes every neuron's heat map in one run, as a float64 forward pass does", () => {
    const state = stateOf("dataset=xor&networkShape=3,2&activation=relu&xTimesY=true&seed=9");
    const t = new Trainer(state);
    for (let e = 0; e < 5; e++) t.step();
    const points = gridPoints(20, [-6, 6]);
    const X = new ts.Tensor([points.length, 3], "float32", featureMatrix(points, activeFeatures(state)));
    const { layers, weights } = t.snapshot(X);
    assert.deepEqual(
      layers.map((l) => l.shape),
      [
        [400, 3],
        [400, 2],
        [400, 1],
      ],
    );
    const net = fromTrainer(t, "relu", "tanh");
    assert.deepEqual(weights.map((w) => w.kernel.toArray()), net.w);
    points.forEach((p, r) => {
      const { a } = forward(net, [p.x, p.y, p.x * p.y]);
      layers.forEach((layer, l) => a[l + 1]!.forEach((v, j) => assert.ok(Math.abs(layer.data[r * layer.shape[1]! + j]! - v) <= 1e-5 * (1 + Math.abs(v)), `point ${r} layer ${l} unit ${j}`)));
    });
    // The next frame's snapshot writes into the same tensors, with the new values.
    t.setWeight(2, -1, 0, 0.5);
    const again = t.snapshot(X);
    assert.equal(again.layers[2], layers[2]);
    const moved = fromTrainer(t, "relu", "tanh");
    assert.equal(moved.b[2]![0], 0.5);
    assert.ok(Math.abs(again.layers[2]!.data[0]! - forward(moved, [points[0]!.x, points[0]!.y, points[0]!.x * points[0]!.y]).a[3]![0]!) <= 1e-6);
    t.close();
  });

  it("edits a weight in place: the others and the epoch stay", () => {
    const t = new Trainer(stateOf("dataset=circle&networkShape=2&seed=2"));
    t.step();
    const before = t.weights();
    t.setWeight(0, 1, 0, 3.25);
    const after = t.weights();
    assert.equal(after[0]!.kernel.data[1 * 2 + 0], 3.25);
    after[0]!.kernel.data[2] = before[0]!.kernel.data[2]!;
    assert.deepEqual(after.map((w) => [w.kernel.toArray(), w.bias.toArray()]), before.map((w) => [w.kernel.toArray(), w.bias.toArray()]));
    assert.equal(t.epoch, 1);
    t.close();
  });

  it("changes the learning rate and the optimizer without resetting the weights, keeping the optimizer's state when it stays", () => {
    const t = new Trainer(stateOf("dataset=gauss&networkShape=2&optimizer=momentum&seed=6"));
    for (let e = 0; e < 3; e++) t.step();
    const read = (tr: Trainer) => new Map(tr.net.graph.globalVariables().map((v) => [v.name, tr.session.readVariable(v).toArray()]));
    const before = read(t);
    assert.ok([...before.keys()].some((k) => k.endsWith("/Momentum")), [...before.keys()].join());
    t.retune({ learningRate: 0.3 });
    assert.deepEqual(read(t), before, "every variable, the momentum slots too, carried into the new graph");
    assert.equal(t.state.learningRate, 0.3);
    assert.equal(t.epoch, 3);
    t.step();
    assert.equal(t.epoch, 4);
    const weights = read(t);
    t.retune({ optimizer: "adam" });
    const adam = read(t);
    for (const [name, value] of weights) if (!name.includes("Momentum")) assert.deepEqual(adam.get(name), value, name);
    assert.ok([...adam.keys()].some((k) => k.endsWith("/Adam")) && ![...adam.keys()].some((k) => k.includes("Momentum")));
    const loss = t.losses().train;
    t.step();
    assert.notEqual(t.losses().train, loss);
    t.close();
  });

  it("keeps L1's dead links at 0 through later epochs, a change of learning rate and an optimizer's momentum", () => {
    const t = new Trainer(stateOf("dataset=gauss&networkShape=3,2&regularization=L1&regularizationRate=0.03&learningRate=0.1&seed=5"));
    for (let e = 0; e < 15; e++) t.step();
    const dead = t.deadLinks()!;
    assert.ok(dead.flat(2).some(Boolean), "some links died");
    t.retune({ learningRate: 0.3, optimizer: "momentum" });
    assert.deepEqual(t.deadLinks(), dead, "the dead links carried into the new graph");
    for (let e = 0; e < 5; e++) t.step();
    const later = t.deadLinks()!;
    const weights = t.weights();
    const deadAt = dead.flatMap((w, l) => w.flatMap((r, i) => r.flatMap((d, j) => (d ? [[l, i, j] as const] : []))));
    for (const [l, i, j] of deadAt) {
      assert.ok(later[l]![i]![j], `link ${l}/${i}/${j} stays dead`);
      assert.equal(weights[l]!.kernel.data[i * dead[l]![0]!.length + j], 0, `dead weight ${l}/${i}/${j} stays 0`);
    }
    // A dead link edited by hand keeps the value it is given (the Playground's too: no update touches it).
    const [l, i, j] = deadAt[0]!;
    t.setWeight(l, i, j, 0.25);
    t.step();
    assert.equal(t.weights()[l]!.kernel.data[i * dead[l]![0]!.length + j], 0.25);
    t.close();
  });

  it("draws the Playground's data from the seed, and keeps the tutorial's points in their order when all of them train", () => {
    const state = stateOf("dataset=spiral&noise=25&percTrainData=70&seed=0.5");
    assert.deepEqual(makeData(state), ts.data.playground.dataset("spiral", { noise: 25, percTrainData: 70, seed: seedNumber("0.5") }));
    const blobs = makeData(presetState("part4"));
    const set = ts.data.blobs();
    assert.deepEqual(
      blobs.train.map((p) => [p.x, p.y]),
      set.points.toArray(),
    );
    assert.deepEqual(
      blobs.train.map((p) => p.label),
      (set.points.toArray() as number[][]).map((_, i) => (i < set.blue.shape[0]! ? 1 : -1)),
    );
    const split = makeData({ ...presetState("part5"), percTrainData: 80 });
    assert.equal(split.train.length, 80);
    assert.equal(split.test.length, 20);
  });

  it("refuses part II's hand-set weights on a network they do not fit, saying why", () => {
    assert.equal(buildProblem(presetState("part2")), null);
    assert.match(buildProblem({ ...presetState("part2"), networkShape: [3] })!, /handSet is part II's perceptron: it needs no hidden layer, two input features and loss=crossEntropy/);
    assert.throws(() => new Trainer({ ...presetState("part2"), loss: "square" }), /handSet/);
  });

  it("knows which values are functions of the inputs alone (the graph panel draws those over the plane)", () => {
    const t = new Trainer(stateOf("dataset=circle&networkShape=2&seed=1"));
    const { x, y, layers, loss, values } = t.net;
    assert.ok(dependsOn(layers[0]!, x) && !dependsOn(layers[0]!, y));
    assert.ok(dependsOn(loss, y));
    // The values whose gradients the graph shows: every layer's output (the loss is what they are gradients of).
    assert.ok(layers.every((l) => values.includes(l)) && !values.includes(loss));
    t.close();
  });
});
