/**
 * The TensorSlow Playground page: the controls, the URL, the animation loop and the views. The
 * network itself is built and trained by playground/model.js (TensorSlow's graph, Session.run);
 * this file decides when, and draws what comes out.
 *
 * `window.playground` exposes what the browser tests read: the state, the epoch, the losses per
 * epoch, frame and heat-map counts, and any error.
 */
import * as ts from "tensorslow";
import { FEATURES, activeFeatures, featureMatrix, gridPoints } from "./playground/features.js";
import {
  ACTIVATIONS,
  LEARNING_RATES,
  MAX_LAYERS,
  OPTIMIZERS,
  PROBLEMS,
  REGULARIZATIONS,
  REGULARIZATION_RATES,
  parseHash,
  randomSeed,
  serializeState,
} from "./playground/state.js";
import { Trainer, buildProblem, domainOf, makeData } from "./playground/model.js";
import { programFor } from "./playground/code.js";
import { PRESETS, presetState } from "./playground/presets.js";
import { NetworkView } from "./playground/network-view.js";
import { GraphView } from "./playground/graph-view.js";
import { inspectNode } from "./playground/node-inspector.js";
import { WeightEditor } from "./playground/editor.js";
import { drawPoints, drawValues } from "./playground/heatmap.js";
import { drawLossChart } from "./playground/chart.js";
import { highlight } from "./playground/highlight.js";
import { renderDatasetList } from "./playground/dataset-list.js";

/** The heat maps' resolution: density × density points of the plane per frame (the Playground's 100). */
const DENSITY = 100;
/** How long a frame trains at least before it draws, in milliseconds. */
const TRAIN_BUDGET_MS = 12;
/** The backend the page uses unless the URL names one: for these small operands the JS kernels measure as fast as wasm's, within the machine's noise (scripts/playground-speed.mjs). */
const DEFAULT_BACKEND = "js";

const $ = (id) => document.getElementById(id);

const app = {
  ready: false,
  error: undefined,
  state: undefined,
  problems: [],
  epoch: 0,
  history: [],
  playing: false,
  frames: 0,
  heatmapRuns: 0,
  graphsDrawn: 0,
  playStartedAt: undefined,
  downloads: [],
  trainer: undefined,
  /** Milliseconds spent while playing: training (epochs and their losses), the heat maps' run, drawing, the graph panel's run. */
  timing: { train: 0, heatmaps: 0, draw: 0, graph: 0 },
};
window.playground = app;

let state;
let data;
let trainer;
let grid;
let inputMaps;
let focusId = null;
let frameRequested = false;
let graphNodes = [];
let graphVisible = true;
let graphPending;

const network = new NetworkView($("network"), {
  onToggleFeature: (key) => {
    if (state[key] && activeFeatures(state).length === 1) return say("At least one input feature must stay on.");
    change({ [key]: !state[key] }, "reset");
  },
  onNeurons: (layer, delta) => {
    const shape = [...state.networkShape];
    shape[layer] = Math.max(1, Math.min(8, shape[layer] + delta));
    change({ networkShape: shape }, "reset");
  },
  onFocusNode: (id) => {
    focusId = id;
    drawMain();
  },
  onEdit: (entries, at) => editor.open(entries, at),
  onSetWeight: (layer, from, to, value) =>
    guard("Setting a weight", () => {
      trainer.setWeight(layer, from, to, value);
      render();
    }),
});
const graphView = new GraphView($("graph"));
const hovercard = document.createElement("div");
hovercard.id = "hovercard";
document.body.appendChild(hovercard);
const editor = new WeightEditor(hovercard);

function say(message, isError = false) {
  $("status").textContent = message;
  $("status").classList.toggle("error", isError);
}

function guard(what, fn) {
  try {
    return fn();
  } catch (e) {
    fail(what, e);
  }
}

function fail(what, e) {
  app.error = String(e?.stack ?? e);
  say(`${what} failed: ${e?.message ?? e}`, true);
  console.error(e);
}

// ---- State and URL ----

/** Applies a change of state: "data" makes new points and resets, "reset" rebuilds the network, "retune" keeps the weights, "view" only redraws. */
function change(patch, how) {
  guard("Changing the settings", () => {
    state = { ...state, ...patch };
    app.state = state;
    writeHash();
    syncControls();
    showCode();
    if (how === "data") newData();
    if (how === "data" || how === "reset") reset();
    else if (how === "retune") retune();
    else render();
  });
}

function writeHash() {
  const hash = serializeState(state);
  if (location.hash.slice(1) !== hash) history.replaceState(null, "", `#${hash}`);
}

function loadHash() {
  const parsed = parseHash(location.hash);
  state = parsed.state;
  app.problems = parsed.problems;
  if (state.seed === undefined) state.seed = randomSeed();
  const problem = buildProblem(state);
  if (problem !== null) {
    app.problems.push(problem);
    state.init = "normal";
  }
  app.state = state;
  useBackend();
  writeHash();
  syncControls();
  showCode();
  newData();
  reset();
  say(app.problems.length > 0 ? `Some of the URL was not used: ${app.problems.join("; ")}.` : "");
}

function useBackend() {
  const wanted = state.backend ?? DEFAULT_BACKEND;
  const available = ts.listBackends();
  const name = available.includes(wanted) ? wanted : ts.getBackend();
  if (!available.includes(wanted)) app.problems.push(`backend=${wanted}: not available here (${available.join(", ")})`);
  ts.setBackend(name);
  $("backend-select").value = name;
  const wasm = name === "wasm" && ts.wasmBackend !== undefined ? `, ${ts.wasmBackend.sharedMemory ? "shared memory" : "memory not shared"}` : "";
  $("backend").textContent = `${name}${wasm}`;
  $("isolated").textContent = crossOriginIsolated ? "· cross-origin isolated" : "· not cross-origin isolated";
}

// ---- Data, network, training ----

function newData() {
  data = makeData(state);
  drawThumbnails();
}

/** Builds the network anew (new weights from the seed), at epoch 0, paused. */
function reset() {
  pause();
  trainer?.close();
  trainer = new Trainer(state, data);
  app.trainer = trainer;
  app.epoch = 0;
  app.history = [trainer.losses()];
  const features = activeFeatures(state);
  const domain = domainOf(state);
  const points = gridPoints(DENSITY, domain);
  grid = new ts.Tensor([points.length, features.length], "float32", featureMatrix(points, features));
  inputMaps = { inputs: new Map(), inputScale: new Map() };
  for (const f of FEATURES) {
    const values = Float32Array.from(points, (p) => f.f(p.x, p.y));
    let max = 0;
    for (const v of values) max = Math.max(max, Math.abs(v));
    inputMaps.inputs.set(f.key, values);
    inputMaps.inputScale.set(f.key, (v) => v / (max || 1));
  }
  network.render(state, trainer.net.crossEntropy ? 2 : 1);
  $("heatmap").querySelector(".x-label").textContent = `x₁, x₂ from ${domain[0]} to ${domain[1]}`;
  drawGraph();
  render();
  announce("New network at");
  if (trainer.firstEpoch.length === 0) {
    say(`A batch of ${state.batchSize} is more than the ${data.train.length} training points: no update ever happens (as in the TensorFlow Playground). Lower the batch size.`);
  }
}

function retune() {
  trainer.retune({ learningRate: state.learningRate, optimizer: state.optimizer });
  drawGraph();
  render();
}

function stopAt() {
  return state.stopAt > 0 && app.epoch >= state.stopAt;
}

function trainEpoch() {
  trainer.step();
  app.epoch = trainer.epoch;
  app.history.push(trainer.losses());
}

function frame() {
  frameRequested = false;
  if (!app.playing) return;
  guard("Training", () => {
    const started = performance.now();
    const fast = $("speed").value === "auto";
    // Train at least as long as the last frame took to draw, so that drawing never takes most of the time.
    const budget = Math.max(TRAIN_BUDGET_MS, Math.min(100, lastDrawMs));
    do trainEpoch();
    while (fast && performance.now() - started < budget && !stopAt());
    app.timing.train += performance.now() - started;
    const drawStart = performance.now();
    render(app.timing);
    lastDrawMs = performance.now() - drawStart;
    app.frames++;
    if (stopAt()) {
      pause();
      say(`Stopped at epoch ${app.epoch}, where the tutorial stops.`);
    } else requestFrame();
  });
}

function requestFrame() {
  if (!frameRequested) {
    frameRequested = true;
    requestAnimationFrame(frame);
  }
}

function play() {
  if (app.playing) return;
  if (stopAt()) return say(`Epoch ${app.epoch} is where this preset stops; reset to train again.`);
  app.playing = true;
  app.playStartedAt = performance.now();
  app.playStartEpoch = app.epoch;
  const button = $("play-pause-button");
  button.classList.add("playing");
  button.setAttribute("aria-pressed", "true");
  button.setAttribute("aria-label", "Pause");
  requestFrame();
}

/** Tells a screen reader where training stands (the counters themselves change too often to be read out). */
function announce(what) {
  const last = app.history[app.history.length - 1];
  const fmt = (v) => (Number.isFinite(v) ? v.toFixed(3) : "none");
  $("announce").textContent = `${what} epoch ${app.epoch}: training loss ${fmt(last.train)}, test loss ${fmt(last.test)}.`;
}

function pause() {
  if (app.playing) announce("Paused at");
  app.playing = false;
  const button = $("play-pause-button");
  button.classList.remove("playing");
  button.setAttribute("aria-pressed", "false");
  button.setAttribute("aria-label", "Run");
}

// ---- Drawing ----

let snapshot;
let pointsDrawn;
let lastDrawMs = 0;
let lastGraphUpdate = 0;
/** While playing, the graph panel's values are refreshed at most this often (its run and its text are not free). */
const GRAPH_EVERY_MS = 250;

/** One frame's picture: every neuron's heat map from one run over the grid, the links, the numbers. */
function render(timing) {
  let t = performance.now();
  const lap = (key) => {
    const now = performance.now();
    if (timing !== undefined) timing[key] += now - t;
    t = now;
  };
  snapshot = trainer.snapshot(grid);
  app.heatmapRuns++;
  lap("heatmaps");
  network.update(snapshot.weights, { ...inputMaps, layers: snapshot.layers.map((t) => ({ values: t.data, units: t.shape[1] })) }, { density: DENSITY, discretize: state.discretize, outputMap: outputMaps() });
  drawMain();
  const last = app.history[app.history.length - 1];
  const fmt = (v) => (Number.isFinite(v) ? v.toFixed(3) : "—");
  $("loss-train").textContent = fmt(last.train);
  $("loss-test").textContent = fmt(last.test);
  $("iter-number").textContent = String(app.epoch).padStart(6, "0").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  drawLossChart($("linechart"), app.history);
  lap("draw");
  if (graphVisible && graphNodes.length > 0 && (!app.playing || performance.now() - lastGraphUpdate >= GRAPH_EVERY_MS)) {
    inspectGraph();
    lastGraphUpdate = performance.now();
  }
  lap("graph");
}

/** The output's heat map over [−1, 1]: the tanh or linear output as it is; the softmax as P(blue) − P(red). */
function outputMaps() {
  return trainer.net.crossEntropy ? [(p) => 2 * p - 1, (p) => 1 - 2 * p] : [undefined];
}

function drawMain() {
  if (snapshot === undefined) return;
  const background = $("heatmap").querySelector(".background");
  const layers = snapshot.layers;
  const out = layers[layers.length - 1];
  let values = out.data;
  let stride = out.shape[1];
  let offset = 0;
  let map = outputMaps()[0];
  let caption = "The output over the plane";
  if (focusId !== null && inputMaps.inputs.has(focusId)) {
    values = inputMaps.inputs.get(focusId);
    stride = 1;
    map = inputMaps.inputScale.get(focusId);
    caption = `Input feature ${FEATURES.find((f) => f.key === focusId).label} over the plane`;
  } else if (focusId !== null) {
    const [l, i] = focusId.startsWith("out-") ? [layers.length - 1, Number(focusId.slice(4))] : focusId.split("-").map(Number);
    values = layers[l].data;
    stride = layers[l].shape[1];
    offset = i;
    map = l === layers.length - 1 ? outputMaps()[i] : undefined;
    caption = l === layers.length - 1 ? "The output over the plane" : `Neuron ${i + 1} of hidden layer ${l + 1} over the plane`;
  }
  drawValues(background, values, { density: DENSITY, stride, offset, discretize: state.discretize, map });
  // The points change only with the data, the test-data box or the size: drawn again only then.
  const pointsCanvas = $("heatmap").querySelector(".points");
  const pointsKey = [data, state.showTestData, pointsCanvas.clientWidth, globalThis.devicePixelRatio];
  if (pointsDrawn === undefined || pointsKey.some((v, i) => v !== pointsDrawn[i])) {
    drawPoints(pointsCanvas, domainOf(state), data.train, state.showTestData ? data.test : []);
    pointsDrawn = pointsKey;
  }
  $("heatmap-caption").textContent = `${caption}; points: training (white ring)${state.showTestData ? ", test (black ring)" : ""}.`;
}

function drawThumbnails() {
  renderDatasetList(document.querySelector(".dataset-list"), state, (patch) => change(patch, "data"));
}

// ---- The graph panel ----

async function drawGraph() {
  const net = trainer.net;
  graphNodes = [];
  const drawing = (graphPending = graphView.render(net, $("graph-gradients").checked, showNode));
  try {
    const nodes = await drawing;
    if (graphPending !== drawing || trainer.net !== net) return;
    graphNodes = nodes;
    app.graphsDrawn++;
    $("node-inspector").replaceChildren();
    inspectGraph();
  } catch (e) {
    if (graphPending === drawing) fail("Drawing the graph", e);
  }
}

/** Every drawn node's value on the training points, and the loss's gradients, in one run. */
function inspectGraph() {
  graphView.refresh(trainer, graphNodes);
}

function showNode(node) {
  guard("Inspecting a node", () => inspectNode($("node-inspector"), node, { trainer, grid, density: DENSITY }));
}

// ---- Code and downloads ----

function showCode() {
  $("code").querySelector("code").innerHTML = highlight(programFor(state, serializeState(state)));
}

function download(name, bytes, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  app.downloads.push({ name, bytes: bytes.length ?? bytes.byteLength });
  say(`Saved ${name} (${bytes.length ?? bytes.byteLength} bytes).`);
}

// ---- Controls ----

function fillSelect(select, values, current) {
  const list = values.includes(current) ? values : [...values, current].sort((a, b) => a - b);
  select.replaceChildren(...list.map((v) => new Option(String(v), String(v))));
  select.value = String(current);
}

function syncControls() {
  fillSelect($("learningRate"), LEARNING_RATES, state.learningRate);
  fillSelect($("regularRate"), REGULARIZATION_RATES, state.regularizationRate);
  $("optimizer").value = state.optimizer;
  $("activations").value = state.activation;
  $("regularizations").value = state.regularization;
  $("problem").value = state.problem;
  for (const [id, max] of [
    ["percTrainData", 90],
    ["noise", 50],
    ["batchSize", 30],
  ]) {
    const input = $(id);
    input.max = String(Math.max(max, state[id]));
    input.value = String(state[id]);
    document.querySelector(`label[for='${id}'] .value`).textContent = String(state[id]);
  }
  $("show-test-data").checked = state.showTestData;
  $("discretize").checked = state.discretize;
  $("num-layers").textContent = String(state.networkShape.length);
  $("layers-label").textContent = state.networkShape.length === 1 ? "hidden layer" : "hidden layers";
  $("add-layers").disabled = state.networkShape.length >= MAX_LAYERS;
  $("remove-layers").disabled = state.networkShape.length === 0;
  document.body.classList.toggle("hide-text", state.hideText);
  for (const el of document.querySelectorAll("[data-hidden-by-url]")) el.removeAttribute("data-hidden-by-url");
  for (const name of state.hidden) for (const el of document.querySelectorAll(`.ui-${name}`)) el.setAttribute("data-hidden-by-url", "");
  for (const b of document.querySelectorAll("[data-preset]")) {
    const preset = presetState(b.dataset.preset);
    const same = ["dataset", "init", "seed", "learningRate", "loss", "stopAt"].every((k) => preset[k] === state[k]) && preset.networkShape.join() === state.networkShape.join();
    b.setAttribute("aria-pressed", String(same));
  }
}

/** The menus' entries: the values state.js accepts, with the words the page shows. */
const MENUS = {
  optimizer: [OPTIMIZERS, { sgd: "Gradient descent", momentum: "Momentum", adam: "Adam", rmsprop: "RMSProp" }],
  activations: [ACTIVATIONS, { relu: "ReLU", tanh: "Tanh", sigmoid: "Sigmoid", linear: "Linear" }],
  regularizations: [REGULARIZATIONS, { none: "None", L1: "L1", L2: "L2" }],
  problem: [PROBLEMS, { classification: "Classification", regression: "Regression" }],
};

function bindControls() {
  for (const [id, [values, words]] of Object.entries(MENUS)) $(id).replaceChildren(...values.map((v) => new Option(words[v], v)));
  $("play-pause-button").addEventListener("click", () => (app.playing ? pause() : play()));
  $("next-step-button").addEventListener("click", () =>
    guard("Training", () => {
      pause();
      trainEpoch();
      render();
      announce("Trained to");
    }),
  );
  $("reset-button").addEventListener("click", () => guard("Resetting", reset));
  $("data-regen-button").addEventListener("click", () => change({ seed: randomSeed() }, "data"));
  $("learningRate").addEventListener("change", (e) => change({ learningRate: Number(e.target.value) }, "retune"));
  $("optimizer").addEventListener("change", (e) => change({ optimizer: e.target.value }, "retune"));
  $("activations").addEventListener("change", (e) => change({ activation: e.target.value }, "reset"));
  $("regularizations").addEventListener("change", (e) => change({ regularization: e.target.value }, "reset"));
  $("regularRate").addEventListener("change", (e) => change({ regularizationRate: Number(e.target.value) }, "reset"));
  $("problem").addEventListener("change", (e) => {
    const problem = e.target.value;
    change({ problem, loss: problem === "regression" ? "square" : state.loss }, "data");
  });
  $("percTrainData").addEventListener("input", (e) => change({ percTrainData: Number(e.target.value) }, "data"));
  $("noise").addEventListener("input", (e) => change({ noise: Number(e.target.value) }, "data"));
  $("batchSize").addEventListener("input", (e) => change({ batchSize: Number(e.target.value) }, "reset"));
  $("show-test-data").addEventListener("change", (e) => change({ showTestData: e.target.checked }, "view"));
  $("discretize").addEventListener("change", (e) => change({ discretize: e.target.checked }, "view"));
  $("add-layers").addEventListener("click", () => {
    if (state.networkShape.length < MAX_LAYERS) change({ networkShape: [...state.networkShape, 2] }, "reset");
  });
  $("remove-layers").addEventListener("click", () => {
    if (state.networkShape.length > 0) change({ networkShape: state.networkShape.slice(0, -1) }, "reset");
  });
  $("graph-gradients").addEventListener("change", () => drawGraph());
  $("backend-select").addEventListener("change", (e) =>
    guard("Changing the backend", () => {
      state = { ...state, backend: e.target.value };
      useBackend();
      writeHash();
      reset();
    }),
  );
  for (const b of document.querySelectorAll("[data-preset]")) {
    b.addEventListener("click", () => {
      const id = b.dataset.preset;
      change({ ...presetState(id), backend: state.backend }, "data");
      say(`${PRESETS[id].title}: ${PRESETS[id].text}`);
    });
  }
  $("copy-code").addEventListener("click", async () => {
    const text = programFor(state, serializeState(state));
    try {
      await navigator.clipboard.writeText(text);
      say("The code is on the clipboard.");
    } catch {
      const range = document.createRange();
      range.selectNodeContents($("code"));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      say("Copying was refused here: the code is selected, press Ctrl+C (⌘C).");
    }
  });
  $("download-code").addEventListener("click", () => download("playground.ts", new TextEncoder().encode(programFor(state, serializeState(state))), "text/plain"));
  $("download-checkpoint").addEventListener("click", () =>
    guard("Saving the checkpoint", () => download("playground.safetensors", new ts.train.Saver(trainer.net.variables).toBytes(trainer.session), "application/octet-stream")),
  );
  $("download-onnx").addEventListener("click", async () => {
    try {
      const model = await ts.io.exportOnnx(trainer.session, { inputs: [trainer.net.x], outputs: [trainer.net.output] });
      download("playground.onnx", model.bytes, "application/octet-stream");
    } catch (e) {
      fail("Exporting to ONNX", e);
    }
  });
  window.addEventListener("hashchange", () => guard("Reading the URL", loadHash));
  window.addEventListener("resize", () => {
    network.render(state, trainer.net.crossEntropy ? 2 : 1);
    render();
  });
  document.addEventListener("keydown", (event) => {
    const tag = event.target.tagName;
    if (event.ctrlKey || event.metaKey || event.altKey || ["INPUT", "SELECT", "TEXTAREA"].includes(tag)) return;
    if (event.key === " " && tag !== "BUTTON") {
      event.preventDefault();
      $("play-pause-button").click();
    } else if (event.key === "s") $("next-step-button").click();
    else if (event.key === "r") $("reset-button").click();
  });
  new IntersectionObserver((entries) => {
    graphVisible = entries.some((e) => e.isIntersecting);
    if (graphVisible && graphNodes.length > 0 && !app.playing) inspectGraph();
  }).observe($("graph"));
  for (const name of ts.listBackends()) $("backend-select").add(new Option(name, name));
}

guard("Starting the playground", () => {
  bindControls();
  loadHash();
  app.ready = true;
});
