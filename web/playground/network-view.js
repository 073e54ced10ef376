/**
 * The network as the Playground draws it: the input features on the left (click one to turn it on
 * or off), the hidden layers (each neuron a small heat map of its output over the plane; + and −
 * add and remove neurons), the output on the right, and the links between them, coloured and
 * thickened by their weights. Clicking a link edits its weight; Enter (or a double click) on a
 * neuron edits its bias and incoming weights. Hovering or focusing a neuron shows its heat map
 * large in the output (the app's `onFocusNode`).
 */
import { FEATURES } from "./features.js";
import { MAX_NEURONS } from "./state.js";
import { css, linkWidth } from "./colors.js";
import { drawValues } from "./heatmap.js";

const NODE = 36;
const GAP = 14;
const TOP = 44;
const THUMB = 25;
const SVG_NS = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, parent) {
  const e = tag.startsWith("svg:") ? document.createElementNS(SVG_NS, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  parent?.appendChild(e);
  return e;
}

export class NetworkView {
  /**
   * `handlers`: onToggleFeature(key), onNeurons(layer, delta), onFocusNode(id | null),
   * onEdit(entries, anchor) where entries are {label, value, apply(value)}.
   */
  constructor(container, handlers) {
    this.container = container;
    this.handlers = handlers;
    this.links = [];
    this.nodes = new Map();
  }

  /**
   * Lays the network out again: `state` (features on, networkShape) and `outputs` (1, or 2 for
   * the softmax). Called when the structure changes, not per frame.
   */
  render(state, outputs) {
    const c = this.container;
    c.replaceChildren();
    this.inputsDrawn = undefined;
    this.links = [];
    this.nodes = new Map();
    const shape = state.networkShape;
    const columns = shape.length + 2;
    const width = Math.max(c.clientWidth || 560, 320);
    const labelRoom = 64;
    const x = (col) => labelRoom + (col * (width - labelRoom - NODE - 8)) / (columns - 1);
    const y = (i) => TOP + i * (NODE + GAP);
    const rows = Math.max(FEATURES.length, ...shape, outputs);
    const height = y(rows - 1) + NODE + 12;
    c.style.height = `${height}px`;
    const svg = el("svg:svg", { width, height, class: "links", "aria-hidden": "true" }, c);
    this.svg = svg;

    // Columns of node positions: inputs (all features; inactive ones dimmed), hidden layers, output.
    const inputs = FEATURES.map((f, i) => ({ id: f.key, x: x(0), y: y(i), active: Boolean(state[f.key]), feature: f }));
    const layers = shape.map((units, l) => Array.from({ length: units }, (_, i) => ({ id: `${l}-${i}`, layer: l, index: i, x: x(l + 1), y: y(i) })));
    const outputNodes = Array.from({ length: outputs }, (_, i) => ({ id: `out-${i}`, layer: shape.length, index: i, x: x(columns - 1), y: y(i) }));

    // Links first (under the nodes).
    const sources = [inputs.filter((n) => n.active), ...layers];
    [...layers, outputNodes].forEach((dests, l) => {
      const from = sources[l];
      from.forEach((s, si) => {
        dests.forEach((d) => {
          const path = el("svg:path", { class: "link", d: curve(s, d) }, svg);
          const hit = el("svg:path", { class: "link-hover", d: curve(s, d) }, svg);
          const title = el("svg:title", {}, hit);
          const link = { layer: l, from: si, to: d.index, path, title, source: s, dest: d };
          hit.addEventListener("click", (event) => this.editLink(link, event));
          // The tooltip is written when it is about to show, not on every frame.
          hit.addEventListener("mouseenter", () => {
            title.textContent = `${this.linkName(link)}: ${this.weightOf(link).toPrecision(3)} (click to edit)`;
          });
          this.links.push(link);
        });
      });
    });

    // Input features: buttons that turn a feature on or off.
    for (const n of inputs) {
      const node = el("div", { class: `node input ${n.active ? "active" : "inactive"}`, id: `node${n.id}`, style: `left:${n.x}px;top:${n.y}px` }, c);
      const button = el(
        "button",
        { type: "button", class: "canvas", "aria-pressed": String(n.active), "aria-label": `Input feature ${n.feature.label}: ${n.active ? "on" : "off"}`, title: `${n.feature.label}: click to turn ${n.active ? "off" : "on"}` },
        node,
      );
      const canvas = el("canvas", { width: THUMB, height: THUMB, "data-node": n.id }, button);
      el("span", { class: "label", text: n.feature.label }, node);
      button.addEventListener("click", () => this.handlers.onToggleFeature(n.id));
      this.hoverable(button, n.id);
      this.nodes.set(n.id, { canvas, kind: "input", feature: n.feature });
    }

    // Hidden layers with their + / − controls, and the output.
    layers.forEach((nodes, l) => {
      const controls = el("div", { class: "layer-controls", style: `left:${x(l + 1) + NODE / 2}px` }, c);
      const plus = el("button", { type: "button", class: "icon", "aria-label": `Add a neuron to hidden layer ${l + 1}`, title: "Add a neuron", text: "+" }, controls);
      const minus = el("button", { type: "button", class: "icon", "aria-label": `Remove a neuron from hidden layer ${l + 1}`, title: "Remove a neuron", text: "−" }, controls);
      plus.disabled = shape[l] >= MAX_NEURONS;
      minus.disabled = shape[l] <= 1;
      plus.addEventListener("click", () => this.handlers.onNeurons(l, +1));
      minus.addEventListener("click", () => this.handlers.onNeurons(l, -1));
      el("div", { class: "count", text: `${shape[l]} neuron${shape[l] === 1 ? "" : "s"}` }, controls);
      for (const n of nodes) this.neuron(n, `Hidden layer ${l + 1}, neuron ${n.index + 1}`);
    });
    for (const n of outputNodes) this.neuron(n, outputs === 1 ? "Output neuron" : `Output: probability of ${n.index === 0 ? "blue" : "red"}`, true);
    el("div", { class: "column-label", style: `left:${x(0) - labelRoom}px`, text: "Features" }, c);
    el("div", { class: "column-label", style: `left:${x(columns - 1) - 10}px`, text: "Output" }, c);
  }

  neuron(n, label, output = false) {
    const node = el("div", { class: `node neuron${output ? " output-node" : ""}`, id: `node${n.id}`, style: `left:${n.x}px;top:${n.y}px` }, this.container);
    const button = el("button", { type: "button", class: "canvas", "aria-label": `${label}. Enter edits its bias and incoming weights.`, title: `${label} (hover to see it large; Enter or double click to edit its weights)` }, node);
    const canvas = el("canvas", { width: THUMB, height: THUMB, "data-node": n.id }, button);
    const bias = el("div", { class: "bias", title: "bias" }, node);
    this.hoverable(button, n.id);
    const edit = () => this.editNeuron(n, button);
    button.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        edit();
      }
    });
    button.addEventListener("dblclick", edit);
    this.nodes.set(n.id, { canvas, bias, kind: "neuron", layer: n.layer, index: n.index });
  }

  hoverable(target, id) {
    target.addEventListener("mouseenter", () => this.handlers.onFocusNode(id));
    target.addEventListener("mouseleave", () => this.handlers.onFocusNode(null));
    target.addEventListener("focus", () => this.handlers.onFocusNode(id));
    target.addEventListener("blur", () => this.handlers.onFocusNode(null));
  }

  linkName(link) {
    const from = link.source.feature ? link.source.feature.label : `neuron ${link.source.index + 1} of layer ${link.source.layer + 1}`;
    const to = link.dest.id.startsWith("out") ? "the output" : `neuron ${link.dest.index + 1} of layer ${link.dest.layer + 1}`;
    return `Weight from ${from} to ${to}`;
  }

  weightOf(link) {
    const kernel = this.weights?.[link.layer]?.kernel;
    return kernel === undefined ? 0 : kernel.data[link.from * kernel.shape[1] + link.to];
  }

  editLink(link, event) {
    this.handlers.onEdit([{ label: this.linkName(link), value: this.weightOf(link), apply: (v) => this.handlers.onSetWeight(link.layer, link.from, link.to, v) }], { x: event.clientX, y: event.clientY });
  }

  editNeuron(n, anchor) {
    const w = this.weights?.[n.layer];
    if (w === undefined) return;
    const units = w.kernel.shape[1];
    const entries = [{ label: "Bias", value: w.bias.data[n.index], apply: (v) => this.handlers.onSetWeight(n.layer, -1, n.index, v) }];
    for (const link of this.links.filter((k) => k.layer === n.layer && k.to === n.index)) {
      entries.push({ label: this.linkName(link), value: w.kernel.data[link.from * units + n.index], apply: (v) => this.handlers.onSetWeight(link.layer, link.from, link.to, v) });
    }
    const box = anchor.getBoundingClientRect();
    this.handlers.onEdit(entries, { x: box.right, y: box.top });
  }

  /**
   * Per frame: link colours and widths from `weights` (per layer {kernel, bias} Tensors), bias
   * squares, and every node's heat map from `maps` (input features: Float32Array per key; layers:
   * {values, units} per layer, the output last).
   */
  update(weights, maps, { density, discretize, outputMap }) {
    this.weights = weights;
    for (const link of this.links) {
      const w = this.weightOf(link);
      link.path.style.stroke = css(w);
      link.path.style.strokeWidth = `${linkWidth(w)}px`;
    }
    // The input features' maps do not change while training: drawn once per layout (and discretization).
    const drawInputs = this.inputsDrawn !== discretize;
    this.inputsDrawn = discretize;
    for (const [id, node] of this.nodes) {
      if (node.kind === "input") {
        if (!drawInputs) continue;
        const values = maps.inputs.get(id);
        drawValues(node.canvas, values, { density, size: THUMB, discretize, map: maps.inputScale.get(id) });
        continue;
      }
      const layer = maps.layers[node.layer];
      const isOutput = node.layer === maps.layers.length - 1;
      drawValues(node.canvas, layer.values, { density, stride: layer.units, offset: node.index, size: THUMB, discretize, map: isOutput ? outputMap[node.index] : undefined });
      node.bias.style.background = css(weights[node.layer].bias.data[node.index]);
    }
  }
}

/** A horizontal S-curve from the right of node `a` to the left of node `b`. */
function curve(a, b) {
  const x1 = a.x + NODE;
  const y1 = a.y + NODE / 2;
  const x2 = b.x;
  const y2 = b.y + NODE / 2;
  const mx = (x1 + x2) / 2;
  return `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
}

export const NETWORK_GEOMETRY = Object.freeze({ NODE, THUMB });
