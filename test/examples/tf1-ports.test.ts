/**
 * The official TensorFlow 1.x MNIST tutorials ported line by line (examples/tf1/), run briefly on
 * Fashion-MNIST: a few steps each, seeded, asserting they train well above chance (0.1).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "tensorslow";
import { main as mnistSoftmax } from "../../examples/tf1/mnist_softmax.js";
import { main as mnistDeep } from "../../examples/tf1/mnist_deep.js";
import { run_training } from "../../examples/tf1/fully_connected_feed.js";

const quiet = async <T>(fn: () => Promise<T>): Promise<T> => {
  const log = console.log;
  console.log = () => {};
  try {
    return await fn();
  } finally {
    console.log = log;
  }
};

test("mnist_softmax.py: 100 steps of softmax regression", async () => {
  tf.reset_default_graph();
  tf.set_random_seed(1);
  const accuracy = await quiet(() => mnistSoftmax({ max_steps: 100, limit: 2000 }));
  assert.ok(accuracy > 0.5, `test accuracy ${accuracy}`);
});

test("mnist_deep.py: 15 steps of the convolutional network (truncated_normal variables, dropout, Adam, eval/run)", async () => {
  tf.reset_default_graph();
  tf.set_random_seed(2);
  const accuracy = await quiet(() => mnistDeep({ max_steps: 15, limit: 200 }));
  assert.ok(accuracy > 0.25, `test accuracy ${accuracy}`);
});

test("fully_connected_feed.py + mnist.py: 300 steps, loss falling, a checkpoint and an events file written, in_top_k precision", async () => {
  tf.set_random_seed(3);
  const log_dir = mkdtempSync(join(tmpdir(), "fully-connected-feed-"));
  const { losses, testPrecision } = await quiet(() => run_training({ max_steps: 300, limit: 3000, log_dir }));
  assert.equal(losses.length, 3);
  assert.ok(losses[0]! > 2 && losses[2]! < losses[0]! - 0.4, `losses ${losses}`);
  assert.ok(testPrecision > 0.5, `test precision ${testPrecision}`);
  const files = readdirSync(log_dir).sort();
  assert.equal(files.length, 2);
  assert.match(files[0]!, /^events\.out\.tfevents\.\d+\./);
  assert.equal(files[1], "model.ckpt-299");
});
