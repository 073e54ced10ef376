/**
 * Dropout, TensorFlow 1.x's rate form: each element of x is zeroed with probability `rate` and the
 * kept ones are scaled by 1/(1 − rate). Built as x · DropoutMask(x, rate), so the gradient flows
 * through the multiplication: it is the mask itself (0 or 1/keep).
 */
import { Node } from "../graph/index.js";
import { dropoutMask, graphOf, identity, isNodeLike, multiply, subtract, toNode, type NodeLike } from "../ops/index.js";
import { DTypeError, ValueError, check, generatorFor, is, isFloatDType, signature } from "../tensor/index.js";

export interface DropoutOptions {
  /** The probability of dropping an element, in [0, 1): a number, or a scalar node (fed, say). */
  rate?: number | Node;
  /** TensorFlow 1.x's older form: the probability of keeping an element, in (0, 1]. Give rate or keepProb. */
  keepProb?: number | Node;
  /** Makes the masks reproducible: a graph built with the same seed draws the same masks, run after run. */
  seed?: number;
  /** The mask's shape when it is not x's: 1 shares a draw along a dimension, null takes x's dimension. */
  noiseShape?: readonly (number | null)[];
  /** False (or a bool scalar node that is false at run time): x passes unchanged. Default true. */
  training?: boolean | Node;
  name?: string;
}

/** Exactly one of `rate` and `keepProb`; numbers are checked now, nodes when the mask is drawn. */
function checkRate({ rate, keepProb }: DropoutOptions): void {
  if (rate !== undefined && keepProb !== undefined) throw new ValueError(`dropout: give rate or keepProb, not both (got rate ${rate}, keepProb ${keepProb})`);
  if (rate === undefined && keepProb === undefined) throw new ValueError("dropout: give the drop rate (rate, in [0, 1)) or the keep probability (keepProb)");
  if (typeof rate === "number" && !(rate >= 0 && rate < 1)) throw new ValueError(`dropout: rate must be in [0, 1), got ${rate}`);
  if (typeof keepProb === "number" && !(keepProb > 0 && keepProb <= 1)) throw new ValueError(`dropout: keepProb must be in (0, 1], got ${keepProb}`);
}

/** Dropout without a name scope of its own (the caller opens one). */
export function dropoutInScope(x: NodeLike, options: DropoutOptions): Node {
  checkRate(options);
  const { keepProb } = options;
  const graph = graphOf([x, options.rate, keepProb, options.training]);
  const xNode = toNode(x, graph);
  if (!isFloatDType(xNode.dtype)) {
    throw new DTypeError(`dropout: x has to be a float tensor since it is going to be scaled, got ${xNode.dtype} ${xNode}`);
  }
  if (options.training === false) return identity(xNode);
  const rate = options.rate ?? (keepProb instanceof Node ? subtract(1, keepProb) : 1 - keepProb!);
  const attrs = { generator: generatorFor(options.seed), ...(options.noiseShape !== undefined ? { noiseShape: [...options.noiseShape] } : {}) };
  const training = options.training instanceof Node ? options.training : undefined;
  return multiply(xNode, dropoutMask(xNode, rate, attrs, training));
}

/** A probability: a number, or a scalar node (fed, say) checked when the mask is drawn. */
const isProbability = is.optional(check<number | Node>("a number or a scalar node", (v) => typeof v === "number" || v instanceof Node));
/** null is TF1's None (x's shape), for a call that gives a seed after it by position. */
const isNoiseShape = is.optional(check<(number | null)[] | null>("an array of integers and nulls, or null", (v) => v === null || (Array.isArray(v) && v.every((d) => d === null || Number.isInteger(d)))));
const isSeed = is.optional(is.integer);

const DROPOUT = signature<{ x: NodeLike } & DropoutOptions>("dropout", [
  { name: "x", check: isNodeLike },
  { name: "keepProb", check: isProbability },
  { name: "noiseShape", check: isNoiseShape },
  { name: "seed", check: isSeed },
  { name: "name", check: is.optional(is.string) },
  { name: "rate", check: isProbability },
  { name: "training", check: is.optional(check<boolean | Node>("true, false or a bool scalar node", (v) => typeof v === "boolean" || v instanceof Node)), keywordOnly: true },
]);

/**
 * TensorFlow's `nn.dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None)`,
 * its nodes under the scope `dropout/`: keep_prob (a number or a scalar node, often fed) in TF1's
 * position, or rate or keepProb in the options object.
 */
export function dropout(x: NodeLike, options: DropoutOptions | number | Node): Node;
export function dropout(x: NodeLike, keepProb?: number | Node, noiseShape?: readonly (number | null)[], seed?: number, name?: string, rate?: number | Node): Node;
export function dropout(...args: unknown[]): Node {
  const { x, ...given } = DROPOUT.parse(args);
  const o = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined && v !== null)) as DropoutOptions;
  return graphOf([x, o.rate, o.keepProb, o.training]).nameScope(o.name ?? "dropout", () => dropoutInScope(x, o));
}

/** The argument checks layers.dropout shares. */
export const dropoutChecks = { isNoiseShape, isSeed };
