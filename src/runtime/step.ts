/**
 * What every step of a plan shares: the run context a step reads and writes, the steps that only
 * place a value (a feed, a constant, a variable's current value), and the helpers the two kinds
 * of computing steps (op-step.ts, fused-step.ts) both use to read inputs and call kernels.
 */
import type { Node, Operation, Variable } from "../graph/index.js";
import { TensorSlowError, shapesEqual, type Tensor } from "../tensor/index.js";
import type { Backend, Kernel } from "../backends/backend.js";
import type { PlanBuffers } from "./buffers.js";
import type { RandomStreams } from "./random-streams.js";
import type { VariableStore } from "./variable-store.js";

/** What the steps of one run share. */
export interface RunContext {
  /** Per slot (one per needed node with a value): its value in this run. */
  readonly values: (Tensor | undefined)[];
  /**
   * Each variable updated so far in this run and its newest value: the next update of it starts
   * from there, and the plan writes them all into the variables once every read is done.
   */
  readonly pending: Map<Variable, Tensor>;
  readonly variables: VariableStore;
  readonly random: RandomStreams;
  readonly buffers: PlanBuffers;
  readonly backend: Backend;
}

/** A value fed for the run. */
export interface FeedStep {
  readonly kind: "feed";
  readonly node: Node;
  readonly slot: number;
}

export interface ConstantStep {
  readonly kind: "constant";
  readonly value: Tensor;
  readonly slot: number;
}

/** A variable's value at the start of the run (updates land after the run). */
export interface VariableStep {
  readonly kind: "variable";
  readonly variable: Variable;
  readonly slot: number;
}

/** A kernel as the runtime calls it (the attributes are the op's own). */
export type RawKernel = (inputs: readonly Tensor[], out: Tensor, attrs: unknown) => void;

/** The active backend's kernel for `op`. */
export function kernelOf(backend: Backend, op: Operation): RawKernel {
  const name = op.def.kernel ?? op.def.type;
  const kernel: Kernel | undefined = backend.kernels[name];
  if (kernel === undefined) throw new Error(`backend '${backend.name}' has no kernel '${name}' for ${op}`);
  return kernel as RawKernel;
}

/**
 * Reads the values of `slots` into `inputs`; true when their shapes are `last` (the shapes the
 * step was last bound to, null before the first run).
 */
export function gatherInputs(slots: readonly number[], values: readonly (Tensor | undefined)[], inputs: Tensor[], last: readonly (readonly number[])[] | null): boolean {
  let same = last !== null;
  for (let i = 0; i < slots.length; i++) {
    const t = values[slots[i]!]!;
    inputs[i] = t;
    // Most inputs are the very tensors of the last run (plan outputs, variables, reused feeds).
    if (same && t.shape !== last![i] && !shapesEqual(last![i]!, t.shape)) same = false;
  }
  return same;
}

/** Calls `kernel`; a value it refuses (an integer to a negative power) is reported with `node`, since kernels know no graph. */
export function runKernel(kernel: RawKernel, inputs: readonly Tensor[], out: Tensor, node: Operation, attrs: unknown = node.attrs): void {
  try {
    kernel(inputs, out, attrs);
  } catch (e) {
    if (e instanceof TensorSlowError) e.message = `${node} at run time: ${e.message}`;
    throw e;
  }
}
