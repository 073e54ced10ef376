/**
 * The Playground's URL state (web/playground/state.js): a TensorFlow Playground link is read with
 * its parameter names and rules, and written back exactly as the TensorFlow Playground writes it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadState } from "../helpers/web.js";

/**
 * What playground.tensorflow.org writes for its default page with seed 0.80196 (its state.ts
 * serializes every property in its list, in order, leaving out null ones: regularization "none"
 * and tutorial).
 */
const TF_DEFAULT =
  "activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2&seed=0.80196" +
  "&showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false" +
  "&sinY=false&collectStats=false&problem=classification&initZero=false&hideText=false";

describe("web/playground/state.js", async () => {
  const { parseHash, serializeState, seedNumber, defaultState } = await loadState();

  it("reads the TensorFlow Playground's own link and writes it back unchanged", () => {
    const { state, problems } = parseHash(`#${TF_DEFAULT}`);
    assert.deepEqual(problems, []);
    assert.equal(state.activation, "tanh");
    assert.equal(state.dataset, "circle");
    assert.deepEqual(state.networkShape, [4, 2]);
    assert.equal(state.seed, "0.80196");
    assert.equal(state.learningRate, 0.03);
    assert.equal(state.regularization, "none");
    assert.equal(state.optimizer, "sgd");
    assert.equal(serializeState(state), TF_DEFAULT);
  });

  it("round-trips every parameter of the TensorFlow Playground's URL, each set away from its default", () => {
    // The Playground's state.ts list, each with a value its default is not; cosX, cosY, collectStats
    // and tutorial change nothing there (no cos feature is drawn) and are carried as they are here.
    const values: Record<string, [string, unknown]> = {
      activation: ["relu", "relu"],
      regularization: ["L1", "L1"],
      batchSize: ["25", 25],
      dataset: ["spiral", "spiral"],
      regDataset: ["reg-gauss", "reg-gauss"],
      learningRate: ["0.3", 0.3],
      regularizationRate: ["0.1", 0.1],
      noise: ["20", 20],
      networkShape: ["3,1", [3, 1]],
      seed: ["0.51234", "0.51234"],
      showTestData: ["true", true],
      discretize: ["true", true],
      percTrainData: ["80", 80],
      x: ["false", false],
      y: ["false", false],
      xTimesY: ["true", true],
      xSquared: ["true", true],
      ySquared: ["true", true],
      cosX: ["true", true],
      sinX: ["true", true],
      cosY: ["true", true],
      sinY: ["true", true],
      collectStats: ["true", true],
      tutorial: ["dataset-intro", "dataset-intro"],
      problem: ["regression", "regression"],
      initZero: ["true", true],
      hideText: ["true", true],
    };
    const defaults = defaultState();
    for (const [name, [text, value]] of Object.entries(values)) {
      assert.notDeepEqual(defaults[name], value, name);
      // x=false alone would leave no feature: y stays on (it is on by default).
      const hash = name === "x" || name === "y" ? `${name}=${text}&xTimesY=true` : `${name}=${text}`;
      const { state, problems } = parseHash(hash);
      assert.deepEqual(problems, [], name);
      assert.deepEqual(state[name], value, name);
      const written = serializeState(state);
      assert.ok(written.split("&").includes(`${name}=${text}`), `${name}=${text} in ${written}`);
      assert.deepEqual(parseHash(written).state, state, name);
    }
  });

  it("reads a spiral setup: features, shape, rates, the regression set, hidden controls", () => {
    const { state, problems } = parseHash(
      "#activation=relu&regularization=L2&batchSize=25&dataset=spiral&regDataset=reg-gauss&learningRate=0.1&regularizationRate=0.003&noise=35&networkShape=8,8,5" +
        "&seed=0.12345&showTestData=true&discretize=true&percTrainData=70&x=true&y=false&xSquared=true&sinX=true&problem=regression&initZero=true&percTrainData_hide=true&noise_hide=true",
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      { ...state, hidden: [...state.hidden].sort() },
      {
        ...defaultState(),
        activation: "relu",
        regularization: "L2",
        batchSize: 25,
        dataset: "spiral",
        regDataset: "reg-gauss",
        learningRate: 0.1,
        regularizationRate: 0.003,
        noise: 35,
        networkShape: [8, 8, 5],
        seed: "0.12345",
        showTestData: true,
        discretize: true,
        percTrainData: 70,
        y: false,
        xSquared: true,
        sinX: true,
        problem: "regression",
        initZero: true,
        hidden: ["noise", "percTrainData"],
      },
    );
    // Written back and read again: the same state.
    assert.deepEqual(parseHash(serializeState(state)).state, state);
  });

  it("follows the Playground's rules: empty networkShape, booleans true unless 'false', unknown names ignored", () => {
    const { state, problems } = parseHash("networkShape=&showTestData=yes&discretize=false&frobnicate=3&x");
    assert.deepEqual(state.networkShape, []);
    assert.equal(state.showTestData, true);
    assert.equal(state.discretize, false);
    assert.deepEqual(problems, []);
    assert.equal(state.seed, undefined, "no seed: the page draws one");
  });

  it("keeps our parameters out of the URL while they have their defaults, and in it when set", () => {
    const state = { ...defaultState(), seed: "1" };
    assert.doesNotMatch(serializeState(state), /optimizer|loss=|init=|stopAt|backend/);
    const ours = { ...state, optimizer: "adam", loss: "crossEntropy", init: "normal", stopAt: 100, backend: "js", dataset: "xorClusters" };
    const text = serializeState(ours);
    assert.match(text, /&optimizer=adam&loss=crossEntropy&init=normal&stopAt=100&backend=js$/);
    assert.deepEqual(parseHash(text).state, ours);
  });

  it("replaces what cannot work by the default and says what it refused", () => {
    const { state, problems } = parseHash("learningRate=fast&batchSize=0&activation=swish&noise=95&networkShape=3,0,12,2,2,2,2,2&percTrainData=0&x=false&y=false");
    assert.equal(state.learningRate, 0.03);
    assert.equal(state.batchSize, 10);
    assert.equal(state.activation, "tanh");
    assert.equal(state.noise, 0);
    assert.equal(state.percTrainData, 50);
    assert.deepEqual(state.networkShape, [3, 8, 2, 2, 2, 2]);
    assert.equal(state.x && state.y, true);
    for (const name of ["learningRate=fast", "batchSize=0", "activation=swish", "noise=95", "networkShape=", "percTrainData=0", "no input feature"]) {
      assert.ok(
        problems.some((p) => p.includes(name)),
        `${name} in ${problems.join(" | ")}`,
      );
    }
    assert.match(parseHash("problem=regression&loss=crossEntropy").problems.join(), /cross-entropy needs classes/);
  });

  it("turns a seed into the generators' integer: whole numbers stay, other text is hashed", () => {
    assert.equal(seedNumber("42"), 42);
    assert.equal(seedNumber("4294967295"), 4294967295);
    // FNV-1a of "a" (its published test vector 0xe40c292c).
    assert.equal(seedNumber("a"), 0xe40c292c);
    const tf = seedNumber("0.80196");
    assert.ok(Number.isInteger(tf) && tf >= 0 && tf < 2 ** 32);
    assert.notEqual(seedNumber("0.80197"), tf);
    assert.notEqual(seedNumber("4294967296"), 4294967296);
  });
});
