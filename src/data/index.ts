/**
 * Data sets and batching: the tutorial's 2-D point sets, IDX files (MNIST's format),
 * Fashion-MNIST and MNIST, and seeded mini-batches ready to feed.
 */
export { blobs, xorClusters, concatRows, BLOBS_SEED, XOR_SEED, type PointSet, type PointSetOptions } from "./points.js";
export {
  parseIdx,
  idxToTensor,
  isGzip,
  IDX_DTYPE,
  MAX_IDX_ELEMENTS,
  type IdxArray,
  type IdxType,
  type IdxData,
  type IdxParseOptions,
  type IdxToTensorOptions,
} from "./idx.js";
export { decodeIdx, readIdx, type IdxDecodeOptions } from "./idx-load.js";
export {
  fashionMnist,
  mnist,
  FASHION_MNIST_DIR,
  FASHION_MNIST_ENV,
  MNIST_ENV,
  FASHION_MNIST_CLASSES,
  MNIST_FILES,
  type MnistOptions,
  type MnistSplit,
  type MnistDataset,
} from "./mnist.js";
export { batches, Batches, type BatchOptions, type BatchOf } from "./batches.js";
/** The TensorFlow Playground's data sets (circle, XOR, Gaussians, spiral, and two for regression). */
export * as playground from "./playground.js";
