/** Turning a feed dict into checked values: the keys resolved to nodes, the values to tensors. */
import { GraphNode, Node, Placeholder, type Graph, Operation } from "../graph/index.js";
import type { Backend } from "../backends/backend.js";
import {
  FeedError,
  GraphError,
  Tensor,
  TensorSlowError,
  formatShape,
  dtypeOfArray,
  isCompatible,
  fromNested,
  refillNested,
  shapesEqual,
  tensor,
  type DType,
  type NestedArray,
  type TensorLike,
  type TypedArray,
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

/**
 * Where a session converts the nested arrays fed to each node, run after run: a training loop that
 * feeds nested arrays at every step (the tutorial's) then converts them into the same storage
 * instead of allocating new typed arrays each time (allocating backing stores costs more than
 * filling them, and feeds GC), and into the backend's memory (the wasm heap), where kernels read
 * them in place instead of copying them in per kernel.
 *
 * Safe because a converted value lives only for its run: a plan lets go of its feeds when the run
 * ends and copies every fetched value out (a fed node fetched too), engines clone what they return,
 * and a session's runs happen one after another, each converting just before it executes.
 *
 * The tensor made for a node is kept too: a value of the shape it had in the last run is written
 * over it and the same tensor given again (a plan then sees the shapes it was bound to at once).
 *
 * What is not done, deliberately: keeping a conversion for the next run when the same array object
 * is fed again. Arrays are mutable; nothing tells a run that an element changed since the last one,
 * and checking every element would cost what converting it costs.
 */
export class FeedStorage {
  private readonly arrays = new Map<Node, { data: TypedArray; backend: Backend; tensor: Tensor | undefined }>();

  constructor(private readonly backend: () => Backend) {}

  /** `value` as a tensor of `node`'s dtype, converted into the node's storage. */
  convert(node: Node, value: NestedArray): Tensor {
    const dtype = node.dtype;
    const kept = this.arrays.get(node);
    const last = kept?.tensor;
    // Rows of plain numbers of the last run's shape (a training loop's feeds): written over the last
    // run's tensor. Float dtypes only: int32 and bool values are checked as they are converted.
    if (last !== undefined && (dtype === "float32" || dtype === "float64") && kept!.backend === this.backend() && refillNested(value as readonly unknown[], last.shape, last.data)) {
      return last;
    }
    const { shape, data } = fromNested(value, dtype, dtype, (d, size) => this.take(node, d, size));
    const entry = this.arrays.get(node)!;
    const t = last !== undefined && last.data === data && shapesEqual(last.shape, shape) ? last : new Tensor(shape, dtype, data);
    entry.tensor = t;
    return t;
  }

  /** Storage for `size` elements of `dtype` for `node`'s value in this run (a view of what it kept when that is large enough). */
  take(node: Node, dtype: DType, size: number): TypedArray {
    const kept = this.arrays.get(node);
    const backend = this.backend();
    if (kept !== undefined && kept.backend === backend && kept.data.length >= size && dtypeOfArray(kept.data) === dtype) {
      return kept.data.length === size ? kept.data : kept.data.subarray(0, size);
    }
    if (kept !== undefined) kept.backend.free?.(kept.data);
    const data = backend.allocate(dtype, size);
    this.arrays.set(node, { data, backend, tensor: undefined });
    return data;
  }

  /** Gives every array back to its backend. */
  clear(): void {
    for (const { data, backend } of this.arrays.values()) backend.free?.(data);
    this.arrays.clear();
  }
}

/** Checks one fed value against its node's dtype and static shape. */
function toFeedTensor(node: Node, value: unknown, storage: FeedStorage | undefined): Tensor {
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
      // Nested arrays, the tutorial's feeds at every step: converted in one pass (tensor/nested.ts),
      // into the session's storage for the node (FeedStorage).
      if (storage !== undefined) t = storage.convert(node, value as NestedArray);
      else {
        const { shape, data } = fromNested(value as NestedArray, node.dtype, node.dtype);
        t = new Tensor(shape, node.dtype, data);
      }
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

/**
 * The feed dict's values as tensors keyed by node, checked. Tensors and typed arrays of the node's
 * dtype are used as they are (no copy); nested arrays are converted, into `storage` when given.
 */
export function resolveFeeds(graph: Graph, feedDict: FeedDict | undefined, storage?: FeedStorage): Map<Node, Tensor> {
  const feeds = new Map<Node, Tensor>();
  if (feedDict === undefined) return feeds;
  const add = (value: unknown, key: unknown): void => {
    const node = resolveKey(graph, key);
    if (feeds.has(node)) {
      throw new FeedError(`${describe(node)} is fed twice, as ${keyText(firstKeyOf(graph, feedDict, node))} and as ${keyText(key)}: give it one value`);
    }
    feeds.set(node, toFeedTensor(node, value, storage));
  };
  // (A Map's own forEach: no [key, value] array per entry, at every run of a training loop.)
  if (feedDict instanceof Map) feedDict.forEach(add);
  else for (const [key, value] of Object.entries(feedDict as Record<string, unknown>)) add(value, key);
  return feeds;
}

/** The first key of `feedDict` that names `node` (for the message about a node fed twice). */
function firstKeyOf(graph: Graph, feedDict: FeedDict, node: Node): unknown {
  const keys: unknown[] = feedDict instanceof Map ? [...feedDict.keys()] : Object.keys(feedDict);
  return keys.find((k) => resolveKey(graph, k) === node);
}
