/**
 * The Graph: every node built, unique TensorFlow-style names, name scopes, collections of
 * variables, and the default-graph context that node constructors consult.
 */
import { GraphError, is, requireArg } from "../tensor/index.js";
import type { GraphNode, Variable } from "./node.js";

export class Graph {
  private readonly nodeList: GraphNode[] = [];
  private readonly byName = new Map<string, GraphNode>();
  private readonly nameCounts = new Map<string, number>();
  private readonly scopes: string[] = [];
  private readonly reuseStack: Reuse[] = [];
  private readonly variableList: Variable[] = [];
  private finalized = false;
  /** Bumped whenever a node is added; caches keyed on the graph's contents compare it. */
  version = 0;
  /** The graph-level random seed (TensorFlow's `graph.seed`, set by `setRandomSeed`): see ops/random.ts. */
  seed: number | undefined = undefined;

  /**
   * Makes this graph the default. Without a function it stays the default (the tutorial's
   * `Graph().as_default()`); with one, only while the function runs.
   */
  asDefault(): this;
  asDefault<T>(fn: () => T): T;
  asDefault<T>(fn?: () => T): this | T {
    if (fn === undefined) {
      defaultGraph = this;
      return this;
    }
    const previous = defaultGraph;
    defaultGraph = this;
    try {
      return refuseAsync(fn(), "Graph.asDefault(fn)");
    } finally {
      defaultGraph = previous;
    }
  }

  /** Runs `fn` with node names prefixed by `name/` (made unique, as TensorFlow does). */
  nameScope<T>(name: string, fn: () => T): T {
    requireArg("nameScope", "name", name, is.string);
    requireArg("nameScope", "fn", fn, is.function);
    return this.inScope(this.uniqueName(name), fn);
  }

  /**
   * Runs `fn` in the variable scope `name` (TensorFlow's `variable_scope`): node names are prefixed
   * by `name/` — the same prefix each time the scope is entered again, so that variables made in
   * it (`getVariable`, `layers.*`) are found again by name — and `reuse` (inherited from the
   * enclosing scope when not given; once true it stays true inside) says whether they are looked
   * up (true), made (false) or either (AUTO_REUSE).
   */
  variableScope<T>(name: string, reuse: Reuse | undefined, fn: () => T): T {
    const full = this.currentScope + name;
    this.uniqueName(name); // checks the name; the scope itself is re-entered as it is
    const outer = this.currentReuse;
    this.reuseStack.push(outer === true ? true : (reuse ?? outer));
    try {
      return this.inScope(full, fn);
    } finally {
      this.reuseStack.pop();
    }
  }

  /** The reuse setting of the innermost variable scope (false outside any). */
  get currentReuse(): Reuse {
    return this.reuseStack.length === 0 ? false : this.reuseStack[this.reuseStack.length - 1]!;
  }

  private inScope<T>(scope: string, fn: () => T): T {
    this.scopes.push(scope);
    try {
      return refuseAsync(fn(), "a scope's function");
    } finally {
      this.scopes.pop();
    }
  }

  /**
   * Runs `fn` outside every name scope: for variables named after the node they serve rather than
   * after where they are built (an optimizer's slots, `w/Adam`, as TensorFlow names them).
   */
  rootScope<T>(fn: () => T): T {
    const saved = this.scopes.splice(0);
    try {
      return fn();
    } finally {
      this.scopes.splice(0, this.scopes.length, ...saved);
    }
  }

  /** The current scope prefix, e.g. "layer1/" (empty at the top). */
  get currentScope(): string {
    return this.scopes.length === 0 ? "" : `${this.scopes[this.scopes.length - 1]}/`;
  }

  /**
   * `base` under the current scope, made unique with `_1`, `_2`, ... the way TensorFlow's
   * `Graph.unique_name` does it: each name counts its uses, and a taken name gets the next free
   * suffix.
   */
  uniqueName(base: string): string {
    if (typeof base !== "string") throw new GraphError(`a node or scope name must be a string, got ${String(base)}`);
    // ':' separates a node's name from an output index ("x:0"), and getNodeByName strips ":0":
    // a node literally named "a:0" could not be looked up by its name and was shadowed by "a".
    // TensorFlow refuses such names too.
    if (base.includes(":")) {
      throw new GraphError(`invalid node or scope name '${base}': names cannot contain ':' (it separates a name from an output index, as in 'x:0')`);
    }
    if (base === "" || base.endsWith("/")) {
      throw new GraphError(`invalid node or scope name '${base}': a name needs at least one character and cannot end with '/'`);
    }
    const full = this.currentScope + base;
    const name = this.peekName(base);
    this.nameCounts.set(full, (this.nameCounts.get(full) ?? 0) + 1);
    if (name !== full) this.nameCounts.set(name, 1);
    return name;
  }

  /** The name `uniqueName(base)` would give now, without taking it (for messages before a node exists). */
  peekName(base: string): string {
    const full = this.currentScope + base;
    let i = this.nameCounts.get(full) ?? 0;
    if (i === 0) return full;
    while (this.nameCounts.has(`${full}_${i}`)) i++;
    return `${full}_${i}`;
  }

  /** Called by node constructors. */
  addNode(node: GraphNode): number {
    if (this.finalized) {
      throw new GraphError(`graph is finalized and cannot be modified: tried to add '${node.name}' (${node.type})`);
    }
    this.nodeList.push(node);
    this.byName.set(node.name, node);
    this.version++;
    return this.nodeList.length - 1;
  }

  addVariable(v: Variable): void {
    this.variableList.push(v);
  }

  get nodes(): readonly GraphNode[] {
    return this.nodeList;
  }

  numNodes(): number {
    return this.nodeList.length;
  }

  /** The node with this name ("X" or TensorFlow's "X:0"). */
  getNodeByName(name: string): GraphNode {
    const node = this.byName.get(name.endsWith(":0") ? name.slice(0, -2) : name);
    if (node === undefined) throw new GraphError(`the graph has no node named '${name}'`);
    return node;
  }

  hasNode(name: string): boolean {
    return this.byName.has(name.endsWith(":0") ? name.slice(0, -2) : name);
  }

  globalVariables(): Variable[] {
    return [...this.variableList];
  }

  trainableVariables(): Variable[] {
    return this.variableList.filter((v) => v.trainable);
  }

  /** Makes the graph read-only; adding a node afterwards throws (catches graphs that grow in a loop). */
  finalize(): void {
    this.finalized = true;
  }

  get isFinalized(): boolean {
    return this.finalized;
  }
}

/** TensorFlow's `AUTO_REUSE`: a variable scope's getVariable returns the variable of that name, making it the first time. */
export const AUTO_REUSE = "auto_reuse";
export type Reuse = boolean | typeof AUTO_REUSE;

/**
 * `value`, unless it is a promise: a default graph (or scope) set around a function holds only
 * until the function's first `await`, after which other code runs and later nodes of the function
 * would silently land elsewhere, so an async function is refused rather than half-served.
 */
export function refuseAsync<T>(value: T, what: string): T {
  if (value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function") {
    // The function has already started; its eventual failure must not become an unhandled rejection.
    (value as unknown as Promise<unknown>).then(undefined, () => undefined);
    throw new GraphError(
      `${what} was given an async function (it returned a Promise): the default holds only until the function's first await, so nodes built after it would go elsewhere. ` +
        "Build the graph in a synchronous function, and await outside it (or call graph.asDefault() with no function, to keep the graph the default from then on)",
    );
  }
  return value;
}

let defaultGraph = new Graph();

export function getDefaultGraph(): Graph {
  return defaultGraph;
}

/** Replaces the default graph with a fresh one (TensorFlow's `reset_default_graph`). */
export function resetDefaultGraph(): Graph {
  defaultGraph = new Graph();
  return defaultGraph;
}

/** `nameScope` on the default graph. */
export function nameScope<T>(name: string, fn: () => T): T {
  return defaultGraph.nameScope(name, fn);
}
