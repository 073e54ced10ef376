/**
 * Epilogue fusion, a pass of the plan's fusion: a MatMul or Conv2D whose result only a bias add
 * reads, and optionally that sum only a Relu, runs as one kernel (_FusedMatMul, _FusedConv2D:
 * TensorFlow's fused dense layer and convolution) that adds the bias and applies the activation as
 * the GEMM (or Winograd) stores its result, instead of that pass and an elementwise pass over the
 * output. The ops know nothing of it: the pass reads their types and formulas, and runs only where
 * the backend has the fused kernel.
 *
 * A chain is fused when its inner values (the product, the sum before the activation) are read by
 * nothing else: not fetched, not fed, not read by another op or as a control input. The chain's
 * last op then gives the value, computed from the product's operands and the bias; the inner ops
 * have no step. A convolution's chain whose value only a MaxPool reads takes the pool in too
 * (_FusedConv2DMaxPool, where the backend has it): the convolution's result then never exists
 * whole. In training it does not happen: the pool's gradient reads that result. A bias add without a fusable activation is left to the elementwise pass when an
 * elementwise op reads the sum (a sigmoid after it: one fused pass either way).
 */
import { Operation, type GraphNode, type Node } from "../graph/index.js";
import { EPILOGUE_ACTIVATIONS, EPILOGUE_BASES, EPILOGUE_BIAS, EPILOGUE_POOL, type EpilogueActivation, type PoolWindowAttrs } from "../kernels/attrs.js";
import type { StaticShape } from "../tensor/index.js";
import type { Backend } from "../backends/backend.js";

export interface EpilogueChain {
  /** The product or convolution, and the kernel of the whole chain. */
  readonly base: Operation;
  readonly kernel: string;
  /** The bias add, the activation after it (if fused), and the max pool after those (if fused). */
  readonly add: Operation;
  readonly activation: Operation | undefined;
  readonly pool: Operation | undefined;
  /** The op whose value the chain gives: the pool, else the activation, else the add. */
  readonly output: Operation;
  /** The chain's inputs: the base op's two and the bias. */
  readonly inputs: readonly [Node, Node, Node];
  /** The base op's attributes, the activation, and the pool's window (with a pool). */
  readonly attrs: object & { readonly activation: EpilogueActivation | undefined; readonly pool?: PoolWindowAttrs };
}

/** The chains found: by their output op, and each inner op's chain output (inner ops get no step). */
export interface Epilogues {
  readonly byOutput: ReadonlyMap<GraphNode, EpilogueChain>;
  readonly inner: ReadonlyMap<GraphNode, Operation>;
}

export const NO_EPILOGUES: Epilogues = { byOutput: new Map(), inner: new Map() };

/** Whether `n` is an op of a chain (the elementwise ops among them must not join fusion groups). */
export function inChain(e: Epilogues, n: GraphNode): boolean {
  return e.byOutput.has(n) || e.inner.has(n);
}

/**
 * `readers` (readersOf) with each inner op of a chain replaced by the chain's output, the op whose
 * step reads the chain's inputs: what in-place selection must order before a variable's update.
 */
export function chainReaders(readers: ReadonlyMap<GraphNode, readonly Node[]>, e: Epilogues): ReadonlyMap<GraphNode, readonly Node[]> {
  if (e.inner.size === 0) return readers;
  const out = new Map<GraphNode, readonly Node[]>();
  for (const [n, list] of readers) out.set(n, [...new Set(list.map((r) => e.inner.get(r) ?? r))]);
  return out;
}

type ShapeOf = (n: Node) => StaticShape;

const ofRank = (shapeOf: ShapeOf, n: Node, rank: number): boolean => {
  const s = shapeOf(n);
  return s !== null && s.length === rank;
};

/** The bias a bias add reads beside `product` (BiasAdd, or Add of a vector as long as the last axis), or undefined. */
function biasOf(add: Operation, product: Operation, shapeOf: ShapeOf): Node | undefined {
  if (add.def.elementwise?.formula !== EPILOGUE_BIAS.formula || add.inputs.length !== 2 || add.dtype !== product.dtype) return undefined;
  const shape = shapeOf(product)!;
  const n = shape[shape.length - 1];
  if ((add.def.kernel ?? add.def.type) === EPILOGUE_BIAS.kernel) return add.inputs[0] === product ? add.inputs[1] : undefined;
  const other = add.inputs[0] === product ? add.inputs[1]! : add.inputs[1] === product ? add.inputs[0]! : undefined;
  if (other === undefined || other === product || other.dtype !== product.dtype) return undefined;
  const b = shapeOf(other);
  return b !== null && b.length === 1 && typeof n === "number" && b[0] === n ? other : undefined;
}

/**
 * The epilogue chains among the needed nodes `order` (topological), for `backend`; `shapeOf` gives
 * the static shapes to judge by (a plan specialized to fed shapes knows more than the graph).
 */
export function findEpilogues(order: readonly GraphNode[], fetched: ReadonlySet<GraphNode>, fed: ReadonlySet<Node>, backend: Backend, shapeOf: ShapeOf = (n) => n.shape): Epilogues {
  const readers = new Map<GraphNode, GraphNode[]>();
  for (const n of order) {
    if (fed.has(n as Node)) continue;
    for (const x of new Set([...n.inputs, ...n.controlInputs])) {
      let list = readers.get(x);
      if (list === undefined) readers.set(x, (list = []));
      list.push(n);
    }
  }
  /** The op that alone reads `n`'s value, when nothing else needs it. */
  const soleReader = (n: Operation): Operation | undefined => {
    const r = readers.get(n);
    if (r === undefined || r.length !== 1 || fetched.has(n) || fed.has(n)) return undefined;
    const reader = r[0]!;
    return reader instanceof Operation && !fed.has(reader) && !reader.controlInputs.includes(n) ? reader : undefined;
  };
  const byOutput = new Map<GraphNode, EpilogueChain>();
  const inner = new Map<GraphNode, Operation>();
  for (const base of order) {
    if (!(base instanceof Operation) || fed.has(base)) continue;
    const baseKernel = base.def.kernel ?? base.def.type;
    if (!Object.hasOwn(EPILOGUE_BASES, baseKernel)) continue;
    const { kernel, rank } = EPILOGUE_BASES[baseKernel]!;
    if (backend.kernels[kernel] === undefined || (base.dtype !== "float32" && base.dtype !== "float64")) continue;
    if (base.inputs.length !== 2 || !ofRank(shapeOf, base.inputs[0]!, rank) || !ofRank(shapeOf, base.inputs[1]!, rank) || !ofRank(shapeOf, base, rank)) continue;
    const add = soleReader(base);
    const bias = add === undefined ? undefined : biasOf(add, base, shapeOf);
    if (add === undefined || bias === undefined) continue;
    let activation: Operation | undefined = soleReader(add);
    const formula = activation?.def.elementwise?.formula;
    if (activation !== undefined && (activation.inputs.length !== 1 || activation.dtype !== add.dtype || !EPILOGUE_ACTIVATIONS.includes(formula as EpilogueActivation))) activation = undefined;
    // A sum that an elementwise op reads joins that op's fused pass at no cost: the store saves
    // a pass only where the sum would otherwise be one of its own.
    if (activation === undefined && (readers.get(add) ?? []).some((r) => r instanceof Operation && r.def.elementwise !== undefined)) continue;
    const last = activation ?? add;
    let pool: Operation | undefined = kernel === EPILOGUE_POOL.base && backend.kernels[EPILOGUE_POOL.kernel] !== undefined ? soleReader(last) : undefined;
    if (pool !== undefined && ((pool.def.kernel ?? pool.def.type) !== EPILOGUE_POOL.pool || pool.inputs.length !== 1 || pool.dtype !== last.dtype || !ofRank(shapeOf, pool, rank))) pool = undefined;
    const output = pool ?? last;
    const activationAttr = activation === undefined ? undefined : (formula as EpilogueActivation);
    const attrs = pool === undefined ? { ...(base.attrs as object), activation: activationAttr } : { ...(base.attrs as object), activation: activationAttr, pool: pool.attrs as PoolWindowAttrs };
    byOutput.set(output, { base, kernel: pool === undefined ? kernel : EPILOGUE_POOL.kernel, add, activation, pool, output, inputs: [base.inputs[0]!, base.inputs[1]!, bias], attrs });
    inner.set(base, output);
    if (output !== add) inner.set(add, output);
    if (activation !== undefined && output !== activation) inner.set(activation, output);
  }
  return { byOutput, inner };
}
