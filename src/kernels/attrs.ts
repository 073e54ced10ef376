/**
 * The contract between op definitions and kernels: the attributes a kernel reads, beside its input
 * tensors and its output. An op (src/ops/) stores these on its nodes; a backend (src/backends/)
 * reads them when it runs the node's kernel. Both sides import them from here, so neither imports
 * the other: kernels know nothing of ops or graphs.
 *
 * Axes are as the op's user gave them (negative counts from the end); inference has checked them
 * against the input's rank before any kernel runs.
 */
import type { DType, Padding, RandomGenerator, TypedArray } from "../tensor/index.js";

/** An axis, for the ops that join or split along one (ConcatV2, Pack, Unpack). */
export interface AxisAttrs {
  axis: number;
}

/** The axis GatherV2 (and its gradient GatherGrad) picks along. */
export interface GatherAttrs {
  axis: number;
}

/** The axis ArgMax and ArgMin reduce. */
export interface ArgAttrs {
  axis: number;
}

/** The axis Softmax normalizes along. */
export interface SoftmaxAttrs {
  axis: number;
}

/** The class axis of LogSoftmax and the softmax cross-entropy (negative counts from the end). */
export interface ClassAxisAttrs {
  axis: number;
}

export interface ReduceAttrs {
  /** Axes to reduce (negative counts from the end); undefined reduces all. */
  axis?: number | readonly number[];
  keepDims: boolean;
}

export interface AxesAttrs {
  /** The axes of each group (negative counts from the end); undefined: all axes. */
  axis?: number | readonly number[];
}

export interface BroadcastLikeAttrs {
  /** When set, `x` is `like` reduced over these axes ("all" for every axis) ... */
  reducedAxis?: number | readonly number[] | "all";
  /** ... and, unless keepDims, the reduced axes were dropped and are put back as size 1. */
  keepDims?: boolean;
}

export interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  /**
   * Set by a plan when B is a variable or a constant (never by an op): the kernel may keep B in a
   * form of its own (the GEMM's packed panels) across runs while the operand says it is unchanged.
   */
  keptB?: KeptOperand;
}

/**
 * An operand that stays the same from run to run until it is written: a variable's value or a
 * constant. A plan holds one per operand it marks, and bumps `version` whenever the value may have
 * changed (a write to a variable, a restore); a kernel keeps whatever it derives from the operand
 * (packed weights) in `kept`, in storage from `allocate` (the plan's, so it belongs to the session
 * and goes back with it), and derives it again when the version or the operand's storage differs
 * from those it kept it for.
 */
export interface KeptOperand {
  version: number;
  allocate(floats: number): TypedArray;
  kept: KeptForm | undefined;
}

/** What a kernel keeps for a KeptOperand: the plan frees `storage` when it is disposed. */
export interface KeptForm {
  readonly storage: TypedArray;
}

/**
 * The kernels whose operand a plan may mark as kept, by kernel name: the input's index and the
 * attribute the KeptOperand goes in (B of a product, a convolution's filter).
 */
export const KEPT_OPERANDS: Readonly<Record<string, { readonly input: number; readonly attr: "keptB" | "keptFilter" }>> = {
  MatMul: { input: 1, attr: "keptB" },
  _FusedMatMul: { input: 1, attr: "keptB" },
  Conv2D: { input: 1, attr: "keptFilter" },
  _FusedConv2D: { input: 1, attr: "keptFilter" },
  _FusedConv2DMaxPool: { input: 1, attr: "keptFilter" },
};

/**
 * The fused dense layer, TensorFlow's _FusedMatMul: inputs [a, b, bias] (bias of op(B)'s n columns,
 * added to every row of the product), then the activation: one pass over the output, in the
 * GEMM's store. Made by a plan's fusion pass from MatMul → BiasAdd (→ Relu), never by an op.
 */
export interface FusedMatMulAttrs extends MatMulAttrs {
  /** The formula applied after the bias ("Relu"), or undefined for none. */
  activation: EpilogueActivation | undefined;
}

/**
 * The fused convolution, TensorFlow's _FusedConv2D: inputs [x, filter, bias] (bias of the output
 * channels), the convolution, + bias per channel, then the activation, in the GEMM's or Winograd's
 * store. Made by a plan's fusion pass from Conv2D → BiasAdd (→ Relu), never by an op.
 */
export interface FusedConv2DAttrs extends ConvWindowAttrs {
  activation: EpilogueActivation | undefined;
}

/**
 * The fused convolution whose result only a max pool reads: _FusedConv2D's inputs and attributes,
 * then MaxPool by `pool` over its result (the output has the pooled shape). Made by a plan's
 * fusion pass from Conv2D → BiasAdd (→ Relu) → MaxPool where nothing else reads the convolution's
 * result (inference: training keeps it for the pool's gradient), never by an op. A backend runs
 * it without writing the convolution's whole result to memory (the wasm backend: a few images at
 * a time through a stage that stays in cache).
 */
export interface FusedConv2DMaxPoolAttrs extends FusedConv2DAttrs {
  pool: PoolWindowAttrs;
}

/** The kernel a convolution's chain (EPILOGUE_BASES) becomes when a max pool alone reads its result, and the pool's kernel. */
export const EPILOGUE_POOL = { base: "_FusedConv2D", pool: "MaxPool", kernel: "_FusedConv2DMaxPool" } as const;

/** The activations a fused GEMM store applies (formula ids). */
export type EpilogueActivation = "Relu";
export const EPILOGUE_ACTIVATIONS: readonly EpilogueActivation[] = ["Relu"];

/**
 * The fused kernels a plan may run for a kernel followed by a bias add (and an activation), by the
 * first kernel's name: the fused kernel, and the rank of its operands and result.
 */
export const EPILOGUE_BASES: Readonly<Record<string, { readonly kernel: string; readonly rank: number }>> = {
  MatMul: { kernel: "_FusedMatMul", rank: 2 },
  Conv2D: { kernel: "_FusedConv2D", rank: 4 },
};

/**
 * What a fused kernel's bias add is: an op of formula `formula` over the result and a vector as
 * long as its last axis, or the kernel `kernel` (which reads its second input as that vector).
 */
export const EPILOGUE_BIAS = { formula: "Add", kernel: "BiasAdd" } as const;

export interface SliceAttrs {
  begin: readonly number[];
  /** Per axis how many elements to take; -1 takes the rest of the axis. */
  size: readonly number[];
}

export interface TransposeAttrs {
  /** Output axis i is input axis perm[i]; absent reverses the axes (TensorFlow's default). */
  perm?: readonly number[];
}

export interface PadAttrs {
  /** [before, after] for each axis. */
  paddings: readonly (readonly [number, number])[];
  /** PadV2's fill value (Pad fills with 0). */
  constantValue?: number;
  /** MirrorPad's mode. */
  mode?: "REFLECT" | "SYMMETRIC";
}

export interface OneHotAttrs {
  depth: number;
  onValue: number;
  offValue: number;
  /** Where the new axis of size depth goes: -1 (last) or 0..rank. */
  axis: number;
  dtype: DType;
}

export interface RangeAttrs {
  start: number;
  limit: number;
  delta: number;
  dtype: DType;
}

export interface DropoutMaskAttrs {
  /**
   * The mask's shape, when it is not x's: size-1 dimensions share one draw along them (dropping
   * whole channels, say); `null` entries take x's dimension.
   */
  noiseShape?: readonly (number | null)[];
  /**
   * The op's random stream, advanced by every run: each run draws a fresh mask, and the masks of
   * a graph built with the same seed repeat. Kernels get it through the attrs.
   */
  generator: RandomGenerator;
}

/** What a convolution kernel (Conv2D and its two gradients) reads of the op's window. */
export interface ConvWindowAttrs {
  /** [1, strideHeight, strideWidth, 1]. */
  readonly strides: readonly number[];
  /** [1, dilationHeight, dilationWidth, 1]. */
  readonly dilations: readonly number[];
  readonly padding: Padding;
  /** Set by a plan when the filter is a variable or a constant (a forward kernel may keep it transformed). */
  readonly keptFilter?: KeptOperand;
}

/** What a pooling kernel (MaxPool, AvgPool and their gradients) reads of the op's window. */
export interface PoolWindowAttrs {
  /** [1, windowHeight, windowWidth, 1]. */
  readonly ksize: readonly number[];
  /** [1, strideHeight, strideWidth, 1]. */
  readonly strides: readonly number[];
  readonly padding: Padding;
}

/** The random ops' attributes (RandomStandardNormal, TruncatedNormal, RandomUniform). */
export interface RandomAttrs {
  shape: readonly number[];
  dtype: DType;
  /** The graph-level and op-level seeds, as TensorFlow's attributes of these names. */
  seed: number;
  seed2: number;
}

/** What a random op's kernel receives: its attributes and the session's stream for the op (OpDef.random). */
export interface RandomKernelAttrs extends RandomAttrs {
  generator: RandomGenerator;
}

/** How many of the highest predictions InTopK looks among. */
export interface InTopKAttrs {
  k: number;
}

/** The message a CheckNumerics failure starts with. */
export interface CheckNumericsAttrs {
  message: string;
}
