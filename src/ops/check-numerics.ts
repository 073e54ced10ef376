/**
 * TensorFlow 1.x's numeric checks: `checkNumerics(x, message)` passes x through and fails the run
 * when x holds a NaN or an infinity; `addCheckNumericsOps()` puts one after every floating-point
 * op of a graph. (A Session's `checkNumerics` option checks every op without changing the graph.)
 */
import { Graph, Operation, getDefaultGraph, type Group, type Node } from "../graph/index.js";
import { DTypeError, ValueError, is, isFloatDType, requireArg } from "../tensor/index.js";
import type { CheckNumericsAttrs } from "../kernels/attrs.js";
import { apply, defineOp, type NodeLike, type NameArg } from "./define.js";
import { group } from "./state.js";

export const CheckNumerics = defineOp<CheckNumericsAttrs>({
  type: "CheckNumerics",
  infer: ([x], _attrs, name) => {
    if (!isFloatDType(x!.dtype)) throw new DTypeError(`CheckNumerics '${name}': checks floating-point values, got ${x!.dtype}`);
    return x!;
  },
  // As TensorFlow's: the gradient passes through, checked in turn.
  gradient: (op, dy) => [checkNumerics(dy, `Not a number (NaN) or infinity (Inf) values detected in gradient. ${(op.attrs as CheckNumericsAttrs).message}`)],
  effect: true,
});

/** `x`, unchanged; running it fails with a NumericsError that starts with `message` when x holds a NaN or an infinity. */
export function checkNumerics(x: NodeLike, message: string, name?: NameArg): Node {
  if (typeof message !== "string") throw new ValueError(`checkNumerics: the message must be a string, got ${typeof message}`);
  return apply(CheckNumerics, [x], { message }, name ?? "CheckNumerics");
}

/**
 * A group of CheckNumerics ops, one on the output of every floating-point operation of `graph`
 * (the default graph) at this moment except variable updates (running the group must not update), each with the op's name as its message. Running the group
 * (with the fetches, as TF1's `sess.run([train_op, check_op])`) fails on the first NaN or infinity.
 */
export function addCheckNumericsOps(graph: Graph = getDefaultGraph()): Group {
  requireArg("addCheckNumericsOps", "graph", graph, is.instance(Graph, "a Graph"));
  const checked = graph.nodes.filter((n): n is Operation => n instanceof Operation && isFloatDType(n.dtype) && n.def !== CheckNumerics && n.def.writesVariable === undefined);
  return graph.asDefault(() => group(checked.map((op) => checkNumerics(op, `${op.name}:0`, `CheckNumerics_${op.name.replace(/\//g, "_")}`)), "CheckNumerics_all"));
}
