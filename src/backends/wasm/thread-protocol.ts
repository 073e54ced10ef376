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
  "maxPool",
  "maxPoolGrad",
  "maxPoolGradGrad",
  "avgPool",
  "avgPoolGrad",
  "fused",
  "gemmFused",
] as const;
export type ParallelFn = (typeof FUNCTIONS)[number];

export const CTL = { GEN: 0, TICKET: 1, DONE: 2, COUNT: 3, FN: 4, ARGC: 5, ARGS: 6, SCRATCH: 7, ACTIVE: 8, FAILED: 9, STATUS: 16 } as const;
export const STATUS = { booting: 0, ready: 1, dead: 2 } as const;
export const MAX_WORKERS = 240;
export const CTL_BYTES = (CTL.STATUS + MAX_WORKERS) * 4;
export const MAX_CHUNKS = 0xffff;

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
    } catch {
      Atomics.store(i32, base + CTL.FAILED, 1);
    }
    if (Atomics.add(i32, base + CTL.DONE, 1) + 1 === count) Atomics.notify(i32, base + CTL.DONE);
  }
}
