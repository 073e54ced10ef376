/**
 * Initializers, as TensorFlow 1.x's: each factory returns a function that makes the initial value
 * of a variable of a given shape and dtype. Random ones take a seed; with it, every call gives the
 * same values, and without it each call draws its seed from the global sequence (setRandomSeed).
 */
import { DEFAULT_DTYPE, Tensor, ValueError, formatShape, ones as onesTensor, random, sizeOf, tensor, zeros as zerosTensor, type DType, type TensorLike } from "../tensor/index.js";

/** Makes an initial value of `shape` and `dtype` (float32 by default). */
export type Initializer = (shape: readonly number[], dtype?: DType) => Tensor;

export interface SeedOptions {
  seed?: number;
}

function checkShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ValueError(`${what}: invalid shape ${Array.isArray(shape) ? formatShape(shape) : String(shape)}`);
  }
}

/** Gives the factory's function a readable name and checks the shape it is called with. */
function initializer(what: string, make: (shape: readonly number[], dtype: DType) => Tensor): Initializer {
  const fn: Initializer = (shape, dtype = DEFAULT_DTYPE) => {
    checkShape(shape, what);
    return make(shape, dtype);
  };
  Object.defineProperty(fn, "name", { value: what });
  return fn;
}

export function zeros(): Initializer {
  return initializer("zeros", (shape, dtype) => zerosTensor(shape, dtype));
}

export function ones(): Initializer {
  return initializer("ones", (shape, dtype) => onesTensor(shape, dtype));
}

/**
 * A scalar fills the shape. A list fills it in row-major order and, when shorter, its last value
 * fills the rest (TensorFlow 1.x's constant_initializer); a longer one is an error.
 */
export function constant(value: TensorLike = 0): Initializer {
  return initializer("constant", (shape, dtype) => {
    const v = tensor(value, { dtype });
    const n = sizeOf(shape);
    if (v.size > n) {
      throw new ValueError(`constant initializer: ${v.size} values are too many for shape ${formatShape(shape)} (${n} elements)`);
    }
    if (v.size === 0 && n > 0) throw new ValueError(`constant initializer: no value to fill shape ${formatShape(shape)} with`);
    const out = new Tensor(shape, dtype);
    out.data.set(v.data);
    out.data.fill(v.data[v.size - 1] ?? 0, v.size);
    return out;
  });
}

export function randomNormal(options: SeedOptions & { mean?: number; stddev?: number } = {}): Initializer {
  return initializer("randomNormal", (shape, dtype) => random.normal(shape, { ...options, dtype }));
}

/** Normal values, redrawn when farther than two standard deviations from the mean. */
export function truncatedNormal(options: SeedOptions & { mean?: number; stddev?: number } = {}): Initializer {
  return initializer("truncatedNormal", (shape, dtype) => random.truncatedNormal(shape, { ...options, dtype }));
}

export function randomUniform(options: SeedOptions & { minval?: number; maxval?: number } = {}): Initializer {
  return initializer("randomUniform", (shape, dtype) => random.uniform(shape, { ...options, dtype }));
}

/**
 * The numbers of input and output units of a weight of `shape` (TensorFlow's rule): a dense
 * kernel [in, out] has fan-in `in` and fan-out `out`; a convolution kernel [..., in, out] counts
 * each position of its receptive field (the leading dimensions); a vector has both equal to its
 * length, and a scalar both 1.
 */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
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

/**
 * Values of variance scale/n, n being the fan-in, the fan-out or their mean: a truncated normal
 * (corrected to keep that variance), an untruncated normal, or uniform on [−limit, limit] with
 * limit = √(3·scale/n).
 */
export function varianceScaling(options: VarianceScalingOptions = {}): Initializer {
  const { scale = 1, mode = "fan_in", distribution = "truncated_normal", seed } = options;
  if (!(scale > 0)) throw new ValueError(`varianceScaling: scale must be positive, got ${scale}`);
  if (!["fan_in", "fan_out", "fan_avg"].includes(mode)) throw new ValueError(`varianceScaling: mode must be fan_in, fan_out or fan_avg, got ${String(mode)}`);
  if (!["truncated_normal", "untruncated_normal", "normal", "uniform"].includes(distribution)) {
    throw new ValueError(`varianceScaling: distribution must be truncated_normal, untruncated_normal, normal or uniform, got ${String(distribution)}`);
  }
  return initializer("varianceScaling", (shape, dtype) => {
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

/** Glorot (Xavier) uniform: limit √(6/(fanIn + fanOut)). The default kernel initializer of layers. */
export function glorotUniform(options: SeedOptions = {}): Initializer {
  return varianceScaling({ ...options, scale: 1, mode: "fan_avg", distribution: "uniform" });
}

/** Glorot normal: a truncated normal of standard deviation √(2/(fanIn + fanOut)). */
export function glorotNormal(options: SeedOptions = {}): Initializer {
  return varianceScaling({ ...options, scale: 1, mode: "fan_avg", distribution: "truncated_normal" });
}

/** He normal: a truncated normal of standard deviation √(2/fanIn), for ReLU layers. */
export function heNormal(options: SeedOptions = {}): Initializer {
  return varianceScaling({ ...options, scale: 2, mode: "fan_in", distribution: "truncated_normal" });
}

/** He uniform: limit √(6/fanIn). */
export function heUniform(options: SeedOptions = {}): Initializer {
  return varianceScaling({ ...options, scale: 2, mode: "fan_in", distribution: "uniform" });
}

/** LeCun normal: a truncated normal of standard deviation √(1/fanIn). */
export function lecunNormal(options: SeedOptions = {}): Initializer {
  return varianceScaling({ ...options, scale: 1, mode: "fan_in", distribution: "truncated_normal" });
}

/** An initializer, or a value taken as constant(value). */
export type InitializerLike = Initializer | TensorLike;

/**
 * The initial value for a variable of `shape` and `dtype` from `init`, checked: an initializer
 * must return a Tensor of that shape and dtype (a factory passed uncalled, `initializers.zeros`
 * for `initializers.zeros()`, is the usual slip).
 */
export function initialValue(init: InitializerLike, shape: readonly number[], dtype: DType, what: string): Tensor {
  if (typeof init !== "function") return constant(init)(shape, dtype);
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
