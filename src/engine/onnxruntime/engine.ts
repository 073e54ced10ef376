/**
 * The onnxruntime engine: each plan of a session (one per set of fetched and fed nodes) becomes one
 * ONNX model (plan-model.ts), encoded and given to one ONNX Runtime session the first time it runs,
 * and reused after. A run binds the feeds and the variables' buffers (variables.ts) as inputs,
 * preallocates the variables' next values as outputs (where ONNX Runtime writes into them: load.ts),
 * runs the model, hands out the fetches (ONNX Runtime's own output arrays, or copies into the
 * caller's `into`), then swaps the variables.
 */
import { Node, type GraphNode } from "../../graph/index.js";
import { Tensor, TensorSlowError, ValueError, type DType } from "../../tensor/index.js";
import { encodeModel } from "../../io/onnx/proto.js";
import { getNumThreads } from "../../backends/index.js";
import { checkInto, copyInto } from "../../runtime/into.js";
import type { Engine, EngineHost, EngineRun } from "../../runtime/engine.js";
import { loadOrt, writesPreallocatedOutputs, type Ort, type OrtData, type OrtDType, type OrtSession, type OrtSessionOptions, type OrtTensor } from "./load.js";
import { planModel, type PlanModel } from "./plan-model.js";
import { EngineVariables } from "./variables.js";

export type ExecutionProvider = string | { readonly name: string; readonly [option: string]: unknown };

export interface OnnxruntimeOptions {
  executionProviders: readonly ExecutionProvider[];
  /** Whether ONNX Runtime's intra-op threads spin while they wait for work (default false: they sleep). */
  allowSpinning: boolean;
}

interface CompiledPlan {
  readonly model: PlanModel;
  /** Null when the model computes nothing (the plan only reads values). */
  readonly session: OrtSession | null;
  /** The model's outputs as ONNX Runtime is asked for them: preallocated for variables' next values. */
  readonly fetchNames: readonly string[];
  /** For a model with the variables' values baked in: the variables' generation it holds. */
  readonly baked: number | undefined;
}

/** Checks the engine's options (Session's constructor calls it), naming the option and what it expects. */
export function checkOnnxruntimeOptions(options: Readonly<Record<string, unknown>>): OnnxruntimeOptions {
  const eps = options["executionProviders"] ?? ["cpu"];
  const valid = (ep: unknown): boolean =>
    (typeof ep === "string" && ep !== "") || (typeof ep === "object" && ep !== null && typeof (ep as { name?: unknown }).name === "string" && (ep as { name: string }).name !== "");
  if (!Array.isArray(eps) || eps.length === 0 || !eps.every(valid)) {
    throw new ValueError(
      `Session: the executionProviders option must be a non-empty array of provider names or { name, ...options } objects (e.g. ["cuda", "cpu"]), got ${JSON.stringify(eps) ?? String(eps)}`,
    );
  }
  const spinning = options["allowSpinning"] ?? false;
  if (typeof spinning !== "boolean") {
    throw new ValueError(`Session: the allowSpinning option must be true or false, got ${typeof spinning === "string" ? `"${spinning}"` : String(spinning)}`);
  }
  return { executionProviders: [...(eps as ExecutionProvider[])], allowSpinning: spinning };
}

/**
 * The ONNX Runtime session options of every plan's model: the user's execution providers, intra-op
 * threads as `setNumThreads` says, full graph optimisation, and threads that sleep while they wait
 * unless `allowSpinning`: spinning threads take the cores from everything else, JavaScript included,
 * between the runs of a step loop and on a shared machine (seen here: a training step 10x slower with
 * spinning under load), while on an idle machine they answer a small run sooner.
 */
export function ortSessionOptions(options: OnnxruntimeOptions): OrtSessionOptions {
  return {
    executionProviders: options.executionProviders,
    intraOpNumThreads: getNumThreads(),
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? "1" : "0" } } },
  };
}

export class OnnxruntimeEngine implements Engine {
  readonly name = "onnxruntime";
  private readonly plans = new Map<string, Promise<CompiledPlan>>();
  /** The plans whose variables changed after their values were baked in: their models take them as inputs. */
  private readonly unbaked = new Set<string>();
  private ort: Ort | undefined;
  private variables: EngineVariables | undefined;
  private disposed = false;

  constructor(
    private readonly host: EngineHost,
    private readonly options: OnnxruntimeOptions,
  ) {}

  get planCount(): number {
    return this.plans.size;
  }

  async run(step: EngineRun): Promise<(Tensor | null)[]> {
    const plan = await this.planFor(step.fetches, step.feeds);
    // Baked values that changed since: this plan's model takes the variables as inputs from now on.
    if (plan.baked !== undefined && plan.baked !== this.host.variablesGeneration()) {
      this.plans.delete(planKey(step.fetches, step.feeds));
      this.unbaked.add(planKey(step.fetches, step.feeds));
      void plan.session?.release().catch(() => undefined);
      return this.run(step);
    }
    const { model } = plan;
    const ort = this.ort!;
    const variables = (this.variables ??= new EngineVariables(this.host, ort));
    const before = model.before.length === 0 ? [] : this.host.runLocally(model.before, step.feeds);
    const values: (Tensor | null)[] = new Array(step.fetches.length).fill(null);
    /** Fetches whose value is ONNX Runtime's fresh output array, which the caller may have as it is. */
    const fresh = new Array<boolean>(step.fetches.length).fill(false);
    if (plan.session !== null) {
      const feeds: Record<string, OrtTensor> = {};
      for (const { name, source } of model.inputs) {
        if (source.kind === "variable") feeds[name] = variables.current(source.variable);
        else feeds[name] = wrap(ort, source.kind === "feed" ? step.feeds.get(source.node)! : before[source.index]!);
      }
      const fetches: Record<string, OrtTensor | null> = {};
      for (const name of plan.fetchNames) fetches[name] = null;
      const preallocate = writesPreallocatedOutputs();
      for (const { variable, output } of model.updates) fetches[output] = preallocate ? variables.next(variable) : null;
      let outputs: Record<string, OrtTensor>;
      try {
        outputs = await plan.session.run(feeds, fetches);
      } catch (e) {
        throw new TensorSlowError(`the onnxruntime engine's run failed: ${(e as Error).message}`);
      }
      for (const { variable, output } of model.updates) variables.written(variable, outputs[output]!);
      model.fetches.forEach((f, i) => {
        if (f.kind !== "output") return;
        const node = step.fetches[i] as Node;
        const update = model.updates.find((u) => u.output === f.name);
        if (update !== undefined) values[i] = new Tensor(update.variable.fullShape, node.dtype, variables.nextValue(update.variable).data.slice());
        else {
          values[i] = fromOrt(outputs[f.name]!, node.dtype);
          fresh[i] = true;
        }
      });
    }
    model.fetches.forEach((f, i) => {
      if (f.kind === "feed") values[i] = step.feeds.get(f.node)!;
      else if (f.kind === "variable") values[i] = this.host.readVariable(f.variable);
      else if (f.kind === "before") values[i] = before[f.index]!;
      else if (f.kind === "constant") values[i] = f.value;
    });
    let refused: TensorSlowError | undefined;
    let results: (Tensor | null)[];
    if (step.into === undefined) {
      results = values.map((v, i) => (v === null || fresh[i] ? v : v.clone()));
    } else {
      const slots = values.map((v, i) => (v === null ? null : i));
      refused = checkInto(step.fetches, slots, values as (Tensor | undefined)[], step.into);
      results = refused === undefined ? copyInto(slots, values as (Tensor | undefined)[], step.into) : [];
    }
    // The updates land after every value of the run was read.
    for (const { variable } of model.updates) variables.swap(variable);
    if (refused !== undefined) throw refused;
    return results;
  }

  private planFor(fetches: readonly GraphNode[], feeds: ReadonlyMap<Node, Tensor>): Promise<CompiledPlan> {
    const key = planKey(fetches, feeds);
    let plan = this.plans.get(key);
    if (plan === undefined) {
      plan = this.compile(fetches, new Set(feeds.keys()), !this.unbaked.has(key));
      this.plans.set(key, plan);
      // A plan that failed to compile is compiled again next time (the error may be the package's absence).
      plan.catch(() => this.plans.get(key) === plan && this.plans.delete(key));
    }
    return plan;
  }

  /**
   * A plan's model and ONNX Runtime session. A plan that updates no variable (inference) first gets
   * the variables' current values baked in, as long as they do not change (see run).
   */
  private async compile(fetches: readonly GraphNode[], fed: ReadonlySet<Node>, bake: boolean): Promise<CompiledPlan> {
    let model = planModel(fetches, fed);
    let baked: number | undefined;
    if (bake && model.updates.length === 0 && model.inputs.some((i) => i.source.kind === "variable")) {
      model = planModel(fetches, fed, (v) => this.host.readVariable(v));
      baked = this.host.variablesGeneration();
    }
    this.ort ??= await loadOrt();
    if (model.proto === null) return { model, session: null, fetchNames: [], baked };
    const bytes = await encodeModel(model.proto);
    let session: OrtSession;
    try {
      session = await this.ort.InferenceSession.create(bytes, ortSessionOptions(this.options));
    } catch (e) {
      throw new TensorSlowError(`the onnxruntime engine could not load the plan's model (fetches ${fetches.map((f) => `'${f.name}'`).join(", ")}): ${(e as Error).message}`);
    }
    if (this.disposed) void session.release().catch(() => undefined);
    return { model, session, fetchNames: model.outputs, baked };
  }

  dispose(): void {
    this.disposed = true;
    for (const plan of this.plans.values()) {
      plan.then((p) => p.session?.release(), () => undefined).catch(() => undefined);
    }
    this.plans.clear();
    this.variables?.clear();
  }
}

/** The key of a plan: its fetches and fed nodes. */
function planKey(fetches: readonly GraphNode[], feeds: ReadonlyMap<Node, Tensor>): string {
  const fedIds = [...feeds.keys()].map((n) => n.id).sort((a, b) => a - b);
  return `${fetches.map((n) => n.id).join(",")}|${fedIds.join(",")}`;
}

/** A tensor as ONNX Runtime reads it (the same memory). */
function wrap(ort: Ort, t: Tensor): OrtTensor {
  return new ort.Tensor(t.dtype as OrtDType, t.data as OrtData, t.shape);
}

/** ONNX Runtime's output as a Tensor of `dtype` (its own array, not copied). */
function fromOrt(t: OrtTensor, dtype: DType): Tensor {
  return new Tensor([...t.dims], dtype, t.data as OrtData);
}
