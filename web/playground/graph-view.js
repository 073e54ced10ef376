/**
 * The computational graph beside the network: the graph the Trainer built, drawn by the library
 * (`ts.io.toDot` laid out by Graphviz through `ts.viz.graphSvg`), with what training does to it
 * written over the picture: under every node its value now (a number, a small matrix's entries,
 * or a shape and size), and on every edge the size of the gradient of the loss with respect to the
 * value it carries (the edge thickens with it).
 */
import * as ts from "tensorslow";

const SVG_NS = "http://www.w3.org/2000/svg";

/** The root-mean-square of a tensor's values. */
export function rms(t) {
  let s = 0;
  for (let i = 0; i < t.size; i++) s += t.data[i] * t.data[i];
  return Math.sqrt(s / Math.max(1, t.size));
}

/** A short text for a value: a scalar, a few numbers, or its shape with its RMS. */
export function describeValue(t) {
  const n = (v) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : Number(v.toPrecision(3)).toString());
  if (t.shape.length === 0) return n(t.data[0]);
  if (t.size <= 3) return `[${Array.from(t.data, n).join(", ")}]`;
  return `${t.shape.join("×")} · rms ${n(rms(t))}`;
}

/**
 * Whether running `node` would change a variable: it is an update (an optimizer's, the L1 step's)
 * or its value needs one (momentum's step needs the updated accumulator), so fetching it would
 * train. `memo` (node → answer) may be shared between calls on one graph.
 */
export function runsUpdate(node, memo = new Map()) {
  let answer = memo.get(node);
  if (answer === undefined) {
    answer = (node instanceof ts.Operation && node.def.writesVariable !== undefined) || [...node.inputs, ...node.controlInputs].some((n) => runsUpdate(n, memo));
    memo.set(node, answer);
  }
  return answer;
}

export class GraphView {
  constructor(container) {
    this.container = container;
    this.overlays = new Map();
    this.edges = [];
    this.drawn = 0;
  }

  /**
   * Draws the graph of `net` (the part its training step needs, or only the forward part and the
   * loss when `withGradients` is false) and returns the graph's nodes that have a value to show.
   */
  async render(net, withGradients, onSelect) {
    const fetches = withGradients ? [net.train] : [net.objective];
    const svgText = await ts.viz.graphSvg(ts.io.toDot(net.graph, { fetches, rankdir: "LR" }));
    this.container.innerHTML = svgText;
    const svg = this.container.querySelector("svg");
    // Graphviz sizes the picture in points, drawn one pixel each: legible, and the panel scrolls.
    const [, , w, h] = (svg.getAttribute("viewBox") ?? "0 0 800 600").split(/\s+/).map(Number);
    svg.setAttribute("width", String(Math.round(w)));
    svg.setAttribute("height", String(Math.round(h)));
    svg.classList.add("tensor-graph");
    const byName = new Map(net.graph.nodes.map((n) => [n.name, n]));
    this.overlays = new Map();
    this.edges = [];
    for (const g of svg.querySelectorAll("g.node")) {
      const node = byName.get(g.querySelector("title")?.textContent ?? "");
      if (node === undefined) continue;
      const box = g.getBBox();
      const text = document.createElementNS(SVG_NS, "text");
      text.setAttribute("x", String(box.x + box.width / 2));
      text.setAttribute("y", String(box.y + box.height + 9));
      text.setAttribute("class", "node-value");
      text.setAttribute("text-anchor", "middle");
      g.appendChild(text);
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.setAttribute("aria-label", `${node.name} (${node.type})`);
      const select = () => onSelect(node);
      g.addEventListener("click", select);
      g.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          select();
        }
      });
      this.overlays.set(node, text);
    }
    for (const g of svg.querySelectorAll("g.edge")) {
      const [from, to] = (g.querySelector("title")?.textContent ?? "").split("->");
      const source = byName.get(from);
      if (source === undefined || byName.get(to) === undefined) continue;
      const label = g.querySelector("text");
      this.edges.push({ source, path: g.querySelector("path"), label, shape: label?.textContent ?? "" });
    }
    this.drawn++;
    const memo = new Map();
    return [...this.overlays.keys()].filter((n) => n instanceof ts.Node && !runsUpdate(n, memo));
  }

  /**
   * Runs `nodes` (what `render` returned) and the loss's gradients on `trainer`'s training points,
   * in one run, and writes them over the picture.
   */
  refresh(trainer, nodes) {
    const grads = [...trainer.net.gradientOf.entries()].filter(([, g]) => g !== null);
    const fetch = [...new Set([...nodes, ...grads.map(([, g]) => g)])];
    const values = trainer.session.run(fetch, trainer.trainFeed);
    const byNode = new Map(fetch.map((n, i) => [n, values[i]]));
    this.update(byNode, new Map(grads.map(([n, g]) => [n, byNode.get(g)])));
  }

  /** Writes `values` (node → Tensor) under the nodes, and the gradients (node → Tensor, dJ/dnode) on the edges. */
  update(values, gradients) {
    for (const [node, text] of this.overlays) {
      const v = values.get(node);
      text.textContent = v === undefined ? "" : describeValue(v);
    }
    let largest = 0;
    const sizes = this.edges.map((e) => {
      const g = gradients.get(e.source);
      const size = g === undefined ? null : rms(g);
      if (size !== null) largest = Math.max(largest, size);
      return size;
    });
    this.edges.forEach((e, i) => {
      const size = sizes[i];
      if (size === null) {
        e.path?.classList.remove("has-gradient");
        if (e.path) e.path.style.strokeWidth = "";
        return;
      }
      // Width from the gradient's size relative to the largest, on a log scale (6 decades).
      const relative = largest > 0 && size > 0 ? Math.max(0, 1 + Math.log10(size / largest) / 6) : 0;
      e.path?.classList.add("has-gradient");
      if (e.path) e.path.style.strokeWidth = `${0.8 + 4 * relative}px`;
      if (e.label) e.label.textContent = `${e.shape}  ∇${size.toExponential(1)}`;
    });
  }
}
