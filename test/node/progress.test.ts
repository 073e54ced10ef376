import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { progressReporter, loadCliProgress } from "tensorslow/node";
import { linearRegression, tickingClock } from "../helpers/linear-regression.js";

/** A stream that records what is written; `isTTY` as given. */
function recorder(isTTY: boolean): { stream: { write(s: string): boolean; isTTY: boolean; columns: number }; text: () => string } {
  const chunks: string[] = [];
  return { stream: { write: (s) => chunks.push(s) > 0, isTTY, columns: 120 }, text: () => chunks.join("") };
}

/** Trains the fixture for two epochs of 3 samples, reporting to `reporter`. */
function train(reporter: ts.train.TrainReporter): ts.train.EpochLog[] {
  let history: ts.train.EpochLog[] = [];
  new ts.Graph().asDefault(() => {
    const m = linearRegression();
    history = ts.train.fit(new ts.Session(), m, m.data(), { epochs: 2, reporter, now: tickingClock(1000) });
  });
  return history;
}

describe("tensorslow/node: progressReporter", () => {
  it("cli-progress is installed here (an optional dependency)", () => {
    assert.notEqual(loadCliProgress(), null);
  });

  it("not a terminal: plain lines every `interval` seconds and one per epoch, no escape codes", () => {
    const out = recorder(false);
    const history = train(progressReporter({ stream: out.stream, interval: 1 }));
    // Batches end 1 s and 2 s into each epoch: a line after the first, none after the last (the epoch line follows).
    // Epoch 2 starts at w = 2.8: batch [1, 2] has errors 0.8 and 1.6, loss (0.64 + 2.56)/2 = 1.6.
    assert.equal(
      out.text(),
      [
        `epoch 1/2  2/3 (66%)  loss 10.0000  2 samples/s`,
        ts.train.formatEpochLog(history[0]!),
        `epoch 2/2  2/3 (66%)  loss 1.6000  2 samples/s`,
        ts.train.formatEpochLog(history[1]!),
        "",
      ].join("\n"),
    );
  });

  it("a terminal: a bar with the running loss and samples/s, cleared and replaced by each epoch's line", () => {
    const out = recorder(true);
    const history = train(progressReporter({ stream: out.stream }));
    const text = out.text();
    assert.ok(text.includes("\x1b"), "terminal control codes");
    // The bar's last drawing of epoch 1: 3 of 3 samples, the epoch's mean loss, and 3 samples in the
    // 2 s until the last batch ended (1.5, shown as 2); the epoch's line counts its 3 s in all.
    assert.match(text, /epoch 1\/2 =+ 100% 3\/3 \| loss 9\.6667 \| 2 samples\/s \| ETA/);
    assert.match(text, /epoch 2\/2 =+ 100% 3\/3 \| loss 1\.5467 \| 2 samples\/s \| ETA/);
    for (const log of history) assert.ok(text.includes(`${ts.train.formatEpochLog(log)}\n`));
  });

  it("bar: false keeps plain lines on a terminal", () => {
    const out = recorder(true);
    train(progressReporter({ stream: out.stream, bar: false }));
    assert.ok(!out.text().includes("\x1b"));
    assert.equal(out.text().split("\n").filter((l) => l.startsWith("epoch")).length, 2);
  });
});

describe("tensorslow/node: progressReporter with a session on the onnxruntime engine", () => {
  it("reports train.fitAsync's epochs as it does fit's", async () => {
    const graph = new ts.Graph();
    const m = graph.asDefault(() => linearRegression());
    const lines = recorder(false);
    const history = await ts.train.fitAsync(new ts.Session({ graph, engine: "onnxruntime" }), m, m.data(), {
      epochs: 2,
      reporter: progressReporter({ stream: lines.stream, interval: 1 }),
      now: tickingClock(1000),
    });
    // The same numbers as the default engine's run above: the engine computes the same steps.
    assert.equal(
      lines.text(),
      [`epoch 1/2  2/3 (66%)  loss 10.0000  2 samples/s`, ts.train.formatEpochLog(history[0]!), `epoch 2/2  2/3 (66%)  loss 1.6000  2 samples/s`, ts.train.formatEpochLog(history[1]!), ""].join("\n"),
    );
  });
});
