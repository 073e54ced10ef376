/**
 * nn.dropout and layers.dropout: TensorFlow 1.x's rate form (kept values scaled by 1/keep), seeded
 * and reproducible, a fresh mask every run, the identity when not training, and a gradient that is
 * the mask itself.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { inGraph, throwsWith } from "../helpers/graph-run.js";

/** Two runs of dropout(ones([n]), rate, seed) in a fresh graph. */
function twoRuns(n: number, options: ts.nn.DropoutOptions): [number[], number[]] {
  return inGraph((g) => {
    const y = ts.nn.dropout(ts.constant(ts.ones([n], "float64")), options);
    const s = new ts.Session(g);
    return [Array.from(s.run(y).data), Array.from(s.run(y).data)];
  });
}

describe("nn.dropout", () => {
  test("every output is 0 or x/keep, in float32 and float64", () => {
    for (const dtype of ["float32", "float64"] as const) {
      inGraph((g) => {
        const xValues = Array.from({ length: 200 }, (_, i) => 1 + i / 10);
        const y = ts.nn.dropout(ts.constant(xValues, { dtype }), { rate: 0.3, seed: 1 });
        const out = new ts.Session(g).run(y);
        const scale = dtype === "float32" ? Math.fround(1 / 0.7) : 1 / 0.7;
        let zeros = 0;
        out.data.forEach((v, i) => {
          const x = dtype === "float32" ? Math.fround(xValues[i]!) : xValues[i]!;
          const kept = dtype === "float32" ? Math.fround(x * scale) : x * scale;
          assert.ok(v === 0 || v === kept, `element ${i}: ${v} is neither 0 nor ${kept}`);
          if (v === 0) zeros++;
        });
        assert.ok(zeros > 0 && zeros < 200, `some elements dropped and some kept (${zeros} zeros)`);
      });
    }
  });

  test("a seed makes the masks reproducible, and each run draws a fresh one", () => {
    const [a1, a2] = twoRuns(100, { rate: 0.5, seed: 7 });
    const [b1, b2] = twoRuns(100, { rate: 0.5, seed: 7 });
    assert.deepEqual(a1, b1, "the first runs of two graphs built with the same seed agree");
    assert.deepEqual(a2, b2, "so do the second runs");
    // Two independent masks of 100 elements at rate 0.5 agree with probability 2^-100.
    assert.notDeepEqual(a1, a2, "a second run draws another mask");
    const [c1] = twoRuns(100, { rate: 0.5, seed: 8 });
    assert.notDeepEqual(a1, c1, "another seed gives another mask");
  });

  test("setRandomSeed makes unseeded dropout reproducible", () => {
    ts.setRandomSeed(123);
    const [a] = twoRuns(64, { rate: 0.5 });
    ts.setRandomSeed(123);
    const [b] = twoRuns(64, { rate: 0.5 });
    assert.deepEqual(a, b);
  });

  test("keepProb 0.8 is rate 0.2", () => {
    assert.deepEqual(twoRuns(50, { keepProb: 0.8, seed: 3 }), twoRuns(50, { rate: 0.2, seed: 3 }));
  });

  test("E[output] = input: the mean of 100000 dropped-out ones is 1 within 5 standard errors", () => {
    // Each output is 1/keep with probability keep, else 0: mean 1, variance keep·(1/keep)² − 1 =
    // rate/keep. The mean of n outputs has standard error √(rate/(keep·n)) = √(0.3/(0.7·1e5)) =
    // 0.00207; 5 of them, 0.0104, is exceeded with probability under 1e-6.
    const n = 100000;
    const rate = 0.3;
    const [out] = twoRuns(n, { rate, seed: 2024 });
    const mean = out.reduce((s, v) => s + v, 0) / n;
    const se = Math.sqrt(rate / ((1 - rate) * n));
    assert.ok(Math.abs(mean - 1) < 5 * se, `mean ${mean} is within ${5 * se} of 1`);
    // The kept fraction: binomial, standard error √(keep·rate/n) = 0.00145.
    const kept = out.filter((v) => v !== 0).length / n;
    assert.ok(Math.abs(kept - 0.7) < 5 * Math.sqrt(0.21 / n), `kept fraction ${kept}`);
  });

  test("the gradient is the mask: 1/keep where kept, 0 where dropped", () => {
    inGraph((g) => {
      const x = ts.placeholder("float64", [null, 4]);
      const y = ts.nn.dropout(x, { rate: 0.25, seed: 5 });
      const [dx] = ts.gradients(ts.reduceSum(y), [x]);
      const xv = ts.tensor([[1, -2, 3, -4], [0.5, 6, -7, 8]], { dtype: "float64" });
      // One run: the gradient reads the same mask the output was made with.
      const [out, grad] = new ts.Session(g).run([y, dx!], new Map([[x, xv]]));
      const expected = Array.from(out.data, (v) => (v === 0 ? 0 : 1 / 0.75));
      assertClose(grad, { shape: [2, 4], data: expected }, { atol: 0, rtol: 0 });
    });
  });

  test("training false (a boolean) is the identity; a bool placeholder decides at run time", () => {
    inGraph((g) => {
      const x = ts.constant([[1, 2, 3, 4]]);
      const off = ts.nn.dropout(x, { rate: 0.5, training: false });
      assert.equal(off.type, "Identity");
      assertClose(new ts.Session(g).run(off), [[1, 2, 3, 4]], { atol: 0, rtol: 0 });

      const training = ts.placeholder("bool", [], "training");
      const big = ts.constant(ts.ones([1000]));
      const y = ts.nn.dropout(big, { rate: 0.5, training, seed: 1 });
      const s = new ts.Session(g);
      assertClose(s.run(y, { training: false }), ts.ones([1000]), { atol: 0, rtol: 0 });
      const on = s.run(y, { training: true });
      assert.ok(on.data.some((v) => v === 0) && on.data.some((v) => v === 2), "training true drops some and doubles the rest");
    });
  });

  test("TensorFlow 1.x's fed keep_prob: dropout(x, keepProb) with a placeholder, checked when it runs", () => {
    inGraph((g) => {
      const keepProb = ts.placeholder("float32", [], "keep_prob");
      const y = ts.nn.dropout(ts.constant(ts.ones([1000])), keepProb);
      const s = new ts.Session(g);
      // keep_prob 1 at test time: everything kept, scaled by 1.
      assertClose(s.run(y, { keep_prob: 1 }), ts.ones([1000]), { atol: 0, rtol: 0 });
      const half = s.run(y, { keep_prob: 0.5 }).data;
      assert.ok(half.every((v) => v === 0 || v === 2) && half.some((v) => v === 0));
      throwsWith(() => s.run(y, { keep_prob: 0 }), ts.ValueError, /'dropout\/DropoutMask' \(DropoutMask\) at run time: the dropout rate must be in \[0, 1\), got 1 \(keep probability 0\)/);
    });
  });

  test("a fed rate must be a scalar of x's dtype", () => {
    inGraph(() => {
      throwsWith(
        () => ts.nn.dropout(ts.constant([1, 2]), { rate: ts.placeholder("float64", []) }),
        ts.DTypeError,
        /DropoutMask 'dropout\/DropoutMask': the rate must be a float32 scalar, got float64/,
      );
      throwsWith(() => ts.nn.dropout(ts.constant([1, 2]), { rate: ts.placeholder("float32", [2]) }), ts.ShapeError, /the rate must be a float32 scalar, got shape \[2\]/);
    });
  });

  test("noiseShape [n,1] drops whole rows; null takes x's dimension", () => {
    inGraph((g) => {
      const x = ts.placeholder("float32", [null, 5]);
      const y = ts.nn.dropout(x, { rate: 0.5, seed: 4, noiseShape: [null, 1] });
      const out = new ts.Session(g).run(y, new Map([[x, ts.ones([40, 5])]]));
      let dropped = 0;
      for (let r = 0; r < 40; r++) {
        const row = Array.from(out.data.subarray(r * 5, r * 5 + 5));
        assert.ok(row.every((v) => v === row[0]) && (row[0] === 0 || row[0] === 2), `row ${r} is all 0 or all 2: ${row}`);
        if (row[0] === 0) dropped++;
      }
      assert.ok(dropped > 0 && dropped < 40);
    });
  });

  test("bad rates, both forms at once, integer inputs and a non-bool training flag are refused", () => {
    inGraph(() => {
      const x = ts.constant([1, 2]);
      throwsWith(() => ts.nn.dropout(x, { rate: 1 }), ts.ValueError, /rate must be in \[0, 1\), got 1/);
      throwsWith(() => ts.nn.dropout(x, { keepProb: 0 }), ts.ValueError, /keepProb must be in \(0, 1\], got 0/);
      throwsWith(() => ts.nn.dropout(x, { rate: 0.1, keepProb: 0.9 }), ts.ValueError, /give rate or keepProb, not both/);
      throwsWith(() => ts.nn.dropout(x, {}), ts.ValueError, /give the drop rate/);
      throwsWith(() => ts.nn.dropout(ts.constant([1, 2], { dtype: "int32" }), { rate: 0.5 }), ts.DTypeError, /dropout: x has to be a float tensor since it is going to be scaled, got int32 'Const_\d+' \(Const\)/);
      throwsWith(
        () => ts.nn.dropout(x, { rate: 0.5, training: ts.placeholder("float32", []) }),
        ts.DTypeError,
        /DropoutMask '.*': training must be a bool scalar, got float32/,
      );
      throwsWith(() => ts.nn.dropout(ts.constant([[1, 2]]), { rate: 0.5, noiseShape: [1, 3] }), ts.ShapeError, /dimension 1 of the noise shape \[1,3\] is 3; it must be 1 or x's dimension 2/);
    });
  });
});

describe("layers.dropout", () => {
  test("rate 0.5 and training false by default, as TensorFlow 1.x", () => {
    inGraph((g) => {
      const x = ts.constant(ts.ones([100]));
      const off = ts.layers.dropout(x);
      assert.equal(off.name, "dropout/Identity");
      const on = ts.layers.dropout(x, { training: true, seed: 1 });
      assert.equal(on.name, "dropout_1/Mul");
      const s = new ts.Session(g);
      assertClose(s.run(off), ts.ones([100]), { atol: 0, rtol: 0 });
      const v = s.run(on).data;
      assert.ok(v.every((e) => e === 0 || e === 2) && v.some((e) => e === 0));
    });
  });
});

describe("TF1's signatures of nn.dropout and layers.dropout", () => {
  test("nn.dropout(x, keep_prob, noise_shape, seed) by position draws the masks the options draw", () => {
    const byPosition = inGraph((g) => Array.from(new ts.Session(g).run(ts.nn.dropout(ts.ones([50], "float64"), 0.6, null as never, 11)).data));
    const byName = inGraph((g) => Array.from(new ts.Session(g).run(ts.nn.dropout(ts.ones([50], "float64"), { keep_prob: 0.6, seed: 11 } as never)).data));
    assert.deepEqual(byPosition, byName);
    assert.ok(byPosition.every((v) => v === 0 || v === 1 / 0.6));
  });

  test("layers.dropout(inputs, rate, noise_shape, seed, training) by position", () => {
    const out = inGraph((g) => Array.from(new ts.Session(g).run(ts.layers.dropout(ts.ones([50], "float64"), 0.25, undefined, 3, true)).data));
    assert.ok(out.every((v) => v === 0 || v === 1 / 0.75) && out.some((v) => v === 0));
  });

  test("wrong kinds name the function and the argument", () => {
    inGraph(() => {
      throwsWith(() => ts.nn.dropout(ts.ones([2]), "0.5" as never), ts.ArgumentError, /^dropout: argument 'keepProb' must be a number or a scalar node \(or undefined\), got the string "0\.5"/);
      throwsWith(() => ts.layers.dropout(ts.ones([2]), { training: "yes" as never }), ts.ArgumentError, /^dropout: argument 'training' must be true, false or a bool scalar node/);
      throwsWith(() => ts.layers.flatten(ts.ones([2, 2]), { data_format: "channels_first" } as never), ts.ArgumentError, /^flatten: argument 'data_format' must be one of "channels_last"/);
    });
  });
});
