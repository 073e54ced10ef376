/** `where(condition, x, y)`: elementwise choice by a bool condition (TensorFlow's SelectV2). */
import { GraphNode, Node, type TensorSpec } from "../graph/index.js";
import { DTypeError, ShapeError, Tensor, ValueError, broadcastStatic, formatShape, tensor, type DType } from "../tensor/index.js";
import { apply, defineOp, graphOf, nodeName, type NodeLike, type NameArg } from "./define.js";
import { requireSameDtype } from "./infer.js";

type NoAttrs = Record<string, never>;

export const SelectV2 = defineOp<NoAttrs>({
  type: "SelectV2",
  broadcasts: [1, 2],
  infer: ([c, x, y], _attrs, name): TensorSpec => {
    const context = `SelectV2 '${name}'`;
    if (c!.dtype !== "bool") {
      throw new DTypeError(`${context}: the condition must be bool, got ${c!.dtype} of shape ${formatShape(c!.shape)} (build it with a comparison such as greater, or cast to bool)`);
    }
    requireSameDtype("SelectV2", name, x!.dtype, y!.dtype);
    try {
      return { dtype: x!.dtype, shape: broadcastStatic(broadcastStatic(c!.shape, x!.shape, context), y!.shape, context) };
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      throw new ShapeError(
        `${context}: the condition ${formatShape(c!.shape)}, x ${formatShape(x!.shape)} and y ${formatShape(y!.shape)} do not broadcast together`,
      );
    }
  },
  // The gradient goes to x where the condition holds and to y elsewhere; none to the condition.
  gradient: (op, dy) => {
    const c = op.inputs[0]!;
    return [null, where(c, dy, 0), where(c, 0, dy)];
  },
});

/**
 * Elementwise `condition ? x : y`, the three broadcast together by numpy rules (TensorFlow 2's
 * `where`, the SelectV2 op; TensorFlow 1's Select took a rank-1 condition as a choice of rows of
 * x, which here would align with x's last axis instead: reshape such a condition to [n,1]).
 * A plain number for x or y takes the dtype of the other one.
 */
export function where(condition: NodeLike, x: NodeLike, y: NodeLike, name?: NameArg): Node {
  if (x === undefined || y === undefined) {
    throw new ValueError("where(condition) without x and y (the coordinates of true elements) is not supported: pass x and y");
  }
  // Plain values are made tensors here, not by `apply`, which would give them the condition's dtype.
  const asValue = (v: NodeLike, i: number, dtype: DType | undefined): NodeLike => {
    if (v instanceof GraphNode || v instanceof Tensor) return v;
    try {
      return dtype === undefined ? tensor(v) : tensor(v, { dtype });
    } catch (e) {
      if (e instanceof ValueError) {
        throw new ValueError(`SelectV2 '${graphOf([condition, x, y]).peekName(nodeName("SelectV2", name))}', input ${i}: ${e.message}`);
      }
      throw e;
    }
  };
  const xv = asValue(x, 1, valueDtype(x) ?? valueDtype(y));
  return apply(SelectV2, [condition, xv, asValue(y, 2, valueDtype(xv))], {}, name);
}

function valueDtype(v: NodeLike): DType | undefined {
  return v instanceof Node || v instanceof Tensor ? v.dtype : undefined;
}
