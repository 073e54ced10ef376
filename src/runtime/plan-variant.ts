/**
 * A compiled variant of a plan (plan.ts): the generic one, or one specialized on fed shapes.
 * Compiled once (compile.ts) and reused: executing it walks an array of steps, never the graph,
 * and while input shapes stay the same it neither infers shapes nor allocates tensor storage.
 *
 * A run: every step places or computes its value (step.ts, op-step.ts, fused-step.ts); the
 * fetched values are copied out (into.ts); then the variable updates the run made, held pending
 * until every read was done, land in the variables. Whatever happens, the run lets go of the
 * caller's feeds and the variables' snapshots.
 */
import type { GraphNode, Node, Variable } from "../graph/index.js";
import { isFullyKnown, type Tensor } from "../tensor/index.js";
import type { Backend } from "../backends/backend.js";
import { PlanBuffers, type BufferPool } from "./buffers.js";
import { compilePlan, type CompileOptions, type Step } from "./compile.js";
import { checkInto, copyInto, copyOut, type FetchSlots } from "./into.js";
import type { RunContext } from "./step.js";
import type { RandomStreams } from "./random-streams.js";
import type { VariableStore } from "./variable-store.js";

export class PlanVariant {
  private readonly fetches: readonly GraphNode[];
  private readonly steps: readonly Step[];
  private readonly fetchSlots: FetchSlots;
  private readonly values: (Tensor | undefined)[];
  private readonly pending = new Map<Variable, Tensor>();
  private readonly buffers: PlanBuffers;
  private readonly slotNodes: readonly Node[];
  /** The shape of each slot's value in the last run that gave it one (for pictures). */
  private readonly seenShapes: (readonly number[] | undefined)[];
  /** The computing steps' input arrays, emptied after every run. */
  private readonly stepInputs: Tensor[][];
  private ctx: RunContext | undefined;
  /** The static shapes a specialized variant was compiled with (undefined for the generic one). */
  private readonly knownShapes: CompileOptions["shapes"];

  constructor(
    fetches: readonly GraphNode[],
    fed: ReadonlySet<Node>,
    private readonly backend: Backend,
    options: CompileOptions,
    pool: BufferPool,
  ) {
    this.fetches = [...fetches];
    this.knownShapes = options.shapes;
    const compiled = compilePlan(fetches, fed, backend, options);
    this.steps = compiled.steps;
    this.fetchSlots = compiled.fetchSlots;
    this.values = new Array(compiled.slots);
    this.slotNodes = compiled.slotNodes;
    this.seenShapes = new Array(compiled.slots);
    this.buffers = new PlanBuffers(compiled.buffers, pool);
    this.stepInputs = this.steps.flatMap((s) => (s.kind === "op" || s.kind === "fused" ? [s.inputs] : []));
  }

  /**
   * Runs the plan and returns a copy of each fetched value (null for a Group). A fetch with a
   * tensor in `into` is copied into that tensor's storage, which is returned in its place.
   */
  execute(feeds: ReadonlyMap<Node, Tensor>, variables: VariableStore, random: RandomStreams, into?: readonly (Tensor | undefined)[]): (Tensor | null)[] {
    const { values, steps, pending } = this;
    // The same session runs a plan again and again: its context object is made once.
    let ctx = this.ctx;
    if (ctx === undefined || ctx.variables !== variables || ctx.random !== random) {
      ctx = this.ctx = { values, pending, variables, random, buffers: this.buffers, backend: this.backend };
    }
    try {
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i]!;
        switch (step.kind) {
          case "feed":
            values[step.slot] = feeds.get(step.node)!;
            break;
          case "constant":
            values[step.slot] = step.value;
            break;
          case "variable":
            values[step.slot] = variables.read(step.variable);
            break;
          case "op":
          case "fused":
            step.run(ctx);
            break;
          case "view":
            step.run(values);
            break;
        }
      }
      // A target that does not fit a value (a shape known only now) is refused with the run
      // complete: its updates land, and no target is written.
      const refused = into === undefined ? undefined : checkInto(this.fetches, this.fetchSlots, values, into);
      const results = into === undefined ? copyOut(this.fetchSlots, values) : refused === undefined ? copyInto(this.fetchSlots, values, into) : [];
      // Updates land after every read of the run.
      pending.forEach((value, variable) => variables.write(variable, value));
      if (refused !== undefined) throw refused;
      return results;
    } finally {
      // Shapes are kept (arrays the values already have); the values themselves are not: do not
      // keep the caller's feeds or variable snapshots alive between runs.
      // (Loops, not fill: a call of the builtin costs more than clearing a few entries, and a small
      // graph's run is a few microseconds.)
      const seen = this.seenShapes;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v !== undefined) {
          seen[i] = v.shape;
          values[i] = undefined;
        }
      }
      pending.clear();
      const stepInputs = this.stepInputs;
      for (let s = 0; s < stepInputs.length; s++) {
        const inputs = stepInputs[s]!;
        for (let j = 0; j < inputs.length; j++) inputs[j] = undefined as unknown as Tensor;
      }
    }
  }

  /** Adds the shapes this plan's values had in its last runs to `into`. */
  collectShapes(into: Map<Node, readonly number[]>): void {
    for (let i = 0; i < this.seenShapes.length; i++) {
      // A value inside a fused group has no tensor of its own; a specialized variant knows its
      // shape all the same (inference from the fed shapes, which every run of it has).
      const known = this.seenShapes[i] ?? this.knownShapes?.get(this.slotNodes[i]!);
      if (known !== undefined && isFullyKnown(known)) into.set(this.slotNodes[i]!, known);
    }
  }

  /** Gives the steps' scratch storage back to the backend (the buffers are the pool's); the variant must not run afterwards. */
  dispose(): void {
    for (const step of this.steps) {
      if (step.kind === "op") step.unbind(this.backend);
      else if (step.kind === "fused") step.unbind({ backend: this.backend });
    }
  }
}
