/**
 * The units of a plan (single nodes and fusion groups) as a dependency graph, and the order the
 * plan runs them in. Grouping (fusion.ts) decides the units; in-place selection (in-place.ts) adds
 * ordering constraints; `order` then lists the units so that every constraint holds, keeping the
 * graph's own order wherever the constraints allow.
 */
import { Node, type GraphNode } from "../graph/index.js";
import { FusionGroup } from "./fusion-group.js";

/** A unit of execution: one node, or a group of fused ops. */
export type Unit = GraphNode | FusionGroup;

/**
 * Per needed node: the needed nodes that read its value. A Group only orders its members and
 * reads no value; a fed node reads nothing (its inputs are not computed).
 */
export function readersOf(order: readonly GraphNode[], fed: ReadonlySet<Node>): Map<GraphNode, Node[]> {
  const readers = new Map<GraphNode, Node[]>(order.map((n) => [n, []]));
  for (const n of order) {
    if (n instanceof Node && !fed.has(n)) for (const x of new Set(n.inputs)) readers.get(x)!.push(n);
  }
  return readers;
}

function nodesOf(u: Unit): readonly GraphNode[] {
  return u instanceof FusionGroup ? u.members : [u];
}

export class UnitGraph {
  /** Per unit, the units that must run after it. */
  private readonly next = new Map<Unit, Unit[]>();
  /** Per unit, how many units must run before it. */
  private readonly before = new Map<Unit, number>();

  /** The units' data and control dependencies; `unitOf` gives each needed node's unit. */
  constructor(
    readonly units: readonly Unit[],
    unitOf: ReadonlyMap<GraphNode, Unit>,
    fed: ReadonlySet<Node>,
  ) {
    for (const u of units) this.next.set(u, []);
    for (const u of units) {
      const deps = new Set<Unit>();
      for (const n of nodesOf(u)) {
        // A fed node is a leaf: its inputs are not computed at all.
        if (fed.has(n as Node)) continue;
        for (const x of [...n.inputs, ...n.controlInputs]) {
          const d = unitOf.get(x);
          if (d !== undefined && d !== u) deps.add(d);
        }
      }
      for (const d of deps) this.next.get(d)!.push(u);
      this.before.set(u, deps.size);
    }
  }

  /** Requires `first` to run before `then` (nothing when it already must). */
  addEdge(first: Unit, then: Unit): void {
    const after = this.next.get(first)!;
    if (after.includes(then)) return;
    after.push(then);
    this.before.set(then, this.before.get(then)! + 1);
  }

  /** Whether `to` must run after `from` (through any chain of constraints). */
  reaches(from: Unit, to: Unit): boolean {
    const seen = new Set<Unit>();
    const stack = [from];
    while (stack.length > 0) {
      const u = stack.pop()!;
      if (u === to) return true;
      if (seen.has(u)) continue;
      seen.add(u);
      stack.push(...this.next.get(u)!);
    }
    return false;
  }

  /**
   * Kahn's algorithm, taking among the ready units the one of smallest `key` (a unit's position
   * in the graph's order), so that the result is the graph's order wherever constraints allow.
   */
  order(key: (u: Unit) => number): Unit[] {
    const before = new Map(this.before);
    const ready = this.units.filter((u) => before.get(u) === 0);
    const out: Unit[] = [];
    while (ready.length > 0) {
      let best = 0;
      for (let i = 1; i < ready.length; i++) if (key(ready[i]!) < key(ready[best]!)) best = i;
      const u = ready.splice(best, 1)[0]!;
      out.push(u);
      for (const v of this.next.get(u)!) {
        const d = before.get(v)! - 1;
        before.set(v, d);
        if (d === 0) ready.push(v);
      }
    }
    if (out.length !== this.units.length) throw new Error("fusion: the fused steps would depend on each other in a cycle");
    return out;
  }
}
