/**
 * Graphviz DOT pictures of a graph, drawn the way the tutorial draws them: data flows upwards from
 * placeholders, variables and constants (each with its own shape and colour) through operations;
 * name scopes become boxed clusters, and every edge carries the static shape of the value on it.
 */
import { Constant, Graph, GraphNode, Node, Operation, Placeholder, Variable, getDefaultGraph } from "../graph/index.js";
import { GraphError, ValueError, formatShape, type StaticShape, type Tensor } from "../tensor/index.js";

export interface DotOptions {
  /** Draw only the nodes these fetches need (nodes or node names); by default, the whole graph. */
  fetches?: GraphNode | string | readonly (GraphNode | string)[];
  /** Graphviz's rankdir: "BT" (inputs at the bottom, the tutorial's way, the default), "TB", "LR" or "RL". */
  rankdir?: "BT" | "TB" | "LR" | "RL";
  /** The graph's title, drawn above it. */
  title?: string;
  /**
   * A session that has run: edges are labelled with the shapes its values had (a batch of 100
   * shows as [100, 2] where the static shape says [?, 2]).
   */
  session?: { observedShapes(): ReadonlyMap<GraphNode, readonly number[]> };
  /**
   * Name scopes drawn as one node each, with the edges into and out of them, as TensorBoard draws
   * a collapsed namespace: ["gradients"] keeps what `gradients()` and `minimize` build (the
   * backward ops, SumToShape, BroadcastLike, ...) from crowding the model out of the picture.
   */
  collapse?: readonly string[];
}

interface Style {
  shape: string;
  style: string;
  fill: string;
  border: string;
}

const STYLES = {
  placeholder: { shape: "invhouse", style: "filled", fill: "#dbeafe", border: "#2563eb" },
  variable: { shape: "box", style: "rounded,filled", fill: "#dcfce7", border: "#16a34a" },
  constant: { shape: "box", style: "filled", fill: "#f3f4f6", border: "#9ca3af" },
  operation: { shape: "ellipse", style: "filled", fill: "#ffedd5", border: "#ea580c" },
  update: { shape: "ellipse", style: "filled", fill: "#fce7f3", border: "#db2777" },
  group: { shape: "octagon", style: "dashed,filled", fill: "#ffffff", border: "#6b7280" },
  collapsed: { shape: "box3d", style: "filled", fill: "#ede9fe", border: "#7c3aed" },
} satisfies Record<string, Style>;

/** The graph (or the part of it that `fetches` need) in Graphviz's DOT language. */
export function toDot(graph: Graph = getDefaultGraph(), options: DotOptions = {}): string {
  if (!(graph instanceof Graph)) throw new ValueError(`toDot: expected a Graph, got ${String(graph)}`);
  const rankdir = options.rankdir ?? "BT";
  if (!["BT", "TB", "LR", "RL"].includes(rankdir)) throw new ValueError(`toDot: rankdir must be BT, TB, LR or RL, got ${String(rankdir)}`);
  const fetched = fetchedNodes(graph, options.fetches);
  const nodes = fetched === null ? [...graph.nodes] : neededBy(fetched);
  const shown = new Set(nodes);

  const lines = [
    "digraph G {",
    `  graph [rankdir=${rankdir}, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.4${options.title !== undefined ? `, labelloc=t, label=<<b>${html(options.title)}</b>>` : ""}];`,
    '  node [fontname="Helvetica", fontsize=11, penwidth=1.2];',
    '  edge [fontname="Helvetica", fontsize=9, fontcolor="#4b5563", color="#6b7280", arrowsize=0.7];',
  ];
  if (options.session !== undefined && typeof (options.session as { observedShapes?: unknown }).observedShapes !== "function") {
    throw new ValueError(`toDot: session must be a Session (one that has run), got ${String(options.session)}`);
  }
  const seen = options.session?.observedShapes();
  const collapse = collapsedScopes(options.collapse);
  /** The scope a node is drawn inside of, collapsed, or undefined. */
  const collapsedInto = (n: GraphNode): string | undefined => collapse.find((scope) => n.name.startsWith(`${scope}/`));
  const drawnAs = (n: GraphNode): string => collapsedInto(n) ?? n.name;
  const items: DrawnItem[] = [];
  const members = new Map<string, number>();
  for (const n of nodes) {
    const scope = collapsedInto(n);
    if (scope === undefined) items.push({ name: n.name, attributes: nodeAttributes(n, fetched?.has(n) ?? false) });
    else members.set(scope, (members.get(scope) ?? 0) + 1);
  }
  for (const [scope, count] of members) items.push({ name: scope, attributes: collapsedAttributes(scope, count) });
  lines.push(...clusterLines(items, "  "));
  // One edge per pair of drawn nodes; an edge into or out of a collapsed scope may stand for several.
  const edges = new Map<string, { from: string; to: string; labels: Set<string>; control: boolean }>();
  for (const n of nodes) {
    const to = drawnAs(n);
    const add = (input: GraphNode, label: string | undefined) => {
      const from = drawnAs(input);
      if (!shown.has(input) || from === to) return;
      const key = `${from}\u0000${to}`;
      const edge = edges.get(key) ?? { from, to, labels: new Set<string>(), control: label === undefined };
      if (label !== undefined) {
        edge.labels.add(label);
        edge.control = false;
      }
      edges.set(key, edge);
    };
    n.inputs.forEach((input) => add(input, edgeLabel(input, seen?.get(input))));
    for (const c of n.controlInputs) add(c, undefined);
  }
  for (const { from, to, labels, control } of edges.values()) {
    if (control) lines.push(`  ${id(from)} -> ${id(to)} [style=dashed, color="#9ca3af", arrowhead=odot];`);
    else lines.push(`  ${id(from)} -> ${id(to)} [label="${quoted(edgeText([...labels]))}"];`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

function fetchedNodes(graph: Graph, fetches: DotOptions["fetches"]): Set<GraphNode> | null {
  if (fetches === undefined) return null;
  const list = Array.isArray(fetches) ? fetches : [fetches];
  if (list.length === 0) throw new ValueError("toDot: fetches is empty; leave it out to draw the whole graph");
  return new Set(
    list.map((f: GraphNode | string) => {
      const node = typeof f === "string" ? graph.getNodeByName(f) : f;
      if (!(node instanceof GraphNode)) throw new ValueError(`toDot: fetches must be nodes or node names, got ${String(f)}`);
      if (node.graph !== graph) throw new GraphError(`toDot: ${node} is not an element of the graph being drawn`);
      return node;
    }),
  );
}

/** The fetches and everything they depend on, in creation order (a topological order). */
function neededBy(fetches: Set<GraphNode>): GraphNode[] {
  const seen = new Set<GraphNode>();
  const stack = [...fetches];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...n.inputs, ...n.controlInputs);
  }
  return [...seen].sort((a, b) => a.id - b.id);
}

interface DrawnItem {
  /** A node's name, or a collapsed scope's. */
  name: string;
  attributes: string;
}

interface Scope {
  items: DrawnItem[];
  children: Map<string, Scope>;
}

/** Items nested in clusters by the scopes in their names ("layer1/MatMul" sits in "layer1"). */
function clusterLines(items: readonly DrawnItem[], indent: string): string[] {
  const root: Scope = { items: [], children: new Map() };
  for (const item of items) {
    const parts = item.name.split("/");
    let scope = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const path = parts.slice(0, i + 1).join("/");
      let child = scope.children.get(path);
      if (child === undefined) scope.children.set(path, (child = { items: [], children: new Map() }));
      scope = child;
    }
    scope.items.push(item);
  }
  const out: string[] = [];
  const emit = (scope: Scope, pad: string): void => {
    for (const item of scope.items) out.push(`${pad}${id(item.name)} [${item.attributes}];`);
    for (const [path, child] of scope.children) {
      out.push(`${pad}subgraph ${id(`cluster_${path}`)} {`);
      out.push(`${pad}  label=<${html(path.slice(path.lastIndexOf("/") + 1))}>; style="rounded,filled"; color="#d1d5db"; fillcolor="#f9fafb"; fontsize=10;`);
      emit(child, `${pad}  `);
      out.push(`${pad}}`);
    }
  };
  emit(root, indent);
  return out;
}

function collapsedScopes(collapse: readonly string[] | undefined): string[] {
  if (collapse === undefined) return [];
  if (!Array.isArray(collapse) || !collapse.every((c) => typeof c === "string" && c.length > 0 && !c.endsWith("/"))) {
    throw new ValueError(`toDot: collapse must be an array of name scopes such as ["gradients"], got ${JSON.stringify(collapse)}`);
  }
  // The longest first, so that "a/b" is found before "a".
  return [...collapse].sort((a, b) => b.length - a.length);
}

/** A collapsed scope: one box standing for its nodes, as TensorBoard draws a closed namespace. */
function collapsedAttributes(scope: string, count: number): string {
  const local = scope.slice(scope.lastIndexOf("/") + 1);
  return [
    `label=<<b>${html(local)}</b><br/><font point-size="8">${count} node${count === 1 ? "" : "s"}</font>>`,
    "shape=box3d",
    'style="filled"',
    `fillcolor="${STYLES.collapsed.fill}"`,
    `color="${STYLES.collapsed.border}"`,
    `tooltip="${quoted(`${scope}/ (${count} nodes, collapsed)`)}"`,
  ].join(", ");
}

function nodeAttributes(n: GraphNode, fetched: boolean): string {
  const s = styleOf(n);
  const local = n.name.slice(n.name.lastIndexOf("/") + 1);
  const detail = detailOf(n, local);
  const label = detail === "" ? `<b>${html(local)}</b>` : `<b>${html(local)}</b><br/><font point-size="8">${html(detail)}</font>`;
  const shape = n instanceof Node ? ` ${n.dtype} ${shapeText(n.shape)}` : "";
  const tooltip = `${n.name} (${n.type})${shape}`;
  return [
    `label=<${label}>`,
    `shape=${s.shape}`,
    `style="${s.style}"`,
    `fillcolor="${s.fill}"`,
    `color="${s.border}"`,
    `tooltip="${quoted(tooltip)}"`,
    ...(fetched ? ["penwidth=2.4"] : []),
  ].join(", ");
}

function styleOf(n: GraphNode): Style {
  if (n instanceof Placeholder) return STYLES.placeholder;
  if (n instanceof Variable) return STYLES.variable;
  if (n instanceof Constant) return STYLES.constant;
  if (n instanceof Operation) return n.def.writesVariable !== undefined ? STYLES.update : STYLES.operation;
  return STYLES.group;
}

/** The second line of a label: what kind of node, or a constant's value when it is short. */
function detailOf(n: GraphNode, local: string): string {
  if (n instanceof Constant) return n.value.size <= 4 ? formatValue(n.value) : `Const ${formatShape(n.value.shape)}`;
  if (n instanceof Placeholder) return `placeholder ${shapeText(n.shape)}`;
  if (n instanceof Variable) return `Variable ${shapeText(n.shape)}`;
  // "MatMul_1" is a MatMul: saying so again adds nothing.
  return local.replace(/_\d+$/, "") === n.type ? "" : n.type;
}

function formatValue(t: Tensor): string {
  const values = Array.from(t.data, (v) => (t.dtype === "bool" ? String(v !== 0) : String(Number(v.toPrecision(4)))));
  return t.shape.length === 0 ? values[0]! : `[${values.join(", ")}]`;
}

/** What flows along an edge out of `n`: its shape as seen in a run if given, else its static shape. */
function edgeLabel(n: Node, seen: readonly number[] | undefined): string {
  const shape = seen !== undefined ? formatShape(seen) : shapeText(n.shape);
  return n.dtype === "float32" ? shape : `${n.dtype} ${shape}`;
}

/** Labels of the values an edge stands for: at most three, then how many more. */
function edgeText(labels: readonly string[]): string {
  return labels.length <= 3 ? labels.join(", ") : `${labels.slice(0, 3).join(", ")}, +${labels.length - 3}`;
}

/** A static shape, "?" when even the rank is unknown. */
function shapeText(shape: StaticShape): string {
  return shape === null ? "?" : formatShape(shape);
}

/** A quoted DOT identifier. Node names are free text (quotes, backslashes, control characters). */
function id(name: string): string {
  return `"${quoted(name)}"`;
}

function quoted(text: string): string {
  return visible(text).replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

/** Text for an HTML-like label: XML-escaped. */
function html(text: string): string {
  return visible(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Control characters cannot appear in the SVG that Graphviz makes (XML forbids them): spell them out. */
function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
