/**
 * Initializers, as TensorFlow 1.x's: each factory returns a function that makes the initial value
 * of a variable of a given shape and dtype. Random ones take a seed; with it, every call gives the
 * same values, and without it each call draws its seed from the global sequence (setRandomSeed).
 *
 * The factories take TF1's positional arguments in TF1's order (`random_normal_initializer(mean,
 * stddev, seed, dtype)`) or the same by name in a trailing options object. The factory's dtype is
 * the one an initializer call without a dtype makes (TF1's `dtype=` argument); a call's own wins.
 */
import {
  DEFAULT_DTYPE,
  Tensor,
  ValueError,
  formatShape,
  check,
  is,
  isDTypeArg,
  isTensorValue,
  ones as onesTensor,
  random,
  requireArg,
  signature,
  sizeOf,
  storageDType,
  tensor,
  zeros as zerosTensor,
  type DType,
  type DTypeLike,
  type Param,
  type TensorLike,
} from "../tensor/index.js";

/** Makes an initial value of `shape` and `dtype` (the factory's dtype, float32 by default). */
export type Initializer = (shape: readonly number[], dtype?: DTypeLike) => Tensor;

export interface SeedOptions {
  seed?: number;
  dtype?: DTypeLike;
}

const SEED: Param = { name: "seed", check: is.optional(is.integer) };
const DTYPE: Param = { name: "dtype", check: is.optional(isDTypeArg) };
const NUMBER = is.optional(is.finite);

/** The factories themselves: passed where an initializer is expected, they are named as the slip they are. */
const FACTORIES = new WeakSet<object>();
function factory<F extends (...args: never[]) => Initializer>(name: string, f: F): F {
  Object.defineProperty(f, "name", { value: name });
  FACTORIES.add(f);
  return f;
}

/** Gives the factory's function a readable name and checks the shape and dtype it is called with. */
function initializer(what: string, factoryDtype: DTypeLike | undefined, make: (shape: readonly number[], dtype: DType) => Tensor): Initializer {
  const fn: Initializer = (shape, dtype) => {
    requireArg(what, "shape", shape, is.shape);
    requireArg(what, "dtype", dtype, is.optional(isDTypeArg));
    return make(shape, storageDType(dtype ?? factoryDtype ?? DEFAULT_DTYPE));
  };
  Object.defineProperty(fn, "name", { value: what });
  return fn;
}

const ZEROS = signature<{ dtype?: DTypeLike }>("zerosInitializer", [DTYPE]);
/** TF1's `zeros_initializer(dtype=float32)`. */
export function zeros(dtype?: DTypeLike | { dtype?: DTypeLike }): Initializer;
export function zeros(...args: unknown[]): Initializer {
  const { dtype } = ZEROS.parse(args);
  return initializer("zeros", dtype, (shape, d) => zerosTensor(shape, d));
}

const ONES = signature<{ dtype?: DTypeLike }>("onesInitializer", [DTYPE]);
/** TF1's `ones_initializer(dtype=float32)`. */
export function ones(dtype?: DTypeLike | { dtype?: DTypeLike }): Initializer;
export function ones(...args: unknown[]): Initializer {
  const { dtype } = ONES.parse(args);
  return initializer("ones", dtype, (shape, d) => onesTensor(shape, d));
}

const CONSTANT = signature<{ value?: TensorLike; dtype?: DTypeLike; verifyShape?: boolean }>("constantInitializer", [
  { name: "value", check: is.optional(isTensorValue) },
  DTYPE,
  { name: "verifyShape", check: is.optional(is.boolean) },
]);

/**
 * TF1's `constant_initializer(value=0, dtype=float32, verify_shape=False)`. A scalar fills the
 * shape. A list fills it in row-major order and, when shorter, its last value fills the rest; a
 * longer one is an error, and with verifyShape so is any value whose shape is not the variable's.
 */
export function constant(value?: TensorLike, dtype?: DTypeLike, verifyShape?: boolean): Initializer;
export function constant(value: TensorLike, options: { dtype?: DTypeLike; verifyShape?: boolean; verify_shape?: boolean }): Initializer;
export function constant(...args: unknown[]): Initializer {
  const { value = 0, dtype, verifyShape = false } = CONSTANT.parse(args);
  return initializer("constant", dtype, (shape, d) => {
    const v = tensor(value, { dtype: d });
    const n = sizeOf(shape);
    if (verifyShape && (v.shape.length !== shape.length || v.shape.some((x, i) => x !== shape[i]))) {
      throw new ValueError(`constant initializer: the value's shape ${formatShape(v.shape)} is not the variable's ${formatShape(shape)} (verifyShape)`);
    }
    if (v.size > n) {
      throw new ValueError(`constant initializer: ${v.size} values are too many for shape ${formatShape(shape)} (${n} elements)`);
    }
    if (v.size === 0 && n > 0) throw new ValueError(`constant initializer: no value to fill shape ${formatShape(shape)} with`);
    const out = new Tensor(shape, d);
    out.data.set(v.data);
    out.data.fill(v.data[v.size - 1] ?? 0, v.size);
    return out;
  });
}

type NormalArgs = { mean?: number; stddev?: number; seed?: number; dtype?: DTypeLike };
const normalSignature = (fn: string) =>
  signature<NormalArgs>(fn, [{ name: "mean", check: NUMBER }, { name: "stddev", check: NUMBER }, SEED, DTYPE]);
const RANDOM_NORMAL = normalSignature("randomNormalInitializer");
const TRUNCATED_NORMAL = normalSignature("truncatedNormalInitializer");

/** The options of a random draw, without the ones not given. */
function drawOptions<T extends object>(o: T, dtype: DType): T & { dtype: DType } {
  return Object.fromEntries([...Object.entries(o).filter(([k, v]) => v !== undefined && k !== "dtype"), ["dtype", dtype]]) as T & { dtype: DType };
}

/** TF1's `random_normal_initializer(mean=0, stddev=1, seed=None, dtype=float32)`. */
export function randomNormal(mean?: number, stddev?: number, seed?: number, dtype?: DTypeLike): Initializer;
export function randomNormal(options: NormalArgs): Initializer;
export function randomNormal(...args: unknown[]): Initializer {
  const o = RANDOM_NORMAL.parse(args);
  return initializer("randomNormal", o.dtype, (shape, dtype) => random.normal(shape, drawOptions(o, dtype)));
}

/** TF1's `truncated_normal_initializer(mean=0, stddev=1, seed=None, dtype=float32)`: normal values, redrawn when farther than two standard deviations from the mean. */
export function truncatedNormal(mean?: number, stddev?: number, seed?: number, dtype?: DTypeLike): Initializer;
export function truncatedNormal(options: NormalArgs): Initializer;
export function truncatedNormal(...args: unknown[]): Initializer {
  const o = TRUNCATED_NORMAL.parse(args);
  return initializer("truncatedNormal", o.dtype, (shape, dtype) => random.truncatedNormal(shape, drawOptions(o, dtype)));
}

type UniformArgs = { minval?: number; maxval?: number; seed?: number; dtype?: DTypeLike };
const RANDOM_UNIFORM = signature<UniformArgs>("randomUniformInitializer", [{ name: "minval", check: NUMBER }, { name: "maxval", check: NUMBER }, SEED, DTYPE]);

/** TF1's `random_uniform_initializer(minval=0, maxval=None (1), seed=None, dtype=float32)`. */
export function randomUniform(minval?: number, maxval?: number, seed?: number, dtype?: DTypeLike): Initializer;
export function randomUniform(options: UniformArgs): Initializer;
export function randomUniform(...args: unknown[]): Initializer {
  const o = RANDOM_UNIFORM.parse(args);
  return initializer("randomUniform", o.dtype, (shape, dtype) => random.uniform(shape, drawOptions(o, dtype)));
}

/**
 * The numbers of input and output units of a weight of `shape` (TensorFlow's rule): a dense
 * kernel [in, out] has fan-in `in` and fan-out `out`; a convolution kernel [..., in, out] counts
 * each position of its receptive field (the leading dimensions); a vector has both equal to its
 * length, and a scalar both 1.
 */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  requireArg("computeFans", "shape", shape, is.shape);
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptive = sizeOf(shape.slice(0, -2));
  return { fanIn: shape[shape.length - 2]! * receptive, fanOut: shape[shape.length - 1]! * receptive };
}

export type FanMode = "fan_in" | "fan_out" | "fan_avg";
/** "normal" is TensorFlow 1.x's name for "truncated_normal". */
export type ScalingDistribution = "truncated_normal" | "untruncated_normal" | "normal" | "uniform";

export interface VarianceScalingOptions extends SeedOptions {
  scale?: number;
  mode?: FanMode;
  distribution?: ScalingDistribution;
}

/**
 * The standard deviation of the normal that, truncated at ±2, has standard deviation 1: the
 * truncated draws are divided by it so that they keep the variance asked for.
 */
const TRUNCATED_STDDEV = 0.87962566103423978;

const VARIANCE_SCALING = signature<VarianceScalingOptions>("varianceScalingInitializer", [
  { name: "scale", check: is.optional(check<number>("a number > 0", (v) => typeof v === "number" && v > 0)) },
  { name: "mode", check: is.optional(is.oneOf(["fan_in", "fan_out", "fan_avg"])) },
  { name: "distribution", check: is.optional(is.oneOf(["truncated_normal", "untruncated_normal", "normal", "uniform"])) },
  SEED,
  DTYPE,
]);

/**
 * TF1's `variance_scaling_initializer(scale=1, mode="fan_in", distribution="truncated_normal",
 * seed=None, dtype=float32)`: values of variance scale/n, n being the fan-in, the fan-out or their
 * mean: a truncated normal (corrected to keep that variance), an untruncated normal, or uniform on
 * [−limit, limit] with limit = √(3·scale/n).
 */
export function varianceScaling(scale?: number, mode?: FanMode, distribution?: ScalingDistribution, seed?: number, dtype?: DTypeLike): Initializer;
export function varianceScaling(options: VarianceScalingOptions): Initializer;
export function varianceScaling(...args: unknown[]): Initializer {
  return scaled("varianceScaling", VARIANCE_SCALING.parse(args));
}

function scaled(what: string, options: VarianceScalingOptions): Initializer {
  const { scale = 1, mode = "fan_in", distribution = "truncated_normal", seed } = options;
  return initializer(what, options.dtype, (shape, dtype) => {
    const { fanIn, fanOut } = computeFans(shape);
    const n = Math.max(1, mode === "fan_in" ? fanIn : mode === "fan_out" ? fanOut : (fanIn + fanOut) / 2);
    const variance = scale / n;
    const rand = seed === undefined ? { dtype } : { dtype, seed };
    if (distribution === "uniform") {
      const limit = Math.sqrt(3 * variance);
      return random.uniform(shape, { ...rand, minval: -limit, maxval: limit });
    }
    if (distribution === "untruncated_normal") return random.normal(shape, { ...rand, stddev: Math.sqrt(variance) });
    return random.truncatedNormal(shape, { ...rand, stddev: Math.sqrt(variance) / TRUNCATED_STDDEV });
  });
}

type SeedArgs = { seed?: number; dtype?: DTypeLike };
/** A variance-scaling factory of fixed scale, mode and distribution, taking (seed, dtype) as TF1's. */
function fixedScaling(fn: string, what: string, scale: number, mode: FanMode, distribution: ScalingDistribution) {
  const sig = signature<SeedArgs>(fn, [SEED, DTYPE]);
  function make(seed?: number, dtype?: DTypeLike): Initializer;
  function make(options: SeedArgs): Initializer;
  function make(...args: unknown[]): Initializer {
    const { seed, dtype } = sig.parse(args);
    return scaled(what, { scale, mode, distribution, ...(seed === undefined ? {} : { seed }), ...(dtype === undefined ? {} : { dtype }) });
  }
  return factory(what, make);
}

/** Glorot (Xavier) uniform: limit √(6/(fanIn + fanOut)). The default kernel initializer of layers. */
export const glorotUniform = fixedScaling("glorotUniformInitializer", "glorotUniform", 1, "fan_avg", "uniform");
/** Glorot normal: a truncated normal of standard deviation √(2/(fanIn + fanOut)). */
export const glorotNormal = fixedScaling("glorotNormalInitializer", "glorotNormal", 1, "fan_avg", "truncated_normal");
/** He normal: a truncated normal of standard deviation √(2/fanIn), for ReLU layers. */
export const heNormal = fixedScaling("initializers.heNormal", "heNormal", 2, "fan_in", "truncated_normal");
/** He uniform: limit √(6/fanIn). */
export const heUniform = fixedScaling("initializers.heUniform", "heUniform", 2, "fan_in", "uniform");
/** LeCun normal: a truncated normal of standard deviation √(1/fanIn). */
export const lecunNormal = fixedScaling("initializers.lecunNormal", "lecunNormal", 1, "fan_in", "truncated_normal");

for (const [name, f] of Object.entries({ zeros, ones, constant, randomNormal, truncatedNormal, randomUniform, varianceScaling })) factory(name, f);

/** An initializer, or a value taken as constant(value). */
export type InitializerLike = Initializer | TensorLike;

const isInitializerLike = check<InitializerLike>(`an initializer (a function of shape and dtype) or ${isTensorValue.expected}`, (v) => typeof v === "function" || isTensorValue.test(v));

/**
 * The initial value for a variable of `shape` and `dtype` from `init`, checked: an initializer
 * must return a Tensor of that shape and dtype (a factory passed uncalled, `initializers.zeros`
 * for `initializers.zeros()`, is the usual slip).
 */
export function initialValue(init: InitializerLike, shape: readonly number[], dtype: DType, what: string): Tensor {
  requireArg("initialValue", "init", init, isInitializerLike);
  requireArg("initialValue", "shape", shape, is.shape);
  requireArg("initialValue", "dtype", dtype, isDTypeArg);
  requireArg("initialValue", "what", what, is.string);
  if (typeof init !== "function") return constant(init)(shape, dtype);
  if (FACTORIES.has(init)) throw new ValueError(`${what}: got the initializer factory ${init.name}, not an initializer (call it: ${init.name}())`);
  const value: unknown = (init as Initializer)(shape, dtype);
  if (!(value instanceof Tensor)) {
    const hint = typeof value === "function" ? ` (did you pass the factory ${init.name} instead of calling it, ${init.name}()?)` : "";
    throw new ValueError(`${what}: the initializer returned ${typeof value === "function" ? "a function" : String(value)}, not a Tensor${hint}`);
  }
  if (value.dtype !== dtype || value.shape.length !== shape.length || value.shape.some((d, i) => d !== shape[i])) {
    throw new ValueError(`${what}: the initializer made a ${value.dtype} value of shape ${formatShape(value.shape)}, expected ${dtype} ${formatShape(shape)}`);
  }
  return value;
}
