/**
 * Execution plans. A plan is compiled once per (fetches, fed nodes, backend) and reused: the
 * nodes a run needs in topological order, each op's kernel resolved, chains of elementwise ops
 * fused into single steps (fusion.ts), and output buffers assigned so that buffers are shared
 * between values whose lifetimes do not overlap and kept across runs. Executing a plan walks an
 * array of steps; it never walks the graph, and while input shapes stay the same it neither infers
 * shapes nor allocates tensor storage.
 */
import { Constant, GraphNode, Node, Operation, Placeholder, Variable } from "../graph/index.js";
import {
  FeedError,
  ShapeError,
  Tensor,
  TensorSlowError,
  formatShape,
  isFullyKnown,
  shapesEqual,
  type DType,
  type TypedArray,
  sizeOf,
} from "../tensor/index.js";
import type { Backend, Kernel } from "../backends/backend.js";
import type { FusedKernel } from "../backends/fused.js";
import { FusionGroup, bind, fuse, type Binding, type Unit } from "./fusion.js";
import type { VariableStore } from "./variable-store.js";

type RawKernel = (inputs: readonly Tensor[], out: Tensor, attrs: unknown) => void;

const enum Kind {
  Feed,
  Constant,
  Variable,
  Op,
  Fused,
}

interface BaseStep {
  readonly inputSlots: readonly number[];
  /** The inputs of the last run (their shapes decide whether outputs must be re-derived). */
  readonly inputs: Tensor[];
  lastShapes: (readonly number[])[] | null;
}

interface FeedStep {
  readonly kind: Kind.Feed;
  readonly node: Node;
  readonly slot: number;
}

interface ConstantStep {
  readonly kind: Kind.Constant;
  readonly value: Tensor;
  readonly slot: number;
}

interface VariableStep {
  readonly kind: Kind.Variable;
  readonly variable: Variable;
  readonly slot: number;
}

interface OpStep extends BaseStep {
  readonly kind: Kind.Op;
  readonly op: Operation;
  readonly slot: number;
  readonly kernel: RawKernel;
  /** The shared output buffer this op writes into. */
  readonly buffer: number;
  /** For an update op (assign, assignAdd, ...): the variable it writes and which input is it. */
  readonly writes: Variable | undefined;
  readonly writesInput: number;
  output: Tensor | null;
  /** The shared buffer `output` was carved from; another step may have regrown it since. */
  outputBuffer: TypedArray | undefined;
}

interface FusedStep extends BaseStep {
  readonly kind: Kind.Fused;
  readonly group: FusionGroup;
  readonly outputSlots: readonly number[];
  readonly buffers: readonly number[];
  /** Per output: the variable it updates, if it is an update op. */
  readonly writes: readonly (Variable | undefined)[];
  /** Member kernels, for shapes the fused program does not cover. */
  readonly kernels: readonly RawKernel[];
  binding: Binding | null;
  kernel: FusedKernel | null;
  readonly outputs: Tensor[];
  readonly outputBuffers: (TypedArray | undefined)[];
  /** The arrays the fused kernel reads and writes (kept to call it without allocating). */
  readonly programArrays: TypedArray[];
  readonly outputArrays: TypedArray[];
  /** Members' values when they run one by one (only for shapes the program does not cover)... */
  scratch: Tensor[];
  /** ... and the storage allocated for those that are not outputs. */
  owned: TypedArray[];
}

type Step = FeedStep | ConstantStep | VariableStep | OpStep | FusedStep;

export interface PlanOptions {
  /** Fuse chains of elementwise ops into single steps (default true). */
  fusion?: boolean;
}

export class Plan {
  private readonly steps: Step[];
  private readonly fetchSlots: readonly number[];
  private readonly fetches: readonly GraphNode[];
  /** Per run: each updated variable's newest value, which the next update of it starts from. */
  private readonly pending = new Map<Variable, Tensor>();
  private readonly bufferDtypes: DType[] = [];
  private readonly buffers: (TypedArray | undefined)[];
  private readonly values: (Tensor | undefined)[];
  /** The number of fused steps (for tests and tools). */
  readonly fusedSteps: number;

  constructor(
    fetches: readonly GraphNode[],
    fed: ReadonlySet<Node>,
    private readonly backend: Backend,
    options: PlanOptions = {},
  ) {
    this.fetches = [...fetches];
    const order = neededNodes(fetches, fed);
    const fused = backend.fused;
    const units: Unit[] =
      options.fusion !== false && fused !== undefined ? fuse(order, new Set(fetches), fed, { has: (f) => fused.has(f) }) : order;
    const slotOf = new Map<GraphNode, number>();
    let slots = 0;
    for (const node of order) if (node instanceof Node) slotOf.set(node, slots++);
    this.values = new Array(slots);

    // Last unit that reads each slot; fetched slots and variable updates live to the end of the run.
    const unitInputs = units.map((u) => (u instanceof FusionGroup ? u.inputs : fed.has(u as Node) ? [] : u.inputs).map((n) => slotOf.get(n)!));
    const lastUse = new Array<number>(slots).fill(-1);
    unitInputs.forEach((ins, i) => ins.forEach((s) => (lastUse[s] = i)));
    for (const f of fetches) if (f instanceof Node) lastUse[slotOf.get(f)!] = Infinity;

    const free: number[] = [];
    const takeBuffer = (dtype: DType): number => {
      // Reuse a free buffer of the same dtype, else open a new one.
      const reuse = free.findIndex((b) => this.bufferDtypes[b] === dtype);
      return reuse >= 0 ? free.splice(reuse, 1)[0]! : this.bufferDtypes.push(dtype) - 1;
    };
    const bufferOfSlot = new Array<number>(slots).fill(-1);
    this.steps = [];
    units.forEach((unit, i) => {
      const inputSlots = unitInputs[i]!;
      const outputSlots: number[] = [];
      if (unit instanceof FusionGroup) {
        const buffers = unit.outputs.map((o, k) => {
          const slot = slotOf.get(o)!;
          if (o.def.writesVariable !== undefined) lastUse[slot] = Infinity;
          outputSlots.push(slot);
          // An update made in place writes the variable's own storage.
          return unit.inPlace[k]! >= 0 ? -1 : (bufferOfSlot[slot] = takeBuffer(o.dtype));
        });
        this.steps.push({
          kind: Kind.Fused,
          group: unit,
          inputSlots,
          outputSlots,
          buffers,
          writes: unit.outputs.map((_, k) => (unit.inPlace[k]! >= 0 ? undefined : unit.variableOf(k))),
          kernels: unit.members.map((m) => kernelOf(backend, m)),
          inputs: [],
          lastShapes: null,
          binding: null,
          kernel: null,
          outputs: [],
          outputBuffers: [],
          programArrays: [],
          outputArrays: [],
          scratch: [],
          owned: [],
        });
      } else if (unit instanceof Node) {
        const slot = slotOf.get(unit)!;
        outputSlots.push(slot);
        if (fed.has(unit)) this.steps.push({ kind: Kind.Feed, node: unit, slot });
        else if (unit instanceof Constant) this.steps.push({ kind: Kind.Constant, value: unit.value, slot });
        else if (unit instanceof Variable) this.steps.push({ kind: Kind.Variable, variable: unit, slot });
        else if (unit instanceof Operation) {
          const w = unit.def.writesVariable;
          if (w !== undefined) lastUse[slot] = Infinity;
          const buffer = (bufferOfSlot[slot] = takeBuffer(unit.dtype));
          this.steps.push({
            kind: Kind.Op,
            op: unit,
            slot,
            inputSlots,
            kernel: kernelOf(backend, unit),
            buffer,
            writes: w !== undefined ? (unit.inputs[w] as Variable) : undefined,
            writesInput: w ?? -1,
            inputs: [],
            lastShapes: null,
            output: null,
            outputBuffer: undefined,
          });
        } else {
          throw new Error(`cannot execute ${unit}`);
        }
      }
      // (A Group has no step: it only made its members needed.)
      // Buffers whose last reader is this step become free for the steps after it.
      const released = new Set(inputSlots.filter((s) => lastUse[s] === i));
      for (const s of outputSlots) if (lastUse[s] === -1) released.add(s);
      for (const s of released) if (bufferOfSlot[s]! >= 0) free.push(bufferOfSlot[s]!);
    });
    this.buffers = new Array(this.bufferDtypes.length);
    this.fetchSlots = fetches.map((f) => (f instanceof Node ? slotOf.get(f)! : -1));
    this.fusedSteps = this.steps.filter((s) => s.kind === Kind.Fused).length;
  }

  /**
   * Runs the plan and returns a copy of each fetched value (null for a Group). A fetch with a
   * tensor in `into` is copied into that tensor's storage, which is returned in its place.
   */
  execute(feeds: ReadonlyMap<Node, Tensor>, variables: VariableStore, into?: readonly (Tensor | undefined)[]): (Tensor | null)[] {
    const values = this.values;
    const steps = this.steps;
    try {
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i]!;
        switch (step.kind) {
          case Kind.Feed:
            values[step.slot] = feeds.get(step.node)!;
            break;
          case Kind.Constant:
            values[step.slot] = step.value;
            break;
          case Kind.Variable:
            values[step.slot] = variables.read(step.variable);
            break;
          case Kind.Op:
            values[step.slot] = this.runOp(step, values, variables);
            break;
          case Kind.Fused:
            this.runFused(step, values);
            break;
        }
      }
      // A target that does not fit a value (a shape known only now) is refused with the run
      // complete: its updates land, and no target is written.
      const refused = into === undefined ? undefined : this.checkInto(values, into);
      const results = into === undefined ? this.fetchSlots.map((s) => (s < 0 ? null : values[s]!.clone())) : refused === undefined ? this.copyOut(values, into) : [];
      // Updates land after every read of the run.
      this.pending.forEach((value, variable) => variables.write(variable, value));
      if (refused !== undefined) throw refused;
      return results;
    } finally {
      // Do not keep the caller's feeds or variable snapshots alive between runs.
      values.fill(undefined);
      this.pending.clear();
      for (const step of steps) if (step.kind === Kind.Op || step.kind === Kind.Fused) step.inputs.fill(undefined as unknown as Tensor);
    }
  }

  /** The error for the first target in `into` that cannot hold its fetched value, if any. */
  private checkInto(values: readonly (Tensor | undefined)[], into: readonly (Tensor | undefined)[]): TensorSlowError | undefined {
    const slots = this.fetchSlots;
    for (let i = 0; i < slots.length; i++) {
      const target = into[i];
      if (target === undefined) continue;
      const node = this.fetches[i]!;
      if (slots[i]! < 0) return new TensorSlowError(`cannot write ${node} into a tensor: it has no value (a Group only runs its members)`);
      const value = values[slots[i]!]!;
      if (target.dtype !== value.dtype || !shapesEqual(target.shape, value.shape)) {
        return new ShapeError(
          `cannot write the value of ${node} (${value.dtype}, shape ${formatShape(value.shape)}) into a tensor of dtype ${target.dtype} and shape ${formatShape(target.shape)}; the run's updates were applied`,
        );
      }
    }
    return undefined;
  }

  /** The fetched values, copied into the given tensors where there is one (checked by checkInto). */
  private copyOut(values: readonly (Tensor | undefined)[], into: readonly (Tensor | undefined)[]): (Tensor | null)[] {
    const slots = this.fetchSlots;
    // A value whose storage is also a target (a fed tensor given as a target) is copied first,
    // so that writing the target does not change what is fetched after it.
    const sources = slots.map((s) => (s < 0 ? undefined : values[s]!));
    for (let j = 0; j < sources.length; j++) {
      const v = sources[j];
      if (v !== undefined && into.some((t) => t !== undefined && t.data.buffer === v.data.buffer && overlaps(t.data, v.data))) sources[j] = v.clone();
    }
    return slots.map((s, i) => {
      if (s < 0) return null;
      const target = into[i];
      if (target === undefined) return sources[i]!.clone();
      target.data.set(sources[i]!.data);
      return target;
    });
  }

  /** Reads a step's inputs into `step.inputs`; true when their shapes are those of the last run. */
  private gather(step: OpStep | FusedStep, values: (Tensor | undefined)[]): boolean {
    const inputs = step.inputs;
    const slots = step.inputSlots;
    const last = step.lastShapes;
    let same = last !== null;
    for (let i = 0; i < slots.length; i++) {
      const t = values[slots[i]!]!;
      inputs[i] = t;
      // Most inputs are the very tensors of the last run (plan outputs, variables, reused feeds).
      if (same && t.shape !== last![i] && !shapesEqual(last![i]!, t.shape)) same = false;
    }
    return same;
  }

  private runOp(step: OpStep, values: (Tensor | undefined)[], variables: VariableStore): Tensor {
    const op = step.op;
    let same = this.gather(step, values);
    const inputs = step.inputs;
    const writes = step.writes;
    if (writes !== undefined) {
      // Updates of one variable within a run compose in plan order: each starts from the newest
      // value (the stored one, not a value fed for the variable's reads).
      const current = this.pending.get(writes) ?? variables.read(writes);
      if (current.shape !== inputs[step.writesInput]!.shape) same = false;
      inputs[step.writesInput] = current;
    }
    let out = step.output;
    if (!same || out === null || step.outputBuffer !== this.buffers[step.buffer]) {
      const spec = op.def.infer(
        inputs.map((t) => ({ dtype: t.dtype, shape: [...t.shape] })),
        op.attrs,
        op.name,
      );
      if (!isFullyKnown(spec.shape)) {
        throw new ShapeError(`${op}: could not determine the output shape from input shapes ${inputs.map((t) => formatShape(t.shape)).join(", ")}`);
      }
      out = new Tensor(spec.shape, spec.dtype, this.storage(step.buffer, spec.dtype, sizeOf(spec.shape)));
      step.output = out;
      step.outputBuffer = this.buffers[step.buffer];
      step.lastShapes = inputs.map((t) => t.shape);
    }
    try {
      step.kernel(inputs, out, op.attrs);
    } catch (e) {
      // Kernels know no graph; a value they refuse (an integer to a negative power) is reported
      // with the node it came from.
      if (e instanceof TensorSlowError) e.message = `${op} at run time: ${e.message}`;
      throw e;
    }
    if (writes !== undefined) this.pending.set(writes, out);
    return out;
  }

  private runFused(step: FusedStep, values: (Tensor | undefined)[]): void {
    const same = this.gather(step, values);
    const inputs = step.inputs;
    let stale = !same || step.binding === null;
    for (let i = 0; i < step.buffers.length && !stale; i++) stale = step.buffers[i]! >= 0 && step.outputBuffers[i] !== this.buffers[step.buffers[i]!];
    if (stale) this.rebind(step);
    const binding = step.binding!;
    const inPlace = step.group.inPlace;
    for (let i = 0; i < inPlace.length; i++) {
      // The variable's tensor (loadVariable may have replaced it since the last run).
      if (inPlace[i]! < 0) continue;
      const v = inputs[inPlace[i]!]!;
      step.outputs[i] = v;
      step.outputArrays[i] = v.data;
    }
    if (step.kernel !== null) {
      const arrays = step.programArrays;
      const from = binding.programInputs;
      for (let i = 0; i < from.length; i++) arrays[i] = inputs[from[i]!]!.data;
      step.kernel(arrays, step.outputArrays, binding.outer, binding.inner);
    } else {
      this.runMembers(step);
    }
    const outputs = step.outputs;
    for (let i = 0; i < outputs.length; i++) {
      values[step.outputSlots[i]!] = outputs[i];
      const w = step.writes[i];
      if (w !== undefined) this.pending.set(w, outputs[i]!);
    }
  }

  /** Fits the group to the current input shapes: output tensors, and the program or the members' scratch. */
  private rebind(step: FusedStep): void {
    const { group, inputs } = step;
    const binding = bind(group, inputs.map((t) => t.shape));
    step.binding = binding;
    step.lastShapes = inputs.map((t) => t.shape);
    group.outputs.forEach((o, i) => {
      if (step.buffers[i]! < 0) return;
      const shape = binding.shapes[group.members.indexOf(o)]!;
      const t = new Tensor(shape, o.dtype, this.storage(step.buffers[i]!, o.dtype, sizeOf(shape)));
      step.outputs[i] = t;
      step.outputArrays[i] = t.data;
      step.outputBuffers[i] = this.buffers[step.buffers[i]!];
    });
    this.freeScratch(step);
    step.programArrays.length = binding.programInputs.length;
    step.kernel = binding.program === null ? null : this.backend.fused!.compile(binding.program);
    if (binding.program === null) {
      step.scratch = group.members.map((m, i) => {
        // One by one, an in-place update must not overwrite the variable before the others read it.
        const out = group.outputs.indexOf(m);
        if (out >= 0 && group.inPlace[out]! < 0) return step.outputs[out]!;
        const shape = binding.shapes[i]!;
        const data = this.backend.allocate(m.dtype, sizeOf(shape));
        step.owned.push(data);
        return new Tensor(shape, m.dtype, data);
      });
    }
  }

  private freeScratch(step: FusedStep): void {
    for (const data of step.owned) this.backend.free?.(data);
    step.owned = [];
    step.scratch = [];
  }

  /** The group's members one by one, each with its own kernel (shapes the program does not cover). */
  private runMembers(step: FusedStep): void {
    const { group, inputs, scratch } = step;
    group.members.forEach((m, i) => {
      const args = group.sources[i]!.map((s) => (s >= 0 ? inputs[s]! : scratch[-1 - s]!));
      try {
        step.kernels[i]!(args, scratch[i]!, m.attrs);
      } catch (e) {
        if (e instanceof TensorSlowError) e.message = `${m} at run time: ${e.message}`;
        throw e;
      }
    });
    group.inPlace.forEach((v, i) => {
      if (v >= 0) inputs[v]!.data.set(scratch[group.members.indexOf(group.outputs[i]!)]!.data);
    });
  }

  /** Gives the plan's buffers back to the backend; the plan must not run afterwards. */
  dispose(): void {
    for (const buf of this.buffers) if (buf !== undefined) this.backend.free?.(buf);
    this.buffers.fill(undefined);
    for (const step of this.steps) {
      if (step.kind === Kind.Op) step.output = null;
      else if (step.kind === Kind.Fused) {
        this.freeScratch(step);
        step.binding = null;
      }
    }
  }

  /** A view of `size` elements of a shared buffer, growing the buffer when it is too small. */
  private storage(id: number, dtype: DType, size: number): TypedArray {
    let buf = this.buffers[id];
    if (buf === undefined || buf.length < size) {
      if (buf !== undefined) this.backend.free?.(buf);
      buf = this.backend.allocate(dtype, size);
      this.buffers[id] = buf;
    }
    return buf.length === size ? buf : buf.subarray(0, size);
  }
}

function kernelOf(backend: Backend, op: Operation): RawKernel {
  const kernel: Kernel | undefined = backend.kernels[op.def.kernel];
  if (kernel === undefined) throw new Error(`backend '${backend.name}' has no kernel '${op.def.kernel}' for ${op}`);
  return kernel as RawKernel;
}

/**
 * The nodes needed to compute `fetches`, in topological order (creation order is one, since a
 * node's inputs always exist before it). Fed nodes are leaves. Placeholders that are needed but
 * not fed are an error naming the placeholder and what needs it.
 */
function neededNodes(fetches: readonly GraphNode[], fed: ReadonlySet<Node>): GraphNode[] {
  const needed = new Set<GraphNode>();
  const neededBy = new Map<GraphNode, GraphNode>();
  const stack = [...fetches];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (needed.has(node)) continue;
    needed.add(node);
    if (node instanceof Node && fed.has(node)) continue;
    for (const input of [...node.inputs, ...node.controlInputs]) {
      if (!needed.has(input)) {
        if (!neededBy.has(input)) neededBy.set(input, node);
        stack.push(input);
      }
    }
  }
  for (const node of needed) {
    if (node instanceof Placeholder && !fed.has(node)) {
      const user = neededBy.get(node);
      throw new FeedError(
        `You must feed a value for placeholder '${node.name}' with dtype ${node.dtype} and shape ${formatShape(node.shape)}` +
          (user !== undefined ? ` (it is an input of ${user})` : ""),
      );
    }
  }
  return [...needed].sort((a, b) => a.id - b.id);
}

/** Whether two views of one buffer share bytes. */
function overlaps(a: TypedArray, b: TypedArray): boolean {
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
