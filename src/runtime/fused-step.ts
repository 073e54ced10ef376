/**
 * The fused step: a fusion group run as one step, by one of two execution paths.
 *
 * - The program path: the group bound to the inputs' shapes is one fused program (bind.ts), a
 *   backend kernel that makes one pass over the domain and writes every output.
 * - The members path, the fallback for shapes no program covers: each member runs its own kernel,
 *   into the output buffers or into scratch storage the step owns while it is bound.
 *
 * The step binds when it first runs and again whenever its input shapes change or another step
 * has grown one of its output buffers (rebinding); each binding replaces the last whole.
 *
 * An output either goes to a plan buffer (and, for a variable update not made in place, becomes
 * the variable's pending value) or is written into its variable's own storage (in-place.ts).
 */
import type { Variable } from "../graph/index.js";
import { Tensor, checkElementCount, sizeOf, type TypedArray } from "../tensor/index.js";
import type { FusedKernel } from "../backends/fused.js";
import { bind, type Binding, type ProgramBinding } from "./bind.js";
import type { FusionGroup } from "./fusion-group.js";
import type { InPlaceWrite } from "./in-place.js";
import { gatherInputs, runKernel, type RawKernel, type RunContext } from "./step.js";

/** Where a group output goes. */
export type FusedTarget =
  /** A view of plan buffer `buffer`; an update of `variable` lands after the run. */
  | { readonly kind: "buffer"; readonly slot: number; readonly buffer: number; readonly variable: Variable | undefined }
  /** The storage of the variable that is group input `input`. */
  | { readonly kind: "in place"; readonly slot: number; readonly input: number };

/** What every binding holds: the shapes it was made for and the outputs it writes. */
interface BoundOutputs {
  readonly inputShapes: readonly (readonly number[])[];
  /** Per output: its tensor (an in-place output's is set to the variable's at every run). */
  readonly outputs: Tensor[];
  /** Per buffer output: the buffer storage its tensor views (undefined for in-place outputs). */
  readonly storages: readonly (TypedArray | undefined)[];
}

/** The program path: a compiled kernel and the arrays it is called with. */
interface BoundProgram extends BoundOutputs {
  readonly kind: "program";
  readonly binding: ProgramBinding;
  readonly kernel: FusedKernel;
  /** The arrays the kernel reads and writes (kept to call it without allocating). */
  readonly programArrays: TypedArray[];
  readonly outputArrays: TypedArray[];
}

/** The members path: every member's value, in output buffers or in storage the step owns. */
interface BoundMembers extends BoundOutputs {
  readonly kind: "members";
  readonly scratch: readonly Tensor[];
  /** The storage allocated for scratch values that are not buffer outputs (freed on rebinding). */
  readonly owned: readonly TypedArray[];
}

type Bound = BoundProgram | BoundMembers;

export class FusedStep {
  readonly kind = "fused";
  /** The group's outputs written in place, and those that are pending variable updates. */
  private readonly inPlace: readonly InPlaceWrite[];
  private readonly updates: readonly { readonly output: number; readonly variable: Variable }[];
  private readonly outputSlots: readonly number[];
  /**
   * This run's inputs (kept to call kernels without allocating). The plan empties it after every run,
   * so that the caller's feeds and the variables' snapshots are not kept alive.
   */
  readonly inputs: Tensor[] = [];
  private bound: Bound | null = null;

  constructor(
    readonly group: FusionGroup,
    readonly inputSlots: readonly number[],
    /** Per group output, where it goes. */
    readonly targets: readonly FusedTarget[],
    /** Member kernels, for the members path. */
    private readonly kernels: readonly RawKernel[],
  ) {
    this.outputSlots = targets.map((t) => t.slot);
    this.inPlace = targets.flatMap((t, output) => (t.kind === "in place" ? [{ output, input: t.input }] : []));
    this.updates = targets.flatMap((t, output) => (t.kind === "buffer" && t.variable !== undefined ? [{ output, variable: t.variable }] : []));
  }

  run(ctx: RunContext): void {
    const inputs = this.inputs;
    let bound = this.bound;
    const same = gatherInputs(this.inputSlots, ctx.values, inputs, bound === null ? null : bound.inputShapes);
    if (!same || bound === null || this.regrown(bound, ctx)) bound = this.rebind(ctx);
    const outputs = bound.outputs;
    for (let i = 0; i < this.inPlace.length; i++) {
      // The variable's tensor (loadVariable may have replaced it since the last run).
      const { output, input } = this.inPlace[i]!;
      const v = inputs[input]!;
      outputs[output] = v;
      if (bound.kind === "program") bound.outputArrays[output] = v.data;
    }
    // Written in place: what kernels keep derived from variables must be derived again.
    if (this.inPlace.length > 0) ctx.variables.touch();
    if (bound.kind === "program") {
      const { programArrays, binding } = bound;
      const from = binding.programInputs;
      for (let i = 0; i < from.length; i++) programArrays[i] = inputs[from[i]!]!.data;
      bound.kernel(programArrays, bound.outputArrays, binding.outer, binding.inner);
    } else {
      this.runMembers(bound);
    }
    for (let i = 0; i < outputs.length; i++) ctx.values[this.outputSlots[i]!] = outputs[i];
    for (let i = 0; i < this.updates.length; i++) ctx.pending.set(this.updates[i]!.variable, outputs[this.updates[i]!.output]!);
  }

  /** Whether another step has grown one of the buffers the outputs view since they were bound. */
  private regrown(bound: Bound, ctx: RunContext): boolean {
    const targets = this.targets;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      if (t.kind === "buffer" && bound.storages[i] !== ctx.buffers.current(t.buffer)) return true;
    }
    return false;
  }

  /** Fits the group to the current input shapes: output tensors, then the program or the members' scratch. */
  private rebind(ctx: RunContext): Bound {
    const { group, inputs, targets } = this;
    const inputShapes = inputs.map((t) => t.shape);
    const binding: Binding = bind(group, inputShapes);
    const storages: (TypedArray | undefined)[] = [];
    const outputs = targets.map((t, i) => {
      if (t.kind === "in place") {
        storages.push(undefined);
        return inputs[t.input]!;
      }
      const o = group.outputs[i]!;
      const shape = binding.shapes[group.outputMembers[i]!]!;
      checkElementCount(shape, `${o} at run time`);
      const tensor = new Tensor(shape, o.dtype, ctx.buffers.view(t.buffer, o.dtype, sizeOf(shape)));
      storages.push(ctx.buffers.current(t.buffer));
      return tensor;
    });
    this.unbind(ctx);
    const common = { inputShapes, outputs, storages };
    if (binding.kind === "program") {
      const outputArrays = outputs.map((t) => t.data);
      this.bound = { ...common, kind: "program", binding, kernel: ctx.backend.fused!.compile(binding.program), programArrays: new Array(binding.programInputs.length), outputArrays };
    } else {
      // One by one, an in-place update must not overwrite the variable before the others read it:
      // its value goes to owned scratch and is copied into the variable after the last member.
      const owned: TypedArray[] = [];
      const scratch = group.members.map((m, i) => {
        const out = group.outputMembers.indexOf(i);
        if (out >= 0 && targets[out]!.kind === "buffer") return outputs[out]!;
        const shape = binding.shapes[i]!;
        const data = ctx.backend.allocate(m.dtype, sizeOf(shape));
        owned.push(data);
        return new Tensor(shape, m.dtype, data);
      });
      this.bound = { ...common, kind: "members", scratch, owned };
    }
    return this.bound;
  }

  /** The members one by one, each with its own kernel; then in-place outputs copied into their variables. */
  private runMembers(bound: BoundMembers): void {
    const { group, inputs } = this;
    const { scratch } = bound;
    group.members.forEach((m, i) => {
      const args = group.sources[i]!.map((s) => (s.from === "input" ? inputs[s.index]! : scratch[s.index]!));
      runKernel(this.kernels[i]!, args, scratch[i]!, m);
    });
    for (const { output, input } of this.inPlace) inputs[input]!.data.set(scratch[group.outputMembers[output]!]!.data);
  }

  /** Forgets the binding and gives back the scratch storage it owned. */
  unbind(ctx: Pick<RunContext, "backend">): void {
    if (this.bound?.kind === "members") for (const data of this.bound.owned) ctx.backend.free?.(data);
    this.bound = null;
  }
}
