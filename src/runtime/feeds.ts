/** Turning a feed dict into checked values: the keys resolved to nodes, the values to tensors. */
import { GraphNode, Node, Placeholder, type Graph, Operation } from "../graph/index.js";
import {
  FeedError,
  GraphError,
  Tensor,
  TensorSlowError,
  formatShape,
  dtypeOfArray,
  isCompatible,
  fromNested,
  tensor,
  type NestedArray,
  type TensorLike,
} from "../tensor/index.js";

export type FeedValue = TensorLike;
/** A Map from nodes (or node names) to values, or an object keyed by node name. */
export type FeedDict = ReadonlyMap<GraphNode | string, FeedValue> | { readonly [name: string]: FeedValue };

function resolveKey(graph: Graph, key: unknown): Node {
  let node: GraphNode;
  if (typeof key === "string") {
    if (!graph.hasNode(key)) throw new FeedError(`cannot feed '${key}': the graph has no node of that name${unknownNameHint(graph, key)}`);
    node = graph.getNodeByName(key);
  } else if (key instanceof GraphNode) {
    node = key;
  } else {
    throw new FeedError(`cannot interpret feed key ${String(key)} as a node: use a node or its name`);
  }
  if (node.graph !== graph) throw new GraphError(`cannot feed ${node}: it is not an element of this session's graph`);
  if (!(node instanceof Node)) throw new FeedError(`cannot feed ${node}: it has no value to replace`);
  if (node instanceof Operation && node.def.writesVariable !== undefined) {
    throw new FeedError(`cannot feed ${node}: feeding it would skip the variable update it makes`);
  }
  return node;
}

/**
 * Why a name may be missing: Python's `feed_dict={x: value}` keys by the node, but in JavaScript
 * `{ x: value }` keys by the string "x", which is the node's name only if it was given that name.
 */
function unknownNameHint(graph: Graph, key: string): string {
  const placeholders = graph.nodes.filter((n): n is Placeholder => n instanceof Placeholder).map((p) => `'${p.name}'`);
  const listed = placeholders.length === 0 ? "" : `; its placeholders are ${placeholders.slice(0, 8).join(", ")}${placeholders.length > 8 ? ", ..." : ""}`;
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return listed;
  return (
    `${listed}. The keys of a feed object are node names: { ${key}: value } means the name "${key}", not a variable ${key} ` +
    `(as Python's feed_dict={${key}: value} would). Feed a Map keyed by the nodes, new Map([[${key}, value]]), or name the node: placeholder(dtype, shape, "${key}")`
  );
}

function describe(node: Node): string {
  return node instanceof Placeholder ? `placeholder '${node.name}'` : `${node}`;
}

function keyText(key: unknown): string {
  return typeof key === "string" ? `the name '${key}'` : "the node";
}

/** Checks one fed value against its node's dtype and static shape. */
function toFeedTensor(node: Node, value: unknown): Tensor {
  if (value instanceof GraphNode) {
    throw new FeedError(
      `the value fed to ${describe(node)} is a graph node (${value}); feed numbers, arrays, typed arrays or Tensors. ` +
        `To compute it first, run it and feed the result.`,
    );
  }
  // A typed array, like a Tensor, says what it holds: it must match (plain arrays are converted).
  const given = value instanceof Tensor ? value.dtype : ArrayBuffer.isView(value) ? dtypeOfArray(value) : undefined;
  if (given !== undefined && given !== node.dtype) {
    throw new FeedError(`cannot feed a ${given} value to ${describe(node)}, which has dtype ${node.dtype}`);
  }
  let t: Tensor;
  try {
    if (value instanceof Tensor) t = value;
    else if (Array.isArray(value)) {
      // Nested arrays, the tutorial's feeds at every step: converted in one pass (tensor/nested.ts).
      // Not cached per array object: arrays are mutable, nothing tells a run that an element changed
      // since the last one, and checking every element would cost what converting it costs.
      const { shape, data } = fromNested(value as NestedArray, node.dtype);
      t = new Tensor(shape, node.dtype, data);
    } else t = tensor(value as TensorLike, { dtype: node.dtype });
  } catch (e) {
    if (e instanceof TensorSlowError) throw new FeedError(`cannot feed ${describe(node)}: ${e.message}`);
    throw e;
  }
  if (!isCompatible(node.shape, t.shape)) {
    throw new FeedError(`Cannot feed value of shape ${formatShape(t.shape)} for ${describe(node)}, which has shape ${formatShape(node.shape)}`);
  }
  return t;
}

export function resolveFeeds(graph: Graph, feedDict: FeedDict | undefined): Map<Node, Tensor> {
  const feeds = new Map<Node, Tensor>();
  if (feedDict === undefined) return feeds;
  const entries: Iterable<[unknown, unknown]> =
    feedDict instanceof Map ? feedDict.entries() : Object.entries(feedDict as Record<string, unknown>);
  const keys = new Map<Node, unknown>();
  for (const [key, value] of entries) {
    const node = resolveKey(graph, key);
    if (keys.has(node)) {
      throw new FeedError(`${describe(node)} is fed twice, as ${keyText(keys.get(node))} and as ${keyText(key)}: give it one value`);
    }
    keys.set(node, key);
    feeds.set(node, toFeedTensor(node, value));
  }
  return feeds;
}
