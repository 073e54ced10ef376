/**
 * The structure of a run's fetches: nested arrays and objects of nodes (or node names), flattened
 * into the list of nodes a plan computes, and the values put back into the same structure; and
 * `into`, the caller's target tensors, walked along that structure and checked against what the
 * graph knows before the run.
 */
import { GraphNode, Node, type Graph, type Group } from "../graph/index.js";
import { DTypeError, GraphError, ShapeError, Tensor as TensorClass, TensorSlowError, formatShape, type Tensor } from "../tensor/index.js";

/** What `run` accepts: a node (or node name), or arrays and objects of them, nested. */
export type Fetches = GraphNode | string | readonly Fetches[] | { readonly [key: string]: Fetches };

/**
 * The value `run` returns for fetches of type F: the same structure, Tensors in place of nodes.
 * (When F is no narrower than `Fetches` itself, e.g. after a type error in the argument, the
 * result is left loose instead of expanding the recursive type forever.)
 */
export type FetchResult<F> = [Fetches] extends [F]
  ? unknown
  : F extends Group
  ? null
  : F extends Node
    ? Tensor
    : F extends GraphNode | string
      ? Tensor | null
      : F extends readonly unknown[]
        ? { -readonly [K in keyof F]: FetchResult<F[K]> }
        : F extends object
          ? { -readonly [K in keyof F]: FetchResult<F[K]> }
          : never;

/**
 * Where `run` may write fetched values instead of allocating them: the fetches' structure with a
 * Tensor (of the value's dtype and shape) at any leaf, and null or undefined where `run` allocates.
 */
export type Into<F> = [Fetches] extends [F]
  ? unknown
  : F extends Group
    ? null | undefined
    : F extends GraphNode | string
      ? Tensor | null | undefined
      : F extends readonly unknown[]
        ? { readonly [K in keyof F]?: Into<F[K]> }
        : F extends object
          ? { readonly [K in keyof F]?: Into<F[K]> }
          : never;

const LEAF = Symbol("fetch");

/** The run's values in the fetches' structure. */
export function rebuild(template: unknown, values: readonly (Tensor | null)[]): unknown {
  if (template === LEAF) return values[0];
  let i = 0;
  const walk = (t: unknown): unknown => {
    if (t === LEAF) return values[i++];
    if (Array.isArray(t)) return t.map(walk);
    return Object.fromEntries(Object.entries(t as object).map(([k, v]) => [k, walk(v)]));
  };
  return walk(template);
}

/** The fetched nodes in order into `out`, and the fetches' structure with a placeholder at each leaf. */
export function flattenFetches(graph: Graph, fetches: Fetches, out: GraphNode[]): unknown {
  if (typeof fetches === "string") return flattenFetches(graph, graph.getNodeByName(fetches), out);
  if (fetches instanceof GraphNode) {
    if (fetches.graph !== graph) {
      throw new GraphError(`cannot fetch ${fetches}: it is not an element of this session's graph`);
    }
    out.push(fetches);
    return LEAF;
  }
  if (Array.isArray(fetches)) return fetches.map((f) => flattenFetches(graph, f, out));
  // A Tensor is an object too; walked as a structure it would give a confusing message.
  if (fetches instanceof TensorClass) {
    throw new TensorSlowError(`cannot fetch a Tensor value (shape ${formatShape(fetches.shape)}): fetch a node or a node name; to get a value into a run, feed it`);
  }
  if (fetches !== null && typeof fetches === "object") {
    return Object.fromEntries(Object.entries(fetches).map(([k, v]) => [k, flattenFetches(graph, v as Fetches, out)]));
  }
  throw new TensorSlowError(`cannot fetch ${String(fetches)}: fetch a node, a node name, or arrays/objects of them`);
}


/** Refuses a target that cannot hold `node`'s value, from what the graph knows before a run. */
function checkTarget(node: GraphNode, target: Tensor, where: string): void {
  if (!(node instanceof Node)) throw new TensorSlowError(`run: into${where}: ${node} has no value to write (a Group only runs its members); give null`);
  const shape = node.shape;
  const fits = shape === null || (shape.length === target.rank && shape.every((d, i) => d === null || d === target.shape[i]));
  if (node.dtype !== target.dtype || !fits) {
    throw new (node.dtype !== target.dtype ? DTypeError : ShapeError)(
      `run: into${where}: ${node} (${node.dtype}, shape ${formatShape(shape)}) cannot be written into a tensor of dtype ${target.dtype} and shape ${formatShape(target.shape)}`,
    );
  }
}

/** `into` walked along the fetches' template: one entry per fetched node (undefined: allocate). */
export function intoList(template: unknown, into: unknown, nodes: readonly GraphNode[]): (Tensor | undefined)[] {
  const out: (Tensor | undefined)[] = [];
  const walk = (t: unknown, v: unknown, where: string): void => {
    if (t === LEAF) {
      const node = nodes[out.length]!;
      if (v !== undefined && v !== null) {
        if (!(v instanceof TensorClass)) throw new TensorSlowError(`run: into${where} for ${node} must be a Tensor (or null to allocate), got ${String(v)}`);
        checkTarget(node, v, where);
      }
      out.push(v ?? undefined);
      return;
    }
    const entries = Array.isArray(t) ? t.map((x, i) => [String(i), x] as const) : Object.entries(t as object);
    if (v !== undefined && v !== null && (typeof v !== "object" || v instanceof TensorClass || Array.isArray(v) !== Array.isArray(t))) {
      throw new TensorSlowError(`run: into${where} must have the fetches' structure (${Array.isArray(t) ? "an array" : "an object"}), got ${String(v)}`);
    }
    for (const [k, x] of entries) walk(x, v === undefined || v === null ? undefined : (v as Record<string, unknown>)[k], Array.isArray(t) ? `${where}[${k}]` : `${where}.${k}`);
  };
  walk(template, into, "");
  return out;
}

