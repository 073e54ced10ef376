/**
 * TensorFlow 1.x's official tutorial `mnist_deep.py` (a convolutional network), ported line by
 * line, on Fashion-MNIST. Only what JavaScript forces was changed: operators to functions,
 * keyword arguments to options objects, `with tf.name_scope(...)` to a callback, `with
 * tf.Session() as sess` to `using`, tuples to arrays, `feed_dict` to a Map, `%` formatting to
 * template strings, `tempfile.mkdtemp()` to Node's `mkdtempSync`, FLAGS to a parameter — and
 * the step count is a flag (the tutorial's 20000).
 *
 * Lines that needed more than that before TensorSlow's issue 11: 11 (`tf.float32` ×4,
 * `tf.truncated_normal` as a graph op in a Variable, `tf.constant(0.1, shape=shape)`,
 * `accuracy.eval` ×2, `train_step.run`, `tf.summary.FileWriter` and `add_graph`); after: 0.
 * Besides those: `await` before read_data_sets (asynchronous I/O), and 7 lines for the test (the
 * step count and a smaller data set as flags, the test accuracy kept to be returned).
 *
 * Run: node build/examples/tf1/mnist_deep.js
 */
import * as tf from "tensorslow";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { read_data_sets } from "./input-data.js";

/**
 * deepnn builds the graph for a deep net for classifying digits.
 * Returns [y, keep_prob]: y is a tensor of shape (N_examples, 10) with the logits; keep_prob is a
 * scalar placeholder for the probability of dropout.
 */
function deepnn(x: tf.Node): [tf.Node, tf.Node] {
  // Reshape to use within a convolutional neural net.
  const x_image = tf.name_scope("reshape", () =>
    tf.reshape(x, [-1, 28, 28, 1]));

  // First convolutional layer - maps one grayscale image to 32 feature maps.
  const h_conv1 = tf.name_scope("conv1", () => {
    const W_conv1 = weight_variable([5, 5, 1, 32]);
    const b_conv1 = bias_variable([32]);
    return tf.nn.relu(tf.add(conv2d(x_image, W_conv1), b_conv1));
  });

  // Pooling layer - downsamples by 2X.
  const h_pool1 = tf.name_scope("pool1", () =>
    max_pool_2x2(h_conv1));

  // Second convolutional layer -- maps 32 feature maps to 64.
  const h_conv2 = tf.name_scope("conv2", () => {
    const W_conv2 = weight_variable([5, 5, 32, 64]);
    const b_conv2 = bias_variable([64]);
    return tf.nn.relu(tf.add(conv2d(h_pool1, W_conv2), b_conv2));
  });

  // Second pooling layer.
  const h_pool2 = tf.name_scope("pool2", () =>
    max_pool_2x2(h_conv2));

  // Fully connected layer 1 -- after 2 round of downsampling, our 28x28 image
  // is down to 7x7x64 feature maps -- maps this to 1024 features.
  const h_fc1 = tf.name_scope("fc1", () => {
    const W_fc1 = weight_variable([7 * 7 * 64, 1024]);
    const b_fc1 = bias_variable([1024]);

    const h_pool2_flat = tf.reshape(h_pool2, [-1, 7 * 7 * 64]);
    return tf.nn.relu(tf.add(tf.matmul(h_pool2_flat, W_fc1), b_fc1));
  });

  // Dropout - controls the complexity of the model, prevents co-adaptation of
  // features.
  const [keep_prob, h_fc1_drop] = tf.name_scope("dropout", () => {
    const keep_prob = tf.placeholder(tf.float32);
    const h_fc1_drop = tf.nn.dropout(h_fc1, keep_prob);
    return [keep_prob, h_fc1_drop];
  });

  // Map the 1024 features to 10 classes, one for each digit
  const y_conv = tf.name_scope("fc2", () => {
    const W_fc2 = weight_variable([1024, 10]);
    const b_fc2 = bias_variable([10]);

    return tf.add(tf.matmul(h_fc1_drop, W_fc2), b_fc2);
  });
  return [y_conv, keep_prob];
}

/** conv2d returns a 2d convolution layer with full stride. */
function conv2d(x: tf.Node, W: tf.Node): tf.Node {
  return tf.nn.conv2d(x, W, { strides: [1, 1, 1, 1], padding: "SAME" });
}

/** max_pool_2x2 downsamples a feature map by 2X. */
function max_pool_2x2(x: tf.Node): tf.Node {
  return tf.nn.max_pool(x, { ksize: [1, 2, 2, 1],
                             strides: [1, 2, 2, 1], padding: "SAME" });
}

/** weight_variable generates a weight variable of a given shape. */
function weight_variable(shape: number[]): tf.Variable {
  const initial = tf.truncated_normal(shape, { stddev: 0.1 });
  return new tf.Variable(initial);
}

/** bias_variable generates a bias variable of a given shape. */
function bias_variable(shape: number[]): tf.Variable {
  const initial = tf.constant(0.1, { shape: shape });
  return new tf.Variable(initial);
}

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

  // Define loss and optimizer
  const y_ = tf.placeholder(tf.float32, [null, 10]);

  // Build the graph for the deep net
  const [y_conv, keep_prob] = deepnn(x);

  let cross_entropy = tf.name_scope("loss", () =>
    tf.nn.softmax_cross_entropy_with_logits({ labels: y_,
                                              logits: y_conv }));
  cross_entropy = tf.reduce_mean(cross_entropy);

  const train_step = tf.name_scope("adam_optimizer", () =>
    new tf.train.AdamOptimizer(1e-4).minimize(cross_entropy));

  const correct_prediction = tf.name_scope("accuracy", () => {
    const correct_prediction = tf.equal(tf.argmax(y_conv, 1), tf.argmax(y_, 1));
    return tf.cast(correct_prediction, tf.float32);
  });
  const accuracy = tf.reduce_mean(correct_prediction);

  const graph_location = mkdtempSync(join(tmpdir(), "mnist_deep-"));
  console.log(`Saving graph to: ${graph_location}`);
  const train_writer = new tf.summary.FileWriter(graph_location);
  train_writer.add_graph(tf.get_default_graph());

  let test_accuracy: number;
  {
    using sess = new tf.Session();
    sess.run(tf.global_variables_initializer());
    for (let i = 0; i < (FLAGS.max_steps ?? 20000); i++) {
      const batch = mnist.train.next_batch(50);
      if (i % 100 === 0) {
        const train_accuracy = accuracy.eval(new Map<tf.Node, tf.FeedValue>([
            [x, batch[0]], [y_, batch[1]], [keep_prob, 1.0]]));
        console.log(`step ${i}, training accuracy ${train_accuracy}`);
      }
      train_step.run(new Map<tf.Node, tf.FeedValue>([[x, batch[0]], [y_, batch[1]], [keep_prob, 0.5]]));
    }

    test_accuracy = accuracy.eval(new Map<tf.Node, tf.FeedValue>([
        [x, mnist.test.images], [y_, mnist.test.labels], [keep_prob, 1.0]])).item() as number;
    console.log(`test accuracy ${test_accuracy}`);
  }
  return test_accuracy;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
