/**
 * The tutorial's 2-D point sets, drawn from `ts.random` with fixed seeds so that every run (and
 * every machine) sees the same points.
 *
 * - `blobs`: part II's two Gaussian blobs, 50 red points N(0, 1) − 2 and 50 blue points N(0, 1) + 2.
 * - `xorClusters`: part V's clusters that no line separates, red around (0, 0) and (1, 1), blue
 *   around (0, 1) and (1, 0), 25 points each with standard deviation 0.2.
 *
 * Each set comes as float32 tensors of shape [n, 2]: `red`, `blue`, and both together in `points`
 * with one-hot `labels`, in the tutorial's feed order: blue rows first with class [1, 0], then red
 * rows with class [0, 1] (`np.concatenate((blue_points, red_points))`).
 */
import { ValueError, Tensor, tensor } from "../tensor/index.js";
import { normal } from "../tensor/random.js";

export interface PointSetOptions {
  /** Seed of the normal samples; the default gives the same points every time. */
  seed?: number;
}

export interface PointSet {
  /** Red points, shape [nRed, 2]. */
  readonly red: Tensor;
  /** Blue points, shape [nBlue, 2]. */
  readonly blue: Tensor;
  /** Blue rows, then red rows (the tutorial's order): shape [nBlue + nRed, 2]. */
  readonly points: Tensor;
  /** One-hot classes of `points`: [1, 0] for blue, [0, 1] for red. */
  readonly labels: Tensor;
}

/** The seed `blobs` uses when none is given. */
export const BLOBS_SEED = 1;
/** The seed `xorClusters` uses when none is given. */
export const XOR_SEED = 5;

interface Cluster {
  center: readonly [number, number];
  count: number;
}

/**
 * Draws every cluster from one stream of normal samples (red clusters first, then blue, in the
 * tutorial's order) and shifts each cluster's rows to its center.
 */
function pointSet(red: readonly Cluster[], blue: readonly Cluster[], stddev: number, seed: number): PointSet {
  if (!Number.isInteger(seed)) throw new ValueError(`a point set's seed must be an integer, got ${seed}`);
  const clusters = [...red, ...blue];
  const n = clusters.reduce((s, c) => s + c.count, 0);
  const points = normal([n, 2], { seed, stddev, dtype: "float32" });
  let row = 0;
  for (const { center, count } of clusters) {
    for (let i = 0; i < count; i++, row++) {
      points.data[2 * row] += center[0];
      points.data[2 * row + 1] += center[1];
    }
  }
  const nRed = red.reduce((s, c) => s + c.count, 0);
  const nBlue = n - nRed;
  const redRows = points.data.slice(0, 2 * nRed) as Float32Array;
  const blueRows = points.data.slice(2 * nRed) as Float32Array;
  const fed = new Float32Array(2 * n);
  fed.set(blueRows);
  fed.set(redRows, 2 * nBlue);
  const labels = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) labels[2 * i + (i < nBlue ? 0 : 1)] = 1;
  return {
    red: new Tensor([nRed, 2], "float32", redRows),
    blue: new Tensor([nBlue, 2], "float32", blueRows),
    points: new Tensor([n, 2], "float32", fed),
    labels: tensor(labels, { shape: [n, 2] }),
  };
}

/** Part II's blobs: 50 red points around (−2, −2) and 50 blue points around (2, 2), standard deviation 1. */
export function blobs(options: PointSetOptions = {}): PointSet {
  return pointSet([{ center: [-2, -2], count: 50 }], [{ center: [2, 2], count: 50 }], 1, options.seed ?? BLOBS_SEED);
}

/**
 * Part V's XOR-like clusters: red around (0, 0) and (1, 1), blue around (0, 1) and (1, 0), 25
 * points each, standard deviation 0.2.
 */
export function xorClusters(options: PointSetOptions = {}): PointSet {
  return pointSet(
    [
      { center: [0, 0], count: 25 },
      { center: [1, 1], count: 25 },
    ],
    [
      { center: [0, 1], count: 25 },
      { center: [1, 0], count: 25 },
    ],
    0.2,
    options.seed ?? XOR_SEED,
  );
}

/**
 * Stacks tensors of the same trailing shape along the first axis (numpy's `concatenate` for
 * values), e.g. `concatRows(blue, red)` for the tutorial's `np.concatenate((blue_points, red_points))`.
 */
export function concatRows(...parts: readonly Tensor[]): Tensor {
  if (parts.length === 0) throw new ValueError("concatRows needs at least one tensor");
  const [first] = parts as [Tensor];
  const rest = first.shape.slice(1);
  let rows = 0;
  for (const t of parts) {
    if (t.rank === 0 || t.dtype !== first.dtype || t.shape.length !== first.shape.length || t.shape.some((d, i) => i > 0 && d !== first.shape[i])) {
      throw new ValueError(
        `concatRows needs tensors of one dtype and the same shape after the first axis: got ${parts.map((p) => `${p.dtype}[${p.shape.join(",")}]`).join(", ")}`,
      );
    }
    rows += t.shape[0]!;
  }
  const out = new Tensor([rows, ...rest], first.dtype);
  let offset = 0;
  for (const t of parts) {
    out.data.set(t.data, offset);
    offset += t.size;
  }
  return out;
}
