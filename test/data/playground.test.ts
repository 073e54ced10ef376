/**
 * ts.data.playground: the TensorFlow Playground's data sets, checked against the rules each one is
 * defined by (the label formulas, radii, quadrants and variances of the Playground's dataset.ts),
 * and the shuffle and split the Playground makes.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

const pg = ts.data.playground;
const rng = (seed = 1) => new ts.random.RandomGenerator(seed);

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
function variance(values: number[]): number {
  const m = mean(values);
  return values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1);
}

describe("ts.data.playground generators", () => {
  it("spiral: without noise, two spirals of 1.75 turns out to radius 5, label 1 then −1", () => {
    const points = pg.spiral(500, 0, rng());
    assert.equal(points.length, 500);
    points.forEach((p, k) => {
      const i = k % 250;
      const r = (i / 250) * 5;
      const t = ((1.75 * i) / 250) * 2 * Math.PI + (k < 250 ? 0 : Math.PI);
      assert.ok(Math.abs(p.x - r * Math.sin(t)) < 1e-12 && Math.abs(p.y - r * Math.cos(t)) < 1e-12, `point ${k}`);
      assert.equal(p.label, k < 250 ? 1 : -1);
    });
    // Noise 0.5 moves each coordinate by at most 0.5.
    const noisy = pg.spiral(500, 0.5, rng());
    const moved = noisy.map((p, k) => Math.max(Math.abs(p.x - points[k]!.x), Math.abs(p.y - points[k]!.y)));
    assert.ok(Math.max(...moved) <= 0.5 && Math.max(...moved) > 0.4, `largest move ${Math.max(...moved)}`);
  });

  it("circle: label 1 inside radius 2.5, −1 from 3.5 to 5, half each; noise flips labels near the border only", () => {
    const points = pg.circle(500, 0, rng());
    points.forEach((p, k) => {
      const r = Math.hypot(p.x, p.y);
      if (k < 250) assert.ok(r < 2.5 && p.label === 1, `point ${k} r=${r}`);
      else assert.ok(r >= 3.5 && r < 5 && p.label === -1, `point ${k} r=${r}`);
    });
    const noisy = pg.circle(2000, 0.5, rng(2));
    const flipped = noisy.filter((p) => (Math.hypot(p.x, p.y) < 2.5 ? 1 : -1) !== p.label);
    assert.ok(flipped.length > 100, `${flipped.length} of 2000 labels decided elsewhere`);
  });

  it("xor: points in [−5.3, 5.3]², at least 0.3 from both axes, labelled by the sign of x·y", () => {
    const points = pg.xor(1000, 0, rng());
    for (const p of points) {
      assert.ok(Math.abs(p.x) >= 0.3 && Math.abs(p.x) <= 5.3 && Math.abs(p.y) >= 0.3 && Math.abs(p.y) <= 5.3);
      assert.equal(p.label, p.x * p.y >= 0 ? 1 : -1);
    }
    const quadrants = new Set(points.map((p) => `${Math.sign(p.x)},${Math.sign(p.y)}`));
    assert.equal(quadrants.size, 4);
  });

  it("gauss: blobs around (2, 2) and (−2, −2) of variance 0.5, widening to 4 at noise 0.5", () => {
    for (const [noise, expected] of [
      [0, 0.5],
      [0.5, 4],
    ] as const) {
      const points = pg.gauss(4000, noise, rng(3));
      const pos = points.slice(0, 2000);
      const neg = points.slice(2000);
      assert.ok(pos.every((p) => p.label === 1) && neg.every((p) => p.label === -1));
      for (const [group, c] of [
        [pos, 2],
        [neg, -2],
      ] as const) {
        for (const axis of ["x", "y"] as const) {
          const values = group.map((p) => p[axis]);
          // 2000 samples: the mean's standard error is √(v/2000), the variance's about v·√(2/2000).
          assert.ok(Math.abs(mean(values) - c) < 4 * Math.sqrt(expected / 2000), `noise ${noise} ${axis} mean ${mean(values)}`);
          assert.ok(Math.abs(variance(values) / expected - 1) < 4 * Math.sqrt(2 / 2000), `noise ${noise} ${axis} variance ${variance(values)}`);
        }
      }
    }
  });

  it("reg-plane: uniform in [−6, 6]², label (x + y) / 10 without noise", () => {
    const points = pg.regressPlane(1200, 0, rng());
    for (const p of points) {
      assert.ok(Math.abs(p.x) <= 6 && Math.abs(p.y) <= 6);
      assert.ok(Math.abs(p.label - (p.x + p.y) / 10) < 1e-15);
    }
  });

  it("reg-gauss: six cones of radius 2 with alternating signs; 0 away from them", () => {
    const points = pg.regressGaussian(1200, 0, rng());
    const cones: [number, number, number][] = [
      [-4, 2.5, 1],
      [0, 2.5, -1],
      [4, 2.5, 1],
      [-4, -2.5, -1],
      [0, -2.5, 1],
      [4, -2.5, -1],
    ];
    for (const p of points) {
      // The cones do not overlap (centres 4 or 5 apart, radius 2): at most one is not 0.
      const values = cones.map(([cx, cy, s]) => s * Math.max(0, 1 - Math.hypot(p.x - cx, p.y - cy) / 2)).filter((v) => v !== 0);
      assert.ok(values.length <= 1);
      assert.ok(Math.abs(p.label - (values[0] ?? 0)) < 1e-15, `(${p.x}, ${p.y}): ${p.label} vs ${values[0] ?? 0}`);
    }
    assert.ok(points.some((p) => p.label > 0.5) && points.some((p) => p.label < -0.5));
  });

  it("a seed gives the same points again; another seed other points", () => {
    for (const name of [...pg.CLASSIFICATION_DATASETS, ...pg.REGRESSION_DATASETS]) {
      const a = pg.dataset(name, { seed: 7, noise: 20 });
      assert.deepEqual(pg.dataset(name, { seed: 7, noise: 20 }), a, name);
      assert.notDeepEqual(pg.dataset(name, { seed: 8, noise: 20 }), a, name);
    }
  });

  it("refuses bad arguments, naming the function and the argument", () => {
    assert.throws(() => pg.spiral(10, 2, rng()), /playground\.spiral: noise must be a number from 0 to 1.*got 2/);
    assert.throws(() => pg.circle(-1, 0, rng()), /playground\.circle: numSamples must be a non-negative integer, got -1/);
    assert.throws(() => pg.xor(10, 0, Math.random as never), /playground\.xor: random must be a ts\.random\.RandomGenerator/);
    assert.throws(() => pg.dataset("moons" as never), /playground\.dataset: name must be one of circle, xor, gauss, spiral, reg-plane, reg-gauss, got "moons"/);
    assert.throws(() => pg.dataset("spiral", { noise: 120 }), /noise must be a percentage from 0 to 100, got 120/);
    assert.throws(() => pg.dataset("spiral", { percTrainData: Number.NaN }), /percTrainData must be a percentage/);
    assert.throws(() => pg.dataset("spiral", { seed: 1.5 }), /seed must be an integer from 0 to 2\^32 - 1, got 1\.5/);
    assert.throws(() => pg.shuffle("abc" as never, rng()), /playground\.shuffle: array must be an array/);
    assert.throws(() => pg.dataset("toString" as never), /name must be one of/);
  });
});

describe("ts.data.playground.dataset", () => {
  it("draws the Playground's 500 or 1200 points, shuffles them, and splits them at ⌊n · percTrainData / 100⌋", () => {
    const { train, test } = pg.dataset("spiral", { seed: 3 });
    assert.equal(train.length, 250);
    assert.equal(test.length, 250);
    const reg = pg.dataset("reg-plane", { percTrainData: 70 });
    assert.equal(reg.train.length, 840);
    assert.equal(reg.test.length, 360);
    // 500 · 70 / 100 is 350 exactly; 500 · 0.7 would be 349.99999999999994.
    assert.equal(pg.dataset("xor", { percTrainData: 70 }).train.length, 350);
    assert.equal(pg.dataset("xor", { percTrainData: 10, numSamples: 55 }).train.length, 5);
  });

  it("the split holds every point of the generator once, in a shuffled order", () => {
    const { train, test } = pg.dataset("spiral", { seed: 3 });
    const all = [...train, ...test];
    const reference = pg.spiral(500, 0, rng());
    const key = (p: ts.data.playground.PlaygroundPoint) => `${p.x},${p.y},${p.label}`;
    assert.deepEqual(all.map(key).sort(), reference.map(key).sort());
    const inOrder = all.filter((p, i) => key(p) === key(reference[i]!)).length;
    assert.ok(inOrder < 10, `${inOrder} points kept their place`);
    // Both classes in both halves, about equally.
    for (const half of [train, test]) {
      const positive = half.filter((p) => p.label === 1).length;
      assert.ok(positive > 90 && positive < 160, `${positive} of 250`);
    }
  });

  it("shuffle is a uniform permutation: every element reaches every place about equally often", () => {
    const counts = Array.from({ length: 5 }, () => new Array(5).fill(0));
    const random = rng(11);
    for (let trial = 0; trial < 5000; trial++) {
      const a = pg.shuffle([0, 1, 2, 3, 4], random);
      a.forEach((v, place) => counts[v]![place]++);
    }
    // 1000 expected per cell, standard deviation √(5000 · 0.2 · 0.8) ≈ 28.
    for (const row of counts) for (const c of row) assert.ok(Math.abs(c - 1000) < 150, `count ${c}`);
  });
});
