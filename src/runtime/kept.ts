/**
 * Kept operands: a plan marks the input of a kernel that may keep a form of its own (the GEMM's
 * packed weights, Winograd's transformed filter) when that input is a constant or a variable not fed in the run, so the kernel
 * derives the form once and again only after the value changes (see KeptOperand in attrs.ts).
 */
import { Constant, Variable, type Node, type Operation } from "../graph/index.js";
import type { Backend } from "../backends/backend.js";
import { KEPT_OPERANDS, type KeptOperand } from "../kernels/attrs.js";
import type { KeptInput } from "./op-step.js";

/** The attributes to run `op`'s kernel with and its kept input, when it has one. */
export function keptInputOf(op: Operation, kernelName: string, attrs: object, fed: ReadonlySet<Node>, backend: Backend): { attrs: object; kept: KeptInput } | undefined {
  const spec = KEPT_OPERANDS[kernelName];
  if (spec === undefined) return undefined;
  const x = op.inputs[spec.input];
  if (x === undefined || fed.has(x) || !(x instanceof Variable || x instanceof Constant)) return undefined;
  const operand: KeptOperand = { version: 0, allocate: (floats) => backend.allocate("float32", floats), kept: undefined };
  return { attrs: { ...attrs, [spec.attr]: operand }, kept: { operand, variable: x instanceof Variable } };
}
