/**
 * TensorFlow 1.x's official tutorial `mnist_softmax.py` (tensorflow/examples/tutorials/mnist),
 * ported line by line, on Fashion-MNIST. Only what JavaScript forces was changed: operators
 * to functions (`tf.matmul(x, W) + b` → `tf.add(...)`), keyword arguments to an options object,
 * `feed_dict` to a Map, `print` to `console.log`, argparse's FLAGS to a parameter — and the
 * step count is a flag too (the tutorial's 1000 by default), so that a test can run a few.
 *
 * Lines that needed more than that before TensorSlow's issue 11: 3 (`tf.float32` did not exist,
 * nor `tf.InteractiveSession`, nor the initializer's `.run()`); after: 0. Besides those: `await`
 * before read_data_sets (asynchronous I/O), and 5 lines for the test (the step count and a
 * smaller data set as flags, the accuracy kept to be returned, the session closed).
 *
 * Run: node build/examples/tf1/mnist_softmax.js
 */
import * as tf from "tensorslow";
import { read_data_sets } from "./input-data.js";

export interface Flags {
  data_dir?: string;
  max_steps?: number;
  /** Not in the tutorial: use only the first n examples of each set (for a quick run). */
  limit?: number;
}

export async function main(FLAGS: Flags = {}): Promise<number> {
  // Import data
  const mnist = await read_data_sets(FLAGS.data_dir, { one_hot: true, limit: FLAGS.limit });

  // Create the model
  const x = tf.placeholder(tf.float32, [null, 784]);
  const W = new tf.Variable(tf.zeros([784, 10]));
  const b = new tf.Variable(tf.zeros([10]));
  const y = tf.add(tf.matmul(x, W), b);

  // Define loss and optimizer
  const y_ = tf.placeholder(tf.float32, [null, 10]);

  const cross_entropy = tf.reduce_mean(
      tf.nn.softmax_cross_entropy_with_logits({ labels: y_, logits: y }));
  const train_step = new tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy);

  const sess = new tf.InteractiveSession();
  tf.global_variables_initializer().run();
  // Train
  for (let _ = 0; _ < (FLAGS.max_steps ?? 1000); _++) {
    const [batch_xs, batch_ys] = mnist.train.next_batch(100);
    sess.run(train_step, new Map([[x, batch_xs], [y_, batch_ys]]));
  }

  // Test trained model
  const correct_prediction = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1));
  const accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32));
  const result = sess.run(accuracy, new Map([[x, mnist.test.images],
                                             [y_, mnist.test.labels]]));
  console.log(result);
  sess.close();
  return result.item() as number;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
