/**
 * TensorFlow 1.x's official tutorial `mnist.py` (the model of fully_connected_feed.py: inference,
 * loss, training, evaluation), ported line by line. Only what JavaScript forces was changed:
 * operators to functions, keyword arguments to options objects, `with tf.name_scope(...)` to a
 * callback, `math.sqrt(float(n))` to `Math.sqrt(n)`.
 *
 * Lines that needed more than that before TensorSlow's issue 11: 8 (`tf.truncated_normal` as a
 * graph op in a Variable ×3, `tf.to_int64`, `tf.nn.in_top_k`, `tf.int32`, minimize's
 * `global_step` by its TF1 name, `tf.summary.scalar`); after: 0.
 */
import * as tf from "tensorslow";

// The MNIST dataset has 10 classes, representing the digits 0 through 9.
export const NUM_CLASSES = 10;

// The MNIST images are always 28x28 pixels.
export const IMAGE_SIZE = 28;
export const IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/** Build the MNIST model up to where it may be used for inference. */
export function inference(images: tf.Node, hidden1_units: number, hidden2_units: number): tf.Node {
  // Hidden 1
  const hidden1 = tf.name_scope("hidden1", () => {
    const weights = new tf.Variable(
        tf.truncated_normal([IMAGE_PIXELS, hidden1_units],
                            { stddev: 1.0 / Math.sqrt(IMAGE_PIXELS) }),
        { name: "weights" });
    const biases = new tf.Variable(tf.zeros([hidden1_units]),
                                   { name: "biases" });
    return tf.nn.relu(tf.add(tf.matmul(images, weights), biases));
  });
  // Hidden 2
  const hidden2 = tf.name_scope("hidden2", () => {
    const weights = new tf.Variable(
        tf.truncated_normal([hidden1_units, hidden2_units],
                            { stddev: 1.0 / Math.sqrt(hidden1_units) }),
        { name: "weights" });
    const biases = new tf.Variable(tf.zeros([hidden2_units]),
                                   { name: "biases" });
    return tf.nn.relu(tf.add(tf.matmul(hidden1, weights), biases));
  });
  // Linear
  const logits = tf.name_scope("softmax_linear", () => {
    const weights = new tf.Variable(
        tf.truncated_normal([hidden2_units, NUM_CLASSES],
                            { stddev: 1.0 / Math.sqrt(hidden2_units) }),
        { name: "weights" });
    const biases = new tf.Variable(tf.zeros([NUM_CLASSES]),
                                   { name: "biases" });
    return tf.add(tf.matmul(hidden2, weights), biases);
  });
  return logits;
}

/** Calculates the loss from the logits and the labels. */
export function loss(logits: tf.Node, labels: tf.Node): tf.Node {
  labels = tf.to_int64(labels);
  return tf.losses.sparse_softmax_cross_entropy({ labels: labels, logits: logits });
}

/** Sets up the training Ops. */
export function training(loss: tf.Node, learning_rate: number): tf.Group {
  // Add a scalar summary for the snapshot loss.
  tf.summary.scalar("loss", loss);
  // Create the gradient descent optimizer with the given learning rate.
  const optimizer = new tf.train.GradientDescentOptimizer(learning_rate);
  // Create a variable to track the global step.
  const global_step = new tf.Variable(0, { name: "global_step", trainable: false });
  // Use the optimizer to apply the gradients that minimize the loss
  // (and also increment the global step counter) as a single training step.
  const train_op = optimizer.minimize(loss, { global_step: global_step });
  return train_op;
}

/** Evaluate the quality of the logits at predicting the label. */
export function evaluation(logits: tf.Node, labels: tf.Node): tf.Node {
  // For a classifier model, we can use the in_top_k Op.
  const correct = tf.nn.in_top_k(logits, labels, 1);
  // Return the number of true entries.
  return tf.reduce_sum(tf.cast(correct, tf.int32));
}
