/**
 * The wasm backend: AssemblyScript SIMD kernels (assembly/) over one WebAssembly.Memory.
 *
 * Memory (see heap.ts): with a shared memory, `allocate` places float32 tensors in wasm memory,
 * so a kernel reads the outputs of earlier kernels in place and writes its own result in place;
 * only operands from outside (feeds, variables, constants: ordinary typed arrays) are copied in,
 * into per-call staging that is reused, so a steady-state run allocates nothing. Other dtypes, and
 * everything when the memory cannot be shared (browsers without cross-origin isolation), use
 * ordinary JS arrays and go through staging. Blocks are freed by `free` or, as a safety net, when
 * the array `allocate` returned is garbage-collected (a Session dropped without close()).
 *
 * Kernels: the elementwise SIMD loops of simd-ops.ts and the table below run in wasm; those take
 * float32 and hand other dtypes to the JS kernel of the same name. Every kernel not listed (copies,
 * fills, int32/float64-only ops, and any op added later until it gets a wasm kernel) is the JS
 * reference kernel, found through the prototype of the table. Adding a wasm kernel is one function
 * and one line here; an elementwise one is a class in assembly/elementwise.ts and a line in simd-ops.ts.
 */
import { allocate as allocateJs, type DType, type Tensor, type TypedArray } from "../../tensor/index.js";
import type { Backend, Kernel } from "../backend.js";
import { jsBackend } from "../js/index.js";
import type { WasmContext } from "./context.js";
import { biasAddKernel, binaryKernel, broadcastLikeKernel, unaryKernel } from "./elementwise.js";
import { wasmFused } from "./fused.js";
import { matmulKernel } from "./matmul.js";
import { initThreads, ThreadPool } from "./threads.js";
import { loadThreadHost } from "./platform.js";
import { biasAddGradKernel, meanKernel, softmaxKernel, sumKernel, sumToShapeKernel } from "./reduce.js";
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel, conv2dKernel, conv2dMaxPoolKernel, type TemporaryMemory } from "./conv.js";
import { avgPoolGradKernel, avgPoolKernel, maxPoolGradGradKernel, maxPoolGradKernel, maxPoolKernel } from "./pooling.js";
import { logSoftmaxKernel, softmaxXentKernel, sparseXentKernel } from "./loss.js";
import { loadRuntime, type KernelVariant, type WasmRuntime } from "./runtime.js";
import { SIMD_BINARY, SIMD_UNARY } from "./simd-ops.js";
import { TensorMemory } from "./tensor-memory.js";
import type { MemoryOwner } from "../owners.js";

export interface WasmBackend extends Backend {
  /** The wasm kernels themselves at every size (`kernels` hands small operands to JS kernels): for tests. */
  readonly simdKernels: Readonly<Record<string, Kernel>>;
  /** Whether tensors live in a shared memory (else JS arrays are staged through wasm memory per call). */
  readonly sharedMemory: boolean;
  /**
   * Which kernels binary runs: "relaxed-simd" where the engine has relaxed SIMD (Chrome 114+,
   * Node 22+, Node 20 with --experimental-wasm-relaxed-simd), whose GEMM uses fused multiply-adds
   * where the CPU has them, else "simd". Results of the two differ in the last bits of sums.
   */
  readonly kernelVariant: KernelVariant;
  /**
   * Bytes of wasm memory in use and in total (a steady-state run changes neither); bytes taken back
   * from sessions found unreachable when memory ran short, and bytes of tensors placed in JS memory
   * because wasm memory was full (tensor-memory.ts).
   */
  memoryStats(): { usedBytes: number; totalBytes: number; reclaimedBytes: number; fallbackBytes: number };
  /** Threads a large kernel uses now, workers started, and kernel calls that ran on several threads. */
  threadStats(): { threads: number; workers: number; parallelCalls: number };
}

/** A kernel per elementwise SIMD loop that is a formula, under the formula's id (the kernel name of the op of that type). */
function elementwiseKernels(ctx: WasmContext): Record<string, Kernel> {
  const kernels: Record<string, Kernel> = {};
  SIMD_UNARY.forEach((op, code) => {
    if (op.internal !== true) kernels[op.id] = unaryKernel(ctx, code, op.computeBound === true);
  });
  SIMD_BINARY.forEach((op, code) => {
    if (op.internal !== true) kernels[op.id] = binaryKernel(ctx, code);
  });
  return kernels;
}

function wasmKernels(ctx: WasmContext, js: Readonly<Record<string, Kernel>>, temporary: TemporaryMemory): Record<string, Kernel> {
  const fusedConv = conv2dKernel(ctx, js._FusedConv2D!, true);
  const maxPool = maxPoolKernel(ctx);
  return {
    ...elementwiseKernels(ctx),
    BiasAdd: biasAddKernel(ctx),
    BiasAddGrad: biasAddGradKernel(ctx, js.BiasAddGrad!),
    Softmax: softmaxKernel(ctx),
    MatMul: matmulKernel(ctx),
    _FusedMatMul: matmulKernel(ctx, true),
    Sum: sumKernel(ctx, js.Sum!),
    Mean: meanKernel(ctx, js.Mean!),
    SumToShape: sumToShapeKernel(ctx, js.SumToShape!),
    BroadcastLike: broadcastLikeKernel(ctx),
    Conv2D: conv2dKernel(ctx, js.Conv2D!),
    _FusedConv2D: fusedConv,
    _FusedConv2DMaxPool: conv2dMaxPoolKernel(ctx, js._FusedConv2DMaxPool!, fusedConv, maxPool, temporary),
    Conv2DBackpropInput: conv2dBackpropInputKernel(ctx, js.Conv2DBackpropInput!),
    Conv2DBackpropFilter: conv2dBackpropFilterKernel(ctx, js.Conv2DBackpropFilter!),
    MaxPool: maxPool,
    MaxPoolGrad: maxPoolGradKernel(ctx),
    MaxPoolGradGrad: maxPoolGradGradKernel(ctx),
    AvgPool: avgPoolKernel(ctx),
    AvgPoolGrad: avgPoolGradKernel(ctx),
    LogSoftmax: logSoftmaxKernel(ctx, js.LogSoftmax!),
    SoftmaxCrossEntropyWithLogits: softmaxXentKernel(ctx, js.SoftmaxCrossEntropyWithLogits!),
  };
}

/** Kernels whose operands are not all float32 (int32 labels): each checks dtypes itself. */
function mixedDtypeKernels(ctx: WasmContext, js: Readonly<Record<string, Kernel>>): Record<string, Kernel> {
  return {
    SparseSoftmaxCrossEntropyWithLogits: sparseXentKernel(ctx, js.SparseSoftmaxCrossEntropyWithLogits!, false),
    SparseSoftmaxCrossEntropyBackprop: sparseXentKernel(ctx, js.SparseSoftmaxCrossEntropyBackprop!, true),
  };
}

/**
 * Below these sizes a JS kernel's loop costs less than a wasm call with its argument and staging
 * set-up (about a microsecond): elements of the largest operand, or multiply-adds for MatMul. The
 * JS kernels write the outputs in place: in wasm memory those are ordinary Float32Array views.
 */
export const JS_BELOW = { elements: 256, multiplyAdds: 4096 } as const;

/** The wasm kernel for float32 operands and result, the JS kernel for any other dtype. */
function float32Only(wasm: Kernel, js: Kernel): Kernel {
  return (inputs, out, attrs) => {
    let f32 = out.dtype === "float32";
    for (let i = 0; f32 && i < inputs.length; i++) f32 = (inputs[i] as Tensor).dtype === "float32";
    (f32 ? wasm : js)(inputs, out, attrs);
  };
}

/**
 * The wasm kernel for float32 operands and result of some size, the JS kernel for small ones and
 * for any other dtype.
 */
function routed(wasm: Kernel, js: Kernel, matmul: boolean): Kernel {
  return (inputs, out, attrs) => {
    let f32 = out.dtype === "float32";
    let size = out.size;
    for (let i = 0; f32 && i < inputs.length; i++) {
      const x = inputs[i] as Tensor;
      f32 = x.dtype === "float32";
      if (x.size > size) size = x.size;
    }
    // A MatMul's work: each element of A meets a row of B's n columns.
    const small = matmul ? inputs[0]!.size * (out.shape[out.rank - 1] ?? 1) < JS_BELOW.multiplyAdds : size < JS_BELOW.elements;
    (f32 && !small ? wasm : js)(inputs, out, attrs);
  };
}

export function createWasmBackend(rt: WasmRuntime): WasmBackend {
  const pool = new ThreadPool(rt);
  const ctx: WasmContext = { rt, pool };
  const js = jsBackend.kernels;
  const kernels = Object.create(js) as Record<string, Kernel>;
  const simd: Record<string, Kernel> = {};
  const tensors = new TensorMemory(rt.heap, rt.maxBytes);
  // A temporary in wasm memory where tensors live there (a shared memory's views never detach).
  const temporary: TemporaryMemory = rt.shared ? { allocate: (size) => tensors.allocate(size, undefined), free: (data) => tensors.free(data) } : { allocate: (size) => new Float32Array(size), free: () => {} };
  for (const [name, kernel] of Object.entries(wasmKernels(ctx, js, temporary))) {
    if (js[name] === undefined) throw new Error(`wasm kernel '${name}' has no JS reference kernel`);
    kernels[name] = routed(kernel, js[name]!, name === "MatMul" || name === "_FusedMatMul");
    simd[name] = float32Only(kernel, js[name]!);
  }
  // These check their operands' dtypes themselves (int32 labels beside float32 logits).
  for (const [name, kernel] of Object.entries(mixedDtypeKernels(ctx, js))) {
    if (js[name] === undefined) throw new Error(`wasm kernel '${name}' has no JS reference kernel`);
    kernels[name] = kernel;
    simd[name] = kernel;
  }
  return {
    name: "wasm",
    kernels,
    simdKernels: simd,
    fused: wasmFused(ctx, jsBackend.fused!),
    sharedMemory: rt.shared,
    kernelVariant: rt.variant,
    allocate(dtype: DType, size: number, owner?: MemoryOwner): TypedArray {
      if (dtype !== "float32" || !rt.shared) return allocateJs(dtype, size);
      return tensors.allocate(size, owner);
    },
    free(data: TypedArray): void {
      if (data instanceof Float32Array) tensors.free(data);
    },
    memoryStats: () => ({ usedBytes: rt.heap.usedBytes, totalBytes: rt.heap.byteLength, reclaimedBytes: tensors.reclaimedBytes, fallbackBytes: tensors.fallbackBytes }),
    threadStats: () => ({ threads: pool.threads, workers: pool.workerCount, parallelCalls: pool.parallelCalls }),
  };
}

const runtime = loadRuntime();
initThreads(loadThreadHost());

/** The wasm backend, or undefined where WebAssembly SIMD is not available. */
export const wasmBackend: WasmBackend | undefined = runtime === null ? undefined : createWasmBackend(runtime);
export { getNumThreads, setNumThreads } from "./threads.js";
