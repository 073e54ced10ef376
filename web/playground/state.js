/**
 * The Playground's whole state, kept in the URL after "#" with the TensorFlow Playground's
 * parameter names and formats (`#activation=tanh&batchSize=10&dataset=circle&...`), so that a
 * link to a TensorFlow Playground configuration opens the same configuration here. A few
 * parameters of our own follow its list: `optimizer`, `loss`, `init`, `stopAt` and `backend`.
 *
 * Parsing follows the Playground's rules (an unknown name or value is ignored, a boolean is true
 * unless it says "false", an empty networkShape means no hidden layer) and then checks ranges: a
 * value that cannot work is replaced by the default and reported in `problems`.
 */
import { FEATURES } from "./features.js";

export const ACTIVATIONS = Object.freeze(["relu", "tanh", "sigmoid", "linear"]);
export const REGULARIZATIONS = Object.freeze(["none", "L1", "L2"]);
export const PROBLEMS = Object.freeze(["classification", "regression"]);
/** The Playground's classification sets, then the tutorial's two point sets (parts II–V). */
export const DATASETS = Object.freeze(["circle", "xor", "gauss", "spiral", "blobs", "xorClusters"]);
export const REG_DATASETS = Object.freeze(["reg-plane", "reg-gauss"]);
export const OPTIMIZERS = Object.freeze(["sgd", "momentum", "adam", "rmsprop"]);
/** "square": the Playground's ½(output − label)² averaged over the points, with a tanh (or linear) output; "crossEntropy": the tutorial's softmax over two classes and −Σ c·log p. */
export const LOSSES = Object.freeze(["square", "crossEntropy"]);
/** "uniform": the Playground's weights U(−0.5, 0.5) and biases 0.1; "normal": the tutorial's N(0, 1) for every variable; "handSet": part II's perceptron W = [[1, −1], [1, −1]], b = 0. */
export const INITS = Object.freeze(["uniform", "normal", "handSet"]);

export const LEARNING_RATES = Object.freeze([0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]);
export const REGULARIZATION_RATES = Object.freeze([0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]);
export const MAX_LAYERS = 6;
export const MAX_NEURONS = 8;
export const MAX_BATCH = 100;

/** The controls a URL may hide with `<name>_hide=true` (the Playground's list). */
export const HIDABLE = Object.freeze([
  "showTestData",
  "discretize",
  "playButton",
  "stepButton",
  "resetButton",
  "learningRate",
  "activation",
  "regularization",
  "regularizationRate",
  "problem",
  "dataset",
  "percTrainData",
  "noise",
  "batchSize",
  "numHiddenLayers",
  "optimizer",
]);

/** The parameters in the Playground's order, then ours. */
const PROPS = [
  { name: "activation", type: "enum", values: ACTIVATIONS },
  { name: "regularization", type: "enum", values: REGULARIZATIONS },
  { name: "batchSize", type: "number", check: (v) => Number.isInteger(v) && v >= 1 && v <= MAX_BATCH, expected: `an integer from 1 to ${MAX_BATCH}` },
  { name: "dataset", type: "enum", values: DATASETS },
  { name: "regDataset", type: "enum", values: REG_DATASETS },
  { name: "learningRate", type: "number", check: (v) => Number.isFinite(v) && v >= 0, expected: "a number ≥ 0" },
  { name: "regularizationRate", type: "number", check: (v) => Number.isFinite(v) && v >= 0, expected: "a number ≥ 0" },
  { name: "noise", type: "number", check: (v) => Number.isFinite(v) && v >= 0 && v <= 80, expected: "a percentage from 0 to 80" },
  { name: "networkShape", type: "numbers" },
  { name: "seed", type: "string" },
  { name: "showTestData", type: "boolean" },
  { name: "discretize", type: "boolean" },
  { name: "percTrainData", type: "number", check: (v) => Number.isFinite(v) && v >= 1 && v <= 100, expected: "a percentage from 1 to 100" },
  ...["x", "y", "xTimesY", "xSquared", "ySquared", "cosX", "sinX", "cosY", "sinY"].map((name) => ({ name, type: "boolean" })),
  { name: "collectStats", type: "boolean" },
  { name: "tutorial", type: "string" },
  { name: "problem", type: "enum", values: PROBLEMS },
  { name: "initZero", type: "boolean" },
  { name: "hideText", type: "boolean" },
  { name: "optimizer", type: "enum", values: OPTIMIZERS, ours: true },
  { name: "loss", type: "enum", values: LOSSES, ours: true },
  { name: "init", type: "enum", values: INITS, ours: true },
  { name: "stopAt", type: "number", check: (v) => Number.isInteger(v) && v >= 0, expected: "a whole number of epochs (0: never)", ours: true },
  { name: "backend", type: "string", ours: true },
];

/** The Playground's defaults (its state.ts), and ours. `seed` has none: a new page draws one. */
export function defaultState() {
  return {
    activation: "tanh",
    regularization: "none",
    batchSize: 10,
    dataset: "circle",
    regDataset: "reg-plane",
    learningRate: 0.03,
    regularizationRate: 0,
    noise: 0,
    networkShape: [4, 2],
    seed: undefined,
    showTestData: false,
    discretize: false,
    percTrainData: 50,
    x: true,
    y: true,
    xTimesY: false,
    xSquared: false,
    ySquared: false,
    cosX: false,
    sinX: false,
    cosY: false,
    sinY: false,
    collectStats: false,
    tutorial: undefined,
    problem: "classification",
    initZero: false,
    hideText: false,
    optimizer: "sgd",
    loss: "square",
    init: "uniform",
    stopAt: 0,
    backend: undefined,
    hidden: [],
  };
}

/** A seed as the Playground writes one: five random decimals. */
export function randomSeed() {
  return Math.random().toFixed(5);
}

/**
 * The integer seed of the library's generators for a URL's seed string: a whole number below 2³²
 * is itself; any other text (the Playground's "0.12345") is hashed (FNV-1a, 32 bits).
 */
export function seedNumber(seed) {
  const text = String(seed);
  if (/^\d{1,10}$/.test(text) && Number(text) <= 0xffffffff) return Number(text);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The state a URL fragment describes (with or without the leading "#"), and what in it was
 * refused: `{ state, problems }`. Values are decoded as the Playground does (not URL-decoded).
 */
export function parseHash(hash) {
  const map = new Map();
  for (const pair of String(hash).replace(/^#/, "").split("&")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    map.set(at < 0 ? pair : pair.slice(0, at), at < 0 ? undefined : pair.slice(at + 1));
  }
  const state = defaultState();
  const problems = [];
  const has = (name) => map.has(name) && map.get(name) != null && map.get(name).trim() !== "";
  for (const prop of PROPS) {
    const raw = map.get(prop.name);
    if (prop.type === "numbers") {
      if (map.has(prop.name)) state[prop.name] = parseShape(raw ?? "", problems);
      continue;
    }
    if (!has(prop.name)) continue;
    switch (prop.type) {
      case "enum":
        if (prop.values.includes(raw)) state[prop.name] = raw;
        else problems.push(`${prop.name}=${raw}: expected one of ${prop.values.join(", ")}`);
        break;
      case "number": {
        const value = +raw;
        if (prop.check(value)) state[prop.name] = value;
        else problems.push(`${prop.name}=${raw}: expected ${prop.expected}`);
        break;
      }
      case "string":
        state[prop.name] = raw;
        break;
      case "boolean":
        state[prop.name] = raw !== "false";
        break;
    }
  }
  state.hidden = HIDABLE.filter((name) => map.get(`${name}_hide`) === "true");
  if (state.loss === "crossEntropy" && state.problem !== "classification") {
    problems.push("loss=crossEntropy: the cross-entropy needs classes; using the squared error for regression");
    state.loss = "square";
  }
  if (activeCount(state) === 0) {
    problems.push("no input feature is on: turning on x and y");
    state.x = state.y = true;
  }
  return { state, problems };
}

/** The URL fragment (without "#") for a state: the Playground's parameters in its order, then ours. */
export function serializeState(state) {
  const parts = [];
  for (const prop of PROPS) {
    const value = state[prop.name];
    if (value === undefined || value === null) continue;
    // Ours only when they differ from the default, so that a plain Playground setup reads as one;
    // no regularization is left out, as the Playground leaves it out (its value is null).
    if (prop.ours && value === defaultState()[prop.name]) continue;
    if (prop.name === "regularization" && value === "none") continue;
    parts.push(`${prop.name}=${prop.type === "numbers" ? value.join(",") : String(value)}`);
  }
  for (const name of state.hidden ?? []) parts.push(`${name}_hide=true`);
  return parts.join("&");
}

function parseShape(raw, problems) {
  if (raw.trim() === "") return [];
  const entries = raw.split(",").map(Number);
  const shape = entries.filter((n) => Number.isInteger(n) && n >= 1).map((n) => Math.min(n, MAX_NEURONS));
  if (shape.length !== entries.length || shape.some((n, i) => n !== entries[i]) || shape.length > MAX_LAYERS) {
    problems.push(`networkShape=${raw}: expected up to ${MAX_LAYERS} layers of 1 to ${MAX_NEURONS} neurons`);
  }
  return shape.slice(0, MAX_LAYERS);
}

function activeCount(state) {
  return FEATURES.filter((f) => state[f.key]).length;
}

/** The data set a state trains on: `dataset` to classify, `regDataset` to regress. */
export function datasetOf(state) {
  return state.problem === "regression" ? state.regDataset : state.dataset;
}
