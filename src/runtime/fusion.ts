/**
 * Grouping, the fusion pass: which ops of a plan run together as one fused elementwise step.
 *
 * A group is a set of elementwise ops (ops that declare an `elementwise` formula) of one float
 * dtype, over one domain: every member's output has the group's shape, or is a scalar. Members are
 * gathered from a root backwards through producers. A producer joins when it is a candidate and
 * each of its readers is in the group, or cannot reach the group except through it (then its
 * value is also an output of the group, as are fetched members and variable updates). That keeps
 * the graph of units acyclic (unit-graph.ts orders them).
 *
 * Grouping goes by static shapes: the graph's, or those a plan specialized on fed shapes knows
 * (specialize.ts). The concrete ones are known only at run time, when binding (bind.ts) fits the
 * group to a program or falls back to running its members one by one.
 */
import { Operation, type GraphNode, type Node, type Variable } from "../graph/index.js";
import { isFullyKnown, sizeOf, type DType, type StaticShape } from "../tensor/index.js";
import { FusionGroup } from "./fusion-group.js";
import type { Unit } from "./unit-graph.js";
import { relabelsStatically } from "./view.js";

const isFloat = (d: DType): d is "float32" | "float64" => d === "float32" || d === "float64";

/** The inputs an elementwise op's formula takes (the others give only their shape). */
export function formulaArgs(op: Operation): readonly number[] {
  return op.def.elementwise!.args ?? op.inputs.map((_, i) => i);
}

/**
 * Whether static shapes allow input `x` to be read elementwise by an op of output shape `out`:
 * numpy broadcasting, where an unknown input dimension against a known 1 is taken as a reduction
 * (SumToShape of a batch) rather than a lucky match.
 */
function staticallyElementwise(x: readonly (number | null)[] | null, out: StaticShape): boolean {
  if (x === null || out === null || x.length > out.length) return false;
  const lead = out.length - x.length;
  return x.every((d, i) => {
    const o = out[lead + i]!;
    return d === 1 || d === o || (d === null ? o !== 1 : o === null);
  });
}

/** Whether the output is one value whatever the inputs (a known size of 1). */
function isScalarShape(s: StaticShape): boolean {
  return isFullyKnown(s) && sizeOf(s) === 1;
}

function sameStatic(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.every((d, i) => d === null || b[i] === null || d === b[i]);
}

export interface FuseOptions {
  /** Whether the backend evaluates this formula id. */
  readonly has: (formula: string) => boolean;
  /** A node's static shape (default: the graph's, `node.shape`). */
  readonly shapeOf?: (node: Node) => StaticShape;
  /** Ops that must stay out of groups (those of an epilogue chain, epilogue.ts). */
  readonly exclude?: (n: GraphNode) => boolean;
}

/** The needed nodes partitioned into units. */
export interface Grouping {
  /** Every unit, in the graph's order of its first node. */
  readonly units: readonly Unit[];
  /** Each needed node's unit (itself, or its group). */
  readonly unitOf: ReadonlyMap<GraphNode, Unit>;
  /** The groups among the units, in the same order. */
  readonly groups: readonly FusionGroup[];
}

/**
 * Partitions the needed nodes (`order`, topological) into units: fusion groups, and every other
 * node a unit of its own. `readers` is readersOf(order, fed).
 */
export function groupElementwise(
  order: readonly GraphNode[],
  fetched: ReadonlySet<GraphNode>,
  fed: ReadonlySet<Node>,
  readers: ReadonlyMap<GraphNode, readonly Node[]>,
  options: FuseOptions,
): Grouping {
  const position = new Map<GraphNode, number>(order.map((n, i) => [n, i]));
  const shape = options.shapeOf ?? ((n: Node): StaticShape => n.shape);
  const updates = new Map<Variable, number>();
  for (const n of order) {
    if (n instanceof Operation && n.def.writesVariable !== undefined && !fed.has(n)) {
      const v = n.inputs[n.def.writesVariable] as Variable;
      updates.set(v, (updates.get(v) ?? 0) + 1);
    }
  }

  const candidate = (n: GraphNode): n is Operation => {
    if (!(n instanceof Operation) || fed.has(n) || options.exclude?.(n) === true) return false;
    const ew = n.def.elementwise;
    const out = shape(n);
    if (ew === undefined || !options.has(ew.formula) || !isFloat(n.dtype) || out === null) return false;
    for (const i of formulaArgs(n)) {
      const x = n.inputs[i]!;
      let xs: readonly (number | null)[] | null = shape(x);
      // Read under the shape the op gives it where shapes are known (a BroadcastLike's reduced
      // axes put back, a reshape's own shape); argShape returns null, never throws, for shapes the
      // op does not read elementwise.
      if (ew.argShape !== undefined && isFullyKnown(xs) && isFullyKnown(out)) {
        const read = ew.argShape(xs, i, out, n.attrs);
        if (read === null) return false;
        xs = read;
      }
      if (x.dtype !== n.dtype || !staticallyElementwise(xs, out)) return false;
    }
    if (n.def.writesVariable !== undefined) {
      // An update reads the newest value of its variable; fused, it must be the only update of it
      // in the run (updates of one variable compose in plan order) and the variable must not be fed.
      const v = n.inputs[n.def.writesVariable] as Variable;
      if (fed.has(v) || updates.get(v) !== 1) return false;
    }
    return true;
  };

  const groupOf = new Map<GraphNode, Set<Operation>>();

  /** Whether `start` reaches `target` through readers, with every group taken as one node. */
  const reaches = (start: Node, target: Set<Operation>): boolean => {
    const seen = new Set<GraphNode>();
    const stack: GraphNode[] = [start];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      if (target.has(n as Operation)) return true;
      const g = groupOf.get(n);
      const from = g === undefined ? [n] : [...g];
      for (const m of from) {
        seen.add(m);
        for (const c of readers.get(m)!) if (!seen.has(c)) stack.push(c);
      }
    }
    return false;
  };

  for (let r = order.length - 1; r >= 0; r--) {
    const root = order[r]!;
    if (groupOf.has(root) || !candidate(root)) continue;
    const members = new Set<Operation>([root]);
    groupOf.set(root, members);
    const rootShape = shape(root)!;
    const scalarGroup = isScalarShape(rootShape);
    // Producers are examined latest first, so that all their readers that may join already have.
    const frontier = new Set<Operation>();
    const push = (m: Operation): void => {
      for (const x of m.inputs) if (!groupOf.has(x) && candidate(x)) frontier.add(x);
    };
    push(root);
    while (frontier.size > 0) {
      let p: Operation | undefined;
      for (const f of frontier) if (p === undefined || position.get(f)! > position.get(p)!) p = f;
      frontier.delete(p!);
      const producer = p!;
      if (producer.dtype !== root.dtype) continue;
      const ps = shape(producer)!;
      const fits = isScalarShape(ps) || (!scalarGroup && ps.length === rootShape.length && sameStatic(ps, rootShape));
      if (!fits) continue;
      if (!readers.get(producer)!.every((c) => members.has(c as Operation) || !reaches(c, members))) continue;
      members.add(producer);
      groupOf.set(producer, members);
      push(producer);
    }
    // A relabelling op left alone is better as a view of its input (view.ts) than as a copying group.
    if (members.size === 1 && relabelsStatically(root, shape)) groupOf.delete(root);
  }

  const unitOf = new Map<GraphNode, Unit>();
  const units: Unit[] = [];
  const groups: FusionGroup[] = [];
  const made = new Map<Set<Operation>, FusionGroup>();
  for (const n of order) {
    const g = groupOf.get(n);
    if (g === undefined) {
      unitOf.set(n, n);
      units.push(n);
      continue;
    }
    let group = made.get(g);
    if (group === undefined) {
      const members = [...g].sort((a, b) => position.get(a)! - position.get(b)!);
      group = new FusionGroup(members, (m) => fetched.has(m) || m.def.writesVariable !== undefined || readers.get(m)!.some((c) => !g.has(c as Operation)));
      made.set(g, group);
      units.push(group);
      groups.push(group);
    }
    unitOf.set(n, group);
  }
  return { units, unitOf, groups };
}
