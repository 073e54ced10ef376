/**
 * The TensorFlow Playground's data sets (playground.tensorflow.org): four classification sets with
 * labels ±1 (circle, XOR, two Gaussians, spiral) and two regression sets with labels in [−1, 1]
 * (a plane, six Gaussians), all in the square [−6, 6]², with the Playground's shapes, sizes and
 * noise. They draw from TensorSlow's seeded generator, not Math.random, so a seed gives the same
 * points on every machine (the Playground's own points cannot be reproduced: it seeds the
 * browser's Math.random).
 *
 * `dataset(name, { noise, percTrainData, seed })` does what the Playground does when it makes
 * data: draw the points, shuffle them once, and split them into training and test points.
 */
import { RandomGenerator, ValueError } from "../tensor/index.js";

/** A point of the plane with its label: ±1 for classification, in [−1, 1] for regression. */
export interface PlaygroundPoint {
  readonly x: number;
  readonly y: number;
  readonly label: number;
}

/** Draws `numSamples` points with `noise` from 0 (none) to 1 (the Playground's 100 %), from `random`. */
export type PlaygroundGenerator = (numSamples: number, noise: number, random: RandomGenerator) => PlaygroundPoint[];

export const CLASSIFICATION_DATASETS = Object.freeze(["circle", "xor", "gauss", "spiral"] as const);
export const REGRESSION_DATASETS = Object.freeze(["reg-plane", "reg-gauss"] as const);
export type ClassificationDataset = (typeof CLASSIFICATION_DATASETS)[number];
export type RegressionDataset = (typeof REGRESSION_DATASETS)[number];
export type PlaygroundDataset = ClassificationDataset | RegressionDataset;

/** How many points the Playground draws: 500 to classify, 1200 to regress. */
export const NUM_SAMPLES = Object.freeze({ classification: 500, regression: 1200 });

/** The half-width of the square the points lie in (the Playground's heat maps span [−6, 6]). */
export const DOMAIN = 6;

function uniform(random: RandomGenerator, a: number, b: number): number {
  return a + (b - a) * random.nextFloat();
}

/**
 * A normal sample by Marsaglia's polar method, as the Playground draws its Gaussians. Its second
 * argument is the variance, not the standard deviation.
 */
function normal(random: RandomGenerator, mean: number, variance: number): number {
  let v1: number;
  let s: number;
  do {
    v1 = 2 * random.nextFloat() - 1;
    const v2 = 2 * random.nextFloat() - 1;
    s = v1 * v1 + v2 * v2;
  } while (s > 1 || s === 0);
  return mean + Math.sqrt(variance) * Math.sqrt((-2 * Math.log(s)) / s) * v1;
}

/** A point drawn uniformly from the disc's annulus r ∈ [r0, r1) (uniform in r, not in area, as the Playground). */
function polar(random: RandomGenerator, r0: number, r1: number): [number, number] {
  const r = uniform(random, r0, r1);
  const angle = uniform(random, 0, 2 * Math.PI);
  return [r * Math.sin(angle), r * Math.cos(angle)];
}

/**
 * Points inside radius 2.5 (label 1) and between radius 3.5 and 5 (label −1), half each. Noise
 * moves the point at which the label is decided (so labels near the border flip), not the point.
 */
export const circle: PlaygroundGenerator = (numSamples, noise, random) => {
  check("circle", numSamples, noise, random);
  const radius = 5;
  const points: PlaygroundPoint[] = [];
  for (const [r0, r1] of [
    [0, radius * 0.5],
    [radius * 0.7, radius],
  ] as const) {
    for (let i = 0; i < numSamples / 2; i++) {
      const [x, y] = polar(random, r0, r1);
      const nx = uniform(random, -radius, radius) * noise;
      const ny = uniform(random, -radius, radius) * noise;
      const label = Math.hypot(x + nx, y + ny) < radius * 0.5 ? 1 : -1;
      points.push({ x, y, label });
    }
  }
  return points;
};

/**
 * Points uniform in [−5, 5]², pushed 0.3 away from both axes, labelled 1 where x·y ≥ 0 (the
 * quadrants of XOR) and −1 elsewhere; noise moves the point at which the label is decided.
 */
export const xor: PlaygroundGenerator = (numSamples, noise, random) => {
  check("xor", numSamples, noise, random);
  const padding = 0.3;
  const points: PlaygroundPoint[] = [];
  for (let i = 0; i < numSamples; i++) {
    let x = uniform(random, -5, 5);
    x += x > 0 ? padding : -padding;
    let y = uniform(random, -5, 5);
    y += y > 0 ? padding : -padding;
    const nx = uniform(random, -5, 5) * noise;
    const ny = uniform(random, -5, 5) * noise;
    points.push({ x, y, label: (x + nx) * (y + ny) >= 0 ? 1 : -1 });
  }
  return points;
};

/**
 * Two Gaussian blobs, label 1 around (2, 2) and −1 around (−2, −2), half each. Noise widens them:
 * the variance goes from 0.5 (no noise) linearly to 4 (noise 0.5).
 */
export const gauss: PlaygroundGenerator = (numSamples, noise, random) => {
  check("gauss", numSamples, noise, random);
  const variance = 0.5 + (noise / 0.5) * 3.5;
  const points: PlaygroundPoint[] = [];
  for (const [c, label] of [
    [2, 1],
    [-2, -1],
  ] as const) {
    for (let i = 0; i < numSamples / 2; i++) {
      const x = normal(random, c, variance);
      const y = normal(random, c, variance);
      points.push({ x, y, label });
    }
  }
  return points;
};

/**
 * Two interleaved spirals of 1.75 turns reaching radius 5, label 1 and −1, half each; noise adds
 * up to ±noise to each coordinate.
 */
export const spiral: PlaygroundGenerator = (numSamples, noise, random) => {
  check("spiral", numSamples, noise, random);
  const n = numSamples / 2;
  const points: PlaygroundPoint[] = [];
  for (const [deltaT, label] of [
    [0, 1],
    [Math.PI, -1],
  ] as const) {
    for (let i = 0; i < n; i++) {
      const r = (i / n) * 5;
      const t = ((1.75 * i) / n) * 2 * Math.PI + deltaT;
      const x = r * Math.sin(t) + uniform(random, -1, 1) * noise;
      const y = r * Math.cos(t) + uniform(random, -1, 1) * noise;
      points.push({ x, y, label });
    }
  }
  return points;
};

/**
 * `numSamples` points uniform in [−6, 6]², each labelled by `label` at the point moved by up to
 * ±6·noise on each axis: the regression sets' noise is in where the label is read, not in the point.
 */
function regression(numSamples: number, noise: number, random: RandomGenerator, label: (x: number, y: number) => number): PlaygroundPoint[] {
  const radius = DOMAIN;
  const points: PlaygroundPoint[] = [];
  for (let i = 0; i < numSamples; i++) {
    const x = uniform(random, -radius, radius);
    const y = uniform(random, -radius, radius);
    const nx = uniform(random, -radius, radius) * noise;
    const ny = uniform(random, -radius, radius) * noise;
    points.push({ x, y, label: label(x + nx, y + ny) });
  }
  return points;
}

/** Points uniform in [−6, 6]², labelled (x + y) / 10, which runs over [−1.2, 1.2]. */
export const regressPlane: PlaygroundGenerator = (numSamples, noise, random) => {
  check("regressPlane", numSamples, noise, random);
  return regression(numSamples, noise, random, (x, y) => (x + y) / 10);
};

/** The six bumps of `regressGaussian`: centre and sign. */
const BUMPS = [
  [-4, 2.5, 1],
  [0, 2.5, -1],
  [4, 2.5, 1],
  [-4, -2.5, -1],
  [0, -2.5, 1],
  [4, -2.5, -1],
] as const;

/**
 * Points uniform in [−6, 6]², labelled by six cones of height ±1 and radius 2 (alternating signs on
 * a 3×2 grid): of the cones the point is in, the one with the largest |value| decides.
 */
export const regressGaussian: PlaygroundGenerator = (numSamples, noise, random) => {
  check("regressGaussian", numSamples, noise, random);
  return regression(numSamples, noise, random, (x, y) => {
    let best = 0;
    for (const [cx, cy, sign] of BUMPS) {
      const value = sign * Math.min(1, Math.max(0, 1 - Math.hypot(x - cx, y - cy) / 2));
      if (Math.abs(value) > Math.abs(best)) best = value;
    }
    return best;
  });
};

/** The generators by the names the Playground's URL uses (`dataset=`, `regDataset=`). */
export const GENERATORS: Readonly<Record<PlaygroundDataset, PlaygroundGenerator>> = Object.freeze({
  circle,
  xor,
  gauss,
  spiral,
  "reg-plane": regressPlane,
  "reg-gauss": regressGaussian,
});

/** Shuffles `array` in place (Fisher-Yates, from the last element down), drawing from `random`. */
export function shuffle<T>(array: T[], random: RandomGenerator): T[] {
  if (!Array.isArray(array)) throw new ValueError(`playground.shuffle: array must be an array, got ${String(array)}`);
  if (!(random instanceof RandomGenerator)) throw new ValueError(`playground.shuffle: random must be a ts.random.RandomGenerator, got ${String(random)}`);
  for (let counter = array.length; counter > 0; ) {
    const index = Math.floor(random.nextFloat() * counter);
    counter--;
    const tmp = array[counter]!;
    array[counter] = array[index]!;
    array[index] = tmp;
  }
  return array;
}

export interface PlaygroundDataOptions {
  /** Noise in percent, 0 to 100 (the Playground's slider goes to 50). Default 0. */
  noise?: number;
  /** The share of points kept for training, in percent, 0 to 100 (the rest are test points). Default 50. */
  percTrainData?: number;
  /** The seed of the points and of their shuffle: an integer (0 to 2³² − 1). Default 0. */
  seed?: number;
  /** How many points to draw; by default the Playground's 500 (classification) or 1200 (regression). */
  numSamples?: number;
}

export interface PlaygroundData {
  /** The first ⌊numSamples · percTrainData / 100⌋ points after the shuffle. */
  readonly train: PlaygroundPoint[];
  /** The rest. */
  readonly test: PlaygroundPoint[];
}

/**
 * Keeps a data set's stream apart from the weights' seeds: a page seeds its weights with the same
 * small integers (seed, seed + 1, ...), and the first draws of a generator seeded alike would be
 * the same numbers.
 */
const DATA_STREAM = 0x9e3779b9;

/**
 * The Playground's data: `numSamples` points of `name` drawn with `noise`, shuffled once with the
 * same stream, and split into training points (the first `percTrainData` %) and test points.
 */
export function dataset(name: PlaygroundDataset, options: PlaygroundDataOptions = {}): PlaygroundData {
  const generator = (GENERATORS as Record<string, PlaygroundGenerator | undefined>)[name as string];
  if (typeof name !== "string" || generator === undefined || !Object.hasOwn(GENERATORS, name)) {
    throw new ValueError(`playground.dataset: name must be one of ${Object.keys(GENERATORS).join(", ")}, got ${JSON.stringify(name)}`);
  }
  if (options === null || typeof options !== "object") throw new ValueError(`playground.dataset: options must be an object, got ${String(options)}`);
  const { noise = 0, percTrainData = 50, seed = 0 } = options;
  const numSamples = options.numSamples ?? (REGRESSION_DATASETS.includes(name as RegressionDataset) ? NUM_SAMPLES.regression : NUM_SAMPLES.classification);
  percent("noise", noise);
  percent("percTrainData", percTrainData);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ValueError(`playground.dataset: seed must be an integer from 0 to 2^32 - 1, got ${String(seed)}`);
  const random = new RandomGenerator((seed ^ DATA_STREAM) >>> 0);
  const points = shuffle(generator(numSamples, noise / 100, random), random);
  const split = Math.floor((points.length * percTrainData) / 100);
  return { train: points.slice(0, split), test: points.slice(split) };
}

function percent(what: string, value: unknown): void {
  if (typeof value !== "number" || !(value >= 0 && value <= 100)) {
    throw new ValueError(`playground.dataset: ${what} must be a percentage from 0 to 100, got ${String(value)}`);
  }
}

function check(what: string, numSamples: unknown, noise: unknown, random: unknown): void {
  if (!Number.isInteger(numSamples) || (numSamples as number) < 0) {
    throw new ValueError(`playground.${what}: numSamples must be a non-negative integer, got ${String(numSamples)}`);
  }
  if (typeof noise !== "number" || !(noise >= 0 && noise <= 1)) {
    throw new ValueError(`playground.${what}: noise must be a number from 0 to 1 (the Playground's percentage / 100), got ${String(noise)}`);
  }
  if (!(random instanceof RandomGenerator)) {
    throw new ValueError(`playground.${what}: random must be a ts.random.RandomGenerator, got ${String(random)}`);
  }
}
