/**
 * Reverse-mode differentiation that builds graph nodes, as TensorFlow 1.x's `tf.gradients`.
 *
 * Only nodes on a path from some x to some y take part. They are visited in reverse topological
 * order (reverse creation order), so every consumer of a node has contributed its share before the
 * node's own gradient is summed and pushed further back. This is what makes a node with consumers
 * at different depths, consumers that do not lead to y, and an op that uses one input twice come
 * out right.
 *
 * An op that broadcasts (OpDef.broadcasts) gives the gradients of its broadcast inputs at the
 * broadcast shape; they are summed back to each input's shape here, once for every such op.
 */
import { GraphNode, Node, Operation, type Graph } from "../graph/index.js";
import { add, toNode, onesLikeOrScalar, sumToShape, type NodeLike } from "../ops/index.js";
import { GradientError, formatShape, isFloatDType, staticCompatible } from "../tensor/index.js";

/**
 * Gradients of sum(ys) with respect to each of `xs`, as new nodes. `gradYs` weights each y (ones
 * by default). An x that no y depends on gets `null`.
 */
export function gradients(ys: Node | readonly Node[], xs: Node | readonly Node[], gradYs?: readonly (NodeLike | null | undefined)[]): (Node | null)[] {
  const yList = Array.isArray(ys) ? [...(ys as readonly Node[])] : [ys as Node];
  const xList = Array.isArray(xs) ? [...(xs as readonly Node[])] : [xs as Node];
  if (yList.length === 0) throw new GradientError("gradients() needs at least one y");
  const graph = yList[0]!.graph;
  for (const n of [...yList, ...xList]) {
    if (!(n instanceof Node)) throw new GradientError(`gradients() takes nodes with values, got ${String(n)}`);
    if (n.graph !== graph) throw new GradientError(`${n} belongs to another graph than ${yList[0]}`);
  }
  for (const y of yList) {
    if (!isFloatDType(y.dtype)) throw new GradientError(`only float tensors have gradients: ${y} has dtype ${y.dtype}`);
  }
  // One gradYs entry per y; a lone node is taken as a one-element list, as TensorFlow does.
  if (gradYs !== undefined && !Array.isArray(gradYs)) gradYs = [gradYs as unknown as NodeLike];
  if (gradYs !== undefined && gradYs.length !== yList.length) {
    throw new GradientError(`gradients() got ${gradYs.length} gradYs for ${yList.length} ys: pass one per y (null for ones)`);
  }
  const between = nodesBetween(xList, yList);
  const contributions = new Map<Node, Node[]>();
  const contribute = (n: Node, g: Node): void => {
    const list = contributions.get(n);
    if (list === undefined) contributions.set(n, [g]);
    else list.push(g);
  };

  return graph.nameScope("gradients", () => {
    yList.forEach((y, i) => {
      const given = gradYs?.[i];
      if (given === undefined || given === null) {
        contribute(y, onesLikeOrScalar(y));
        return;
      }
      // gradYs[i] stands for the gradient of y, so it must have y's dtype and shape (as TensorFlow
      // checks); a mismatch found later would surface deep inside some op's gradient instead.
      const gy = toNode(given, graph, y.dtype, "gradYs");
      if (gy.graph !== graph) throw new GradientError(`gradYs[${i}] ${gy} belongs to another graph than ${y}`);
      if (gy.dtype !== y.dtype) {
        throw new GradientError(`gradYs[${i}] has dtype ${gy.dtype}, but ${y} has dtype ${y.dtype}: the gradient of y must have y's dtype`);
      }
      if (!staticCompatible(gy.shape, y.shape)) {
        throw new GradientError(
          `gradYs[${i}] has shape ${formatShape(gy.shape)}, which does not match the shape ${formatShape(y.shape)} of ${y}`,
        );
      }
      contribute(y, gy);
    });
    const order = [...between].sort((a, b) => b.id - a.id);
    const total = new Map<Node, Node>();
    for (const node of order) {
      const parts = contributions.get(node);
      if (parts === undefined) continue;
      const dy = sum(parts);
      total.set(node, dy);
      if (node instanceof Operation) propagate(graph, node, dy, between, contribute);
    }
    return xList.map((x) => total.get(x) ?? null);
  });
}

/** Nodes that lie on a path from some x to some y (following value inputs, not control inputs). */
function nodesBetween(xs: readonly Node[], ys: readonly Node[]): Set<Node> {
  const fromX = new Set<Node>();
  const stack: GraphNode[] = [...xs];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (!(n instanceof Node) || fromX.has(n)) continue;
    fromX.add(n);
    for (const c of n.consumers) if (c.inputs.includes(n)) stack.push(c);
  }
  const between = new Set<Node>();
  const back: Node[] = ys.filter((y) => fromX.has(y));
  while (back.length > 0) {
    const n = back.pop()!;
    if (between.has(n)) continue;
    between.add(n);
    for (const input of n.inputs) if (fromX.has(input)) back.push(input);
  }
  return between;
}

function sum(parts: Node[]): Node {
  return parts.reduce((acc, g) => add(acc, g));
}

/**
 * Calls the op's gradient builder, sums the gradients of broadcast inputs back to their shapes, and
 * checks what it returns before passing it on.
 */
function propagate(graph: Graph, op: Operation, dy: Node, between: Set<Node>, contribute: (n: Node, g: Node) => void): void {
  const { gradient, broadcasts } = op.def;
  if (!(op.inputs.some((i) => between.has(i)))) return;
  if (typeof gradient !== "function") return; // not differentiable: no gradient flows through it
  const grads = graph.nameScope(`${op.name}_grad`, () => {
    const built = gradient(op, dy);
    if (built.length !== op.inputs.length) {
      throw new GradientError(`the gradient of ${op} returned ${built.length} gradients for ${op.inputs.length} inputs`);
    }
    const broadcast = (i: number): boolean => broadcasts === true || (broadcasts !== undefined && broadcasts.includes(i));
    return built.map((g, i) => (g !== null && between.has(op.inputs[i]!) && broadcast(i) ? sumToShape(g, op.inputs[i]!) : g));
  });
  grads.forEach((g, i) => {
    const input = op.inputs[i]!;
    if (g === null || !between.has(input)) return;
    if (g.dtype !== input.dtype) {
      throw new GradientError(`the gradient of ${op} for input ${i} ('${input.name}') has dtype ${g.dtype}, expected ${input.dtype}`);
    }
    if (!staticCompatible(g.shape, input.shape)) {
      throw new GradientError(
        `the gradient of ${op} for input ${i} ('${input.name}') has shape ${formatShape(g.shape)}, which does not match the input's shape ${formatShape(input.shape)}`,
      );
    }
    contribute(input, g);
  });
}
