/**
 * Kept operands: a plan marks the input of a kernel that may keep a form of its own (the GEMM's
 * packed weights) when that input is a constant or a variable not fed in the run, so the kernel
 * derives the form once and again only after the value changes (see KeptOperand in attrs.ts).
 */
import { Constant, Variable, type Node, type Operation } from "../graph/index.js";
import type { Backend } from "../backends/backend.js";
import { KEPT_OPERANDS, type KeptOperand } from "../kernels/attrs.js";
import type { KeptInput } from "./op-step.js";

/** The attributes to run `op`'s kernel with and its kept input, when it has one. */
export function keptInputOf(op: Operation, kernelName: string, attrs: object, fed: ReadonlySet<Node>, backend: Backend): { attrs: object; kept: KeptInput } | undefined {
  const index = KEPT_OPERANDS[kernelName];
  if (index === undefined) return undefined;
  const x = op.inputs[index];
  if (x === undefined || fed.has(x) || !(x instanceof Variable || x instanceof Constant)) return undefined;
  const operand: KeptOperand = { version: 0, allocate: (floats) => backend.allocate("float32", floats), kept: undefined };
  return { attrs: { ...attrs, keptB: operand }, kept: { operand, variable: x instanceof Variable } };
}
