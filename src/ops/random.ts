/**
 * Random ops, TensorFlow 1.x's `random_normal`, `truncated_normal` and `random_uniform`: graph ops
 * that draw new values at every run (so a variable initialized from one gets fresh values each
 * time its initializer runs), from a stream that each session starts afresh from the op's seeds.
 *
 * The seeds follow TensorFlow's rules (`get_seed`): with a graph-level seed (`setRandomSeed`) and no
 * op seed, the op seed is the graph's node count when the op is built, so a program rebuilt the same
 * way draws the same values; with an op seed and no graph seed, the graph seed is TensorFlow's
 * DEFAULT_GRAPH_SEED; with neither, both come from the global sequence (unreproducible unless the
 * process fixed it).
 */
import { getDefaultGraph, type Graph, type Node, type TensorSpec } from "../graph/index.js";
import {
  DTypeError,
  check,
  is,
  isFloatDType,
  isDTypeArg,
  nextSeed,
  setGlobalSeed,
  signature,
  storageDType,
  requireArg,
  type DTypeLike,
} from "../tensor/index.js";
import type { RandomAttrs } from "../kernels/attrs.js";
import { apply, defineOp } from "./define.js";
import { add, multiply, subtract } from "./math.js";

/** TensorFlow's `random_seed.DEFAULT_GRAPH_SEED`. */
export const DEFAULT_GRAPH_SEED = 87654321;

/**
 * Sets the graph-level seed of the default graph (TensorFlow's `set_random_seed`), and the global
 * sequence that unseeded random Tensor functions (`random.normal`, initializers) draw seeds from.
 */
export function setRandomSeed(seed: number): void {
  requireArg("setRandomSeed", "seed", seed, is.integer);
  getDefaultGraph().seed = seed;
  setGlobalSeed(seed);
}

/** The (graph seed, op seed) pair of a new random op, by TensorFlow's rules (see the top of this file). */
export function opSeeds(graph: Graph, opSeed: number | undefined): { seed: number; seed2: number } {
  if (graph.seed !== undefined) return { seed: graph.seed, seed2: opSeed ?? graph.numNodes() };
  if (opSeed !== undefined) return { seed: DEFAULT_GRAPH_SEED, seed2: opSeed };
  return { seed: nextSeed(), seed2: nextSeed() };
}

function randomInfer(type: string) {
  return (_inputs: TensorSpec[], { shape, dtype }: RandomAttrs, name: string): TensorSpec => {
    if (!isFloatDType(dtype)) throw new DTypeError(`${type} '${name}' makes float32 or float64 values, not ${dtype}`);
    return { dtype, shape: [...shape] };
  };
}

const drawn = { notDifferentiable: "its values are random draws that depend on no input" } as const;

export const RandomStandardNormal = defineOp<RandomAttrs>({ type: "RandomStandardNormal", infer: randomInfer("RandomStandardNormal"), gradient: drawn, random: true });
export const TruncatedNormal = defineOp<RandomAttrs>({ type: "TruncatedNormal", infer: randomInfer("TruncatedNormal"), gradient: drawn, random: true });
export const RandomUniform = defineOp<RandomAttrs>({ type: "RandomUniform", infer: randomInfer("RandomUniform"), gradient: drawn, random: true });

const numberOrNode = check<number | Node>("a number or a node", (v) => typeof v === "number" || (typeof v === "object" && v !== null && "graph" in v && "dtype" in v));

type RandomArgs = { shape: number[]; dtype?: DTypeLike; seed?: number; name?: string } & Record<string, number | Node | undefined>;

function randomSignature(fn: string, first: string, second: string) {
  return signature<RandomArgs>(fn, [
    { name: "shape", check: is.shape },
    { name: first, check: is.optional(numberOrNode) },
    { name: second, check: is.optional(numberOrNode) },
    { name: "dtype", check: is.optional(isDTypeArg) },
    { name: "seed", check: is.optional(is.integer) },
    { name: "name", check: is.optional(is.string) },
  ]);
}

/**
 * The draw of `def` under the op's name scope, then a·z + b as TensorFlow builds it (skipped when
 * a and b are the defaults 1 and 0; for uniform draws a = maxval − minval, b = minval).
 */
function randomOp(def: typeof RandomStandardNormal, scope: string, args: ArrayLike<unknown>, sig: ReturnType<typeof randomSignature>, affine: (z: Node, r: RandomArgs) => Node | undefined): Node {
  const r = sig.parse(args);
  const graph = getDefaultGraph();
  return graph.nameScope(r.name ?? scope, () => {
    const attrs: RandomAttrs = { shape: [...r.shape], dtype: storageDType(r.dtype ?? "float32"), ...opSeeds(graph, r.seed) };
    const z = apply(def, [], attrs, def.type);
    return affine(z, r) ?? z;
  });
}

const NORMAL = randomSignature("randomNormal", "mean", "stddev");
const TRUNCATED = randomSignature("truncatedNormal", "mean", "stddev");
const UNIFORM = randomSignature("randomUniform", "minval", "maxval");

/** stddev·z + mean, unless they are 1 and 0. */
function normalAffine(z: Node, { mean = 0, stddev = 1 }: RandomArgs): Node | undefined {
  return mean === 0 && stddev === 1 ? undefined : add(multiply(z, stddev, "mul"), mean, "add");
}

export interface RandomNormalOptions {
  mean?: number | Node;
  stddev?: number | Node;
  dtype?: DTypeLike;
  seed?: number;
  name?: string;
}

export interface RandomUniformOptions {
  minval?: number | Node;
  maxval?: number | Node;
  dtype?: DTypeLike;
  seed?: number;
  name?: string;
}

/** TensorFlow's `random_normal(shape, mean=0, stddev=1, dtype=float32, seed=None, name=None)`: a new draw at every run. */
export function randomNormal(shape: readonly number[], options?: RandomNormalOptions): Node;
export function randomNormal(shape: readonly number[], mean?: number | Node, stddev?: number | Node, dtype?: DTypeLike, seed?: number, name?: string): Node;
export function randomNormal(...args: unknown[]): Node {
  return randomOp(RandomStandardNormal, "random_normal", args, NORMAL, normalAffine);
}

/** TensorFlow's `truncated_normal(shape, mean=0, stddev=1, ...)`: draws beyond two standard deviations are drawn again. */
export function truncatedNormal(shape: readonly number[], options?: RandomNormalOptions): Node;
export function truncatedNormal(shape: readonly number[], mean?: number | Node, stddev?: number | Node, dtype?: DTypeLike, seed?: number, name?: string): Node;
export function truncatedNormal(...args: unknown[]): Node {
  return randomOp(TruncatedNormal, "truncated_normal", args, TRUNCATED, normalAffine);
}

/** TensorFlow's `random_uniform(shape, minval=0, maxval=1, ...)`: uniform draws from [minval, maxval). */
export function randomUniform(shape: readonly number[], options?: RandomUniformOptions): Node;
export function randomUniform(shape: readonly number[], minval?: number | Node, maxval?: number | Node, dtype?: DTypeLike, seed?: number, name?: string): Node;
export function randomUniform(...args: unknown[]): Node {
  return randomOp(RandomUniform, "random_uniform", args, UNIFORM, (u, { minval = 0, maxval = 1 }) => {
    if (minval === 0 && maxval === 1) return undefined;
    const range = typeof minval === "number" && typeof maxval === "number" ? maxval - minval : subtract(maxval, minval, "sub");
    return add(multiply(u, range, "mul"), minval, "add");
  });
}
