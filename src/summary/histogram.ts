/**
 * TensorFlow's histogram of a tensor's values, as its HistogramSummary kernel computes it
 * (tensorflow/core/lib/histogram/histogram.cc): fixed bucket limits growing by 10 % from 1e-12 to
 * 1e20 on both sides of 0, runs of empty buckets merged into the bucket that ends them.
 */
import { ValueError } from "../tensor/index.js";

/** TensorFlow's default bucket limits: -DBL_MAX, ..., -1e-12, 0, 1e-12, ..., 1e20-ish, DBL_MAX. */
export const DEFAULT_BUCKET_LIMITS: readonly number[] = (() => {
  const positive: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) positive.push(v);
  positive.push(Number.MAX_VALUE);
  return [...positive.map((v) => -v).reverse(), 0, ...positive];
})();

/** The fields of TensorFlow's HistogramProto. */
export interface Histogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

/** First index whose limit is greater than `v` (std::upper_bound). */
function upperBound(limits: readonly number[], v: number): number {
  let lo = 0;
  let hi = limits.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (limits[mid]! > v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The histogram of `values` (float64 arithmetic); NaN or infinite values are refused, as TensorFlow does. */
export function histogramOf(values: ArrayLike<number>, tag: string): Histogram {
  const limits = DEFAULT_BUCKET_LIMITS;
  const counts = new Float64Array(limits.length);
  let min = Number.MAX_VALUE;
  let max = -Number.MAX_VALUE;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new ValueError(`summary.histogram '${tag}': element ${i} is ${v}; histograms take finite values (TensorFlow refuses NaN and Inf too)`);
    counts[Math.min(upperBound(limits, v), limits.length - 1)]! += 1;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSquares += v * v;
  }
  const bucketLimit: number[] = [];
  const bucket: number[] = [];
  for (let i = 0; i < limits.length; ) {
    let end = limits[i]!;
    let count = counts[i]!;
    i++;
    if (count <= 0) {
      while (i < limits.length && counts[i]! <= 0) {
        end = limits[i]!;
        count = counts[i]!;
        i++;
      }
    }
    bucketLimit.push(end);
    bucket.push(count);
  }
  return { min, max, num: values.length, sum, sumSquares, bucketLimit, bucket };
}
