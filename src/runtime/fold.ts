/**
 * Folding: an op whose value depends on its inputs' shapes and dtypes only (OpDef.shapeOnly:
 * onesLike, zerosLike, shape, size, rank, the size ratio of a mean's gradient) is computed once,
 * when the plan is compiled, wherever static shapes give the shapes of all its inputs; the plan
 * then places that value as a constant and computes none of the inputs for it. A gradient built on
 * `placeholder()` starts from onesLike(loss), the loss's shape being unknown when it is built; in a
 * variant specialized on fed shapes (specialize.ts) it is a known constant, and a training step
 * no longer computes the loss it does not fetch.
 *
 * The kernel runs as at run time, on inputs of the known shapes whose values it does not read
 * (zeros, allocated for the call).
 */
import { Operation, type GraphNode, type Node } from "../graph/index.js";
import { Tensor, isFullyKnown, type StaticShape } from "../tensor/index.js";
import type { Backend } from "../backends/backend.js";
import { kernelOf, runKernel } from "./step.js";

/** The values of the shape-only ops among `order` (not fed) whose input and output shapes `shapeOf` knows. */
export function foldShapeOnly(order: readonly GraphNode[], fed: ReadonlySet<Node>, shapeOf: (n: Node) => StaticShape, backend: Backend): Map<Node, Tensor> {
  const folded = new Map<Node, Tensor>();
  for (const n of order) {
    if (!(n instanceof Operation) || n.def.shapeOnly !== true || fed.has(n)) continue;
    const shape = shapeOf(n);
    const inputShapes = n.inputs.map(shapeOf);
    if (!isFullyKnown(shape) || !inputShapes.every(isFullyKnown)) continue;
    const inputs = n.inputs.map((x, i) => new Tensor(inputShapes[i] as number[], x.dtype));
    const value = new Tensor(shape, n.dtype);
    runKernel(kernelOf(backend, n), inputs, value, n);
    folded.set(n, value);
  }
  return folded;
}
