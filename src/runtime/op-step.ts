/**
 * The op step, the first of a plan's execution paths: one op, run by its own kernel into a view
 * of its shared buffer. The output shape is inferred again only when the input shapes change (or
 * another step has grown the buffer); otherwise a run reuses the output tensor as it is.
 *
 * An update op (assign, assignAdd, ...) reads the newest value of its variable in this run (the
 * stored one, or an earlier update's), not a value fed for the variable's reads, so that updates
 * of one variable compose in plan order; its result becomes the variable's pending value.
 */
import type { Operation, Variable } from "../graph/index.js";
import type { KeptOperand } from "../kernels/attrs.js";
import type { Backend } from "../backends/backend.js";
import { ShapeError, Tensor, checkElementCount, formatShape, isFullyKnown, sizeOf, type TypedArray } from "../tensor/index.js";
import type { PlanBuffers } from "./buffers.js";
import { gatherInputs, runKernel, type RawKernel, type RunContext } from "./step.js";

/** What an update op writes: its variable, which is its input `input`. */
export interface VariableUpdate {
  readonly variable: Variable;
  readonly input: number;
}

/**
 * An input the kernel may keep in a form of its own (attrs.ts, KeptOperand): a constant's value
 * (never changes) or a variable's (changes with the store's generation).
 */
export interface KeptInput {
  readonly operand: KeptOperand;
  readonly variable: boolean;
}

/** The output as last bound: the input shapes it was inferred from, the tensor, and the buffer storage it views. */
interface BoundOutput {
  readonly inputShapes: readonly (readonly number[])[];
  readonly tensor: Tensor;
  readonly storage: TypedArray | undefined;
}

export class OpStep {
  readonly kind = "op";
  /**
   * This run's inputs (kept to call the kernel without allocating). The plan empties it after every run,
   * so that the caller's feeds and the variables' snapshots are not kept alive.
   */
  readonly inputs: Tensor[] = [];
  private bound: BoundOutput | null = null;

  constructor(
    readonly op: Operation,
    readonly slot: number,
    readonly inputSlots: readonly number[],
    private readonly kernel: RawKernel,
    /** The shared buffer the output is written into. */
    private readonly buffer: number,
    private readonly update: VariableUpdate | undefined,
    /** The attributes the kernel gets, when not the op's own (a plan's additions, a fused op's). */
    private readonly attrs: unknown = op.attrs,
    private readonly kept?: KeptInput,
    /** An op after `op` whose value the step gives (a fused chain's pool): the output shape is inferred through it. */
    private readonly then?: Operation,
  ) {}

  run(ctx: RunContext): void {
    const inputs = this.inputs;
    let bound = this.bound;
    let same = gatherInputs(this.inputSlots, ctx.values, inputs, bound === null ? null : bound.inputShapes);
    const update = this.update;
    if (update !== undefined) {
      const current = ctx.pending.get(update.variable) ?? ctx.variables.read(update.variable);
      if (current.shape !== inputs[update.input]!.shape) same = false;
      inputs[update.input] = current;
    }
    if (!same || bound === null || bound.storage !== ctx.buffers.current(this.buffer)) bound = this.bind(ctx.buffers);
    const out = bound.tensor;
    if (this.kept !== undefined) this.kept.operand.version = this.kept.variable ? ctx.variables.generation : 0;
    runKernel(this.kernel, inputs, out, this.op, this.op.def.random === true ? ctx.random.attrsFor(this.op) : this.attrs);
    if (update !== undefined) ctx.pending.set(update.variable, out);
    ctx.values[this.slot] = out;
  }

  /** Infers the output for the current inputs and carves it from the buffer. */
  private bind(buffers: PlanBuffers): BoundOutput {
    const { op, inputs } = this;
    let spec = op.def.infer(
      inputs.map((t) => ({ dtype: t.dtype, shape: [...t.shape] })),
      op.attrs,
      op.name,
    );
    if (this.then !== undefined) spec = this.then.def.infer([spec], this.then.attrs, this.then.name);
    if (!isFullyKnown(spec.shape)) {
      throw new ShapeError(`${op}: could not determine the output shape from input shapes ${inputs.map((t) => formatShape(t.shape)).join(", ")}`);
    }
    checkElementCount(spec.shape, `${op} at run time`);
    const tensor = new Tensor(spec.shape, spec.dtype, buffers.view(this.buffer, spec.dtype, sizeOf(spec.shape)));
    this.bound = { inputShapes: inputs.map((t) => t.shape), tensor, storage: buffers.current(this.buffer) };
    return this.bound;
  }

  /** Forgets the output (its buffer is being given back) and gives back what the kernel kept. */
  unbind(backend: Backend): void {
    this.bound = null;
    const kept = this.kept?.operand.kept;
    if (kept !== undefined) {
      backend.free?.(kept.storage);
      this.kept!.operand.kept = undefined;
    }
  }
}
