/**
 * TensorFlow 1.x's `tf.losses`: a per-element (or per-row) loss, weighted, then reduced. The
 * default reduction, SUM_BY_NONZERO_WEIGHTS, divides the weighted sum by the number of nonzero
 * weights, which for the default weight 1 is the mean over every element (over the batch for the
 * cross-entropies).
 */
import { Node } from "../graph/index.js";
import {
  cast,
  divide,
  equal,
  notEqual,
  where,
  zerosLike,
  graphOf,
  multiply,
  onesLike,
  reduceMean,
  reduceSum,
  sigmoidCrossEntropyWithLogits,
  sizeRatio,
  softmaxCrossEntropyWithLogitsV2,
  sparseSoftmaxCrossEntropyWithLogits,
  square,
  stopGradient,
  subtract,
  add,
  toNode,
  isNodeLike,
  type NodeLike,
} from "../ops/index.js";
import { ShapeError, check, formatShape, is, signature, snakeCase, staticCompatible, type Param } from "../tensor/index.js";

/** How a weighted loss becomes the returned value (TensorFlow's `tf.losses.Reduction`). */
export const Reduction = {
  /** The weighted losses, unreduced. */
  NONE: "none",
  SUM: "weighted_sum",
  /** The weighted sum divided by the number of loss elements. */
  SUM_OVER_BATCH_SIZE: "weighted_sum_over_batch_size",
  /** The weighted sum divided by the sum of the weights. */
  MEAN: "weighted_mean",
  /** The weighted sum divided by the number of nonzero weights (the default). */
  SUM_BY_NONZERO_WEIGHTS: "weighted_sum_by_nonzero_weights",
  SUM_OVER_NONZERO_WEIGHTS: "weighted_sum_by_nonzero_weights",
} as const;
export type Reduction = (typeof Reduction)[keyof typeof Reduction];

export interface LossOptions {
  /** A scalar, or a tensor that broadcasts onto the losses (per example, say). Default 1. */
  weights?: NodeLike;
  reduction?: Reduction;
  /** The name scope (TensorFlow's `scope`). */
  scope?: string;
}

const WEIGHTS: Param = { name: "weights", check: is.optional(isNodeLike) };
const SCOPE: Param = { name: "scope", check: is.optional(is.string) };
const REDUCTION: Param = { name: "reduction", check: is.optional(is.oneOf([...new Set(Object.values(Reduction))])) };
const SMOOTHING: Param = { name: "labelSmoothing", check: is.optional(check<number>("a number in [0, 1]", (v) => typeof v === "number" && v >= 0 && v <= 1)) };

const COMPUTE_WEIGHTED_LOSS = signature<{ losses: Node } & LossOptions>("computeWeightedLoss", [
  { name: "losses", check: is.instance(Node, "a node with a value (the losses)") },
  WEIGHTS,
  SCOPE,
  REDUCTION,
]);

/**
 * TF1's `compute_weighted_loss(losses, weights=1.0, scope=None, reduction=SUM_BY_NONZERO_WEIGHTS)`:
 * `losses` weighted and reduced; the scalar node is named `value`, as TensorFlow names it.
 */
export function computeWeightedLoss(losses: Node, options?: LossOptions): Node;
export function computeWeightedLoss(args: { losses: Node } & LossOptions): Node;
export function computeWeightedLoss(losses: Node, weights?: NodeLike, scope?: string, reduction?: Reduction): Node;
export function computeWeightedLoss(...args: unknown[]): Node {
  const { losses, scope, ...options } = COMPUTE_WEIGHTED_LOSS.parse(args);
  return scope === undefined ? weightedLoss(losses, options) : losses.graph.asDefault(() => losses.graph.nameScope(scope, () => weightedLoss(losses, options)));
}

function weightedLoss(losses: Node, options: LossOptions): Node {
  const { weights = 1, reduction = Reduction.SUM_BY_NONZERO_WEIGHTS } = options;
  const w = weights instanceof Node ? weights : typeof weights === "number" ? weights : toNode(weights, losses.graph, losses.dtype, "weights");
  if (w instanceof Node) checkWeights(w, losses);
  const weighted = w === 1 ? losses : multiply(losses, w);
  switch (reduction) {
    case Reduction.NONE:
      return weighted;
    case Reduction.SUM:
      return reduceSum(weighted, undefined, { name: "value" });
    case Reduction.SUM_OVER_BATCH_SIZE:
      return reduceMean(weighted, undefined, { name: "value" });
    case Reduction.MEAN:
      // Σ w·l / Σ w, the weights counted once per loss element they apply to.
      if (w instanceof Node) return divideNoNan(reduceSum(weighted), reduceSum(multiply(w, onesLike(losses))));
      // For one number w that is mean(l) (and 0 for w = 0, see meanForNumber).
      return meanForNumber(losses, w === 0 ? 0 : 1);
    default: {
      if (typeof w === "number") return meanForNumber(weighted, w);
      // Σ w·l over the number of loss elements whose weight is nonzero.
      const present = multiply(cast(notEqual(w, 0), losses.dtype), onesLike(losses));
      return divideNoNan(reduceSum(weighted), reduceSum(present));
    }
  }
}

/**
 * num / den, and 0 where den is 0 (TensorFlow's div_no_nan: all-zero weights give a zero loss).
 * The division sees 1 in place of a zero den, so no inf or NaN reaches the gradient either.
 */
function divideNoNan(num: Node, den: Node): Node {
  const zero = equal(den, 0);
  return where(zero, zerosLike(num), divide(num, where(zero, onesLike(den), den)), "value");
}

/**
 * Σ w·l over the count of nonzero weights, for one number w: the mean of the weighted losses.
 * TensorFlow divides "with no NaN", so w = 0 gives 0.
 */
function meanForNumber(weighted: Node, w: number): Node {
  return w === 0 ? multiply(reduceSum(weighted), 0, "value") : reduceMean(weighted, undefined, { name: "value" });
}

/** Weights must broadcast onto the losses without enlarging them: a scalar, or one dimension per loss dimension. */
function checkWeights(w: Node, losses: Node): void {
  if (w.shape === null || losses.shape === null || w.shape.length === 0) return;
  const ok = w.shape.length === losses.shape.length && w.shape.every((d, i) => d === 1 || d === null || losses.shape![i] === null || d === losses.shape![i]);
  if (!ok) throw new ShapeError(`weights of shape ${formatShape(w.shape)} cannot be broadcast to the losses' shape ${formatShape(losses.shape)}`);
}

/**
 * Builds a loss of `labels` against `logits` (or predictions) under the name scope `scope`: both
 * as nodes of one graph and of the logits' dtype, checked to have one shape.
 */
function pairedLoss(what: string, scope: string, labels: NodeLike, logits: NodeLike, logitsName: string, build: (labels: Node, logits: Node) => Node): Node {
  const graph = graphOf([logits, labels]);
  return graph.asDefault(() =>
    graph.nameScope(scope, () => {
      const x = toNode(logits, graph);
      const z = toNode(labels, graph, x.dtype);
      if (!staticCompatible(x.shape, z.shape)) {
        throw new ShapeError(`${what}: ${logitsName} ${formatShape(x.shape)} and labels ${formatShape(z.shape)} must have the same shape`);
      }
      return build(z, x);
    }),
  );
}

const MEAN_SQUARED_ERROR = signature<{ labels: NodeLike; predictions: NodeLike } & LossOptions>("meanSquaredError", [
  { name: "labels", check: isNodeLike },
  { name: "predictions", check: isNodeLike },
  WEIGHTS,
  SCOPE,
  REDUCTION,
]);

/** TF1's `mean_squared_error(labels, predictions, weights=1.0, scope=None, reduction=...)`: Σ w·(predictions − labels)² reduced (the mean for unit weights). */
export function meanSquaredError(labels: NodeLike, predictions: NodeLike, options?: LossOptions): Node;
export function meanSquaredError(args: { labels: NodeLike; predictions: NodeLike } & LossOptions): Node;
export function meanSquaredError(labels: NodeLike, predictions: NodeLike, weights?: NodeLike, scope?: string, reduction?: Reduction): Node;
export function meanSquaredError(...args: unknown[]): Node {
  const { labels, predictions, ...options } = MEAN_SQUARED_ERROR.parse(args);
  return pairedLoss("meanSquaredError", options.scope ?? "mean_squared_error", labels, predictions, "predictions", (l, p) =>
    weightedLoss(square(subtract(p, l)), options),
  );
}

export interface SmoothingOptions extends LossOptions {
  /** Moves the labels towards uniform: labels·(1 − s) + s/classes (softmax) or + s/2 (sigmoid). */
  labelSmoothing?: number;
  label_smoothing?: number;
}

/** labels·(1 − s) + s·share (share: 1/classes, or 1/2 for independent binary labels); the labels when s = 0. */
function smoothed(labels: Node, { labelSmoothing: s = 0 }: SmoothingOptions, share: () => number | Node): Node {
  if (s === 0) return labels;
  const u = share();
  return add(multiply(labels, 1 - s), typeof u === "number" ? s * u : multiply(s, u));
}

/** A cross-entropy's TF1 signature: `(labels, logits, weights=1.0, label_smoothing=0, scope=None, reduction=...)`. */
function crossEntropySignature(fn: string, labels: string, smoothing: boolean) {
  return signature<{ labels: NodeLike; logits: NodeLike } & SmoothingOptions>(fn, [
    { name: "labels", check: isNodeLike, aliases: [labels, snakeCase(labels)] },
    { name: "logits", check: isNodeLike },
    WEIGHTS,
    ...(smoothing ? [SMOOTHING] : []),
    SCOPE,
    REDUCTION,
  ]);
}
const SOFTMAX_CROSS_ENTROPY = crossEntropySignature("softmaxCrossEntropy", "onehotLabels", true);
const SPARSE_SOFTMAX_CROSS_ENTROPY = crossEntropySignature("sparseSoftmaxCrossEntropy", "labels", false);
const SIGMOID_CROSS_ENTROPY = crossEntropySignature("sigmoidCrossEntropy", "multiClassLabels", true);

/**
 * TF1's `softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
 * reduction=...)`: the softmax cross-entropy of one-hot (or soft) labels [batch, classes] against
 * logits, reduced over the batch. No gradient flows into the labels.
 */
export function softmaxCrossEntropy(onehotLabels: NodeLike, logits: NodeLike, options?: SmoothingOptions): Node;
export function softmaxCrossEntropy(args: { onehot_labels: NodeLike; logits: NodeLike } & SmoothingOptions): Node;
export function softmaxCrossEntropy(onehotLabels: NodeLike, logits: NodeLike, weights?: NodeLike, labelSmoothing?: number, scope?: string, reduction?: Reduction): Node;
export function softmaxCrossEntropy(...args: unknown[]): Node {
  const { labels: onehotLabels, logits, ...options } = SOFTMAX_CROSS_ENTROPY.parse(args);
  return pairedLoss("softmaxCrossEntropy", options.scope ?? "softmax_cross_entropy_loss", onehotLabels, logits, "logits", (z, x) => {
    // 1/classes; when the class count is unknown, size(one row's loss) / size(logits) at run time.
    const classes = x.shape?.[x.shape.length - 1];
    const labels = smoothed(z, options, () => (typeof classes === "number" ? 1 / classes : sizeRatio(reduceSum(x, -1), x)));
    const losses = softmaxCrossEntropyWithLogitsV2({ labels: stopGradient(labels, "labels_stop_gradient"), logits: x, name: "xentropy" });
    return weightedLoss(losses, options);
  });
}

/**
 * TF1's `sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None, reduction=...)`: the
 * softmax cross-entropy of int32 class labels [batch] against logits [batch, classes], reduced over the batch.
 */
export function sparseSoftmaxCrossEntropy(labels: NodeLike, logits: NodeLike, options?: LossOptions): Node;
export function sparseSoftmaxCrossEntropy(args: { labels: NodeLike; logits: NodeLike } & LossOptions): Node;
export function sparseSoftmaxCrossEntropy(labels: NodeLike, logits: NodeLike, weights?: NodeLike, scope?: string, reduction?: Reduction): Node;
export function sparseSoftmaxCrossEntropy(...args: unknown[]): Node {
  const { labels, logits, ...options } = SPARSE_SOFTMAX_CROSS_ENTROPY.parse(args);
  const graph = graphOf([logits, labels]);
  return graph.asDefault(() =>
    graph.nameScope(options.scope ?? "sparse_softmax_cross_entropy_loss", () =>
      weightedLoss(sparseSoftmaxCrossEntropyWithLogits({ labels, logits, name: "xentropy" }), options),
    ),
  );
}

/**
 * TF1's `sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0,
 * scope=None, reduction=...)`: the logistic loss of labels in [0, 1] against logits of the same
 * shape, elementwise, reduced.
 */
export function sigmoidCrossEntropy(multiClassLabels: NodeLike, logits: NodeLike, options?: SmoothingOptions): Node;
export function sigmoidCrossEntropy(args: { multi_class_labels: NodeLike; logits: NodeLike } & SmoothingOptions): Node;
export function sigmoidCrossEntropy(multiClassLabels: NodeLike, logits: NodeLike, weights?: NodeLike, labelSmoothing?: number, scope?: string, reduction?: Reduction): Node;
export function sigmoidCrossEntropy(...args: unknown[]): Node {
  const { labels: multiClassLabels, logits, ...options } = SIGMOID_CROSS_ENTROPY.parse(args);
  return pairedLoss("sigmoidCrossEntropy", options.scope ?? "sigmoid_cross_entropy_loss", multiClassLabels, logits, "logits", (z, x) =>
    weightedLoss(sigmoidCrossEntropyWithLogits({ labels: smoothed(z, options, () => 0.5), logits: x }), options),
  );
}

// TensorFlow 1.x's names, which take its keyword names too (onehot_labels=, label_smoothing=, ...).
export {
  computeWeightedLoss as compute_weighted_loss,
  meanSquaredError as mean_squared_error,
  softmaxCrossEntropy as softmax_cross_entropy,
  sparseSoftmaxCrossEntropy as sparse_softmax_cross_entropy,
  sigmoidCrossEntropy as sigmoid_cross_entropy,
};
