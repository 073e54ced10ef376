/** TensorFlow's `tf.nn` namespace: activations and losses under their `nn.` names. */
export { sigmoid, softmax } from "./ops/activation.js";
