/**
 * Seeded random numbers, reproducible across runs and machines: a xoshiro128** generator seeded by
 * splitmix32, and the Box-Muller transform for normal samples. No Math.random: an unseeded call
 * draws its seed from a global sequence that `setRandomSeed` fixes.
 */
import { DEFAULT_DTYPE, isFloatDType, type DType, type TypedArray } from "./dtype.js";
import { DTypeError } from "./errors.js";
import { Tensor } from "./tensor.js";
import type { Shape } from "./shape.js";

export class RandomGenerator {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      // splitmix32: spreads one 32-bit seed over the 128-bit state.
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** The generator of a (graph seed, op seed) pair, as the random ops' streams start. */
  static fromSeeds(seed: number, seed2: number): RandomGenerator {
    return new RandomGenerator((Math.imul(seed | 0, 0x9e3779b1) ^ (seed2 | 0)) >>> 0);
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal sample (Box-Muller; the second value of each pair is kept for the next call). */
  nextNormal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

let globalSeeds = new RandomGenerator(Date.now() ^ 0x5eed);

/** Fixes the seeds of later unseeded random Tensor functions (the graph's seed is ops/random.ts's `setRandomSeed`). */
export function setGlobalSeed(seed: number): void {
  globalSeeds = new RandomGenerator(seed);
}

/** A generator for an explicit seed, or for the next seed of the global sequence. */
export function generatorFor(seed?: number): RandomGenerator {
  return new RandomGenerator(seed ?? globalSeeds.nextUint32());
}

export interface RandomOptions {
  seed?: number;
  dtype?: DType;
}

function floatDtype(dtype: DType | undefined, what: string): DType {
  const d = dtype ?? DEFAULT_DTYPE;
  if (!isFloatDType(d)) throw new DTypeError(`${what} makes float32 or float64 values, not ${d}`);
  return d;
}

// The three draws, shared by the Tensor functions below and the graph ops' kernels (ops/random.ts).

/** Fills `out` with mean + stddev · (standard normal draws of `rng`). */
export function fillNormal(out: TypedArray, rng: RandomGenerator, mean = 0, stddev = 1): void {
  for (let i = 0; i < out.length; i++) out[i] = mean + stddev * rng.nextNormal();
}

/** As `fillNormal`, a draw farther than two standard deviations from the mean drawn again. */
export function fillTruncatedNormal(out: TypedArray, rng: RandomGenerator, mean = 0, stddev = 1): void {
  for (let i = 0; i < out.length; i++) {
    let z = rng.nextNormal();
    while (Math.abs(z) > 2) z = rng.nextNormal();
    out[i] = mean + stddev * z;
  }
}

/** Fills `out` with uniform draws from [minval, maxval). */
export function fillUniform(out: TypedArray, rng: RandomGenerator, minval = 0, maxval = 1): void {
  for (let i = 0; i < out.length; i++) out[i] = minval + (maxval - minval) * rng.nextFloat();
}

/** Samples from a normal distribution (TensorFlow's `random_normal`). */
export function normal(shape: Shape, options: RandomOptions & { mean?: number; stddev?: number } = {}): Tensor {
  const t = new Tensor(shape, floatDtype(options.dtype, "random.normal"));
  fillNormal(t.data, generatorFor(options.seed), options.mean, options.stddev);
  return t;
}

/**
 * Samples from a normal distribution truncated at two standard deviations: a draw farther than
 * 2·stddev from the mean is dropped and drawn again (TensorFlow's `truncated_normal`). The values'
 * standard deviation is therefore about 0.88·stddev.
 */
export function truncatedNormal(shape: Shape, options: RandomOptions & { mean?: number; stddev?: number } = {}): Tensor {
  const t = new Tensor(shape, floatDtype(options.dtype, "random.truncatedNormal"));
  fillTruncatedNormal(t.data, generatorFor(options.seed), options.mean, options.stddev);
  return t;
}

/** Samples uniformly from [minval, maxval) (TensorFlow's `random_uniform`). */
export function uniform(shape: Shape, options: RandomOptions & { minval?: number; maxval?: number } = {}): Tensor {
  const t = new Tensor(shape, floatDtype(options.dtype, "random.uniform"));
  fillUniform(t.data, generatorFor(options.seed), options.minval, options.maxval);
  return t;
}

/** The next seed of the global sequence (what an unseeded call uses). */
export function nextSeed(): number {
  return globalSeeds.nextUint32();
}

/** Puts 0..n-1 in `p` (n = p.length) in the order `permutation(n, seed)` gives, reusing the array. */
export function permuteInto(p: Int32Array, seed?: number): Int32Array {
  const rng = generatorFor(seed);
  for (let i = 0; i < p.length; i++) p[i] = i;
  for (let i = p.length - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    const tmp = p[i]!;
    p[i] = p[j]!;
    p[j] = tmp;
  }
  return p;
}

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, seed?: number): Int32Array {
  return permuteInto(new Int32Array(n), seed);
}
