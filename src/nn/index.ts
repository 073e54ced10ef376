/** TensorFlow's `tf.nn` namespace: activations, losses, biasAdd and dropout under their `nn.` names. */
// TensorFlow 1.x's tf.nn activations (tanh is also tf.tanh).
export { sigmoid, softmax, relu, relu6, leakyRelu, elu, selu, softplus, tanh } from "../ops/activation.js";
// Convolution and pooling.
export { conv2d, conv2dBackpropInput, conv2dBackpropFilter, type Conv2DOptions } from "../ops/conv.js";
export { maxPool, avgPool, type PoolOptions } from "../ops/pool.js";
export { max_pool, avg_pool, conv2d_backprop_input, conv2d_backprop_filter } from "../compat.js";
// Losses, biasAdd and dropout (ops/loss.ts, ops/nn.ts, ./dropout.ts), and their snake_case names.
export {
  logSoftmax,
  softmaxCrossEntropyWithLogits,
  softmaxCrossEntropyWithLogitsV2,
  sparseSoftmaxCrossEntropyWithLogits,
  sigmoidCrossEntropyWithLogits,
  l2Loss,
  type SoftmaxCrossEntropyArgs,
  type SparseSoftmaxCrossEntropyArgs,
  type SigmoidCrossEntropyArgs,
} from "../ops/loss.js";
export { biasAdd } from "../ops/nn.js";
export { inTopK } from "../ops/in-top-k.js";
export { dropout, type DropoutOptions } from "./dropout.js";
export {
  log_softmax,
  softmax_cross_entropy_with_logits,
  softmax_cross_entropy_with_logits_v2,
  sparse_softmax_cross_entropy_with_logits,
  sigmoid_cross_entropy_with_logits,
  l2_loss,
  bias_add,
  in_top_k,
} from "../compat.js";
