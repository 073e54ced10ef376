import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

function rows(t: ts.Tensor): number[][] {
  return t.toArray() as number[][];
}

function mean(points: number[][]): [number, number] {
  const n = points.length;
  return [points.reduce((s, p) => s + p[0]!, 0) / n, points.reduce((s, p) => s + p[1]!, 0) / n];
}

function stddev(points: number[][], center: readonly [number, number]): number {
  const sq = points.reduce((s, p) => s + (p[0]! - center[0]) ** 2 + (p[1]! - center[1]) ** 2, 0);
  return Math.sqrt(sq / (2 * points.length));
}

function assertNear(actual: readonly number[], expected: readonly number[], tol: number, what: string): void {
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= tol, `${what}: ${actual} is not within ${tol} of ${expected}`));
}

describe("ts.data point sets", () => {
  it("blobs: 50 red points around (-2, -2) and 50 blue around (2, 2), float32, with one-hot labels", () => {
    const { red, blue, points, labels } = ts.data.blobs();
    assert.deepEqual(red.shape, [50, 2]);
    assert.deepEqual(blue.shape, [50, 2]);
    assert.deepEqual(points.shape, [100, 2]);
    assert.deepEqual(labels.shape, [100, 2]);
    for (const t of [red, blue, points, labels]) {
      assert.equal(t.dtype, "float32");
      assert.ok(t.data instanceof Float32Array);
    }
    // N(0, 1) means of 50 points: standard error 0.14 per coordinate.
    assertNear(mean(rows(red)), [-2, -2], 0.5, "red mean");
    assertNear(mean(rows(blue)), [2, 2], 0.5, "blue mean");
    assert.ok(Math.abs(stddev(rows(red), [-2, -2]) - 1) < 0.3);
    assert.ok(Math.abs(stddev(rows(blue), [2, 2]) - 1) < 0.3);
    // points: blue rows, then red rows (the tutorial's feed); labels [1, 0] for blue, [0, 1] for red
    assert.deepEqual(rows(points), [...rows(blue), ...rows(red)]);
    assert.deepEqual(rows(labels), [...Array(50).fill([1, 0]), ...Array(50).fill([0, 1])]);
  });

  it("xorClusters: 25 points with std 0.2 around each of (0,0), (1,1) red and (0,1), (1,0) blue", () => {
    const { red, blue, points, labels } = ts.data.xorClusters();
    assert.deepEqual(red.shape, [50, 2]);
    assert.deepEqual(blue.shape, [50, 2]);
    assert.ok(points.data instanceof Float32Array);
    const clusters: [number[][], [number, number]][] = [
      [rows(red).slice(0, 25), [0, 0]],
      [rows(red).slice(25), [1, 1]],
      [rows(blue).slice(0, 25), [0, 1]],
      [rows(blue).slice(25), [1, 0]],
    ];
    for (const [pts, center] of clusters) {
      // standard error of a 25-point mean: 0.2 / 5 = 0.04
      assertNear(mean(pts), center, 0.15, `cluster at ${center}`);
      assert.ok(Math.abs(stddev(pts, center) - 0.2) < 0.07, `std of cluster at ${center}`);
    }
    assert.deepEqual(rows(points), [...rows(blue), ...rows(red)]);
    assert.deepEqual(rows(labels), [...Array(50).fill([1, 0]), ...Array(50).fill([0, 1])]);
  });

  it("the same seed gives the same points, another seed other points", () => {
    assert.deepEqual(ts.data.blobs({ seed: 7 }).points.data, ts.data.blobs({ seed: 7 }).points.data);
    assert.deepEqual(ts.data.blobs().points.data, ts.data.blobs({ seed: ts.data.BLOBS_SEED }).points.data);
    assert.notDeepEqual(ts.data.blobs({ seed: 7 }).points.data, ts.data.blobs({ seed: 8 }).points.data);
    assert.deepEqual(ts.data.xorClusters({ seed: 3 }).points.data, ts.data.xorClusters({ seed: 3 }).points.data);
    assert.notDeepEqual(ts.data.xorClusters({ seed: 3 }).points.data, ts.data.xorClusters({ seed: 4 }).points.data);
    assert.throws(() => ts.data.blobs({ seed: 1.5 }), /seed must be an integer/);
  });

  it("concatRows stacks rows like numpy's concatenate", () => {
    const a = ts.tensor([[1, 2]]);
    const b = ts.tensor([[3, 4], [5, 6]]);
    const c = ts.data.concatRows(a, b);
    assert.deepEqual(c.shape, [3, 2]);
    assert.deepEqual(c.toArray(), [[1, 2], [3, 4], [5, 6]]);
    assert.throws(() => ts.data.concatRows(a, ts.tensor([[1, 2, 3]])), /same shape after the first axis/);
    assert.throws(() => ts.data.concatRows(), /at least one/);
  });
});
