/**
 * The contract every op type fulfils, declared once per op in `src/ops/`. The graph uses `infer`
 * when a node is built; the session uses `infer` again on concrete shapes and runs `kernel`;
 * `gradients()` calls `gradient` to add gradient nodes.
 */
import type { DType, StaticShape } from "../tensor/index.js";
import type { Node, Operation } from "./node.js";

/** What inference sees of an input: its dtype and its (static or concrete) shape. */
export interface TensorSpec {
  dtype: DType;
  shape: StaticShape;
}

/**
 * Builds the gradient of an op as graph nodes: given the op and the gradient of its output, one
 * entry per input (null where no gradient flows).
 */
export type GradientFn<A> = (op: Operation<A>, dy: Node) => (Node | null)[];

export interface OpDef<A = Record<string, never>> {
  /** The TensorFlow op type name; also the base of node names and what exporters map. */
  readonly type: string;
  /**
   * Output dtype and shape from the inputs' and the attributes. Called with static shapes (where
   * dimensions may be `null`) when the node is built, and with concrete shapes when it runs. Throws
   * ShapeError/DTypeError; `name` is the node's name for the message.
   */
  readonly infer: (inputs: TensorSpec[], attrs: A, name: string) => TensorSpec;
  /**
   * The kernel, looked up by this name in the active backend: the op's type unless given (ops that
   * share another op's kernel, as ExpandDims runs Reshape's).
   */
  readonly kernel?: string;
  /**
   * The gradient builder, or an explicit "not differentiable" with the reason (integer outputs,
   * a piecewise-constant function, a state update).
   */
  readonly gradient: GradientFn<A> | { notDifferentiable: string };
  /**
   * For ops that update a variable (assign, assignAdd, ...): the index of the input that is the
   * variable. The session writes the op's output into that variable's storage after the run.
   */
  readonly writesVariable?: number;
  /**
   * For ops that broadcast inputs to the output's shape (numpy's rules, or MatMul's batch
   * dimensions): those inputs (true: all). Their gradient builder returns each such input's
   * gradient at the broadcast shape, and gradients() sums it back to the input's shape.
   */
  readonly broadcasts?: true | readonly number[];
  /**
   * For ops that compute each output element from the input elements at the same position (after
   * broadcasting): the scalar formula, so that the runtime may fuse chains of them into one pass.
   */
  readonly elementwise?: Elementwise<A>;
  /**
   * For ops that draw random numbers (attrs `seed` and `seed2`): the kernel gets, in its attributes
   * as `generator`, the op's random stream in the running session, which every run advances. Each
   * session starts the stream afresh from the seeds, as TensorFlow does.
   */
  readonly random?: true;
  /**
   * For ops whose output is input 0's elements in row-major order whenever it has as many elements
   * as input 0: reshapes always; a sum or a broadcast back to a shape when, for the shapes at hand,
   * there is nothing to sum or broadcast. Where static shapes say so, an optimizing plan gives the
   * output as a view of input 0's storage and runs no kernel (runtime/view.ts).
   */
  readonly relabels?: true;
  /**
   * For ops whose output depends on their inputs' shapes and dtypes only, never on their values
   * (onesLike, shape, size): where static shapes give every input's shape, an optimizing plan
   * computes the value once when it is compiled and needs no input computed (runtime/fold.ts).
   */
  readonly shapeOnly?: true;
  /**
   * For ops that do more than compute their value (a check that may fail the run): a plan runs
   * them wherever they are needed, even where only their shape is read (runtime/fold.ts).
   * Random ops (`random`) and variable updates (`writesVariable`) are taken as such too.
   */
  readonly effect?: true;
}

/** An op's elementwise formula, as the runtime's fusion reads it (see runtime/fusion.ts). */
export interface Elementwise<A> {
  /** The formula id, one of those the backends implement (backends/js/formulas.ts). */
  readonly formula: string;
  /** The inputs the formula takes, in order (default: all); the others give only their shape. */
  readonly args?: readonly number[];
  /** Constant parameters of the formula, from the attributes (LeakyRelu's alpha). */
  readonly params?: (attrs: A) => readonly number[];
  /**
   * The shape under which input `index` (of concrete shape `shape`) broadcasts to the output's
   * shape `out`, when it is not its own shape by numpy's rules; null when, for these shapes, the op
   * does not read it elementwise (SumToShape summing, a reshape across sizes).
   */
  readonly argShape?: (shape: readonly number[], index: number, out: readonly number[], attrs: A) => readonly number[] | null;
}
