/**
 * In-place selection: which fused variable updates write the variable's own storage.
 *
 * Updates land after every read of a run: normally an update's value goes to a plan buffer and
 * is copied into the variable once the run is over. A fused update may instead write the
 * variable's storage directly (saving the buffer and the copy: for an optimizer, one weight-sized
 * buffer and one pass over the weights per variable) when every other unit that reads the
 * variable can run before the group. This pass decides that for each such output and adds the
 * constraints "each other reader runs first" to the unit graph.
 *
 * It refuses when a reader must run after the group (it reads the update's value too), and when
 * the variable is fetched (its value is copied out after the run, when it must still hold the old
 * value). Only fused updates are candidates: grouping already fuses an update only when it is the
 * sole update of its variable in the run and the variable is not fed.
 */
import type { GraphNode, Node } from "../graph/index.js";
import type { FusionGroup } from "./fusion-group.js";
import type { Unit, UnitGraph } from "./unit-graph.js";

/** A group output that writes its variable in place. */
export interface InPlaceWrite {
  /** The output's index in `group.outputs`. */
  readonly output: number;
  /** The variable's index in `group.inputs` (whose storage the output is written into). */
  readonly input: number;
}

/** Per group, its outputs written in place (groups without any are absent). */
export type InPlaceWrites = ReadonlyMap<FusionGroup, readonly InPlaceWrite[]>;

/**
 * Decides, group by group in the order given, which variable updates are made in place, and adds
 * to `graph` the ordering that makes them safe (later decisions see the constraints earlier ones
 * added). `readers` is readersOf(order, fed); `unitOf` gives each needed node's unit.
 */
export function selectInPlace(
  groups: readonly FusionGroup[],
  graph: UnitGraph,
  unitOf: ReadonlyMap<GraphNode, Unit>,
  readers: ReadonlyMap<GraphNode, readonly Node[]>,
  fetched: ReadonlySet<GraphNode>,
): InPlaceWrites {
  const writes = new Map<FusionGroup, InPlaceWrite[]>();
  for (const g of groups) {
    g.outputs.forEach((_, output) => {
      const v = g.variableOf(output);
      if (v === undefined || fetched.has(v)) return;
      const others = new Set<Unit>();
      for (const c of readers.get(v)!) {
        const r = unitOf.get(c);
        if (r !== undefined && r !== g) others.add(r);
      }
      if ([...others].some((r) => graph.reaches(g, r))) return;
      for (const r of others) graph.addEdge(r, g);
      const list = writes.get(g) ?? [];
      list.push(Object.freeze({ output, input: g.inputs.indexOf(v) }));
      writes.set(g, list);
    });
  }
  for (const list of writes.values()) Object.freeze(list);
  return writes;
}
