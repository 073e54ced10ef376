/**
 * The parameters TensorFlow 1.x's functional layers share, as `signature` entries: a layer is called
 * with TF1's positional arguments in TF1's order (`dense(x, 128, tf.nn.relu)`) or with a trailing
 * options object, so both forms are parsed from one list.
 */
import { AUTO_REUSE, type Reuse } from "../graph/index.js";
import { check, is, isTensorValue, type Check, type Param } from "../tensor/index.js";
import type { InitializerLike } from "../initializers/index.js";

/** An activation or TF1's `None`; a plain object in its place is the options object instead. */
export const isActivation = check<((x: never) => unknown) | null | undefined>("a function (an activation such as ts.nn.relu) or null", (v) => v === undefined || v === null || typeof v === "function");

/** TF1's `kernel_initializer=None` means the default, so null is accepted as absent. */
export const isInitializerArg = check<InitializerLike | null | undefined>(
  `an initializer (a function of shape and dtype), ${isTensorValue.expected}, or null`,
  (v) => v === undefined || v === null || typeof v === "function" || isTensorValue.test(v),
);

const isReuse = check<Reuse | null | undefined>("true, false, AUTO_REUSE or null", (v) => v === undefined || v === null || v === true || v === false || v === AUTO_REUSE);

/**
 * Regularizers and constraints are TF1 parameters this library does not implement: their place in
 * the positional list is kept so later arguments line up, and only TF1's default (None) is accepted.
 */
function unsupported(what: string, instead: string): Check<null | undefined> {
  return check<null | undefined>(`null or undefined (${what} are not supported: ${instead})`, (v) => v === undefined || v === null);
}
const noRegularizer = unsupported("regularizers", "add the penalty to the loss");
const noConstraint = unsupported("constraints", "project the variable after each step with an assign");

/** A parameter whose own validation (with its own message) happens later; any non-object passes here. */
export const checkedLater: Check = is.opChecked;

/**
 * TF1's tail after `activation` for dense and conv2d: use_bias, kernel_initializer,
 * bias_initializer, kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
 * bias_constraint, trainable, name, reuse.
 */
export const VARIABLE_LAYER_TAIL: readonly Param[] = [
  { name: "activation", check: isActivation },
  { name: "useBias", check: is.optional(is.boolean) },
  { name: "kernelInitializer", check: isInitializerArg },
  { name: "biasInitializer", check: isInitializerArg },
  { name: "kernelRegularizer", check: noRegularizer },
  { name: "biasRegularizer", check: noRegularizer },
  { name: "activityRegularizer", check: noRegularizer },
  { name: "kernelConstraint", check: noConstraint },
  { name: "biasConstraint", check: noConstraint },
  { name: "trainable", check: is.optional(is.boolean) },
  { name: "name", check: is.optional(is.string) },
  { name: "reuse", check: isReuse },
];

/** The parsed tail, with TF1's None (null) turned into absent so defaults apply. */
export interface VariableLayerArgs {
  activation?: ((x: never) => unknown) | null;
  useBias?: boolean;
  kernelInitializer?: InitializerLike | null;
  biasInitializer?: InitializerLike | null;
  trainable?: boolean;
  name?: string;
  reuse?: Reuse | null;
}

/** Drops null and undefined entries: TF1's None is "use the default". */
export function withoutNone<T extends object>(record: T): { [K in keyof T]?: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null && v !== undefined)) as { [K in keyof T]?: Exclude<T[K], null> };
}

/**
 * TF1's keyword names for the options object (snake_case), and the regularizer and constraint
 * keywords, which take only None.
 */
export interface VariableLayerKeywords {
  use_bias?: boolean;
  kernel_initializer?: InitializerLike | null;
  bias_initializer?: InitializerLike | null;
  kernelRegularizer?: null;
  kernel_regularizer?: null;
  biasRegularizer?: null;
  bias_regularizer?: null;
  activityRegularizer?: null;
  activity_regularizer?: null;
  kernelConstraint?: null;
  kernel_constraint?: null;
  biasConstraint?: null;
  bias_constraint?: null;
}
