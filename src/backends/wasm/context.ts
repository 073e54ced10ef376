/** What a wasm kernel needs: the loaded module with its memory, and the thread pool. */
import type { ThreadPool } from "./threads.js";
import type { WasmRuntime } from "./runtime.js";

export interface WasmContext {
  readonly rt: WasmRuntime;
  readonly pool: ThreadPool;
}

/**
 * Below these sizes one thread is faster than waking workers (a wake-up costs tens of µs).
 * GEMM: multiply-adds (batch·m·n·k; a 128³ product, 2^21, takes about 90 µs on one thread and
 * was slower on two). Elementwise, in elements: memory-bound ops (add, multiply, ...) run at
 * memory speed, about 16 µs per 2^17 elements, and gained nothing from a second thread below
 * 2^20; exp, log, sigmoid and softmax cost about 1 ns per element and pay off much earlier.
 */
export const PARALLEL_MIN = { gemm: 1 << 22, memoryBound: 1 << 20, computeBound: 1 << 16 } as const;
