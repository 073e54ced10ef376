/**
 * The job protocol shared by the calling thread and the pool's workers. A parallel call is one
 * job cut into chunks; every participant (the caller and each active worker) takes chunks from a
 * shared ticket counter until none are left, so a thread that the OS does not schedule in time
 * costs at most the chunk it holds, not a fixed share of the work.
 *
 * Control block in wasm memory (i32 words):
 *   GEN     job generation, bumped to post a job (workers wait on it)
 *   TICKET  (generation & 0xffff) << 16 | next chunk index
 *   DONE    chunks finished (the caller waits on it)
 *   COUNT, FN (index into FUNCTIONS), ARGC, ARGS (byte address of COUNT×ARGC f64 arguments),
 *   SCRATCH (1: append the participant's scratch address to each chunk's arguments),
 *   ACTIVE (workers that take part), FAILED (a chunk threw)
 *   STATUS + w: worker w's state (booting, ready, dead)
 *   then MESSAGE_BYTES: what the first chunk that threw said (length, then UTF-16 code units)
 *
 * Posting a job (prepareJob, then openJob) first closes the ticket counter to the new generation,
 * and only then rewrites the job's fields. A worker still serving the previous job may read COUNT
 * between its look at the ticket and its claim of a chunk; were COUNT rewritten while the ticket
 * still carried the old generation, such a worker could claim a chunk past the old job's end and
 * run it with the new job's half-written fields (a wrong value or a trap, under load and with
 * several workers). With the ticket closed first, that claim's compare-exchange fails.
 */
export const FUNCTIONS = [
  "gemm",
  "gemmBatch",
  "binaryFlat",
  "unary",
  "biasAdd",
  "softmax",
  "conv2d",
  "conv2dBackpropInput",
  "conv2dBackpropFilter",
  "winogradConv",
  "winogradFilterGrad",
  "convMaxPool",
  "maxPool",
  "maxPoolGrad",
  "maxPoolGradGrad",
  "avgPool",
  "avgPoolGrad",
  "fused",
  "gemmFused",
  "convDirect",
  "winograd4Conv",
] as const;
export type ParallelFn = (typeof FUNCTIONS)[number];

export const CTL = { GEN: 0, TICKET: 1, DONE: 2, COUNT: 3, FN: 4, ARGC: 5, ARGS: 6, SCRATCH: 7, ACTIVE: 8, FAILED: 9, STATUS: 16 } as const;
export const STATUS = { booting: 0, ready: 1, dead: 2 } as const;
export const MAX_WORKERS = 240;
const MESSAGE_AT = (CTL.STATUS + MAX_WORKERS) * 4;
const MESSAGE_BYTES = 256;
export const CTL_BYTES = MESSAGE_AT + MESSAGE_BYTES;
export const MAX_CHUNKS = 0xffff;
/** Ticket index of a job whose fields are being written: no chunk can be claimed. */
const CLOSED = 0xffff;

/** What a parallel call asks of the pool: `count` chunks of `fn`, their `argc` f64 arguments each at byte address `args`. */
export interface Job {
  gen: number;
  count: number;
  fn: number;
  argc: number;
  args: number;
  scratch: boolean;
  active: number;
}

/**
 * Writes a job's fields, the ticket counter closed first (see the header). Called by the thread
 * that posts jobs, only once the previous job's chunks are all done.
 */
export function prepareJob(i32: Int32Array, ctl: number, job: Job): void {
  const base = ctl >>> 2;
  Atomics.store(i32, base + CTL.TICKET, ((job.gen & 0xffff) << 16) | CLOSED);
  Atomics.store(i32, base + CTL.COUNT, job.count);
  Atomics.store(i32, base + CTL.FN, job.fn);
  Atomics.store(i32, base + CTL.ARGC, job.argc);
  Atomics.store(i32, base + CTL.ARGS, job.args);
  Atomics.store(i32, base + CTL.SCRATCH, job.scratch ? 1 : 0);
  Atomics.store(i32, base + CTL.ACTIVE, job.active);
  Atomics.store(i32, base + CTL.FAILED, 0);
  Atomics.store(i32, base + CTL.DONE, 0);
}

/** Opens the prepared job's chunks and wakes the workers that take part. */
export function openJob(i32: Int32Array, ctl: number, job: Job): void {
  const base = ctl >>> 2;
  Atomics.store(i32, base + CTL.TICKET, (job.gen & 0xffff) << 16);
  Atomics.store(i32, base + CTL.GEN, job.gen);
  Atomics.notify(i32, base + CTL.GEN, job.active);
}

/** What the first chunk of the last job that threw said, or undefined when none threw. */
export function jobFailure(i32: Int32Array, memory: { buffer: ArrayBufferLike }, ctl: number): string | undefined {
  if (Atomics.load(i32, (ctl >>> 2) + CTL.FAILED) === 0) return undefined;
  const units = new Uint16Array(memory.buffer, ctl + MESSAGE_AT, MESSAGE_BYTES / 2);
  return String.fromCharCode(...units.subarray(1, 1 + Math.min(units[0]!, units.length - 1))) || "no message";
}

/** Records the first failure of a job (later ones of the same job keep the first message). */
function recordFailure(i32: Int32Array, memory: { buffer: ArrayBufferLike }, ctl: number, error: unknown): void {
  if (Atomics.compareExchange(i32, (ctl >>> 2) + CTL.FAILED, 0, 1) !== 0) return;
  const units = new Uint16Array(memory.buffer, ctl + MESSAGE_AT, MESSAGE_BYTES / 2);
  const text = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, units.length - 1);
  for (let i = 0; i < text.length; i++) units[1 + i] = text.charCodeAt(i);
  units[0] = text.length;
}

/** Takes and runs chunks of job `gen` until there are none left (or a newer job replaced it). */
export function serveChunks(
  i32: Int32Array,
  memory: { buffer: ArrayBufferLike },
  ctl: number,
  gen: number,
  fns: readonly ((...args: number[]) => void)[],
  scratch: number,
): void {
  const base = ctl >>> 2;
  const tag = (gen & 0xffff) << 16;
  let args: number[] | undefined;
  for (;;) {
    const t = Atomics.load(i32, base + CTL.TICKET);
    if ((t & ~0xffff) !== tag) return;
    const index = t & 0xffff;
    const count = Atomics.load(i32, base + CTL.COUNT);
    if (index >= count) return;
    if (Atomics.compareExchange(i32, base + CTL.TICKET, t, t + 1) !== t) continue;
    // The job cannot change while this chunk is unfinished: its fields are safe to read. Whatever
    // happens, the chunk counts as done, so the caller never waits for it forever.
    try {
      const argc = i32[base + CTL.ARGC]!;
      const table = new Float64Array(memory.buffer, (i32[base + CTL.ARGS]! >>> 0) + index * argc * 8, argc);
      args ??= [];
      args.length = 0;
      for (let i = 0; i < argc; i++) args.push(table[i]!);
      if (i32[base + CTL.SCRATCH] === 1) args.push(scratch);
      fns[i32[base + CTL.FN]!]!(...args);
    } catch (e) {
      recordFailure(i32, memory, ctl, e);
    }
    if (Atomics.add(i32, base + CTL.DONE, 1) + 1 === count) Atomics.notify(i32, base + CTL.DONE);
  }
}
