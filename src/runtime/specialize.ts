/**
 * Shape specialization: the static shapes of a plan's nodes once the fed values' concrete shapes
 * are known. A graph built on `placeholder()` with no shape knows no shape downstream of it, so
 * the compile passes that go by static shapes (grouping for fusion, fusion.ts) can do nothing; a
 * plan (plan.ts) compiles a variant with the shapes inferred here from the shapes it is fed, and
 * runs it while the fed shapes stay the same.
 *
 * Sound as the graph's own inference is: each op's `infer` runs on its inputs' static shapes, now
 * known further, and a dimension it cannot tell stays unknown (a value-dependent shape, such as a
 * reshape to a fed shape). Where the graph knew a dimension that inference from the fed shapes
 * does not (an op built with more information), the graph's is kept.
 */
import { Operation, type GraphNode, type Node } from "../graph/index.js";
import { isFullyKnown, type StaticShape } from "../tensor/index.js";

/**
 * The static shape of every needed node with a value (`order`, topological, as compile.ts's
 * neededNodes) when the fed nodes have the shapes `fed`; undefined when inference refuses them
 * (incompatible shapes: the generic plan runs and reports the error naming the op).
 */
export function specializedShapes(order: readonly GraphNode[], fed: ReadonlyMap<Node, readonly number[]>): Map<Node, StaticShape> | undefined {
  const shapes = new Map<Node, StaticShape>();
  const shapeOf = (n: Node): StaticShape => (shapes.has(n) ? shapes.get(n)! : n.shape);
  for (const node of order) {
    if (!node.hasOutput) continue;
    const n = node as Node;
    const given = fed.get(n);
    if (given !== undefined) {
      shapes.set(n, [...given]);
      continue;
    }
    if (!(n instanceof Operation) || isFullyKnown(n.shape)) continue;
    let inferred: StaticShape;
    try {
      inferred = n.def.infer(
        n.inputs.map((x) => ({ dtype: x.dtype, shape: shapeOf(x) })),
        n.attrs,
        n.name,
      ).shape;
    } catch {
      return undefined;
    }
    shapes.set(n, meet(inferred, n.shape));
  }
  return shapes;
}

/** `inferred`, with the dimensions it leaves unknown taken from `graph` where that knows them. */
function meet(inferred: StaticShape, graph: StaticShape): StaticShape {
  if (inferred === null) return graph === null ? null : [...graph];
  if (graph === null || graph.length !== inferred.length) return inferred;
  return inferred.map((d, i) => d ?? graph[i]!);
}

/** Whether `shapes` knows more than the graph does about any node (else specializing gains nothing). */
export function knowsMore(shapes: ReadonlyMap<Node, StaticShape>): boolean {
  for (const [n, s] of shapes) {
    const g = n.shape;
    if (s === null) continue;
    if (g === null) return true;
    for (let i = 0; i < s.length; i++) if (g[i] === null && s[i] !== null) return true;
  }
  return false;
}
