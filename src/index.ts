/**
 * TensorSlow: a TensorFlow 1.x-style deep-learning library. Build a graph of nodes, run it in a
 * Session, differentiate it with `gradients`, train it with an optimizer.
 */
import "./backends/index.js";
import { getDefaultGraph } from "./graph/index.js";
import type { Variable } from "./graph/index.js";

export {
  Tensor,
  tensor,
  scalar,
  zeros,
  ones,
  castTensor,
  random,
  formatShape,
  DTYPES,
  DEFAULT_DTYPE,
  DTYPE_ALIASES,
  storageDType,
  float32,
  float64,
  int32,
  bool,
  float16,
  int64,
  int16,
  int8,
  uint8,
  ArgumentError,
  TensorSlowError,
  ShapeError,
  DTypeError,
  ValueError,
  GraphError,
  FeedError,
  GradientError,
  DataError,
  NotFoundError,
  NumericsError,
  type DType,
  type DTypeLike,
  type TypedArray,
  type TensorLike,
  type NestedArray,
  type TensorOptions,
  type StaticShape,
  type Dim,
} from "./tensor/index.js";

export {
  Graph,
  GraphNode,
  Node,
  Placeholder,
  Variable,
  Constant,
  Operation,
  Group,
  getDefaultGraph,
  resetDefaultGraph,
  nameScope,
  TensorShape,
  AUTO_REUSE,
  type Reuse,
  placeholder,
  constant,
  type PlaceholderOptions,
  type VariableOptions,
  type ConstantOptions,
  type OpDef,
  type TensorSpec,
  type GradientFn,
} from "./graph/index.js";

export {
  add,
  subtract,
  multiply,
  divide,
  negative,
  log,
  log1p,
  exp,
  square,
  sqrt,
  floor,
  cast,
  toFloat,
  toDouble,
  toInt32,
  toInt64,
  matmul,
  sigmoid,
  softmax,
  reduceSum,
  reduceMean,
  identity,
  stopGradient,
  checkNumerics,
  addCheckNumericsOps,
  reshape,
  expandDims,
  onesLike,
  assign,
  assignAdd,
  assignSub,
  group,
  globalVariablesInitializer,
  variablesInitializer,
  registeredOps,
  randomNormal,
  truncatedNormal,
  randomUniform,
  setRandomSeed,
  DEFAULT_GRAPH_SEED,
  type RandomNormalOptions,
  type RandomUniformOptions,
  // Array ops.
  transpose,
  squeeze,
  concat,
  stack,
  unstack,
  split,
  slice,
  stridedSlice,
  gather,
  oneHot,
  tile,
  pad,
  reduceMax,
  reduceMin,
  reduceProd,
  reduceAny,
  reduceAll,
  argmax,
  argmin,
  fill,
  range,
  type UnstackOptions,
  type StridedSliceOptions,
  type OneHotOptions,
  type RangeOptions,
  type NodeLike,
  type MatMulOptions,
  type ReduceOptions,
  type CastAttrs,
} from "./ops/index.js";

// Activations, comparisons and selection.
export {
  relu,
  relu6,
  leakyRelu,
  elu,
  selu,
  softplus,
  tanh,
  abs,
  sign,
  pow,
  maximum,
  minimum,
  clipByValue,
  where,
  equal,
  notEqual,
  greater,
  greaterEqual,
  less,
  lessEqual,
  logicalAnd,
  logicalOr,
  logicalNot,
  zerosLike,
  type LeakyReluAttrs,
} from "./ops/index.js";
// Convolution and pooling (functions under ts.nn).
export type { Conv2DOptions, PoolOptions, WindowArg } from "./ops/index.js";
export type { Padding } from "./tensor/index.js";

export { gradients } from "./autodiff/gradients.js";
export { InteractiveSession, getDefaultSession } from "./runtime/default-session.js";
export { variableScope, getVariable, type VariableScopeOptions, type GetVariableOptions } from "./layers/variable-scope.js";
export { shape, size, rank } from "./ops/index.js";
export { Session, setFusionEnabled, isFusionEnabled, setCheckNumericsEnabled, isCheckNumericsEnabled, type Fetches, type FetchResult, type SessionOptions, type RunOptions, type Into } from "./runtime/session.js";
export { engineSupport } from "./engine/index.js";
export type { FeedDict, FeedValue } from "./runtime/feeds.js";
export { getBackend, setBackend, listBackends, registerBackend, jsBackend, type Backend, type Kernel } from "./backends/index.js";
export {
  generateFused,
  interpretFused,
  type FusedAccess,
  type FusedInstruction,
  type FusedKernel,
  type FusedKernels,
  type FusedOutput,
  type FusedProgram,
} from "./backends/index.js";
export { wasmBackend, setNumThreads, getNumThreads, type WasmBackend } from "./backends/index.js";
export * as train from "./train-namespace.js";
export * as nn from "./nn/index.js";
export * as data from "./data/index.js";
export * as io from "./io/index.js";
export * as viz from "./viz/index.js";
export * as summary from "./summary/index.js";
// The tf.losses, tf.initializers and tf.layers namespaces (losses/, initializers/, layers/).
export * as losses from "./losses/index.js";
export * as initializers from "./initializers/index.js";
export * as layers from "./layers/index.js";
export {
  zeros as zerosInitializer,
  ones as onesInitializer,
  constant as constantInitializer,
  randomNormal as randomNormalInitializer,
  truncatedNormal as truncatedNormalInitializer,
  randomUniform as randomUniformInitializer,
  varianceScaling as varianceScalingInitializer,
  glorotUniform as glorotUniformInitializer,
  glorotNormal as glorotNormalInitializer,
  type Initializer,
} from "./initializers/index.js";

/** The trainable variables of the default graph. */
export function trainableVariables(): Variable[] {
  return getDefaultGraph().trainableVariables();
}

/** Every variable of the default graph. */
export function globalVariables(): Variable[] {
  return getDefaultGraph().globalVariables();
}

export * from "./compat.js";
