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
 *
 * Shape stand-ins: a value whose every reader reads only its shape (an elementwise op's inputs
 * outside its formula: the `like` of a BroadcastLike or SumToShape, which gradients() builds on
 * the forward values) is not computed either where its static shape is known; a constant of that
 * shape stands in for it (zeros; the stand-ins of one dtype share one array). A training step then
 * no longer computes the loss only to read its shape. Ops with effects (`effect`, `random`,
 * `writesVariable`) are always computed.
 */
import { Operation, type GraphNode, type Node } from "../graph/index.js";
import { Tensor, allocate, isFullyKnown, sizeOf, type DType, type StaticShape } from "../tensor/index.js";
import type { Backend } from "../backends/backend.js";
import { formulaArgs } from "./fusion.js";
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

/** Whether `reader` reads only the shape of its input `x` (every input position holding x is outside its formula). */
function readsShapeOnly(reader: GraphNode, x: Node): boolean {
  if (!(reader instanceof Operation) || reader.def.elementwise === undefined || reader.controlInputs.includes(x)) return false;
  const args = formulaArgs(reader);
  return reader.inputs.every((input, i) => input !== x || !args.includes(i));
}

/**
 * The needed nodes (`order`, with `leaves` fed or folded) whose value no needed node reads, only
 * their shape, and whose static shape `shapeOf` knows, each with a stand-in of that shape. Once
 * stand-ins are leaves, their inputs may be read only for their shapes in turn: `neededFor` gives
 * the order again for more leaves, until no new stand-in appears.
 */
export function shapeStandIns(
  order: readonly GraphNode[],
  fetched: ReadonlySet<GraphNode>,
  leaves: ReadonlySet<Node>,
  shapeOf: (n: Node) => StaticShape,
  neededFor: (leaves: ReadonlySet<Node>) => GraphNode[],
): Map<Node, Tensor> {
  const chosen = new Map<Node, number[]>();
  let current: ReadonlySet<Node> = leaves;
  for (;;) {
    const readers = new Map<GraphNode, GraphNode[]>();
    for (const n of order) {
      if (current.has(n as Node)) continue;
      for (const x of [...n.inputs, ...n.controlInputs]) {
        if (!readers.has(x)) readers.set(x, []);
        readers.get(x)!.push(n);
      }
    }
    let added = false;
    for (const n of order) {
      if (!(n instanceof Operation) || current.has(n) || fetched.has(n)) continue;
      const def = n.def;
      if (def.effect === true || def.random === true || def.writesVariable !== undefined) continue;
      const shape = shapeOf(n);
      const by = readers.get(n);
      if (!isFullyKnown(shape) || by === undefined || !by.every((r) => readsShapeOnly(r, n))) continue;
      chosen.set(n, shape);
      added = true;
    }
    if (!added) break;
    current = new Set([...current, ...chosen.keys()]);
    order = neededFor(current);
  }
  // One array of zeros per dtype, as large as the largest stand-in; each stand-in views its start.
  const largest = new Map<DType, number>();
  for (const [n, shape] of chosen) largest.set(n.dtype, Math.max(largest.get(n.dtype) ?? 0, sizeOf(shape)));
  const storage = new Map<DType, ReturnType<typeof allocate>>();
  for (const [dtype, size] of largest) storage.set(dtype, allocate(dtype, size));
  const standIns = new Map<Node, Tensor>();
  for (const [n, shape] of chosen) standIns.set(n, new Tensor(shape, n.dtype, storage.get(n.dtype)!.subarray(0, sizeOf(shape))));
  return standIns;
}
