/**
 * TF1's summary ops: `scalar`, `histogram`, `merge`, `mergeAll`. A summary here is a fetch
 * structure, `{ scalars: { tag: node }, histograms: { tag: node } }`: `session.run` gives back the
 * same structure with the nodes' values, which `FileWriter.addSummary` turns into TensorBoard's
 * Summary (TensorFlow runs summary ops that serialize a Summary proto into a string tensor; this
 * library has no string tensors, so the writer serializes). Tags are the names given, under the
 * current name scope, made unique within the graph as TensorFlow's op names are.
 */
import { getDefaultGraph, Graph, Node } from "../graph/index.js";
import { ShapeError, TensorSlowError, check, is, signature, type Tensor } from "../tensor/index.js";

/** Summaries to fetch: `session.run(summary)` gives its `SummaryValues`. */
export type SummaryFetches = {
  readonly scalars: Readonly<Record<string, Node>>;
  readonly histograms: Readonly<Record<string, Node>>;
};

/** What `session.run` gives for a `SummaryFetches`; what `FileWriter.addSummary` takes. */
export type SummaryValues = {
  readonly scalars: Readonly<Record<string, Tensor>>;
  readonly histograms: Readonly<Record<string, Tensor>>;
};

/** The summaries made in each graph, in order (TF1's SUMMARIES collection). */
const collected = new WeakMap<Graph, SummaryFetches[]>();
const tagsUsed = new WeakMap<Graph, Set<string>>();

function uniqueTag(graph: Graph, name: string): string {
  let used = tagsUsed.get(graph);
  if (used === undefined) tagsUsed.set(graph, (used = new Set()));
  const base = graph.currentScope + name;
  let tag = base;
  for (let i = 1; used.has(tag); i++) tag = `${base}_${i}`;
  used.add(tag);
  return tag;
}

const isNode = check<Node>("a graph node with a value", (v) => v instanceof Node);
const COLLECTIONS = check<string[]>("an array of collection names", (v) => Array.isArray(v) && v.every((c) => typeof c === "string"));
const SUMMARY_ARGS = [
  { name: "name", check: is.string },
  { name: "tensor", check: isNode, aliases: ["values"] },
  // TF1's collections and family are accepted by name for ported code; only the default collection exists here.
  { name: "collections", check: is.optional(COLLECTIONS), keywordOnly: true },
] as const;
const SCALAR = signature<{ name: string; tensor: Node; collections?: string[] }>("summary.scalar", SUMMARY_ARGS);
const HISTOGRAM = signature<{ name: string; tensor: Node; collections?: string[] }>("summary.histogram", SUMMARY_ARGS);

function add(graph: Graph, summary: SummaryFetches, collections: readonly string[] | undefined): SummaryFetches {
  if (collections === undefined || collections.includes("summaries")) {
    const list = collected.get(graph) ?? [];
    list.push(summary);
    collected.set(graph, list);
  }
  return summary;
}

/**
 * TF1's `summary.scalar(name, tensor)`: the scalar `tensor` under the tag `name`. Its value must
 * be a scalar (or of unknown shape, then checked when written).
 */
export function scalar(name: string, tensor: Node, options?: { collections?: string[] }): SummaryFetches;
export function scalar(...args: unknown[]): SummaryFetches {
  const { name, tensor, collections } = SCALAR.parse(args);
  if (tensor.shape !== null && tensor.shape.some((d) => d !== 1 && d !== null)) {
    throw new ShapeError(`summary.scalar '${name}': ${tensor} has shape [${tensor.shape.join(", ")}]; a scalar summary takes one value (reduce it first, e.g. reduceMean)`);
  }
  const tag = uniqueTag(tensor.graph, name);
  return add(tensor.graph, { scalars: { [tag]: tensor }, histograms: {} }, collections);
}

/** TF1's `summary.histogram(name, values)`: the histogram of every element of `values`, TensorFlow's buckets. */
export function histogram(name: string, values: Node, options?: { collections?: string[] }): SummaryFetches;
export function histogram(...args: unknown[]): SummaryFetches {
  const { name, tensor, collections } = HISTOGRAM.parse(args);
  const tag = uniqueTag(tensor.graph, name);
  return add(tensor.graph, { scalars: {}, histograms: { [tag]: tensor } }, collections);
}

const isSummary = (v: unknown): v is SummaryFetches =>
  typeof v === "object" && v !== null && typeof (v as SummaryFetches).scalars === "object" && typeof (v as SummaryFetches).histograms === "object";

/** TF1's `summary.merge(inputs)`: one summary of several. */
export function merge(inputs: readonly SummaryFetches[]): SummaryFetches {
  if (!Array.isArray(inputs) || !inputs.every(isSummary)) {
    throw new TensorSlowError(`summary.merge: inputs must be an array of summaries (what summary.scalar/histogram return), got ${String(inputs)}`);
  }
  const scalars: Record<string, Node> = {};
  const histograms: Record<string, Node> = {};
  for (const s of inputs) {
    Object.assign(scalars, s.scalars);
    Object.assign(histograms, s.histograms);
  }
  return { scalars, histograms };
}

const MERGE_ALL = signature<{ key?: string; scope?: string; name?: string; graph?: Graph }>("summary.mergeAll", [
  { name: "key", check: is.optional(is.oneOf(["summaries"])) },
  { name: "scope", check: is.optional(is.string) },
  { name: "name", check: is.optional(is.string) },
  { name: "graph", check: is.optional(is.instance(Graph, "a Graph")), keywordOnly: true },
]);

/**
 * TF1's `summary.merge_all(key?, scope?)`: every summary made in the default graph (or the `graph`
 * option's), those whose tags match the regular expression `scope` from their start if given. A
 * graph without summaries is refused (TF1 returns None, which a run then refuses less clearly).
 */
export function mergeAll(key?: "summaries", scope?: string, options?: { name?: string; graph?: Graph }): SummaryFetches;
export function mergeAll(options?: { key?: "summaries"; scope?: string; name?: string; graph?: Graph }): SummaryFetches;
export function mergeAll(...args: unknown[]): SummaryFetches {
  const { scope, graph = getDefaultGraph() } = MERGE_ALL.parse(args);
  const list = collected.get(graph) ?? [];
  if (list.length === 0) {
    throw new TensorSlowError("summary.mergeAll: this graph has no summaries; make some first with summary.scalar(name, node) or summary.histogram(name, node)");
  }
  const merged = merge(list);
  if (scope === undefined) return merged;
  const match = new RegExp(`^(?:${scope})`);
  const pick = (r: Readonly<Record<string, Node>>) => Object.fromEntries(Object.entries(r).filter(([tag]) => match.test(tag)));
  return { scalars: pick(merged.scalars), histograms: pick(merged.histograms) };
}
