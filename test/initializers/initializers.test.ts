/**
 * Initializers: exact values for the constant ones; for the random ones, sample statistics within
 * bounds derived for the sample size (5 standard errors: a seeded test is deterministic, and an
 * unlucky seed would fail with probability under 1e-6), truncation and limits, seeded
 * reproducibility, and TensorFlow's fan rules for dense and conv kernels.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";

const I = ts.initializers;

function stats(t: ts.Tensor): { mean: number; std: number; maxAbs: number; min: number; max: number } {
  const n = t.size;
  let sum = 0;
  for (const v of t.data) sum += v;
  const mean = sum / n;
  let sq = 0;
  let maxAbs = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of t.data) {
    sq += (v - mean) ** 2;
    maxAbs = Math.max(maxAbs, Math.abs(v));
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { mean, std: Math.sqrt(sq / (n - 1)), maxAbs, min, max };
}

/**
 * Checks mean and standard deviation against the distribution's (mu, sigma) for n samples: the
 * mean's standard error is sigma/√n; the sample std's is at most sigma·√((kurtosis − 1)/(4n)),
 * and every distribution here has kurtosis <= 3 (normal 3, truncated normal 2.37, uniform 1.8).
 */
function assertMoments(t: ts.Tensor, mu: number, sigma: number, what: string): void {
  const n = t.size;
  const s = stats(t);
  const seMean = sigma / Math.sqrt(n);
  const seStd = sigma * Math.sqrt(2 / (4 * n));
  assert.ok(Math.abs(s.mean - mu) < 5 * seMean, `${what}: mean ${s.mean}, expected ${mu} ± ${5 * seMean}`);
  assert.ok(Math.abs(s.std - sigma) < 5 * seStd, `${what}: std ${s.std}, expected ${sigma} ± ${5 * seStd}`);
}

describe("constant initializers", () => {
  test("zeros, ones and constant give exact values in the dtype asked for", () => {
    assertClose(I.zeros()([2, 2]), [[0, 0], [0, 0]], { atol: 0, rtol: 0, dtype: "float32" });
    assertClose(I.ones()([3], "float64"), [1, 1, 1], { atol: 0, rtol: 0, dtype: "float64" });
    assertClose(I.constant(2.5)([2], "float64"), [2.5, 2.5], { atol: 0, rtol: 0 });
    assertClose(I.constant([1, 2, 3, 4])([2, 2], "int32"), [[1, 2], [3, 4]], { atol: 0, rtol: 0, dtype: "int32" });
  });

  test("a shorter list is padded with its last value (TensorFlow 1.x); a longer one is an error", () => {
    assertClose(I.constant([1, 2])([2, 2]), [[1, 2], [2, 2]], { atol: 0, rtol: 0 });
    assert.throws(() => I.constant([1, 2, 3])([2]), /3 values are too many for shape \[2\] \(2 elements\)/);
  });

  test("TensorFlow 1.x names and snake_case aliases are the same factories", () => {
    assert.equal(ts.zerosInitializer, I.zeros);
    assert.equal(ts.glorotUniformInitializer, I.glorotUniform);
    assert.equal(ts.glorot_uniform_initializer, I.glorotUniform);
    assert.equal(ts.truncated_normal_initializer, I.truncatedNormal);
    assert.equal(ts.variance_scaling_initializer, I.varianceScaling);
  });
});

describe("random initializers", () => {
  test("randomNormal: mean and stddev", () => {
    assertMoments(I.randomNormal({ mean: 2, stddev: 3, seed: 1 })([200, 100]), 2, 3, "randomNormal");
  });

  test("truncatedNormal: nothing beyond 2 stddev, and the truncated distribution's spread", () => {
    const t = I.truncatedNormal({ mean: -1, stddev: 2, seed: 2 })([20000], "float64");
    const s = stats(t);
    assert.ok(s.min >= -1 - 4 && s.max <= -1 + 4, `values in [-5, 3], got [${s.min}, ${s.max}]`);
    // Close to the bound on both sides: P(one draw beyond 1.9σ | truncated) ≈ 0.012, so missing it
    // in 20000 draws has probability ≈ e^-240.
    assert.ok(s.min < -1 - 3.8 && s.max > -1 + 3.8);
    // N(0,1) truncated to [-2, 2] has variance 1 − 2·2·φ(2)/(Φ(2) − Φ(−2)) = 0.773741, std 0.879626.
    assertMoments(t, -1, 2 * 0.8796256610342398, "truncatedNormal");
  });

  test("randomUniform: inside [minval, maxval), mean and spread of the uniform", () => {
    const t = I.randomUniform({ minval: -1, maxval: 3, seed: 3 })([20000]);
    const s = stats(t);
    assert.ok(s.min >= -1 && s.max < 3);
    assertMoments(t, 1, 4 / Math.sqrt(12), "randomUniform");
  });

  test("a seed repeats the values on every call; without one, each call differs but setRandomSeed fixes the sequence", () => {
    const a = I.glorotUniform({ seed: 42 })([4, 5]);
    const b = I.glorotUniform({ seed: 42 })([4, 5]);
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
    assert.notDeepEqual(Array.from(a.data), Array.from(I.glorotUniform({ seed: 43 })([4, 5]).data));
    const init = I.randomNormal();
    ts.setRandomSeed(9);
    const c1 = init([10]);
    const c2 = init([10]);
    ts.setRandomSeed(9);
    assert.deepEqual(Array.from(init([10]).data), Array.from(c1.data));
    assert.notDeepEqual(Array.from(c1.data), Array.from(c2.data));
  });

  test("random initializers refuse integer dtypes", () => {
    assert.throws(() => I.randomNormal({ seed: 1 })([2], "int32"), ts.DTypeError);
  });
});

describe("variance scaling: fans and limits", () => {
  test("fans of a dense kernel [in, out] and a conv kernel [h, w, in, out]", () => {
    assert.deepEqual(I.computeFans([30, 20]), { fanIn: 30, fanOut: 20 });
    // 5·5 receptive field: fanIn = 25·3 = 75, fanOut = 25·8 = 200.
    assert.deepEqual(I.computeFans([5, 5, 3, 8]), { fanIn: 75, fanOut: 200 });
    assert.deepEqual(I.computeFans([7]), { fanIn: 7, fanOut: 7 });
    assert.deepEqual(I.computeFans([]), { fanIn: 1, fanOut: 1 });
  });

  test("glorotUniform on a dense kernel [300, 200]: limit √(6/500) = 0.1095445", () => {
    const limit = 0.10954451150103323;
    const t = I.glorotUniform({ seed: 4 })([300, 200]);
    const s = stats(t);
    assert.ok(s.maxAbs <= limit, `max |v| ${s.maxAbs} <= ${limit}`);
    // 60000 uniform draws all inside 0.999·limit: probability 0.999^60000 ≈ e^-60.
    assert.ok(s.maxAbs > 0.999 * limit);
    assertMoments(t, 0, limit / Math.sqrt(3), "glorotUniform");
  });

  test("glorotUniform on a conv kernel [5,5,3,8]: limit √(6/275) = 0.1477098", () => {
    const limit = 0.14770978917519928;
    const s = stats(I.glorotUniform({ seed: 5 })([5, 5, 3, 8]));
    // 600 draws all inside 0.98·limit: probability 0.98^600 ≈ 5e-6.
    assert.ok(s.maxAbs <= limit && s.maxAbs > 0.98 * limit, `max |v| ${s.maxAbs}, limit ${limit}`);
  });

  test("glorotNormal: a truncated normal whose standard deviation (after truncation) is √(2/(in+out))", () => {
    // [300, 200]: σ = √(2/500) = 0.0632456; drawn at σ/0.87962566 = 0.0719015 and cut at twice that.
    const sigma = Math.sqrt(2 / 500);
    const t = I.glorotNormal({ seed: 6 })([300, 200], "float64");
    const s = stats(t);
    assert.ok(s.maxAbs <= (2 * sigma) / 0.87962566103423978, `max |v| ${s.maxAbs}`);
    assertMoments(t, 0, sigma, "glorotNormal");
  });

  test("heNormal on a conv kernel [3,3,64,32]: standard deviation √(2/fanIn) = √(2/576)", () => {
    const sigma = Math.sqrt(2 / 576);
    const t = I.heNormal({ seed: 7 })([3, 3, 64, 32], "float64");
    assert.ok(stats(t).maxAbs <= (2 * sigma) / 0.87962566103423978);
    assertMoments(t, 0, sigma, "heNormal");
  });

  test("varianceScaling modes and untruncated normals", () => {
    // fan_out of [100, 400] with scale 4: σ = √(4/400) = 0.1.
    assertMoments(I.varianceScaling({ scale: 4, mode: "fan_out", distribution: "untruncated_normal", seed: 8 })([100, 400]), 0, 0.1, "fan_out");
    // heUniform on [150, 10]: limit √(6/150) = 0.2, std 0.2/√3.
    const t = I.heUniform({ seed: 9 })([150, 10]);
    assert.ok(stats(t).maxAbs <= 0.2);
    assert.throws(() => I.varianceScaling({ mode: "fan_both" as never }), /varianceScalingInitializer: argument 'mode' must be one of "fan_in", "fan_out", "fan_avg" \(or undefined\), got the string "fan_both"$/);
    assert.throws(() => I.varianceScaling({ scale: 0 }), /varianceScalingInitializer: argument 'scale' must be a number > 0 \(or undefined\), got number 0$/);
  });
});

describe("TF1's signatures: positional arguments in TF1's order or the same by name", () => {
  test("the factory's dtype is the default of its initializer; a call's own dtype wins", () => {
    assert.equal(ts.zeros_initializer("float64")([2]).dtype, "float64");
    assert.equal(ts.ones_initializer({ dtype: ts.float64 })([2]).dtype, "float64");
    assert.equal(ts.ones_initializer(ts.float64)([2], "float32").dtype, "float32");
    assert.equal(ts.constant_initializer(3, "int32")([2]).dtype, "int32");
  });

  test("positional and keyword forms draw the same values; a seed repeats them", () => {
    const a = ts.random_normal_initializer(1, 0.5, 7)([50]);
    const b = ts.random_normal_initializer({ mean: 1, stddev: 0.5, seed: 7 })([50]);
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
    const u = ts.random_uniform_initializer(-1, 1, 3, "float64")([50]);
    assert.deepEqual([u.dtype, ...Array.from(u.data)], ["float64", ...Array.from(I.randomUniform({ minval: -1, maxval: 1, seed: 3, dtype: "float64" })([50]).data)]);
    assert.ok(u.data.every((v) => v >= -1 && v < 1));
    const g = ts.glorot_uniform_initializer(5)([4, 6]);
    assert.deepEqual(Array.from(g.data), Array.from(I.glorotUniform({ seed: 5 })([4, 6]).data));
    // scale 2 over fan_in 8: limit √(3·2/8).
    const v = ts.variance_scaling_initializer(2, "fan_in", "uniform", 4)([8, 100]);
    assert.ok(v.data.every((x) => Math.abs(x) <= Math.sqrt(6 / 8)));
  });

  test("constant's verify_shape refuses a value of another shape", () => {
    assertClose(ts.constant_initializer([[1, 2]], { verify_shape: true })([1, 2]), [[1, 2]], { atol: 0, rtol: 0 });
    assert.throws(() => ts.constant_initializer([1, 2], undefined, true)([1, 2]), /the value's shape \[2\] is not the variable's \[1,2\] \(verifyShape\)/);
  });

  test("wrong kinds of arguments name the factory, the argument and what was expected", () => {
    assert.throws(() => ts.random_normal_initializer({ stdev: 1 } as never), /randomNormalInitializer: unknown option 'stdev'/);
    assert.throws(() => ts.truncated_normal_initializer(0, "1" as never), /truncatedNormalInitializer: argument 'stddev' must be a finite number \(or undefined\), got the string "1"/);
    assert.throws(() => I.heNormal(1.5), /initializers\.heNormal: argument 'seed' must be an integer \(or undefined\), got number 1\.5/);
    assert.throws(() => I.zeros()(3 as never), /zeros: argument 'shape' must be a shape/);
    assert.throws(() => I.computeFans("3" as never), /computeFans: argument 'shape' must be a shape/);
  });
});
