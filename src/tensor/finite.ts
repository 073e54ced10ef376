/** Finding NaNs and infinities (for CheckNumerics and the session's numeric checks). */

/** The first element of `data` that is NaN or infinite, or -1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // v - v is 0 for every finite v, NaN for NaN and ±Infinity: one comparison per element.
    if (v - v !== 0) return i;
  }
  return -1;
}

/** What a non-finite value is, in TensorFlow's words: "NaN", "Inf" or "-Inf". */
export function nonFiniteKind(v: number): string {
  return Number.isNaN(v) ? "NaN" : v > 0 ? "Inf" : "-Inf";
}
