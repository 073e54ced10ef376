/**
 * Comparisons (equal, notEqual, greater, greaterEqual, less, lessEqual) and logical connectives
 * (logicalAnd, logicalOr, logicalNot): elementwise, broadcasting, with bool results. None is
 * differentiable: a bool output is piecewise constant in the inputs, as in TensorFlow.
 */
import type { Node, TensorSpec } from "../graph/index.js";
import { DTypeError, broadcastStatic, formatShape } from "../tensor/index.js";
import { apply, defineOp, type NodeLike, type NameArg } from "./define.js";
import { requireSameDtype } from "./infer.js";

type NoAttrs = Record<string, never>;

const COMPARISON = { notDifferentiable: "its output is bool, a piecewise-constant function of its inputs" };
const LOGICAL = { notDifferentiable: "it takes and gives bool values" };

/** `ordered`: the comparison needs an order, which bool values do not have here (as in TensorFlow). */
function defineComparison(type: string, ordered: boolean) {
  return defineOp<NoAttrs>({
    type,
    infer: ([a, b], _attrs, name): TensorSpec => {
      requireSameDtype(type, name, a!.dtype, b!.dtype);
      if (ordered && a!.dtype === "bool") {
        throw new DTypeError(`${type} '${name}' orders numbers and does not take bool values (shapes ${formatShape(a!.shape)} and ${formatShape(b!.shape)})`);
      }
      return { dtype: "bool", shape: broadcastStatic(a!.shape, b!.shape, `${type} '${name}'`) };
    },
    gradient: COMPARISON,
  });
}

export const Equal = defineComparison("Equal", false);
export const NotEqual = defineComparison("NotEqual", false);
export const Greater = defineComparison("Greater", true);
export const GreaterEqual = defineComparison("GreaterEqual", true);
export const Less = defineComparison("Less", true);
export const LessEqual = defineComparison("LessEqual", true);

function requireBool(type: string, name: string, inputs: TensorSpec[]): void {
  inputs.forEach((x, i) => {
    if (x.dtype !== "bool") {
      throw new DTypeError(`${type} '${name}' takes bool inputs, got ${x.dtype} of shape ${formatShape(x.shape)} as input ${i} (compare first, or cast to bool)`);
    }
  });
}

function defineLogicalBinary(type: string) {
  return defineOp<NoAttrs>({
    type,
    infer: (inputs, _attrs, name): TensorSpec => {
      requireBool(type, name, inputs);
      return { dtype: "bool", shape: broadcastStatic(inputs[0]!.shape, inputs[1]!.shape, `${type} '${name}'`) };
    },
    gradient: LOGICAL,
  });
}

export const LogicalAnd = defineLogicalBinary("LogicalAnd");
export const LogicalOr = defineLogicalBinary("LogicalOr");
export const LogicalNot = defineOp<NoAttrs>({
  type: "LogicalNot",
  infer: (inputs, _attrs, name): TensorSpec => {
    requireBool("LogicalNot", name, inputs);
    return { dtype: "bool", shape: inputs[0]!.shape };
  },
  gradient: LOGICAL,
});

/** x == y elementwise (bool), broadcasting; numbers of one dtype, or bools. */
export function equal(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(Equal, [x, y], {}, name);
}
export function notEqual(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(NotEqual, [x, y], {}, name);
}
/** x > y elementwise (bool), broadcasting; numbers only. */
export function greater(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(Greater, [x, y], {}, name);
}
export function greaterEqual(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(GreaterEqual, [x, y], {}, name);
}
export function less(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(Less, [x, y], {}, name);
}
export function lessEqual(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(LessEqual, [x, y], {}, name);
}
/** x AND y elementwise on bools, broadcasting. */
export function logicalAnd(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(LogicalAnd, [x, y], {}, name);
}
export function logicalOr(x: NodeLike, y: NodeLike, name?: NameArg): Node {
  return apply(LogicalOr, [x, y], {}, name);
}
export function logicalNot(x: NodeLike, name?: NameArg): Node {
  return apply(LogicalNot, [x], {}, name);
}
