/**
 * Session: runs parts of a graph. `run(fetches, feeds)` compiles a plan for the set of fetched
 * and fed nodes the first time it sees that set, then executes the cached plan. Each session holds
 * its own variable values.
 */
import { Graph, GraphNode, Node, Variable, getDefaultGraph } from "../graph/index.js";
import { DTypeError, GraphError, ValueError, type DType, ShapeError, Tensor as TensorClass, TensorSlowError, formatShape, is, requireArg, shapesEqual, type Tensor } from "../tensor/index.js";
import { activeBackend, type Backend } from "../backends/backend.js";
import { newMemoryOwner, ownerRef, type MemoryOwner } from "../backends/owners.js";
import { DEFAULT_ENGINE, engineKind, engineOptionNames, type Engine } from "./engine.js";
import { FeedStorage, resolveFeeds, type FeedDict } from "./feeds.js";
import { flattenFetches, intoList, rebuild, type Fetches, type FetchResult, type Into } from "./fetch-structure.js";
import { Plan } from "./plan.js";
import { RandomStreams } from "./random-streams.js";
import { VariableStore } from "./variable-store.js";

export type { Fetches, FetchResult, Into } from "./fetch-structure.js";

export interface RunOptions<F extends Fetches = Fetches> {
  /**
   * Tensors to copy fetched values into, in the fetches' structure, instead of new ones: a loop
   * that fetches large values then allocates nothing (as onnxruntime's preallocated outputs).
   * Each must have the value's dtype and shape. What the graph knows (dtypes, static shapes,
   * Groups, which have no value) is checked before the run; a shape known only at run time that
   * does not fit is refused after it, with its updates applied. No target is written unless all fit.
   */
  into?: Into<F>;
}

export interface SessionOptions {
  graph?: Graph;
  /**
   * Fuse chains of elementwise ops into single passes (default: the global setting, on unless
   * `setFusionEnabled(false)`). Off, every op runs its own kernel: slower, handy for debugging.
   */
  fusion?: boolean;
  /**
   * Check every floating-point op's output for NaN and infinities, and fail naming the first op
   * that produced one (default: the global setting, off unless `setCheckNumericsEnabled(true)`).
   * A debugging aid: slower, and runs every op with its own kernel (no fusion).
   */
  checkNumerics?: boolean;
  /**
   * What runs the session's plans: "tensorslow" (the default) runs them with this library's kernels
   * on the active backend; "onnxruntime" compiles each plan into one ONNX model run by ONNX Runtime
   * (onnxruntime-node, an optional dependency), which answers asynchronously: use `runAsync`.
   */
  engine?: string;
  /**
   * The onnxruntime engine's execution providers, in order of preference, passed to ONNX Runtime as
   * given (default ["cpu"]; e.g. ["cuda", "cpu"] with a GPU build of onnxruntime-node).
   */
  executionProviders?: readonly (string | { readonly name: string; readonly [option: string]: unknown })[];
  /**
   * The onnxruntime engine: let ONNX Runtime's intra-op threads spin while they wait for work
   * (default false: they sleep). Spinning answers small runs sooner on an idle machine and takes the
   * cores from everything else on a busy one.
   */
  allowSpinning?: boolean;
}

const SESSION_OPTIONS = ["graph", "fusion", "checkNumerics", "engine"];

let fusionDefault = true;
let checkNumericsDefault = false;

/** Turns the numeric checks of every op on or off for sessions without a `checkNumerics` option (see SessionOptions). */
export function setCheckNumericsEnabled(enabled: boolean): void {
  if (typeof enabled !== "boolean") throw new ValueError(`setCheckNumericsEnabled: expected true or false, got ${String(enabled)}`);
  checkNumericsDefault = enabled;
}

export function isCheckNumericsEnabled(): boolean {
  return checkNumericsDefault;
}

/** Turns fusion of elementwise ops on or off for plans compiled from now on (sessions without a `fusion` option). */
export function setFusionEnabled(enabled: boolean): void {
  requireArg("setFusionEnabled", "enabled", enabled, is.boolean);
  fusionDefault = enabled;
}

export function isFusionEnabled(): boolean {
  return fusionDefault;
}

export class Session {
  readonly graph: Graph;
  /** What this session's backend storage belongs to: a backend may reclaim it once the session is unreachable. */
  private readonly owner: MemoryOwner = newMemoryOwner("session #");
  /** Each backend the session ran on, allocating as this session's. */
  private readonly ownedBackends = new Map<Backend, Backend>();
  // A variable's initial value is computed by the runtime's own plans whatever the engine (random
  // initializers draw from the session's streams, so every engine starts from the same values).
  private readonly variables = new VariableStore(() => this.ownedBackend(activeBackend()), (node) => this.execute([node], new Map(), undefined)[0] as Tensor);
  private readonly plans = new Map<string, Plan>();
  /** Where nested arrays fed are converted, run after run (feeds.ts). */
  private readonly feedStorage = new FeedStorage(() => this.ownedBackend(activeBackend()));
  private readonly random = new RandomStreams();
  private closed = false;
  private readonly fusion: boolean | undefined;
  private readonly checkNumerics: boolean | undefined;
  /** The engine running this session's plans, when it is not the runtime's own. */
  private readonly engine: Engine | undefined;
  /** The runs of `runAsync` not yet finished: each starts when the one before it has ended. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The signature and plan of the last run. */
  private last: { backend: Backend; fusion: boolean; checks: boolean; nodes: GraphNode[]; fed: Node[]; plan: Plan } | undefined;

  constructor(graphOrOptions: Graph | SessionOptions | null = {}) {
    const given = graphOrOptions ?? {};
    const options = given instanceof Graph ? {} : checkOptions(given);
    this.graph = given instanceof Graph ? given : (options.graph ?? getDefaultGraph());
    this.fusion = options.fusion;
    this.checkNumerics = options.checkNumerics;
    const kind = engineKind(options.engine ?? DEFAULT_ENGINE, "Session");
    if (kind === undefined) {
      for (const key of engineOptionNames()) {
        if ((options as Record<string, unknown>)[key] !== undefined) throw new ValueError(`Session: the ${key} option belongs to another engine than "${DEFAULT_ENGINE}"; give engine: "onnxruntime" with it`);
      }
    } else if (this.checkNumerics === true) {
      throw new ValueError(`Session: checkNumerics is not available on the ${String(options.engine)} engine, which runs whole plans at once; debug on the default engine`);
    }
    this.engine = kind?.create(
      {
        graph: this.graph,
        readVariable: (v) => this.variables.read(v),
        adoptVariable: (v, value) => this.variables.adopt(v, value),
        variablesGeneration: () => this.variables.generation,
        runLocally: (nodes, feeds) => this.execute(nodes, feeds, undefined) as Tensor[],
      },
      options as Record<string, unknown>,
    );
    registerOpen(this, this.owner);
  }

  /**
   * Computes `fetches` given `feedDict`: only the nodes they need, each once. Returns the same
   * structure with Tensors (null for nodes without a value, such as `minimize`'s result).
   * `options.into` gives tensors to write the values into instead (see RunOptions).
   */
  run<const F extends Fetches>(fetches: F, feedDict?: FeedDict, options?: RunOptions<F>): FetchResult<F> {
    if (this.closed) throw new GraphError("this session is closed");
    if (this.engine !== undefined) {
      throw new ValueError(`run: this session runs on the ${this.engine.name} engine, which answers asynchronously: use \`await session.runAsync(fetches, feeds)\``);
    }
    const { template, nodes, into, feeds } = this.prepare(fetches, feedDict, options);
    return rebuild(template, this.execute(nodes, feeds, into)) as FetchResult<F>;
  }

  /**
   * `run`, answered by a promise: the same fetches, feeds, options and results, on any engine (the
   * only way to run a session whose engine answers asynchronously, such as "onnxruntime"). Runs of
   * one session happen one after another, in the order they were asked for.
   */
  async runAsync<const F extends Fetches>(fetches: F, feedDict?: FeedDict, options?: RunOptions<F>): Promise<FetchResult<F>> {
    const turn = this.queue.then(async () => {
      if (this.closed) throw new GraphError("this session is closed");
      const { template, nodes, into, feeds } = this.prepare(fetches, feedDict, options);
      const values = this.engine === undefined ? this.execute(nodes, feeds, into) : await this.engine.run({ fetches: nodes, feeds, into });
      return rebuild(template, values) as FetchResult<F>;
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** The fetches flattened (with their structure), `into` checked against them, the feeds resolved. */
  private prepare(fetches: Fetches, feedDict: FeedDict | undefined, options: { into?: unknown } | undefined) {
    const nodes: GraphNode[] = [];
    const template = flattenFetches(this.graph, fetches, nodes);
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new ValueError(`run: argument 'options' must be an options object ({ into }), got ${String(options)}`);
    }
    const into = options?.into === undefined || options.into === null ? undefined : intoList(template, options.into, nodes);
    // An engine gets its feeds as new arrays: it may keep them past the run or refuse storage in
    // the backend's memory (onnxruntime-node takes no views of a SharedArrayBuffer).
    const feeds = resolveFeeds(this.graph, feedDict, this.engine === undefined ? this.feedStorage : undefined);
    return { template, nodes, into, feeds };
  }

  /** Runs `nodes` with the runtime's own plan for them on the active backend. */
  private execute(nodes: readonly GraphNode[], feeds: ReadonlyMap<Node, Tensor>, into: (Tensor | undefined)[] | undefined): (Tensor | null)[] {
    return this.planFor(nodes, feeds).execute(feeds, this.variables, this.random, into);
  }

  /** The plan for these fetches and fed nodes on the active backend, compiled the first time. */
  private planFor(nodes: readonly GraphNode[], feeds: ReadonlyMap<Node, Tensor>): Plan {
    const backend = activeBackend();
    const fusion = this.fusion ?? fusionDefault;
    const checks = this.checkNumerics ?? checkNumericsDefault;
    // A training loop runs one signature over and over: that one is found without building a key.
    const last = this.last;
    if (last !== undefined && last.backend === backend && last.fusion === fusion && last.checks === checks && sameNodes(last.nodes, nodes) && sameKeys(last.fed, feeds)) {
      return last.plan;
    }
    const fedIds: number[] = [];
    for (const n of feeds.keys()) fedIds.push(n.id);
    fedIds.sort((a, b) => a - b);
    const key = `${backend.name}|${fusion ? "fused" : "unfused"}|${checks ? "checked" : ""}|${nodes.map((n) => n.id).join(",")}|${fedIds.join(",")}`;
    let plan = this.plans.get(key);
    if (plan === undefined) {
      plan = new Plan(nodes, new Set(feeds.keys()), this.ownedBackend(backend), { fusion, checkNumerics: checks });
      this.plans.set(key, plan);
    }
    this.last = { backend, fusion, checks, nodes: [...nodes], fed: [...feeds.keys()], plan };
    return plan;
  }

  /** `backend`, with its storage allocated as this session's. */
  private ownedBackend(backend: Backend): Backend {
    let owned = this.ownedBackends.get(backend);
    if (owned === undefined) {
      const owner = this.owner;
      owned = Object.create(backend, { allocate: { value: (dtype: DType, size: number) => backend.allocate(dtype, size, owner) } }) as Backend;
      this.ownedBackends.set(backend, owned);
    }
    return owned;
  }

  /**
   * The shape each node's value had when this session last computed it (nodes inside a fused
   * group have none). Graph pictures label edges with them: `io.toDot(graph, { session })`.
   */
  observedShapes(): Map<Node, readonly number[]> {
    const shapes = new Map<Node, readonly number[]>();
    for (const plan of this.plans.values()) if (plan !== this.last?.plan) plan.collectShapes(shapes);
    this.last?.plan.collectShapes(shapes);
    return shapes;
  }

  /** The engine running this session's plans ("tensorslow", the default, or e.g. "onnxruntime"). */
  get engineName(): string {
    return this.engine?.name ?? DEFAULT_ENGINE;
  }

  /** Whether the session answers only asynchronously (its engine does): then `runAsync`, not `run`. */
  get isAsync(): boolean {
    return this.engine !== undefined;
  }

  /** The number of compiled plans (one per distinct fetch/feed signature). */
  get planCount(): number {
    return this.plans.size + (this.engine?.planCount ?? 0);
  }

  /** A copy of a variable's current value in this session, without compiling a plan (saving checkpoints uses it). */
  readVariable(v: Variable): Tensor {
    this.checkVariable(v, "read");
    return this.variables.read(v).clone();
  }

  /** Loads a value into a variable of this session (restoring checkpoints uses it). */
  loadVariable(v: Variable, value: Tensor): void {
    // Every plan relies on a variable keeping the dtype and shape it was built with (static
    // inference, and updates that write in place).
    this.checkVariable(v, "load");
    if (!(value instanceof TensorClass)) {
      throw new TensorSlowError(`cannot load ${v}: the value must be a Tensor, got ${String(value)}`);
    }
    if (value.dtype !== v.dtype || !shapesEqual(value.shape, v.fullShape)) {
      throw new (value.dtype !== v.dtype ? DTypeError : ShapeError)(
        `cannot load a ${value.dtype} value of shape ${formatShape(value.shape)} into ${v}, which has dtype ${v.dtype} and shape ${formatShape(v.shape)}`,
      );
    }
    this.variables.set(v, value);
  }

  private checkVariable(v: Variable, verb: string): void {
    if (this.closed) throw new GraphError("this session is closed");
    if (!(v instanceof Variable)) throw new GraphError(`cannot ${verb} ${String(v)}: it is not a Variable`);
    if (v.graph !== this.graph) throw new GraphError(`cannot ${verb} ${v}: it is not an element of this session's graph`);
  }

  /** Whether `close()` was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** `using sess = new Session()` closes it at the end of the block (TypeScript's form of Python's `with`). */
  [Symbol.dispose](): void {
    this.close();
  }

  close(): void {
    this.closed = true;
    // A run already under way finishes first: its engine lets go of its sessions after it.
    const engine = this.engine;
    if (engine !== undefined) void this.queue.then(() => engine.dispose());
    for (const plan of this.plans.values()) plan.dispose();
    this.plans.clear();
    this.last = undefined;
    this.variables.clear();
    this.feedStorage.clear();
    this.random.clear();
  }
}

/** The session options, each checked (the engine's own are checked by the engine). */
function checkOptions(given: unknown): SessionOptions {
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new ValueError(`Session: the argument must be a Graph or an options object ({ graph, engine, ... }), got ${String(given)}`);
  }
  const known = [...SESSION_OPTIONS, ...engineOptionNames()];
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) throw new ValueError(`Session: unknown option '${key}'; the options are ${known.join(", ")}`);
  }
  const options = given as SessionOptions;
  if (options.graph !== undefined && !(options.graph instanceof Graph)) throw new ValueError(`Session: the graph option must be a Graph, got ${String(options.graph)}`);
  for (const key of ["fusion", "checkNumerics"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "boolean") throw new ValueError(`Session: the ${key} option must be true or false, got ${String(options[key])}`);
  }
  return options;
}

/**
 * Every session made and not yet closed or collected (for `node.eval()`, see default-session.ts),
 * held through its memory owner: a WeakRef made now to the session itself would keep it alive
 * until the current job ends, so a synchronous loop could not reclaim the memory of the sessions it
 * drops (backends/owners.ts). The owner's WeakRef was made in an earlier job, and the WeakMap
 * from owner to session keeps the session only as long as the owner, which only the session holds.
 */
const openSessions = new Set<WeakRef<MemoryOwner>>();
const sessionOf = new WeakMap<MemoryOwner, Session>();
// Collected sessions leave the set once the event loop turns (testing them with deref() would keep them alive).
const forgetCollected = new FinalizationRegistry<WeakRef<MemoryOwner>>((ref) => openSessions.delete(ref));

function registerOpen(session: Session, owner: MemoryOwner): void {
  const ref = ownerRef(owner) ?? new WeakRef(owner);
  sessionOf.set(owner, session);
  openSessions.add(ref);
  forgetCollected.register(owner, ref);
}

/** The open sessions of `graph`. */
export function openSessionsOf(graph: Graph): Session[] {
  const out: Session[] = [];
  for (const ref of openSessions) {
    const owner = ref.deref();
    const s = owner === undefined ? undefined : sessionOf.get(owner);
    if (s === undefined || s.isClosed) openSessions.delete(ref);
    else if (s.graph === graph) out.push(s);
  }
  return out;
}

function sameNodes(a: readonly GraphNode[], b: readonly GraphNode[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `feeds` has exactly the keys `keys` (in any order). */
function sameKeys(keys: readonly Node[], feeds: ReadonlyMap<Node, Tensor>): boolean {
  if (keys.length !== feeds.size) return false;
  for (const k of keys) if (!feeds.has(k)) return false;
  return true;
}
