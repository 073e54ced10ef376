/**
 * TensorFlow 1.x's `tensorflow.examples.tutorials.mnist.input_data`, on Fashion-MNIST (the
 * tutorials' MNIST is not packaged for this machine; Fashion-MNIST has its format, sizes and ten
 * classes): `read_data_sets(dir, { one_hot })` gives train (the first 55000 training images),
 * validation (the last 5000) and test sets, each with `images`, `labels`, `num_examples` and
 * `next_batch(n)`, which walks a shuffled epoch as TensorFlow's DataSet does.
 */
import * as tf from "tensorslow";

export class DataSet {
  readonly num_examples: number;
  private order: Int32Array;
  private position = 0;
  private epoch = 0;

  constructor(
    readonly images: tf.Tensor,
    readonly labels: tf.Tensor,
    private readonly seed: number,
  ) {
    this.num_examples = images.shape[0]!;
    this.order = tf.random.permutation(this.num_examples, seed);
  }

  /** The next `batchSize` examples of the shuffled epoch, then of a new shuffle ([images, labels]). */
  next_batch(batchSize: number): [tf.Tensor, tf.Tensor] {
    if (this.position + batchSize > this.num_examples) {
      this.epoch++;
      this.order = tf.random.permutation(this.num_examples, this.seed + this.epoch);
      this.position = 0;
    }
    const rows = this.order.subarray(this.position, this.position + batchSize);
    this.position += batchSize;
    return [gatherRows(this.images, rows), gatherRows(this.labels, rows)];
  }
}

function gatherRows(t: tf.Tensor, rows: Int32Array): tf.Tensor {
  const width = t.size / t.shape[0]!;
  const out = new tf.Tensor([rows.length, ...t.shape.slice(1)], t.dtype);
  rows.forEach((r, i) => out.data.set(t.data.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

function sliceRows(t: tf.Tensor, begin: number, end: number): tf.Tensor {
  const width = t.size / t.shape[0]!;
  return new tf.Tensor([end - begin, ...t.shape.slice(1)], t.dtype, t.data.slice(begin * width, end * width));
}

function oneHot(labels: tf.Tensor): tf.Tensor {
  const out = new tf.Tensor([labels.size, 10], "float32");
  labels.data.forEach((l, i) => (out.data[i * 10 + l] = 1));
  return out;
}

export interface ReadOptions {
  one_hot?: boolean;
  validation_size?: number;
  /** Not in TensorFlow: keep only the first n training and test examples (for quick runs). */
  limit?: number;
}

/** TensorFlow's `read_data_sets(train_dir, one_hot=False, validation_size=5000)`. */
export async function read_data_sets(train_dir?: string, options: ReadOptions = {}) {
  const data = await tf.data.fashionMnist(train_dir === undefined ? {} : { path: train_dir });
  const labels = (t: tf.Tensor) => (options.one_hot === true ? oneHot(t) : t);
  const validation = options.validation_size ?? 5000;
  const n = data.train.images.shape[0]!;
  const trainEnd = Math.min(n - validation, options.limit ?? n);
  const testEnd = Math.min(data.test.images.shape[0]!, options.limit ?? Infinity);
  return {
    train: new DataSet(sliceRows(data.train.images, 0, trainEnd), labels(sliceRows(data.train.labels, 0, trainEnd)), 1),
    validation: new DataSet(sliceRows(data.train.images, n - validation, n), labels(sliceRows(data.train.labels, n - validation, n)), 2),
    test: new DataSet(sliceRows(data.test.images, 0, testEnd), labels(sliceRows(data.test.labels, 0, testEnd)), 3),
  };
}
