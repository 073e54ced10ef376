/**
 * Execution engines: what runs a session's plans. The default engine is the runtime's own (plans
 * of kernels on the active backend, compile.ts and plan.ts); another engine (src/engine/) takes
 * whole plans elsewhere, e.g. to ONNX Runtime, and answers asynchronously. The runtime knows an
 * engine only through this interface and a registry keyed by name, so it names no engine and no op.
 */
import type { Graph, GraphNode, Node, Variable } from "../graph/index.js";
import { ValueError, type Tensor } from "../tensor/index.js";

/** What a session lends its engine. */
export interface EngineHost {
  readonly graph: Graph;
  /** A variable's current value (its initial value on first read): the session's own storage, never to be handed out. */
  readVariable(v: Variable): Tensor;
  /**
   * Makes `value` the variable's storage from now on, without copying (its dtype and shape are the
   * variable's): an engine that writes a variable's next value into a buffer of its own swaps it in.
   */
  adoptVariable(v: Variable, value: Tensor): void;
  /** A number that changes whenever any variable's value does (a write, an update, a restore, an adoption). */
  variablesGeneration(): number;
  /**
   * Computes `nodes` with the runtime's own plans on the active backend (values an engine cannot
   * compute itself, such as random draws, which the session's random streams give). Their updates,
   * if any, land as in `run`.
   */
  runLocally(nodes: readonly Node[], feeds: ReadonlyMap<Node, Tensor>): Tensor[];
}

/** One run as the session hands it to an engine: fetches flattened, feeds resolved, `into` checked against the graph. */
export interface EngineRun {
  readonly fetches: readonly GraphNode[];
  readonly feeds: ReadonlyMap<Node, Tensor>;
  /** Per fetch: a tensor to write the value into, or undefined to allocate. */
  readonly into: readonly (Tensor | undefined)[] | undefined;
}

export interface Engine {
  /** The name `SessionOptions.engine` gives. */
  readonly name: string;
  /**
   * Runs one step with `run`'s semantics: reads see the values variables had when the run started,
   * updates of one variable compose in plan order and land after every read, and a fetched value is
   * the caller's own (a copy, or the `into` tensor). Resolves to one value per fetch (null for a Group).
   */
  run(step: EngineRun): Promise<(Tensor | null)[]>;
  /** The number of compiled plans. */
  readonly planCount: number;
  /** Lets go of everything the engine holds; it does not run afterwards. */
  dispose(): void;
}

export interface EngineKind {
  /** Checks the engine's own session options (the keys in `optionNames`), naming the option and what it expects. */
  readonly optionNames: readonly string[];
  create(host: EngineHost, options: Readonly<Record<string, unknown>>): Engine;
}

/** The engine `SessionOptions.engine` selects when not given: the runtime's own plans. */
export const DEFAULT_ENGINE = "tensorslow";

const engines = new Map<string, EngineKind>();

/** Makes an engine available to `new Session({ engine: name })` (the engine's module calls it when loaded). */
export function registerEngine(name: string, kind: EngineKind): void {
  engines.set(name, kind);
}

/** The engine registered as `name`, or a ValueError listing the known ones. */
export function engineKind(name: unknown, fn: string): EngineKind | undefined {
  if (name === DEFAULT_ENGINE) return undefined;
  const kind = typeof name === "string" ? engines.get(name) : undefined;
  if (kind === undefined) {
    const known = [DEFAULT_ENGINE, ...engines.keys()].map((n) => JSON.stringify(n)).join(", ");
    throw new ValueError(`${fn}: the engine option must be one of ${known}, got ${typeof name === "string" ? JSON.stringify(name) : String(name)}`);
  }
  return kind;
}

/** The names of every option an engine knows (for the message about an unknown option). */
export function engineOptionNames(): string[] {
  return [...new Set([...engines.values()].flatMap((k) => k.optionNames))];
}
