/**
 * Export decisions shared by every format: op types that never belong in an inference graph (each
 * exporter refuses them with the reason), and the inputs an op reads only in training.
 */
import type { Operation } from "../../graph/index.js";
import { ExportError } from "./errors.js";
import { allInputs, type InputsUsed } from "./subgraph.js";

const GRADIENT_ONLY = "only gradients() builds it (a gradient graph is for training, not inference)";
const RANDOM_DRAW = "it draws new random values at every run; an exported model computes without them (a variable initialized from a draw exports its value)";
const SHAPE_READ = "its value is its input's shape, which the exported model's static shapes already give; the exporters do not write it yet";
const STATE_UPDATE = "it updates a variable; an exported model reads variables, whose values become constants";

export const NOT_IN_INFERENCE: Readonly<Record<string, string>> = {
  SigmoidGrad: GRADIENT_ONLY,
  TanhGrad: GRADIENT_ONLY,
  ReluGrad: GRADIENT_ONLY,
  Relu6Grad: GRADIENT_ONLY,
  LeakyReluGrad: GRADIENT_ONLY,
  EluGrad: GRADIENT_ONLY,
  SeluGrad: GRADIENT_ONLY,
  Conv2DBackpropFilter: "it computes a convolution filter's gradient, which only training needs (an inference model reads the filter)",
  MaxPoolGrad: GRADIENT_ONLY,
  MaxPoolGradGrad: GRADIENT_ONLY,
  AvgPoolGrad: GRADIENT_ONLY,
  BiasAddGrad: GRADIENT_ONLY,
  SplitGrad: GRADIENT_ONLY,
  StridedSliceGrad: GRADIENT_ONLY,
  GatherGrad: GRADIENT_ONLY,
  TileGrad: GRADIENT_ONLY,
  MirrorPadGrad: GRADIENT_ONLY,
  ProdExceptSelf: GRADIENT_ONLY,
  ProdExceptSelfGrad: GRADIENT_ONLY,
  SparseSoftmaxCrossEntropyBackprop: "it is the gradient of the sparse softmax cross-entropy, which only training needs",
  SumToShape: GRADIENT_ONLY,
  BroadcastLike: GRADIENT_ONLY,
  SizeRatio: GRADIENT_ONLY,
  AsMatrix: GRADIENT_ONLY,
  LiftMatMulGrad: GRADIENT_ONLY,
  UnliftMatMulGrad: GRADIENT_ONLY,
  Assign: STATE_UPDATE,
  AssignAdd: STATE_UPDATE,
  AssignSub: STATE_UPDATE,
  RandomStandardNormal: RANDOM_DRAW,
  TruncatedNormal: RANDOM_DRAW,
  RandomUniform: RANDOM_DRAW,
  Shape: SHAPE_READ,
  Size: SHAPE_READ,
  Rank: SHAPE_READ,
  InTopK: "it scores predictions against target labels, which an inference model does not have (export the predictions)",
};

/**
 * Inputs that an inference graph does not read, by op type: a dropout mask's rate and `training`
 * switch (in an exported model, dropout is the identity and its mask all ones), so that a model
 * with dropout exports without its keep_prob or training placeholders.
 */
const TRAINING_ONLY_INPUTS: Readonly<Record<string, readonly number[]>> = { DropoutMask: [1, 2] };

export const inferenceInputs: InputsUsed = (op: Operation) => {
  const skip = TRAINING_ONLY_INPUTS[op.type];
  return skip === undefined ? allInputs(op) : allInputs(op).filter((i) => !skip.includes(i));
};

/** What an export table holds for an op type: how to write it, or why it is not written. */
export type ExportEntry<E> = E | { notExported: string };

/** The shared refusals as entries of a format's table. */
export function notInInference<E>(): Record<string, ExportEntry<E>> {
  return Object.fromEntries(Object.entries(NOT_IN_INFERENCE).map(([type, reason]) => [type, { notExported: reason }]));
}

/** The table's emitter for `op`, or an error naming the node, its type and why it is not written. */
export function emitterFor<E extends (...args: never[]) => unknown>(table: Readonly<Record<string, ExportEntry<E>>>, op: Operation, format: string): E {
  const entry = table[op.type];
  if (entry === undefined) {
    throw new ExportError(`${format} export: '${op.name}' is a ${op.type} op, which has no ${format} mapping yet`);
  }
  if (typeof entry !== "function") {
    throw new ExportError(`${format} export: '${op.name}' (${op.type}) cannot be exported: ${(entry as { notExported: string }).notExported}`);
  }
  return entry;
}
