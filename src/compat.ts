/**
 * The tutorial's and TensorFlow 1.x's snake_case names, in one place. Each is the camelCase API
 * under another name: code from the tutorial ports line by line.
 */
import { Graph, getDefaultGraph, resetDefaultGraph, nameScope, type Node } from "./graph/index.js";
import {
  argmax,
  argmin,
  oneHot,
  reduceAll,
  reduceAny,
  reduceMax,
  reduceMin,
  reduceProd,
  stridedSlice,
  assignAdd,
  assignSub,
  expandDims,
  globalVariablesInitializer,
  onesLike,
  reduceMean,
  reduceSum,
  stopGradient,
  checkNumerics,
  addCheckNumericsOps,
  variablesInitializer,
} from "./ops/index.js";
import {
  clipByValue,
  greaterEqual,
  leakyRelu,
  lessEqual,
  logicalAnd,
  logicalNot,
  logicalOr,
  notEqual,
  zerosLike,
} from "./ops/index.js";
import { setRandomSeed, randomNormal, randomUniform, truncatedNormal } from "./ops/index.js";
import * as initializers from "./initializers/index.js";
import { Optimizer } from "./train/optimizer.js";
import { FileWriter } from "./summary/writer.js";
import { exponentialDecay, type ExponentialDecayOptions } from "./train/learning-rate-decay.js";
import { createGlobalStep, getGlobalStep, getOrCreateGlobalStep } from "./train/global-step.js";
import { avgPool, conv2dBackpropFilter, conv2dBackpropInput, maxPool } from "./ops/index.js";

// The reductions take TensorFlow's keyword names themselves (reduction_indices, keep_dims, ...).
export {
  reduceSum as reduce_sum,
  reduceMean as reduce_mean,
  reduceMax as reduce_max,
  reduceMin as reduce_min,
  reduceProd as reduce_prod,
  reduceAny as reduce_any,
  reduceAll as reduce_all,
};

// one_hot and strided_slice take TF1's keyword names themselves (on_value, shrink_axis_mask, ...).
export { oneHot as one_hot, stridedSlice as strided_slice };

export { inTopK as in_top_k } from "./ops/in-top-k.js";
export { variableScope as variable_scope, getVariable as get_variable } from "./layers/variable-scope.js";
export { toFloat as to_float, toDouble as to_double, toInt32 as to_int32, toInt64 as to_int64 } from "./ops/index.js";

export {
  argmax as arg_max,
  argmin as arg_min,
};

export {
  globalVariablesInitializer as global_variables_initializer,
  variablesInitializer as variables_initializer,
  stopGradient as stop_gradient,
  checkNumerics as check_numerics,
  addCheckNumericsOps as add_check_numerics_ops,
  nameScope as name_scope,
  getDefaultGraph as get_default_graph,
  resetDefaultGraph as reset_default_graph,
  assignAdd as assign_add,
  assignSub as assign_sub,
  onesLike as ones_like,
  expandDims as expand_dims,
  setRandomSeed as set_random_seed,
  randomNormal as random_normal,
  randomUniform as random_uniform,
  truncatedNormal as truncated_normal,
};

// tf.nn's losses and biasAdd (re-exported inside `nn` by src/nn/index.ts), and TensorFlow 1.x's
// initializer names.
export {
  logSoftmax as log_softmax,
  softmaxCrossEntropyWithLogits as softmax_cross_entropy_with_logits,
  softmaxCrossEntropyWithLogitsV2 as softmax_cross_entropy_with_logits_v2,
  sparseSoftmaxCrossEntropyWithLogits as sparse_softmax_cross_entropy_with_logits,
  sigmoidCrossEntropyWithLogits as sigmoid_cross_entropy_with_logits,
  l2Loss as l2_loss,
  biasAdd as bias_add,
} from "./ops/index.js";
// tf.layers' pooling names (re-exported inside `layers` by src/layers/index.ts).
export { maxPooling2d as max_pooling2d, averagePooling2d as average_pooling2d } from "./layers/conv.js";
export const zeros_initializer = initializers.zeros;
export const ones_initializer = initializers.ones;
export const constant_initializer = initializers.constant;
export const random_normal_initializer = initializers.randomNormal;
export const truncated_normal_initializer = initializers.truncatedNormal;
export const random_uniform_initializer = initializers.randomUniform;
export const variance_scaling_initializer = initializers.varianceScaling;
export const glorot_uniform_initializer = initializers.glorotUniform;
export const glorot_normal_initializer = initializers.glorotNormal;

/** TensorFlow's `exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False, name=None)`. */
export function exponential_decay(
  learning_rate: number | Node,
  global_step: Node,
  decay_steps: number | Node,
  decay_rate: number | Node,
  staircase: boolean | ExponentialDecayOptions = false,
  name?: string,
): Node {
  const options: ExponentialDecayOptions = typeof staircase === "boolean" ? { staircase } : { ...staircase };
  if (name !== undefined) options.name = name;
  return exponentialDecay(learning_rate, global_step, decay_steps, decay_rate, options);
}

export {
  getGlobalStep as get_global_step,
  createGlobalStep as create_global_step,
  getOrCreateGlobalStep as get_or_create_global_step,
};

// Activations, comparisons and selection.
export {
  leakyRelu as leaky_relu,
  clipByValue as clip_by_value,
  logicalAnd as logical_and,
  logicalOr as logical_or,
  logicalNot as logical_not,
  notEqual as not_equal,
  greaterEqual as greater_equal,
  lessEqual as less_equal,
  zerosLike as zeros_like,
};

// tf.nn's convolution and pooling names (also under ts.nn, through nn.ts).
export {
  maxPool as max_pool,
  avgPool as avg_pool,
  conv2dBackpropInput as conv2d_backprop_input,
  conv2dBackpropFilter as conv2d_backprop_filter,
};

export function trainable_variables() {
  return getDefaultGraph().trainableVariables();
}
export function global_variables() {
  return getDefaultGraph().globalVariables();
}

declare module "./graph/graph.js" {
  interface Graph {
    /** The tutorial's `Graph().as_default()`. */
    as_default: Graph["asDefault"];
    name_scope: Graph["nameScope"];
    get_tensor_by_name: Graph["getNodeByName"];
    get_operation_by_name: Graph["getNodeByName"];
  }
}
Graph.prototype.as_default = Graph.prototype.asDefault;
Graph.prototype.name_scope = Graph.prototype.nameScope;
Graph.prototype.get_tensor_by_name = Graph.prototype.getNodeByName;
Graph.prototype.get_operation_by_name = Graph.prototype.getNodeByName;

declare module "./train/optimizer.js" {
  interface Optimizer {
    compute_gradients: Optimizer["computeGradients"];
    apply_gradients: Optimizer["applyGradients"];
    get_slot: Optimizer["getSlot"];
    get_slot_names: Optimizer["getSlotNames"];
  }
}
Optimizer.prototype.compute_gradients = Optimizer.prototype.computeGradients;
Optimizer.prototype.apply_gradients = Optimizer.prototype.applyGradients;
Optimizer.prototype.get_slot = Optimizer.prototype.getSlot;
Optimizer.prototype.get_slot_names = Optimizer.prototype.getSlotNames;

declare module "./summary/writer.js" {
  interface FileWriter {
    add_graph: FileWriter["addGraph"];
    add_summary: FileWriter["addSummary"];
  }
}
FileWriter.prototype.add_graph = FileWriter.prototype.addGraph;
FileWriter.prototype.add_summary = FileWriter.prototype.addSummary;
