/**
 * Losses: log-softmax, the fused softmax cross-entropies (dense and sparse labels), the logistic
 * loss and l2Loss. Every one is computed in a stable form (log-sum-exp shifted by the maximum,
 * log(1 + e^−|x|)), so logits of any magnitude give finite losses and finite gradients.
 */
import { Node, type TensorSpec } from "../graph/index.js";
import { ArgumentError, DTypeError, ShapeError, formatShape, is, isPlainObject, normalizeAxes, requireArg, signature, type Dim, type Param, type StaticShape } from "../tensor/index.js";
import { softmax, sigmoid } from "./activation.js";
import { expandDims, stopGradient } from "./array.js";
import { apply, defineOp, isNodeLike, type NodeLike, type NameArg } from "./define.js";
import { requireFloat, requireSameDtype } from "./infer.js";
import { exp, multiply, negative, subtract } from "./math.js";
import { reduceSum } from "./reduce.js";
import type { ClassAxisAttrs } from "../kernels/attrs.js";

/** Two static shapes that must describe the same value, merged (a known dimension wins over `?`). */
export function mergeShapes(a: StaticShape, b: StaticShape, fail: () => never): StaticShape {
  if (a === null) return b;
  if (b === null) return a;
  if (a.length !== b.length) fail();
  return a.map((d, i): Dim => {
    const e = b[i]!;
    if (d !== null && e !== null && d !== e) fail();
    return d ?? e;
  });
}

/** Checks that `axis` is valid for a float input of rank at least 1 (when its rank is known). */
function checkClassAxis(type: string, name: string, x: TensorSpec, axis: number): void {
  requireFloat(type, name, x);
  if (x.shape === null) return;
  if (x.shape.length === 0) throw new ShapeError(`${type} '${name}' needs logits of rank at least 1, got a scalar`);
  normalizeAxes(axis, x.shape.length, `${type} '${name}'`);
}

/** `shape` without its `axis` dimension (null for an unknown rank). */
function dropAxis(shape: StaticShape, axis: number): StaticShape {
  if (shape === null) return null;
  const a = axis < 0 ? axis + shape.length : axis;
  return shape.filter((_, i) => i !== a);
}

export const LogSoftmax = defineOp<ClassAxisAttrs>({
  type: "LogSoftmax",
  infer: ([x], { axis }, name) => {
    checkClassAxis("LogSoftmax", name, x!, axis);
    return { dtype: x!.dtype, shape: x!.shape };
  },
  // y = x − lse(x): dx = dy − softmax(x)·Σ dy, with softmax(x) = e^y from the op's own output.
  gradient: (op, dy) => [subtract(dy, multiply(exp(op), reduceSum(dy, op.attrs.axis, { keepDims: true })))],
});

/**
 * Inputs (labels, logits) of one shape; the output is the loss per row: the shape without the
 * class axis. TensorFlow's op also returns the backprop (softmax − labels) as a second output; ours
 * has one output, and its gradient rebuilds that term from a Softmax node (stable, no log).
 */
export const SoftmaxCrossEntropyWithLogits = defineOp<ClassAxisAttrs>({
  type: "SoftmaxCrossEntropyWithLogits",
  infer: ([labels, logits], { axis }, name) => {
    const type = "SoftmaxCrossEntropyWithLogits";
    requireSameDtype(type, name, labels!.dtype, logits!.dtype);
    checkClassAxis(type, name, logits!, axis);
    const shape = mergeShapes(labels!.shape, logits!.shape, () => {
      throw new ShapeError(
        `${type} '${name}': labels and logits must have the same shape, got labels ${formatShape(labels!.shape)} and logits ${formatShape(logits!.shape)}`,
      );
    });
    return { dtype: logits!.dtype, shape: dropAxis(shape, axis) };
  },
  gradient: (op, dy) => {
    const [labels, logits] = op.inputs as [Node, Node];
    const { axis } = op.attrs;
    // dy has the class axis removed; put it back as size 1 to broadcast along the classes.
    const g = expandDims(dy, axis);
    // loss = Σ z·(lse − x): ∂/∂x = softmax(x)·Σz − z, which is TensorFlow's softmax − z when the
    // labels are distributions (Σz = 1) and stays exact when they are not; ∂/∂z = −log_softmax(x).
    const dlogits = subtract(multiply(softmax(logits, axis), reduceSum(labels, axis, { keepDims: true })), labels);
    return [multiply(negative(logSoftmax(logits, axis)), g), multiply(dlogits, g)];
  },
});

/** Shape and dtype checks shared by the sparse loss and its backprop op; returns the merged batch shape. */
function sparseSpec(type: string, [labels, logits]: TensorSpec[], name: string): StaticShape {
  if (labels!.dtype !== "int32") {
    throw new DTypeError(`${type} '${name}': labels must be int32 class indices, got ${labels!.dtype} of shape ${formatShape(labels!.shape)}`);
  }
  checkClassAxis(type, name, logits!, -1);
  return mergeShapes(labels!.shape, dropAxis(logits!.shape, -1), () => {
    throw new ShapeError(
      `${type} '${name}': labels must have the shape of logits without its last (class) dimension, got labels ${formatShape(labels!.shape)} and logits ${formatShape(logits!.shape)}`,
    );
  });
}

/** Inputs (labels: int32 class ids of shape [...], logits [..., classes]); the loss per row, shape [...]. */
export const SparseSoftmaxCrossEntropyWithLogits = defineOp<Record<string, never>>({
  type: "SparseSoftmaxCrossEntropyWithLogits",
  infer: (inputs, _attrs, name) => ({
    dtype: inputs[1]!.dtype,
    shape: sparseSpec("SparseSoftmaxCrossEntropyWithLogits", inputs, name),
  }),
  gradient: (op, dy) => {
    const [labels, logits] = op.inputs as [Node, Node];
    return [null, multiply(sparseSoftmaxCrossEntropyBackprop(labels, logits), expandDims(dy, -1))];
  },
});

/**
 * softmax(logits) − one_hot(labels): the gradient of the sparse loss per unit dy (TensorFlow's
 * fused op returns it as its second output). Its own gradient is softmax's: the one-hot term is
 * constant in the logits.
 */
export const SparseSoftmaxCrossEntropyBackprop = defineOp<Record<string, never>>({
  type: "SparseSoftmaxCrossEntropyBackprop",
  infer: (inputs, _attrs, name) => {
    const batch = sparseSpec("SparseSoftmaxCrossEntropyBackprop", inputs, name);
    const logits = inputs[1]!.shape;
    return { dtype: inputs[1]!.dtype, shape: batch === null || logits === null ? logits : [...batch, logits[logits.length - 1]!] };
  },
  gradient: (op, g) => {
    const s = softmax(op.inputs[1]!, -1);
    return [null, multiply(s, subtract(g, reduceSum(multiply(g, s), -1, { keepDims: true })))];
  },
});

/**
 * The logistic loss of logits x against labels z, elementwise, in the stable form
 * max(x, 0) − x·z + log(1 + e^−|x|). TensorFlow composes it from ops; it is one op here, whose
 * gradient is (sigmoid(x) − z)·dy for the logits and −x·dy for the labels.
 */
export const SigmoidCrossEntropyWithLogits = defineOp<Record<string, never>>({
  type: "SigmoidCrossEntropyWithLogits",
  infer: ([labels, logits], _attrs, name) => {
    const type = "SigmoidCrossEntropyWithLogits";
    requireSameDtype(type, name, labels!.dtype, logits!.dtype);
    requireFloat(type, name, logits!);
    const shape = mergeShapes(labels!.shape, logits!.shape, () => {
      throw new ShapeError(
        `${type} '${name}': logits and labels must have the same shape, got labels ${formatShape(labels!.shape)} and logits ${formatShape(logits!.shape)}`,
      );
    });
    return { dtype: logits!.dtype, shape };
  },
  gradient: (op, dy) => {
    const [labels, logits] = op.inputs as [Node, Node];
    return [multiply(negative(logits), dy), multiply(subtract(sigmoid(logits), labels), dy)];
  },
});

/** sum(t²) / 2, a scalar. */
export const L2Loss = defineOp<Record<string, never>>({
  type: "L2Loss",
  infer: ([t], _attrs, name) => {
    requireFloat("L2Loss", name, t!);
    return { dtype: t!.dtype, shape: [] };
  },
  gradient: (op, dy) => [multiply(op.inputs[0]!, dy)],
});

/** log(softmax(logits)) along `axis`, computed as logits − log-sum-exp(logits) (no log of a tiny softmax). */
export function logSoftmax(logits: NodeLike, axis = -1, name?: NameArg): Node {
  requireArg("logSoftmax", "axis", axis, is.integer);
  return apply(LogSoftmax, [logits], { axis }, name);
}

export interface SoftmaxCrossEntropyArgs {
  /** A probability distribution over the classes per row (one-hot, or soft labels). */
  labels: NodeLike;
  logits: NodeLike;
  /** The class axis (default -1). TensorFlow 1.x's older `dim` is accepted too. */
  axis?: number;
  dim?: number;
  name?: string;
}

/**
 * The arguments of a loss that TensorFlow 1.x takes by name only (`labels=..., logits=...`): one
 * options object, checked. Positional nodes are refused with the reason, since before TensorFlow
 * 1.0 these losses took (logits, labels) positionally, the reverse of their names' usual order.
 */
function namedOnly<T>(fn: string, args: readonly unknown[], extra: readonly Param[] = []): T {
  if (args.length !== 1 || !isPlainObject(args[0])) {
    const positional = args.length >= 2 && args.every((a) => a instanceof Node);
    throw new ArgumentError(fn, "args", "one object of named arguments, { labels, logits }", args.length === 1 ? args[0] : args,
      positional
        ? `call it as ${fn}({ labels, logits }): since TensorFlow 1.0 it takes named arguments only (the pre-1.0 positional order was (logits, labels), so positional arguments would be mistaken)`
        : "");
  }
  return signature<T>(fn, [
    { name: "labels", check: isNodeLike },
    { name: "logits", check: isNodeLike },
    ...extra,
    { name: "name", check: is.optional(is.string) },
  ]).parse(args);
}

const CLASS_AXIS: readonly Param[] = [
  { name: "axis", check: is.optional(is.integer) },
  { name: "dim", check: is.optional(is.integer) },
];

function xent(args: SoftmaxCrossEntropyArgs, labels: NodeLike, defaultName: string): Node {
  if (args.axis !== undefined && args.dim !== undefined && args.axis !== args.dim) {
    throw new ShapeError(`softmaxCrossEntropyWithLogits: axis ${args.axis} and dim ${args.dim} disagree; give one of them`);
  }
  return apply(SoftmaxCrossEntropyWithLogits, [labels, args.logits], { axis: args.axis ?? args.dim ?? -1 }, args.name ?? defaultName);
}

/**
 * The cross-entropy −Σ labels·log(softmax(logits)) per row, fused and stable. As TensorFlow 1.x's
 * (deprecated) first version, no gradient flows into the labels; see softmaxCrossEntropyWithLogitsV2.
 */
export function softmaxCrossEntropyWithLogits(...given: [SoftmaxCrossEntropyArgs]): Node {
  const args = namedOnly<SoftmaxCrossEntropyArgs>("softmaxCrossEntropyWithLogits", given, CLASS_AXIS);
  const labels = args.labels instanceof Node ? stopGradient(args.labels, "labels_stop_gradient") : args.labels;
  return xent(args, labels, "softmax_cross_entropy_with_logits_sg");
}

/** The same loss, with gradients flowing into the labels as well (TensorFlow's `_v2`). */
export function softmaxCrossEntropyWithLogitsV2(...given: [SoftmaxCrossEntropyArgs]): Node {
  const args = namedOnly<SoftmaxCrossEntropyArgs>("softmaxCrossEntropyWithLogitsV2", given, CLASS_AXIS);
  return xent(args, args.labels, "softmax_cross_entropy_with_logits");
}

export interface SparseSoftmaxCrossEntropyArgs {
  /** int32 class indices in [0, classes), one per row. */
  labels: NodeLike;
  /** [..., classes]. */
  logits: NodeLike;
  name?: string;
}

/**
 * The cross-entropy per row against integer class labels: log-sum-exp(logits) − logits[label].
 * A label outside [0, classes) is an error when the op runs, naming the node and the label.
 */
export function sparseSoftmaxCrossEntropyWithLogits(...given: [SparseSoftmaxCrossEntropyArgs]): Node {
  const args = namedOnly<SparseSoftmaxCrossEntropyArgs>("sparseSoftmaxCrossEntropyWithLogits", given);
  return apply(SparseSoftmaxCrossEntropyWithLogits, [args.labels, args.logits], {}, args.name);
}

export function sparseSoftmaxCrossEntropyBackprop(labels: Node, logits: Node): Node {
  return apply(SparseSoftmaxCrossEntropyBackprop, [labels, logits], {}, "SparseSoftmaxCrossEntropyBackprop");
}

export interface SigmoidCrossEntropyArgs {
  labels: NodeLike;
  logits: NodeLike;
  name?: string;
}

/** The logistic loss elementwise: −z·log(sigmoid(x)) − (1−z)·log(1 − sigmoid(x)), computed stably. */
export function sigmoidCrossEntropyWithLogits(...given: [SigmoidCrossEntropyArgs]): Node {
  const args = namedOnly<SigmoidCrossEntropyArgs>("sigmoidCrossEntropyWithLogits", given);
  return apply(SigmoidCrossEntropyWithLogits, [args.labels, args.logits], {}, args.name ?? "logistic_loss");
}

/** sum(t²)/2 (TensorFlow's `nn.l2_loss`, the usual weight-decay term). */
export function l2Loss(t: NodeLike, name?: NameArg): Node {
  return apply(L2Loss, [t], {}, name);
}
