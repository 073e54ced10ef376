/**
 * A pool worker (Node's worker_threads, or a Web Worker in a cross-origin isolated page):
 * instantiates the kernels module over the shared memory, then serves jobs forever (see
 * thread-protocol.ts). Workers may always block in Atomics.wait.
 */
import { CTL, serveChunks, STATUS } from "./thread-protocol.js";
import { firstMessage, importNode, isNode, wasmApi, type PoolWorkerData } from "./platform.js";

const data = (isNode ? ((await importNode("node:worker_threads")) as { workerData: PoolWorkerData }).workerData : await firstMessage()) as PoolWorkerData;
const { module, memory, ctl, index, scratch, functions } = data;
const i32 = new Int32Array(memory.buffer);
const base = ctl >>> 2;
let fns: ((...args: number[]) => void)[] = [];
try {
  const instance = new wasmApi!.Instance(module, { env: { memory } });
  fns = functions.map((name) => instance.exports[name] as (...args: number[]) => void);
  Atomics.store(i32, base + CTL.STATUS + index, STATUS.ready);
} catch {
  Atomics.store(i32, base + CTL.STATUS + index, STATUS.dead);
}
Atomics.notify(i32, base + CTL.STATUS + index);

let seen = Atomics.load(i32, base + CTL.GEN);
while (fns.length > 0) {
  Atomics.wait(i32, base + CTL.GEN, seen);
  const gen = Atomics.load(i32, base + CTL.GEN);
  if (gen === seen) continue;
  seen = gen;
  if (index < Atomics.load(i32, base + CTL.ACTIVE)) serveChunks(i32, memory, ctl, gen, fns, scratch);
}
