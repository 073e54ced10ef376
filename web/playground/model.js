/**
 * The Playground's network, built and trained by TensorSlow: a TF1 graph of placeholders, dense
 * layers (`ts.layers.dense`: a kernel and a bias Variable, MatMul, BiasAdd, the activation), the
 * loss and the regularizer, trained by an optimizer through `Session.run`. Plain JavaScript that
 * imports "tensorslow", so the page (through its import map) and Node (through the package's name)
 * run this very file; the tests compare the two, and this file with the code the page prints.
 *
 * An epoch is the TensorFlow Playground's: one pass over the training points in their fixed
 * (shuffled once) order, an update after every `batchSize` points, each the mean gradient of the
 * points since the last update. A partial batch at the end of an epoch is carried into the first
 * batch of the next, as the Playground does.
 */
import * as ts from "tensorslow";
import { activeFeatures, featureMatrix } from "./features.js";
import { datasetOf, seedNumber } from "./state.js";

/** The hidden layers' activations by the Playground's names (null: linear, no activation node). */
export const ACTIVATION_FNS = Object.freeze({ relu: ts.relu, tanh: ts.tanh, sigmoid: ts.sigmoid, linear: null });

/** The optimizers, each with the learning rate and what else it needs (TensorFlow's defaults). */
export const OPTIMIZER_FNS = Object.freeze({
  sgd: (lr) => new ts.train.GradientDescentOptimizer(lr),
  momentum: (lr) => new ts.train.MomentumOptimizer(lr, 0.9),
  adam: (lr) => new ts.train.AdamOptimizer(lr),
  rmsprop: (lr) => new ts.train.RMSPropOptimizer(lr),
});

/** The square [lo, hi]² a data set's points lie in, and its heat maps cover. */
export function domainOf(state) {
  return datasetOf(state) === "xorClusters" ? [-1, 2] : [-6, 6];
}

/** The tutorial's point sets as the Playground's points: blue (+1) rows first, then red (−1). */
function tutorialPoints(name) {
  const set = name === "blobs" ? ts.data.blobs() : ts.data.xorClusters();
  const rows = set.points.toArray();
  const blue = set.blue.shape[0];
  return rows.map(([x, y], i) => ({ x, y, label: i < blue ? 1 : -1 }));
}

/**
 * The training and test points of a state. The Playground's sets come from
 * `ts.data.playground.dataset` (drawn, shuffled and split with the state's seed); the tutorial's
 * sets are its fixed points, kept in the tutorial's order when all of them train, and otherwise
 * shuffled with the seed before the split.
 */
export function makeData(state) {
  const name = datasetOf(state);
  const seed = seedNumber(state.seed);
  if (name === "blobs" || name === "xorClusters") {
    const points = tutorialPoints(name);
    if (state.percTrainData >= 100) return { train: points, test: [] };
    ts.data.playground.shuffle(points, new ts.random.RandomGenerator(seed));
    const split = Math.floor((points.length * state.percTrainData) / 100);
    return { train: points.slice(0, split), test: points.slice(split) };
  }
  return ts.data.playground.dataset(name, { noise: state.noise, percTrainData: state.percTrainData, seed });
}

/** Part II's hand-set perceptron: a column (1, 1) for blue and (−1, −1) for red. */
const HAND_SET = { kernel: [[1, -1], [1, -1]], bias: [0, 0] };

/**
 * The initializer of the `index`-th variable (kernels and biases in creation order). The
 * Playground's: kernels U(−0.5, 0.5) with seed + index, biases 0.1 (0 with initZero). The
 * tutorial's: N(0, 1) with seed + index for every variable, or part II's hand-set weights.
 */
function initializerFor(state, index, kind) {
  const seed = seedNumber(state.seed) + index;
  if (state.initZero) return ts.zerosInitializer();
  if (state.init === "handSet") return ts.constantInitializer(HAND_SET[kind]);
  if (state.init === "normal") return ts.randomNormalInitializer({ seed });
  return kind === "kernel" ? ts.randomUniformInitializer({ minval: -0.5, maxval: 0.5, seed }) : ts.constantInitializer(0.1);
}

/** Why a state cannot be built as it says (null when it can). */
export function buildProblem(state) {
  const inputs = activeFeatures(state).length;
  if (state.init === "handSet" && !(state.networkShape.length === 0 && inputs === 2 && state.loss === "crossEntropy")) {
    return "init=handSet is part II's perceptron: it needs no hidden layer, two input features and loss=crossEntropy";
  }
  return null;
}

/**
 * The graph of a state, in a new Graph: placeholders `x` [?, features] and `y` ([?, 1] labels ±1
 * or values; [?, 2] one-hot classes for the cross-entropy), the dense layers, the loss (and the
 * regularizer when there is one), the gradients of the loss with respect to every variable and
 * every value between the input and the loss, and the optimizer's update.
 */
export function buildNetwork(state) {
  const features = activeFeatures(state);
  const graph = new ts.Graph();
  return graph.asDefault(() => {
    const crossEntropy = state.loss === "crossEntropy";
    const x = ts.placeholder({ name: "x", shape: [null, features.length] });
    const y = ts.placeholder({ name: "y", shape: [null, crossEntropy ? 2 : 1] });
    const activation = ACTIVATION_FNS[state.activation];
    const layers = [];
    let h = x;
    let index = 0;
    const dense = (units, act) => {
      const options = { kernelInitializer: initializerFor(state, index++, "kernel"), biasInitializer: initializerFor(state, index++, "bias") };
      if (act) options.activation = act;
      h = ts.layers.dense(h, units, options);
      return h;
    };
    for (const units of state.networkShape) layers.push(dense(units, activation));
    // The output: tanh for classes ±1, linear for regression, or the tutorial's softmax.
    let output;
    let loss;
    if (crossEntropy) {
      output = ts.softmax(dense(2, null));
      loss = ts.negative(ts.reduceSum(ts.reduceSum(ts.multiply(y, ts.log(output)), 1)), "loss");
    } else {
      output = dense(1, state.problem === "regression" ? null : ts.tanh);
      loss = ts.reduceMean(ts.multiply(0.5, ts.square(ts.subtract(output, y))), undefined, { name: "loss" });
    }
    layers.push(output);
    const variables = graph.trainableVariables();
    const kernels = variables.filter((v) => v.name.endsWith("/kernel"));
    const l1 = state.regularization === "L1";
    let objective = loss;
    let penalty = null;
    if (state.regularization !== "none") {
      const term = (w) => (state.regularization === "L1" ? ts.reduceSum(ts.abs(w)) : ts.nn.l2Loss(w));
      penalty = ts.multiply(state.regularizationRate, kernels.map(term).reduce((a, b) => ts.add(a, b)), "regularization");
      objective = ts.add(loss, penalty, "objective");
    }
    // minimize(minimized) is gradients for the variables, then applyGradients. The page asks one
    // gradients() call for the variables and for every value between the input and the loss, so
    // that the graph panel can show dJ/dvalue without a second backward graph: the variables'
    // gradient nodes are the ones minimize would build (the printed code calls minimize and
    // reaches the page's losses bit for bit). With L1 the optimizer minimizes the loss alone and
    // the L1 step follows it (l1Step).
    const minimized = l1 ? loss : objective;
    const values = graph.nodes.filter((n) => n instanceof ts.Operation && n !== objective && dependsOn(n, x));
    const grads = ts.gradients(minimized, [...variables, ...values]);
    const gradientOf = new Map([...variables, ...values].map((n, i) => [n, grads[i]]));
    const optimizer = OPTIMIZER_FNS[state.optimizer](state.learningRate);
    const optimizerStep = optimizer.applyGradients(variables.map((v) => [gradientOf.get(v), v]));
    const { train, deadLinks } = l1 ? l1Step(optimizerStep, kernels, state.learningRate * state.regularizationRate) : { train: optimizerStep, deadLinks: [] };
    return { graph, features, x, y, layers, output, loss, penalty, objective, variables, kernels, deadLinks, values, gradientOf, train, crossEntropy };
  });
}

/**
 * The TensorFlow Playground's L1 regularization (its nn.ts, updateWeights), after `optimizerStep`
 * (which minimizes the loss alone): every weight moves `step` (learning rate × rate) towards 0
 * from the side it was on before the update; a weight that this move, not the loss's, takes across
 * 0 becomes exactly 0 and its link dies: no later update changes it (the optimizer's included), so
 * it stays 0 unless edited by hand. A boolean variable per kernel holds its dead links. Nodes made
 * later run later in a run, and an update op's value is its variable's newest value (a plain read
 * is the value the run started with), so `assignAdd(w, 0)` is the weight after the optimizer's step.
 */
function l1Step(optimizerStep, kernels, step) {
  const updates = [optimizerStep];
  const deadLinks = kernels.map((w) => {
    const dead = new ts.Variable(ts.zeros(w.fullShape, "bool"), { name: `${w.name}/dead`, trainable: false });
    const stepped = ts.assignAdd(w, ts.zerosLike(w));
    const shrunk = ts.subtract(stepped, ts.multiply(step, ts.sign(w)));
    const crossed = ts.less(ts.multiply(stepped, shrunk), 0);
    updates.push(ts.assign(w, ts.where(dead, w, ts.where(crossed, 0, shrunk))), ts.assign(dead, ts.logicalOr(dead, crossed)));
    return dead;
  });
  return { train: ts.group(updates, "train"), deadLinks };
}

/** Kernels and biases, alternating, as {kernel, bias} per layer. */
function pairs(values) {
  const out = [];
  for (let i = 0; i < values.length; i += 2) out.push({ kernel: values[i], bias: values[i + 1] });
  return out;
}

/** Whether `node`'s value depends on `target`'s (following inputs). */
export function dependsOn(node, target) {
  const seen = new Set();
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop();
    if (n === target) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...n.inputs);
  }
  return false;
}

/** The labels fed to `y`: ±1 or the value, one per row; or one-hot [blue, red] for the cross-entropy. */
function labelMatrix(points, crossEntropy) {
  if (!crossEntropy) return Float32Array.from(points, (p) => p.label);
  const out = new Float32Array(points.length * 2);
  points.forEach((p, i) => {
    out[2 * i + (p.label > 0 ? 0 : 1)] = 1;
  });
  return out;
}

/**
 * A network being trained: its graph and session, the data as tensors, the batches of an epoch,
 * and the epoch counter. Changing the learning rate or the optimizer rebuilds the graph and keeps
 * every variable (weights, and the optimizer's slots when it stays the same).
 */
export class Trainer {
  constructor(state, data = makeData(state)) {
    const problem = buildProblem(state);
    if (problem !== null) throw new Error(problem);
    this.state = { ...state, networkShape: [...state.networkShape] };
    this.data = data;
    this.epoch = 0;
    this.build();
  }

  build(previous) {
    this.net = buildNetwork(this.state);
    const { x, y, features, crossEntropy } = this.net;
    const feed = (points) => {
      const X = new ts.Tensor([points.length, features.length], "float32", featureMatrix(points, features));
      const Y = new ts.Tensor([points.length, crossEntropy ? 2 : 1], "float32", labelMatrix(points, crossEntropy));
      return new Map([
        [x, X],
        [y, Y],
      ]);
    };
    this.trainFeed = feed(this.data.train);
    this.testFeed = this.data.test.length > 0 ? feed(this.data.test) : null;
    // The first epoch's batches, and every later epoch's (whose first batch starts with the rows
    // the previous epoch left over).
    const n = this.data.train.length;
    const b = this.state.batchSize;
    const full = Math.floor(n / b);
    const rows = (from, to) => this.data.train.slice(from, to);
    this.firstEpoch = Array.from({ length: full }, (_, k) => feed(rows(k * b, (k + 1) * b)));
    const left = rows(full * b, n);
    this.laterEpochs = left.length === 0 ? this.firstEpoch : this.firstEpoch.map((f, k) => (k === 0 ? feed([...left, ...rows(0, b)]) : f));
    const session = new ts.Session(this.net.graph);
    if (previous !== undefined) {
      const old = new Map(previous.graph.globalVariables().map((v) => [v.name, v]));
      for (const v of this.net.graph.globalVariables()) {
        const o = old.get(v.name);
        if (o !== undefined && o.dtype === v.dtype && o.shape.join() === v.shape.join()) session.loadVariable(v, previous.session.readVariable(o));
      }
      previous.session.close();
    }
    this.session = session;
  }

  /** One epoch, as the Playground's: the updates of one pass over the training points. */
  step() {
    const feeds = this.epoch === 0 ? this.firstEpoch : this.laterEpochs;
    for (const f of feeds) this.session.run(this.net.train, f);
    this.epoch++;
  }

  /** The loss on the training points and on the test points (NaN when there are none). */
  losses() {
    return {
      train: this.session.run(this.net.loss, this.trainFeed).item(),
      test: this.testFeed === null ? Number.NaN : this.session.run(this.net.loss, this.testFeed).item(),
    };
  }

  /** Keeps training with another learning rate or optimizer: the weights stay (and the optimizer's state if it stays). */
  retune({ learningRate = this.state.learningRate, optimizer = this.state.optimizer }) {
    if (learningRate === this.state.learningRate && optimizer === this.state.optimizer) return;
    this.state = { ...this.state, learningRate, optimizer };
    this.build({ graph: this.net.graph, session: this.session });
  }

  /**
   * What a frame draws, in one run: every layer's output at the rows of `X` (a Tensor [rows,
   * features]; one Tensor [rows, units] per layer, the output last) and the weights.
   */
  snapshot(X) {
    const { layers, variables } = this.net;
    const fetches = [...layers, ...variables];
    const feed = new Map([[this.net.x, X]]);
    // Each frame fetches the same shapes: the first run's tensors are reused (run's `into`).
    if (this.snapshotInto?.rows !== X.shape[0]) this.snapshotInto = { rows: X.shape[0], tensors: this.session.run(fetches, feed) };
    else this.session.run(fetches, feed, { into: this.snapshotInto.tensors });
    const values = this.snapshotInto.tensors;
    return { layers: values.slice(0, layers.length), weights: pairs(values.slice(layers.length)) };
  }

  /** Each layer's dead links with L1 (true: never updated again) as [in][out] booleans; null without L1. */
  deadLinks() {
    const { deadLinks } = this.net;
    return deadLinks.length === 0 ? null : this.session.run(deadLinks).map((t) => t.toArray());
  }

  /** Each layer's kernel [in, out] and bias [out] as they are now. */
  weights() {
    return pairs(this.session.run(this.net.variables));
  }

  /** Sets one weight (`from` = -1 sets the bias of neuron `to`) of layer `layer` (0: the first hidden layer). */
  setWeight(layer, from, to, value) {
    const v = this.net.variables[2 * layer + (from < 0 ? 1 : 0)];
    const t = this.session.readVariable(v);
    t.data[from < 0 ? to : from * v.shape[1] + to] = value;
    this.session.loadVariable(v, t);
  }

  close() {
    this.session.close();
  }
}
