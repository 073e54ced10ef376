/**
 * The Playground's input features: functions of a point's coordinates (x₁, x₂), computed in
 * JavaScript and fed as the columns of the input placeholder, in the TensorFlow Playground's
 * order. `key` is the URL parameter that turns a feature on (`#x=true&sinX=true`).
 */
export const FEATURES = Object.freeze([
  { key: "x", label: "x₁", code: "x1", f: (x1, x2) => x1 },
  { key: "y", label: "x₂", code: "x2", f: (x1, x2) => x2 },
  { key: "xSquared", label: "x₁²", code: "x1 * x1", f: (x1, x2) => x1 * x1 },
  { key: "ySquared", label: "x₂²", code: "x2 * x2", f: (x1, x2) => x2 * x2 },
  { key: "xTimesY", label: "x₁x₂", code: "x1 * x2", f: (x1, x2) => x1 * x2 },
  { key: "sinX", label: "sin(x₁)", code: "Math.sin(x1)", f: (x1, x2) => Math.sin(x1) },
  { key: "sinY", label: "sin(x₂)", code: "Math.sin(x2)", f: (x1, x2) => Math.sin(x2) },
]);

/** The features a state turns on, in the Playground's order. */
export function activeFeatures(state) {
  return FEATURES.filter((feature) => state[feature.key]);
}

/**
 * The points' feature rows as one float32 matrix [points, features] (computed in float64, then
 * rounded once). `points` holds {x, y} objects.
 */
export function featureMatrix(points, features) {
  const out = new Float32Array(points.length * features.length);
  points.forEach((p, i) => {
    features.forEach((feature, j) => {
      out[i * features.length + j] = feature.f(p.x, p.y);
    });
  });
  return out;
}

/**
 * The centres of a density × density grid over [lo, hi]², row by row from the top (x₂ = hi) down,
 * each row from left (x₁ = lo) to right: the points a heat map shows.
 */
export function gridPoints(density, [lo, hi]) {
  const points = [];
  const step = (hi - lo) / density;
  for (let row = 0; row < density; row++) {
    for (let col = 0; col < density; col++) points.push({ x: lo + (col + 0.5) * step, y: hi - (row + 0.5) * step });
  }
  return points;
}
