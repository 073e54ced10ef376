import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { linearRegression, simulate, tickingClock } from "../helpers/linear-regression.js";

describe("ts.train.evaluate", () => {
  // pred = 2x, loss = mean((2x − 1)²) over x = 1..5: squares 1, 9, 25, 49, 81, mean 165/5 = 33.
  function graph(): { x: ts.Placeholder; y: ts.Placeholder; loss: ts.Node; meanX: ts.Node; pred: ts.Node } {
    const x = ts.placeholder("float64", [null, 1], "x");
    const y = ts.placeholder("float64", [null, 1], "y");
    const pred = ts.matmul(x, new ts.Variable([[2]], { dtype: "float64" }));
    return { x, y, pred, loss: ts.reduceMean(ts.square(ts.subtract(pred, y))), meanX: ts.reduceMean(x) };
  }
  const data = () =>
    ts.data.batches(
      { x: ts.tensor([[1], [2], [3], [4], [5]], { dtype: "float64" }), y: ts.tensor([[1], [1], [1], [1], [1]], { dtype: "float64" }) },
      2,
    );

  it("averages per-batch means weighted by batch size: the mean over all samples (33), not the mean of batch means (41)", () => {
    new ts.Graph().asDefault(() => {
      const { loss, meanX } = graph();
      const result = ts.train.evaluate(new ts.Session(), { loss, meanX }, data());
      assert.deepEqual(result, { loss: 33, meanX: 3 });
    });
  });

  it("extra feeds join every batch's", () => {
    new ts.Graph().asDefault(() => {
      const { loss } = graph();
      const k = ts.placeholder("float64", [], "k");
      const result = ts.train.evaluate(new ts.Session(), { scaled: ts.multiply(k, loss) }, data(), { feeds: { k: 2 } });
      assert.equal(result.scaled, 66);
    });
  });

  it("a fetch that is not a scalar per batch, no metrics, and no data are errors naming what is wrong", () => {
    new ts.Graph().asDefault(() => {
      const { pred, loss } = graph();
      const s = new ts.Session();
      assert.throws(() => ts.train.evaluate(s, { pred }, data()), /evaluate: 'pred' must be a scalar per batch \(a mean, e.g. reduceMean\), got shape \[2,1\]/);
      assert.throws(() => ts.train.evaluate(s, {}, data()), /name at least one metric/);
      assert.throws(() => ts.train.evaluate(s, { loss }, []), /the data gave no samples/);
    });
  });
});

describe("ts.train.fit", () => {
  it("trains like plain gradient descent by hand; losses and metrics are batch-weighted means before each update", () => {
    new ts.Graph().asDefault(() => {
      const m = linearRegression();
      const calls: string[] = [];
      const reporter: ts.train.TrainReporter = {
        epochStart: (i) => calls.push(`start ${i.epoch}/${i.epochs} ${i.samples}`),
        batchEnd: (l) => calls.push(`batch ${l.samplesSeen}/${l.samples} ${l.seconds.toFixed(1)}s ${l.samplesPerSecond.toFixed(1)}/s`),
        epochEnd: (l) => calls.push(`end ${l.epoch}`),
        close: () => calls.push("close"),
      };
      const history = ts.train.fit(new ts.Session(), { step: m.step, loss: m.loss }, m.data(), {
        epochs: 2,
        metrics: { meanPred: m.meanPred },
        validation: m.data(),
        reporter,
        now: tickingClock(100),
      });
      const expected = simulate(2);
      // Epoch 1 by hand: w = 0, batch [1, 2]: loss (4 + 16)/2 = 10, w → 1; batch [3]: loss 9, w → 2.8.
      assert.equal(history[0]!.loss, 29 / 3);
      assert.equal(history[0]!.metrics.meanPred, 1);
      for (let e = 0; e < 2; e++) {
        const h = history[e]!;
        assert.ok(Math.abs(h.loss - expected[e]!.loss) < 1e-12, `epoch ${e + 1} loss ${h.loss} vs ${expected[e]!.loss}`);
        assert.ok(Math.abs(h.metrics.meanPred! - expected[e]!.meanPred) < 1e-12);
        assert.ok(Math.abs(h.validation!.loss! - expected[e]!.validationLoss) < 1e-12);
        assert.equal(h.samples, 3);
        // Clock calls, 0.1 s apart: start, after each of 2 batches, end → 0.3 s for 3 samples.
        assert.ok(Math.abs(h.seconds - 0.3) < 1e-12);
        assert.ok(Math.abs(h.samplesPerSecond - 10) < 1e-9);
      }
      assert.deepEqual(calls, [
        "start 1/2 3", "batch 2/3 0.1s 20.0/s", "batch 3/3 0.2s 15.0/s", "end 1",
        "start 2/2 3", "batch 2/3 0.1s 20.0/s", "batch 3/3 0.2s 15.0/s", "end 2",
        "close",
      ]);
    });
  });

  it("the reporter is closed when a run fails, and the error goes through", () => {
    new ts.Graph().asDefault(() => {
      const m = linearRegression();
      let closed = 0;
      const bad = [{ x: ts.tensor([[1]], { dtype: "float32" }), y: ts.tensor([[1]], { dtype: "float64" }) }];
      assert.throws(() => ts.train.fit(new ts.Session(), m, bad, { reporter: { close: () => closed++ } }), /cannot feed a float32 value to placeholder 'x'/);
      assert.equal(closed, 1);
    });
  });

  it("refuses a bad epoch count, a metric named loss, and data that gives no batch", () => {
    new ts.Graph().asDefault(() => {
      const m = linearRegression();
      const s = new ts.Session();
      assert.throws(() => ts.train.fit(s, m, m.data(), { epochs: 0, reporter: null }), /fit: argument 'epochs' must be an integer > 0 \(or undefined\), got number 0$/);
      assert.throws(() => ts.train.fit(s, m, m.data(), { metrics: { loss: m.loss }, reporter: null }), /'loss' is reported already/);
      assert.throws(() => ts.train.fit(s, m, [], { reporter: null }), /epoch 1 gave no batches/);
    });
  });

  it("names the argument of a wrong kind: the session, the targets, the data, an option", () => {
    new ts.Graph().asDefault(() => {
      const m = linearRegression();
      const s = new ts.Session();
      assert.throws(() => ts.train.fit(m as never, m, m.data()), /fit: argument 'session' must be a Session, got /);
      assert.throws(() => ts.train.fit(s, { step: m.loss } as never, m.data()), /fit: argument 'targets' must be \{ step, loss \}/);
      assert.throws(() => ts.train.fit(s, m, 3 as never), /fit: argument 'data' must be an iterable of batches/);
      assert.throws(() => ts.train.fit(s, m, m.data(), { epoch: 2 } as never), /fit: unknown option 'epoch'/);
      assert.throws(() => ts.train.evaluate(s, [m.loss] as never, m.data()), /evaluate: argument 'metrics' must be an object of scalar fetches by name/);
      assert.throws(() => ts.train.formatEpochLog({ epoch: 1 } as never), /formatEpochLog: argument 'log' must be an epoch log/);
    });
  });
});

describe("plain-text progress", () => {
  it("formatEpochLog and formatBatchLog", () => {
    const line = ts.train.formatEpochLog({
      epoch: 2, epochs: 5, samples: 60000, loss: 0.31214, metrics: { accuracy: 0.887 },
      validation: { loss: 0.35444, accuracy: 0.8712 }, seconds: 3.1, samplesPerSecond: 19354.8,
    });
    assert.equal(line, "epoch 2/5  loss 0.3121  accuracy 0.8870  val_loss 0.3544  val_accuracy 0.8712  (3.1 s, 19355 samples/s)");
    const base = { epoch: 2, epochs: 5, samplesSeen: 27000, loss: 0.45123, seconds: 5, samplesPerSecond: 5120.4 };
    assert.equal(ts.train.formatBatchLog({ ...base, samples: 60000 }), "epoch 2/5  27000/60000 (45%)  loss 0.4512  5120 samples/s");
    assert.equal(ts.train.formatBatchLog({ ...base, samples: undefined }), "epoch 2/5  27000 samples  loss 0.4512  5120 samples/s");
  });

  it("lineReporter writes a progress line every `interval` seconds within an epoch and a line per epoch", () => {
    new ts.Graph().asDefault(() => {
      const m = linearRegression();
      const lines: string[] = [];
      const six = ts.data.batches(
        { x: ts.tensor([[1], [2], [3], [1], [2], [3]], { dtype: "float64" }), y: ts.tensor([[2], [4], [6], [2], [4], [6]], { dtype: "float64" }) },
        1,
      );
      // One clock call per second: batch i ends at i seconds; lines at 2 and 4 s, none at 6 s (the epoch's line follows).
      const [log] = ts.train.fit(new ts.Session(), m, six, { reporter: ts.train.lineReporter({ write: (l) => lines.push(l), interval: 2 }), now: tickingClock(1000) });
      assert.equal(lines.length, 3);
      assert.match(lines[0]!, /^epoch 1\/1  2\/6 \(33%\)  loss \d+\.\d{4}  1 samples\/s$/);
      assert.match(lines[1]!, /^epoch 1\/1  4\/6 \(66%\)  loss \d+\.\d{4}  1 samples\/s$/);
      assert.equal(lines[2], ts.train.formatEpochLog(log!));
      assert.throws(() => ts.train.lineReporter({ interval: 0 }), /lineReporter: argument 'interval' must be a positive number of seconds \(or undefined\), got number 0$/);
    });
  });
});
