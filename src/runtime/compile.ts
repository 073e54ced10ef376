/**
 * Compiling a plan: from the fetched and fed nodes to the list of steps a run walks.
 *
 * 1. Order: the nodes the fetches need, in topological order (fed nodes are leaves). With fusion,
 *    shape-only ops whose input shapes are known are folded (fold.ts): constants, and leaves too.
 * 2. Units: with fusion, the passes that turn nodes into units and order them — grouping
 *    (fusion.ts), the unit graph (unit-graph.ts), in-place selection (in-place.ts), scheduling;
 *    without, every node is a unit and the order stays. With fusion, an op that only relabels its
 *    input's elements becomes a view of it (view.ts).
 * 3. Lifetimes: for each value, the last unit that reads it (fetched values and variable updates
 *    live to the end of the run); a viewed value lives as long as its views.
 * 4. Buffers: each computed value gets a shared buffer, reused by later values of its dtype once
 *    its last reader has run (a view has none: it is its input's storage).
 * 5. Steps: one per unit (a Group, which only makes its members needed, has none).
 *
 * Everything here reads static shapes and dtypes only: the graph's, or those of a variant
 * specialized on fed shapes (`shapes`, specialize.ts); concrete shapes are the steps' business at
 * run time.
 */
import { Constant, Node, Operation, Placeholder, Variable, type GraphNode } from "../graph/index.js";
import { FeedError, NumericsError, firstNonFinite, formatShape, isFloatDType, nonFiniteKind, type DType, type StaticShape, type Tensor } from "../tensor/index.js";
import type { Backend } from "../backends/backend.js";
import type { FusedKernels } from "../backends/fused.js";
import { FusionGroup } from "./fusion-group.js";
import { groupElementwise } from "./fusion.js";
import { NO_EPILOGUES, chainReaders, findEpilogues, inChain, type Epilogues } from "./epilogue.js";
import { foldShapeOnly, shapeStandIns } from "./fold.js";
import { FusedStep, type FusedTarget } from "./fused-step.js";
import { selectInPlace, type InPlaceWrites } from "./in-place.js";
import type { FetchSlots } from "./into.js";
import { keptInputOf } from "./kept.js";
import { OpStep } from "./op-step.js";
import { kernelOf, type ConstantStep, type FeedStep, type RawKernel, type VariableStep } from "./step.js";
import { UnitGraph, readersOf, type Unit } from "./unit-graph.js";
import { ViewStep, relabelsStatically } from "./view.js";

export type Step = FeedStep | ConstantStep | VariableStep | OpStep | FusedStep | ViewStep;

export interface CompileOptions {
  /** Fuse chains of elementwise ops into single steps (default true; needs a backend with fused programs). */
  fusion?: boolean;
  /**
   * Check every floating-point op's output for NaN and infinities as it runs, and fail naming the
   * first op that produced one (implies no fusion: every op's output must exist to be checked).
   */
  checkNumerics?: boolean;
  /**
   * Static shapes known beyond the graph's (a variant specialized on the fed shapes): the passes
   * read these where given. The plan must then run only with the fed shapes they came from.
   */
  shapes?: ReadonlyMap<Node, StaticShape>;
}

export interface CompiledPlan {
  readonly steps: readonly Step[];
  /** The number of value slots (one per needed node with a value). */
  readonly slots: number;
  /** The dtype of each shared output buffer. */
  readonly buffers: readonly DType[];
  readonly fetchSlots: FetchSlots;
  /** The node whose value each slot holds. */
  readonly slotNodes: readonly Node[];
}

/** A value's last reader: no unit, or the end of the run. */
const NEVER_READ = -1;
const END_OF_RUN = Infinity;

export function compilePlan(fetches: readonly GraphNode[], fed: ReadonlySet<Node>, backend: Backend, options: CompileOptions = {}): CompiledPlan {
  const fused = options.fusion !== false && options.checkNumerics !== true ? backend.fused : undefined;
  const shapes = options.shapes;
  const shapeOf = shapes === undefined ? undefined : (n: Node): StaticShape => (shapes.has(n) ? shapes.get(n)! : n.shape);
  const staticShape = shapeOf ?? ((n: Node): StaticShape => n.shape);
  // Folding and views come with fusion: without it (fusion: false, checkNumerics) every op runs its own kernel.
  let order = neededNodes(fetches, fed);
  const folded = fused !== undefined ? foldShapeOnly(order, fed, staticShape, backend) : new Map<Node, Tensor>();
  // Folded nodes are leaves, as fed ones: their inputs are computed only if something else reads them.
  let leaves: ReadonlySet<Node> = folded.size === 0 ? fed : new Set([...fed, ...folded.keys()]);
  if (folded.size > 0) order = neededNodes(fetches, leaves);
  if (fused !== undefined) {
    // Values read only for their known shapes: constants of that shape stand in (fold.ts).
    const standIns = shapeStandIns(order, new Set(fetches), leaves, staticShape, (more) => neededNodes(fetches, more));
    if (standIns.size > 0) {
      for (const [n, t] of standIns) folded.set(n, t);
      leaves = new Set([...leaves, ...standIns.keys()]);
      order = neededNodes(fetches, leaves);
    }
  }
  const epilogues = fused !== undefined ? findEpilogues(order, new Set(fetches), leaves, backend, shapeOf) : NO_EPILOGUES;
  const { units, inPlace } = fused !== undefined ? fusedUnits(order, new Set(fetches), leaves, fused, options.shapes, epilogues) : { units: order, inPlace: new Map() as InPlaceWrites };
  const views = fused !== undefined ? viewsOf(units, leaves, epilogues, inPlace, staticShape) : new Map<Node, Node>();

  const slotOf = new Map<GraphNode, number>();
  for (const node of order) if (node instanceof Node) slotOf.set(node, slotOf.size);
  const slots = slotOf.size;
  const slotNodes = [...slotOf.keys()] as Node[];

  // Lifetimes.
  // An epilogue chain's output reads the chain's inputs; its inner ops read nothing (they have no
  // step); a view reads its input 0 only.
  const unitInputs = units.map((u) =>
    (u instanceof FusionGroup
      ? u.inputs
      : leaves.has(u as Node) || epilogues.inner.has(u)
        ? []
        : views.has(u as Node)
          ? [views.get(u as Node)!]
          : (epilogues.byOutput.get(u)?.inputs ?? u.inputs)
    ).map((n) => slotOf.get(n)!),
  );
  const lastUse = new Array<number>(slots).fill(NEVER_READ);
  unitInputs.forEach((ins, i) => ins.forEach((s) => (lastUse[s] = i)));
  for (const f of fetches) if (f instanceof Node) lastUse[slotOf.get(f)!] = END_OF_RUN;
  for (const n of order) if (n instanceof Operation && n.def.writesVariable !== undefined && !leaves.has(n)) lastUse[slotOf.get(n)!] = END_OF_RUN;
  // A view's storage is its root's (the value it views, through views of views): the root lives
  // until every view of it has been read for the last time.
  const rootOf = Array.from({ length: slots }, (_, s) => s);
  for (const u of units) {
    const x = views.get(u as Node);
    if (x === undefined) continue;
    const s = slotOf.get(u as Node)!;
    const root = (rootOf[s] = rootOf[slotOf.get(x)!]!);
    lastUse[root] = Math.max(lastUse[root]!, lastUse[s]!);
  }

  // Buffers and steps.
  const bufferDtypes: DType[] = [];
  const free: number[] = [];
  const takeBuffer = (dtype: DType): number => {
    // Reuse a free buffer of the same dtype, else open a new one.
    const reuse = free.findIndex((b) => bufferDtypes[b] === dtype);
    return reuse >= 0 ? free.splice(reuse, 1)[0]! : bufferDtypes.push(dtype) - 1;
  };
  const bufferOfSlot = new Array<number | undefined>(slots);
  const steps: Step[] = [];
  units.forEach((unit, i) => {
    const inputSlots = unitInputs[i]!;
    const outputSlots: number[] = [];
    if (unit instanceof FusionGroup) {
      const written = inPlace.get(unit) ?? [];
      const targets = unit.outputs.map((o, k): FusedTarget => {
        const slot = slotOf.get(o)!;
        outputSlots.push(slot);
        const w = written.find((x) => x.output === k);
        if (w !== undefined) return { kind: "in place", slot, input: w.input };
        return { kind: "buffer", slot, buffer: (bufferOfSlot[slot] = takeBuffer(o.dtype)), variable: unit.variableOf(k) };
      });
      steps.push(new FusedStep(unit, inputSlots, targets, unit.members.map((m) => kernelOf(backend, m))));
    } else if (unit instanceof Node) {
      const slot = slotOf.get(unit)!;
      outputSlots.push(slot);
      if (folded.has(unit)) steps.push({ kind: "constant", value: folded.get(unit)!, slot });
      else if (fed.has(unit)) steps.push({ kind: "feed", node: unit, slot });
      else if (unit instanceof Constant) steps.push({ kind: "constant", value: unit.value, slot });
      else if (unit instanceof Variable) steps.push({ kind: "variable", variable: unit, slot });
      else if (epilogues.inner.has(unit)) {
        // Computed by its chain's step.
      } else if (views.has(unit)) {
        const x = views.get(unit)!;
        const root = slotNodes[rootOf[slotOf.get(x)!]!]!;
        steps.push(new ViewStep(unit as Operation, slot, slotOf.get(x)!, staticShape(x) as number[], staticShape(unit) as number[], !fed.has(root)));
      } else if (epilogues.byOutput.has(unit)) {
        const chain = epilogues.byOutput.get(unit)!;
        const buffer = (bufferOfSlot[slot] = takeBuffer(unit.dtype));
        const kept = keptInputOf(chain.base, chain.kernel, chain.attrs, fed, backend);
        // The base op infers the shape (the bias add and activation keep it; a pool's is inferred from it) and names errors.
        steps.push(new OpStep(chain.base, slot, inputSlots, backend.kernels[chain.kernel] as RawKernel, buffer, undefined, kept?.attrs ?? chain.attrs, kept?.kept, chain.pool));
      } else if (unit instanceof Operation) {
        const w = unit.def.writesVariable;
        const buffer = (bufferOfSlot[slot] = takeBuffer(unit.dtype));
        const update = w === undefined ? undefined : { variable: unit.inputs[w] as Variable, input: w };
        const kernel = kernelOf(backend, unit);
        const kept = keptInputOf(unit, unit.def.kernel ?? unit.def.type, unit.attrs as object, leaves, backend);
        steps.push(new OpStep(unit, slot, inputSlots, options.checkNumerics === true ? checkedKernel(kernel, unit) : kernel, buffer, update, kept?.attrs ?? unit.attrs, kept?.kept));
      } else {
        throw new Error(`cannot execute ${unit}`);
      }
    }
    // Buffers whose last reader is this unit become free for the units after it (a view's are its root's).
    const released = new Set(inputSlots.map((s) => rootOf[s]!).filter((s) => lastUse[s] === i));
    for (const s of outputSlots) if (lastUse[s] === NEVER_READ) released.add(s);
    for (const s of released) if (bufferOfSlot[s] !== undefined) free.push(bufferOfSlot[s]);
  });
  const fetchSlots = fetches.map((f) => (f instanceof Node ? slotOf.get(f)! : null));
  return { steps, slots, buffers: bufferDtypes, fetchSlots, slotNodes };
}

/**
 * The units that become views (view.ts), each with the input it views: ops that relabel their
 * input 0 by static shapes, outside groups and epilogue chains, whose input is not a value written
 * during the run (a variable read, which an update may write in place, or a group's in-place
 * output).
 */
function viewsOf(units: readonly Unit[], leaves: ReadonlySet<Node>, epilogues: Epilogues, inPlace: InPlaceWrites, shapeOf: (n: Node) => StaticShape): Map<Node, Node> {
  const writtenInPlace = new Set<Node>();
  for (const [group, writes] of inPlace) for (const w of writes) writtenInPlace.add(group.outputs[w.output]!);
  const views = new Map<Node, Node>();
  for (const u of units) {
    if (!(u instanceof Operation) || leaves.has(u) || inChain(epilogues, u) || !relabelsStatically(u, shapeOf)) continue;
    const x = u.inputs[0]!;
    if ((x instanceof Variable && !leaves.has(x)) || writtenInPlace.has(x)) continue;
    views.set(u, x);
  }
  return views;
}

/** The fusion passes: grouping, the unit graph, in-place selection, then the units' order. */
export function fusedUnits(
  order: readonly GraphNode[],
  fetched: ReadonlySet<GraphNode>,
  fed: ReadonlySet<Node>,
  fused: Pick<FusedKernels, "has">,
  shapes?: ReadonlyMap<Node, StaticShape>,
  epilogues: Epilogues = NO_EPILOGUES,
): { units: Unit[]; inPlace: InPlaceWrites } {
  const readers = readersOf(order, fed);
  const shapeOf = shapes === undefined ? undefined : (n: Node): StaticShape => (shapes.has(n) ? shapes.get(n)! : n.shape);
  const grouping = groupElementwise(order, fetched, fed, readers, { has: (f) => fused.has(f), exclude: (n) => inChain(epilogues, n), ...(shapeOf === undefined ? {} : { shapeOf }) });
  const graph = new UnitGraph(grouping.units, grouping.unitOf, fed);
  const inPlace = selectInPlace(grouping.groups, graph, grouping.unitOf, chainReaders(readers, epilogues), fetched);
  const position = new Map<GraphNode, number>(order.map((n, i) => [n, i]));
  const units = graph.order((u) => position.get(u instanceof FusionGroup ? u.root : u)!);
  return { units, inPlace };
}

/**
 * The nodes needed to compute `fetches`, in topological order (creation order is one, since a
 * node's inputs always exist before it). Fed nodes are leaves. Placeholders that are needed but
 * not fed are an error naming the placeholder and what needs it.
 */
export function neededNodes(fetches: readonly GraphNode[], fed: ReadonlySet<Node>): GraphNode[] {
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

/**
 * `kernel`, followed by a check of its output: the first op of a run whose output holds a NaN or
 * an infinity fails it, saying whether its inputs held one already (a fed value or a variable).
 */
function checkedKernel(kernel: RawKernel, op: Operation): RawKernel {
  if (!isFloatDType(op.dtype)) return kernel;
  return (inputs, out, attrs) => {
    kernel(inputs, out, attrs);
    const bad = firstNonFinite(out.data);
    if (bad < 0) return;
    const carried = inputs.findIndex((x) => isFloatDType(x.dtype) && firstNonFinite(x.data) >= 0);
    const source =
      carried < 0
        ? "its inputs are finite: this op produced it"
        : `its input ${carried} (${op.inputs[carried]}) already holds ${nonFiniteKind(inputs[carried]!.data[firstNonFinite(inputs[carried]!.data)]!)}`;
    throw new NumericsError(`the output holds ${nonFiniteKind(out.data[bad]!)} (element ${bad} of shape ${formatShape(out.shape)}), the first op of the run to give a value that is not finite; ${source}`);
  };
}
