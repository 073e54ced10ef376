/** The kernels module: everything works on caller-owned memory (pointers in bytes). */
export { gemm, gemmBatch, gemmFused, packWeights, packedWeightsFloats } from "./gemm";
export { binaryFlat, binaryStrided, unary } from "./dispatch.generated";
export { biasAdd } from "./elementwise";
export { sumRows, sumCols, softmax } from "./reduce";
export { conv2d, conv2dBackpropInput, conv2dBackpropFilter } from "./conv";
export { winogradFilter, winogradFilterFloats, winogradConv, winogradFilterGrad } from "./winograd";
export { winograd4Filter, winograd4Conv } from "./winograd4";
export { convMaxPool } from "./conv-pool";
export { convDirect } from "./conv-direct";
export { maxPool, maxPoolGrad, maxPoolGradGrad, avgPool, avgPoolGrad } from "./pooling";
export { sparseXent, softmaxXent, logSoftmax } from "./loss";
export { fused } from "./fused";
import { SCRATCH_BYTES } from "./gemm";
import { COLS_BYTES } from "./conv";
import { STAGE_BYTES } from "./conv-pool";

/** Bytes of per-thread scratch: the GEMM's pack buffers, a convolution's block (see conv.ts), then a pooled convolution's stage (conv-pool.ts). */
export function threadScratchBytes(): usize {
  return SCRATCH_BYTES + COLS_BYTES + STAGE_BYTES;
}

/** Bytes of a thread's stage for a pooled convolution's output. */
export function convStageBytes(): usize {
  return STAGE_BYTES;
}

/** Bytes of a thread's scratch after the GEMM's, for a convolution's block. */
export function convColsBytes(): usize {
  return COLS_BYTES;
}

/** End of the module's own static memory; callers allocate above it. */
export function heapBase(): usize {
  return __heap_base;
}
