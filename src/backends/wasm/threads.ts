/**
 * Worker threads over the kernels' shared memory. Kernels are synchronous (Session.run is), so a
 * parallel call posts one job, cut into chunks, takes chunks on the calling thread as well, and
 * waits for the last ones (thread-protocol.ts): asleep in Atomics.wait where the thread may block,
 * spinning on a browser's main thread, where it may not (as Emscripten's threads do). Workers are
 * Node's worker_threads (unref'd: an idle pool never keeps Node from exiting) or, in a
 * cross-origin isolated page, Web Workers.
 */
import type { KernelExports, WasmRuntime } from "./runtime.js";
import { CTL, CTL_BYTES, FUNCTIONS, jobFailure, MAX_CHUNKS, MAX_WORKERS, openJob, prepareJob, serveChunks, STATUS, type Job, type ParallelFn } from "./thread-protocol.js";
import { ValueError } from "../../tensor/index.js";
import { hardwareConcurrency, siblingUrl, warn, type PoolWorker, type ThreadHost } from "./platform.js";

export type { ParallelFn } from "./thread-protocol.js";

/** Functions whose last parameter is the participant's scratch (GEMM pack buffers, patch block, fused registers). */
const TAKES_SCRATCH: readonly ParallelFn[] = ["gemm", "gemmBatch", "gemmFused", "conv2d", "conv2dBackpropInput", "conv2dBackpropFilter", "winogradConv", "winogradFilterGrad", "winograd4Conv", "convMaxPool", "fused", "convDirect"];
const BOOT_TIMEOUT_MS = 20000;
let requestedThreads = 1;
let threadHost: ThreadHost | undefined;

/** Called once when the backend loads. */
export function initThreads(host: ThreadHost | undefined): void {
  threadHost = host;
  requestedThreads = hardwareConcurrency(host);
}

/**
 * The most threads per core `setNumThreads` accepts: more threads than cores only add switching,
 * and every thread is a worker with its own memory, so a typo (500 for 5) must not start hundreds.
 */
export const MAX_THREADS_PER_CORE = 4;

/**
 * Sets the number of threads the wasm kernels may use (the calling thread included): a positive
 * integer of at most MAX_THREADS_PER_CORE times the cores (`os.availableParallelism()` in Node,
 * `navigator.hardwareConcurrency` in browsers).
 */
export function setNumThreads(n: number): void {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    throw new ValueError(`setNumThreads: the number of threads must be a positive integer, got ${typeof n === "number" ? n : `${typeof n} ${String(n)}`}`);
  }
  const cores = hardwareConcurrency(threadHost);
  const most = MAX_THREADS_PER_CORE * cores;
  if (n > most) {
    throw new ValueError(`setNumThreads: ${n} threads is more than ${most}, the limit of ${MAX_THREADS_PER_CORE} per core on this machine's ${cores} core${cores === 1 ? "" : "s"}`);
  }
  requestedThreads = n;
}

/** The threads asked for the wasm kernels (default: the cores available); see ThreadPool.threads. */
export function getNumThreads(): number {
  return requestedThreads;
}

export class ThreadPool {
  private readonly workers: PoolWorker[] = [];
  /** When the workers not yet ready were started (a browser's main thread does not wait for them). */
  private bootStarted = 0;
  /** What a worker reported when it failed to start. */
  private failure: string | undefined;
  private ctl = -1;
  private gen = 0;
  private argsPtr = 0;
  private argsBytes = 0;
  private broken: string | undefined;
  private readonly fns: ((...args: number[]) => void)[];
  /** Calls that ran on more than one thread (tests check that the threaded path is taken). */
  parallelCalls = 0;

  constructor(private readonly rt: WasmRuntime) {
    this.fns = FUNCTIONS.map((name) => rt.kernels[name as keyof KernelExports] as (...args: number[]) => void);
  }

  /** Threads a parallel call may use: 1 without a shared memory, without a way to start workers, or after a failure. */
  get threads(): number {
    if (!this.rt.shared || threadHost === undefined || this.broken !== undefined) return 1;
    return Math.min(requestedThreads, MAX_WORKERS + 1);
  }

  get workerCount(): number {
    return this.workers.length;
  }

  /**
   * Runs `fn` once per chunk (argument lists; GEMM and convolution functions get the running thread's scratch
   * appended) on this thread and `threads − 1` workers, returning when every chunk is done.
   */
  run(fn: ParallelFn, chunks: readonly (readonly number[])[]): void {
    const withScratch = TAKES_SCRATCH.includes(fn);
    const threads = Math.min(this.threads, chunks.length);
    if (threads <= 1 || chunks.length > MAX_CHUNKS || !this.ensureWorkers(threads - 1)) {
      const kernel = this.fns[FUNCTIONS.indexOf(fn)]!;
      const scratch = this.rt.scratchFor(0);
      for (const c of chunks) (withScratch ? kernel(...c, scratch) : kernel(...c));
      return;
    }
    this.parallelCalls++;
    const argc = chunks[0]!.length;
    this.reserveArgs(chunks.length * argc * 8);
    const f64 = new Float64Array(this.rt.memory.buffer, this.argsPtr, chunks.length * argc);
    chunks.forEach((c, i) => f64.set(c, i * argc));
    const i32 = this.rt.heap.i32;
    const base = this.ctl >>> 2;
    this.gen = (this.gen + 1) | 0;
    const job: Job = { gen: this.gen, count: chunks.length, fn: FUNCTIONS.indexOf(fn), argc, args: this.argsPtr, scratch: withScratch, active: threads - 1 };
    prepareJob(i32, this.ctl, job);
    openJob(i32, this.ctl, job);
    serveChunks(i32, this.rt.memory, this.ctl, this.gen, this.fns, this.rt.scratchFor(0));
    let d: number;
    if (threadHost!.canBlock) {
      while ((d = Atomics.load(i32, base + CTL.DONE)) < chunks.length) Atomics.wait(i32, base + CTL.DONE, d);
    } else {
      while (Atomics.load(i32, base + CTL.DONE) < chunks.length);
    }
    const failure = jobFailure(i32, this.rt.memory, this.ctl);
    if (failure !== undefined) throw new Error(`wasm backend: a kernel failed running ${fn} on several threads: ${failure}`);
  }

  /** The argument table, grown when a job needs more (a steady state reuses it). */
  private reserveArgs(bytes: number): void {
    if (bytes <= this.argsBytes) return;
    if (this.argsBytes > 0) this.rt.heap.free(this.argsPtr);
    this.argsBytes = Math.max(bytes, 2 * this.argsBytes, 4096);
    this.argsPtr = this.rt.heap.alloc(this.argsBytes);
  }

  /**
   * Whether `count` workers are ready, starting those missing. In Node it waits (bounded) for
   * them to instantiate the module; in a browser it never waits: the call runs on one thread
   * until the workers report ready.
   */
  private ensureWorkers(count: number): boolean {
    if (this.broken !== undefined) return false;
    const host = threadHost!;
    const base = () => this.ctl >>> 2;
    try {
      if (this.workers.length < count) {
        if (this.ctl < 0) {
          this.ctl = this.rt.heap.alloc(CTL_BYTES);
          this.rt.heap.i32.fill(0, this.ctl >>> 2, (this.ctl + CTL_BYTES) >>> 2);
        }
        for (let index = this.workers.length; index < count; index++) {
          const status = (this.ctl >>> 2) + CTL.STATUS + index;
          const data = { module: this.rt.module, memory: this.rt.memory, ctl: this.ctl, index, scratch: this.rt.scratchFor(index + 1), functions: FUNCTIONS };
          const worker = host.start(siblingUrl("./thread-worker.js"), data, (message) => {
            this.failure ??= message;
            Atomics.store(this.rt.heap.i32, status, STATUS.dead);
            Atomics.notify(this.rt.heap.i32, status);
          });
          worker.unref();
          this.workers.push(worker);
        }
        this.bootStarted = Date.now();
      }
      const i32 = this.rt.heap.i32;
      const deadline = this.bootStarted + BOOT_TIMEOUT_MS;
      for (let index = 0; index < count; index++) {
        const at = base() + CTL.STATUS + index;
        if (host.waitsForStart) {
          while (Atomics.load(i32, at) === STATUS.booting && Date.now() < deadline) Atomics.wait(i32, at, STATUS.booting, 50);
        }
        const status = Atomics.load(i32, at);
        if (status === STATUS.ready) continue;
        // In a browser the creating thread holds its workers' start up while it runs: there a
        // worker is given up only when it reports a failure, never for taking long.
        if (status === STATUS.booting && (!host.waitsForStart || Date.now() < deadline)) return false;
        throw new Error(status === STATUS.booting ? "timed out starting" : (this.failure ?? "could not instantiate the kernels"));
      }
    } catch (e) {
      this.broken = `worker threads unavailable (${(e as Error).message}); wasm kernels run on one thread`;
      for (const worker of this.workers.splice(0)) void worker.terminate();
      warn(`tensorslow: ${this.broken}`);
      return false;
    }
    return true;
  }
}

/**
 * Splits [0, n) into `chunksPerThread` ranges per thread (one range for one thread), each a
 * multiple of `align` long but the last. More chunks per thread let the others absorb a thread the
 * OS does not schedule in time; GEMM takes fewer, since each of its chunks repacks an operand.
 */
export function splitRange(n: number, threads: number, align: number, chunksPerThread = 4): [number, number][] {
  const parts = threads <= 1 ? 1 : threads * chunksPerThread;
  const chunk = Math.max(align, Math.ceil(Math.ceil(n / parts) / align) * align);
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += chunk) out.push([s, Math.min(n, s + chunk)]);
  return out;
}
