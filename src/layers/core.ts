/**
 * TensorFlow 1.x's functional layers (`tf.layers.dense`, `flatten`, `dropout`): each call builds
 * its nodes under a fresh name scope (`dense`, `dense_1`, ...) and creates its variables there
 * (`dense/kernel`, `dense/bias`). Name scopes play the part of TensorFlow's variable scopes.
 */
import { Node, Variable, type Graph } from "../graph/index.js";
import { biasAdd, graphOf, isNodeLike, matmul, reshape, reshapeLike, reduceSum, onesLike, toNode, type NodeLike } from "../ops/index.js";
import { DTypeError, ShapeError, ValueError, check, formatShape, is, isFloatDType, signature, type DType } from "../tensor/index.js";
import { glorotUniform, initialValue, zeros, type InitializerLike } from "../initializers/index.js";
import { dropoutChecks, dropoutInScope, type DropoutOptions } from "../nn/dropout.js";
import { sharedVariable, type Reuse } from "./variable-scope.js";
import { VARIABLE_LAYER_TAIL, withoutNone, type VariableLayerArgs, type VariableLayerKeywords } from "./params.js";

/** An activation applied to a layer's output (`ts.sigmoid`, `ts.nn.relu`, ...). */
export type Activation = (x: Node) => Node;

export interface LayerOptions {
  /** The layer's scope name; by default the layer's kind, made unique (`dense`, `dense_1`, ...). */
  name?: string;
}

export interface VariableLayerOptions extends LayerOptions {
  /** Whether the layer's variables join the trainable variables (default true). */
  trainable?: boolean;
  /**
   * Use the variables an earlier layer of the same `name` created instead of new ones (AUTO_REUSE:
   * if there are some). Default: the enclosing variable scope's `reuse`.
   */
  reuse?: Reuse;
}

/**
 * Runs `build` under the layer's name scope on the inputs' graph, giving it the prefix of the
 * layer's variables: the scope itself for an unnamed layer (`dense_1`), and exactly the given name
 * for a named one, so that `reuse` finds an earlier layer's variables and a second layer of one
 * name without `reuse` is refused (TensorFlow 1.x will not silently create a second set).
 */
export function inLayerScope<T>(kind: string, inputs: unknown[], options: VariableLayerOptions, build: (graph: Graph, variableScope: string) => T): T {
  if (options.reuse && options.name === undefined) throw new ValueError(`${kind}: reuse needs the name of the layer whose variables to reuse`);
  const graph = graphOf(inputs);
  return graph.asDefault(() => {
    const named = options.name === undefined ? undefined : graph.currentScope + options.name;
    return graph.nameScope(options.name ?? kind, () => build(graph, named ?? graph.currentScope.slice(0, -1)));
  });
}

/**
 * The layer's variable `name` of `shape`: a new Variable under the current scope, or with `reuse`
 * the one the layer's first call created, checked against the shape and dtype.
 */
export function layerVariable(
  graph: Graph,
  variableScope: string,
  name: string,
  shape: readonly number[],
  dtype: DType,
  init: InitializerLike,
  options: VariableLayerOptions,
): Variable {
  const full = `${variableScope}/${name}`;
  // The layer's own `reuse` wins; without it, the enclosing variable scope's.
  const reuse = options.reuse ?? graph.currentReuse;
  return sharedVariable(graph, full, shape, dtype, reuse, () => new Variable(initialValue(init, shape, dtype, full), { name, trainable: options.trainable ?? true }));
}

export interface DenseOptions extends VariableLayerOptions, VariableLayerKeywords {
  activation?: Activation | null;
  useBias?: boolean;
  /** Default glorotUniform(), as TensorFlow's. */
  kernelInitializer?: InitializerLike | null;
  /** Default zeros(). */
  biasInitializer?: InitializerLike | null;
}

function floatInput(kind: string, x: Node): void {
  if (!isFloatDType(x.dtype)) throw new DTypeError(`${kind}: the inputs must be float32 or float64, got ${x.dtype} ${x}`);
}

const DENSE = signature<{ inputs: NodeLike; units: number } & VariableLayerArgs>("dense", [
  { name: "inputs", check: isNodeLike },
  { name: "units", check: is.positiveInteger },
  ...VARIABLE_LAYER_TAIL,
]);

/**
 * TensorFlow 1.x's `layers.dense(inputs, units, activation=None, use_bias=True,
 * kernel_initializer=None, bias_initializer=zeros, kernel_regularizer=None, bias_regularizer=None,
 * activity_regularizer=None, kernel_constraint=None, bias_constraint=None, trainable=True,
 * name=None, reuse=None)`, positionally or with an options object: activation(inputs · kernel +
 * bias), with kernel [in, units] and bias [units]. Inputs of rank > 2 multiply along their last axis.
 */
export function dense(inputs: NodeLike, units: number, options?: DenseOptions): Node;
export function dense(inputs: NodeLike, units: number, activation: Activation | null | undefined, options: DenseOptions): Node;
export function dense(
  inputs: NodeLike,
  units: number,
  activation?: Activation | null,
  useBias?: boolean,
  kernelInitializer?: InitializerLike | null,
  biasInitializer?: InitializerLike | null,
  ...rest: unknown[]
): Node;
export function dense(...args: unknown[]): Node {
  const { inputs, units, ...tail } = DENSE.parse(args);
  const options = withoutNone(tail) as DenseOptions;
  return inLayerScope("dense", [inputs], options, (graph, scope) => {
    const x = toNode(inputs, graph);
    floatInput("dense", x);
    if (x.shape !== null && x.shape.length < 2) {
      throw new ShapeError(`dense '${scope}': the inputs need at least rank 2 (a batch of rows), got ${formatShape(x.shape)}`);
    }
    const inDim = x.shape?.[x.shape.length - 1] ?? null;
    if (inDim === null) {
      throw new ShapeError(`dense '${scope}': the last dimension of the inputs must be known to make the kernel, got inputs of shape ${formatShape(x.shape)}`);
    }
    const kernel = layerVariable(graph, scope, "kernel", [inDim, units], x.dtype, options.kernelInitializer ?? glorotUniform(), options);
    let y = matmul(x, kernel);
    if (options.useBias ?? true) {
      const bias = layerVariable(graph, scope, "bias", [units], x.dtype, options.biasInitializer ?? zeros(), options);
      y = biasAdd(y, bias);
    }
    return options.activation ? options.activation(y) : y;
  });
}

const FLATTEN = signature<{ inputs: NodeLike; name?: string; dataFormat?: string }>("flatten", [
  { name: "inputs", check: isNodeLike },
  { name: "name", check: is.optional(is.string) },
  // TF1's channels_first moves the channels last before flattening; only channels_last is supported.
  { name: "dataFormat", check: is.optional(is.oneOf(["channels_last"])) },
]);

/**
 * TensorFlow 1.x's `layers.flatten(inputs, name=None)`: [batch, ...] → [batch, product of the
 * rest]. The batch dimension may be unknown; when the other dimensions are unknown too, the target
 * shape is made at run time from the inputs' shape.
 */
export function flatten(inputs: NodeLike, options?: LayerOptions): Node;
export function flatten(inputs: NodeLike, name?: string): Node;
export function flatten(...args: unknown[]): Node {
  const { inputs, name } = FLATTEN.parse(args);
  const options: LayerOptions = name === undefined ? {} : { name };
  return inLayerScope("flatten", [inputs], options, (graph) => {
    const x = toNode(inputs, graph);
    if (x.shape !== null && x.shape.length === 0) throw new ShapeError(`flatten: the inputs need a batch dimension, got a scalar ${x}`);
    if (x.shape !== null) {
      const rest = x.shape.slice(1);
      if (rest.every((d) => d !== null)) return reshape(x, [-1, rest.reduce((p: number, d) => p * d!, 1)]);
      if (x.shape[0] !== null) return reshape(x, [x.shape[0], -1]);
    }
    // Both unknown: a [batch, rest] tensor to take the shape of, from column and row sums of ones.
    const ones = onesLike(x);
    const rank = x.shape?.length;
    if (rank === undefined) throw new ShapeError(`flatten: the inputs' rank must be known, got ${x}`);
    const column = reshape(reduceSum(ones, range(1, rank), { keepDims: true }), [-1, 1]);
    const row = reshape(reduceSum(ones, 0, { keepDims: true }), [1, -1]);
    return reshapeLike(x, matmul(column, row));
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

export interface LayerDropoutOptions extends Omit<DropoutOptions, "keepProb" | "training"> {
  /** Default 0.5. */
  rate?: number;
  /** Default false: dropout is on only when asked (a boolean, or a bool scalar node fed at run time). */
  training?: boolean | Node;
}

const LAYER_DROPOUT = signature<{ inputs: NodeLike } & LayerDropoutOptions>("dropout", [
  { name: "inputs", check: isNodeLike },
  { name: "rate", check: is.optional(is.number) },
  { name: "noiseShape", check: dropoutChecks.isNoiseShape },
  { name: "seed", check: dropoutChecks.isSeed },
  { name: "training", check: is.optional(check<boolean | Node>("true, false or a bool scalar node", (v) => typeof v === "boolean" || v instanceof Node)) },
  { name: "name", check: is.optional(is.string) },
]);

/**
 * TensorFlow 1.x's `layers.dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False,
 * name=None)`: the identity unless training is true (or a bool node true at run time).
 */
export function dropout(inputs: NodeLike, options?: LayerDropoutOptions): Node;
export function dropout(inputs: NodeLike, rate?: number, noiseShape?: readonly (number | null)[], seed?: number, training?: boolean | Node, name?: string): Node;
export function dropout(...args: unknown[]): Node {
  const { inputs, name, rate = 0.5, training = false, noiseShape, seed } = LAYER_DROPOUT.parse(args);
  const rest = { ...(noiseShape === undefined || noiseShape === null ? {} : { noiseShape }), ...(seed === undefined ? {} : { seed }) };
  return inLayerScope("dropout", [inputs, training], name === undefined ? {} : { name }, () => dropoutInScope(inputs, { ...rest, rate, training }));
}
