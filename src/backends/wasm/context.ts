/** What a wasm kernel needs: the loaded module with its memory, and the thread pool. */
import type { ThreadPool } from "./threads.js";
import type { WasmRuntime } from "./runtime.js";

export interface WasmContext {
  readonly rt: WasmRuntime;
  readonly pool: ThreadPool;
}

/**
 * Below these sizes one thread is faster than waking workers (a sleeping worker starts about 8 µs
 * after the notify, median, 14-25 µs at p90 and milliseconds when the machine is busy; a chunk it
 * takes late is waited for). GEMM: multiply-adds (batch·m·n·k; a 128³ product, 2^21, takes about
 * 90 µs on one thread and was slower on two). Elementwise, in elements: memory-bound ops (add,
 * multiply, ...) run at memory speed, about 16 µs per 2^17 elements, and gained nothing from a
 * second thread below 2^20; exp, log, sigmoid and softmax cost about 1 ns per element and pay off
 * much earlier. At batch 1 no kernel of Part VI's networks reaches these sizes (the CNN's second
 * convolution is 3.6·10^6 multiply-adds, 70 µs by Winograd on one thread); with the convolution's
 * bound at 2^21 it ran on two threads in 88 µs (median, load ~11 on 2 cores, where two threads of
 * one process seldom ran at once): untested on an idle machine.
 */
export const PARALLEL_MIN = { gemm: 1 << 22, memoryBound: 1 << 20, computeBound: 1 << 16 } as const;
