/**
 * TensorFlow 1.x's official tutorial `fully_connected_feed.py`, ported line by line, on
 * Fashion-MNIST (model in ./mnist.ts). Only what JavaScript forces was changed: `with
 * tf.Graph().as_default():` to a callback, tuples to arrays, `feed_dict` to a Map, `%`
 * formatting to template strings, `os.path.join` to a template, `time.time()` to
 * `performance.now()`, `xrange` to loops, FLAGS to a parameter.
 *
 * Lines that needed more than that before TensorSlow's issue 11: 7 (`tf.float32`, `tf.int32`,
 * an int as a placeholder shape, the Saver's `global_step` keyword, `tf.summary.merge_all`,
 * `FileWriter`, `add_summary`); after: 3 — `main()`'s `tf.gfile.Exists`/`DeleteRecursively`/
 * `MakeDirs` of the log folder are left out (no `tf.gfile`; Saver and FileWriter make the folder).
 * Besides those: 5 lines for asynchronous I/O (`await` before read_data_sets, `flush` and
 * `save`, and, since `as_default` refuses an async function, the graph is built in a callback
 * that returns its nodes and the loop runs after it), and 9 for the test (no fake_data in
 * read_data_sets and next_batch, the losses and test precision collected and returned, the
 * session closed).
 */
import * as tf from "tensorslow";
import { read_data_sets, type DataSet } from "./input-data.js";
import * as mnist from "./mnist.js";

export interface Flags {
  learning_rate: number;
  max_steps: number;
  hidden1: number;
  hidden2: number;
  batch_size: number;
  input_data_dir?: string;
  log_dir: string;
  /** Not in the tutorial: use only the first n examples of each set (for a quick run). */
  limit?: number;
}

export const DEFAULT_FLAGS: Flags = {
  learning_rate: 0.01, max_steps: 2000, hidden1: 128, hidden2: 32, batch_size: 100,
  log_dir: "/tmp/tensorflow/mnist/logs/fully_connected_feed",
};

let FLAGS: Flags = DEFAULT_FLAGS;

/** Generate placeholder variables to represent the input tensors. */
function placeholder_inputs(batch_size: number): [tf.Node, tf.Node] {
  const images_placeholder = tf.placeholder(tf.float32, [batch_size, mnist.IMAGE_PIXELS]);
  const labels_placeholder = tf.placeholder(tf.int32, batch_size);
  return [images_placeholder, labels_placeholder];
}

/** Fills the feed_dict for training the given step. */
function fill_feed_dict(data_set: DataSet, images_pl: tf.Node, labels_pl: tf.Node): Map<tf.Node, tf.Tensor> {
  const [images_feed, labels_feed] = data_set.next_batch(FLAGS.batch_size);
  const feed_dict = new Map([
      [images_pl, images_feed],
      [labels_pl, labels_feed],
  ]);
  return feed_dict;
}

/** Runs one evaluation against the full epoch of data; returns the precision. */
function do_eval(sess: tf.Session, eval_correct: tf.Node, images_placeholder: tf.Node, labels_placeholder: tf.Node, data_set: DataSet): number {
  // And run one epoch of eval.
  let true_count = 0; // Counts the number of correct predictions.
  const steps_per_epoch = Math.floor(data_set.num_examples / FLAGS.batch_size);
  const num_examples = steps_per_epoch * FLAGS.batch_size;
  for (let step = 0; step < steps_per_epoch; step++) {
    const feed_dict = fill_feed_dict(data_set, images_placeholder, labels_placeholder);
    true_count += sess.run(eval_correct, feed_dict).item() as number;
  }
  const precision = true_count / num_examples;
  console.log(`Num examples: ${num_examples}  Num correct: ${true_count}  Precision @ 1: ${precision.toFixed(4)}`);
  return precision;
}

/** Train MNIST for a number of steps; returns the test precision of the last evaluation. */
export async function run_training(flags: Partial<Flags> = {}): Promise<{ losses: number[]; testPrecision: number }> {
  FLAGS = { ...DEFAULT_FLAGS, ...flags };
  // Get the sets of images and labels for training, validation, and test on MNIST.
  const data_sets = await read_data_sets(FLAGS.input_data_dir, { limit: FLAGS.limit });
  const losses: number[] = [];
  let testPrecision = NaN;

  // Tell TensorFlow that the model will be built into the default Graph.
  const graph = new tf.Graph();
  const { summary, summary_writer, sess, saver, train_op, loss, eval_correct, images_placeholder, labels_placeholder, init } = graph.as_default(() => {
    // Generate placeholders for the images and labels.
    const [images_placeholder, labels_placeholder] = placeholder_inputs(FLAGS.batch_size);

    // Build a Graph that computes predictions from the inference model.
    const logits = mnist.inference(images_placeholder, FLAGS.hidden1, FLAGS.hidden2);

    // Add to the Graph the Ops for loss calculation.
    const loss = mnist.loss(logits, labels_placeholder);

    // Add to the Graph the Ops that calculate and apply gradients.
    const train_op = mnist.training(loss, FLAGS.learning_rate);

    // Add the Op to compare the logits to the labels during evaluation.
    const eval_correct = mnist.evaluation(logits, labels_placeholder);

    // Build the summary Tensor based on the TF collection of Summaries.
    const summary = tf.summary.merge_all();

    // Add the variable initializer Op.
    const init = tf.global_variables_initializer();

    // Create a saver for writing training checkpoints.
    const saver = new tf.train.Saver();

    // Create a session for running Ops on the Graph.
    const sess = new tf.Session();

    // Instantiate a SummaryWriter to output summaries and the Graph.
    const summary_writer = new tf.summary.FileWriter(FLAGS.log_dir, sess.graph);
    return { summary, summary_writer, sess, saver, train_op, loss, eval_correct, images_placeholder, labels_placeholder, init };
  });

  // And then after everything is built:

  // Run the Op to initialize the variables.
  sess.run(init);

  // Start the training loop.
  for (let step = 0; step < FLAGS.max_steps; step++) {
    const start_time = performance.now();

    // Fill a feed dictionary with the actual set of images and labels
    // for this particular training step.
    const feed_dict = fill_feed_dict(data_sets.train, images_placeholder, labels_placeholder);

    // Run one step of the model.
    const [, loss_value] = sess.run([train_op, loss], feed_dict);

    const duration = (performance.now() - start_time) / 1000;

    // Write the summaries and print an overview fairly often.
    if (step % 100 === 0) {
      // Print status to stdout.
      console.log(`Step ${step}: loss = ${(loss_value.item() as number).toFixed(2)} (${duration.toFixed(3)} sec)`);
      losses.push(loss_value.item() as number);
      // Update the events file.
      const summary_str = sess.run(summary, feed_dict);
      summary_writer.add_summary(summary_str, step);
      await summary_writer.flush();
    }

    // Save a checkpoint and evaluate the model periodically.
    if ((step + 1) % 1000 === 0 || (step + 1) === FLAGS.max_steps) {
      const checkpoint_file = `${FLAGS.log_dir}/model.ckpt`;
      await saver.save(sess, checkpoint_file, { global_step: step });
      // Evaluate against the training set.
      console.log("Training Data Eval:");
      do_eval(sess, eval_correct, images_placeholder, labels_placeholder, data_sets.train);
      // Evaluate against the validation set.
      console.log("Validation Data Eval:");
      do_eval(sess, eval_correct, images_placeholder, labels_placeholder, data_sets.validation);
      // Evaluate against the test set.
      console.log("Test Data Eval:");
      testPrecision = do_eval(sess, eval_correct, images_placeholder, labels_placeholder, data_sets.test);
    }
  }
  sess.close();
  return { losses, testPrecision };
}

if (import.meta.url === `file://${process.argv[1]}`) await run_training();
