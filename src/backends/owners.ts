/**
 * Memory owners: the object (a Session) that a backend's storage belongs to, so that a backend can
 * take back the storage of an owner nobody references any more, synchronously, when it runs short.
 *
 * Why not FinalizationRegistry alone: its callbacks run only when the event loop turns, so a
 * synchronous loop that drops a session per iteration never gives the memory back. Why a pool of
 * tokens made in advance: `new WeakRef(x)` (and `deref()` of a live target) keeps x alive until
 * the current job ends (the spec's KeepDuringJob), so a WeakRef made in the same synchronous
 * loop as its session never reports it dead within that loop. A token and its WeakRef made in an
 * earlier job do: when the session holding the token becomes unreachable and the garbage
 * collector has run, `deref()` returns undefined, even in the middle of a synchronous loop.
 *
 * The pool is filled when this module loads and refilled after each job that took tokens. Within
 * one job, the first POOL_SIZE owners made are reclaimable there, except in the job that loaded
 * the library (a script's top level: its tokens are as new as the loop). Owners that cannot be
 * reclaimed synchronously still get their memory back through finalizers once the event loop
 * turns; meanwhile the wasm backend puts new tensors in JS memory (wasm/tensor-memory.ts).
 */

// Global in Node and browsers; declared here because the core compiles without DOM or Node types.
declare const setTimeout: (callback: () => void, ms: number) => unknown;

/** A token held by whatever owns backend storage; nothing else may reference it. */
export interface MemoryOwner {
  /** A number naming the owner in messages ("session #12"). */
  readonly id: number;
  /** What the owner is, for messages. */
  readonly what: string;
}

/** Owners made in advance per job. Each costs about 100 bytes until used. */
export const POOL_SIZE = 8192;

interface Token extends MemoryOwner {
  what: string;
}

const refs = new WeakMap<MemoryOwner, WeakRef<MemoryOwner>>();
const pool: Token[] = [];
let nextId = 1;
let refillQueued = false;

function makeToken(): Token {
  const token: Token = { id: nextId++, what: "" };
  refs.set(token, new WeakRef(token));
  return token;
}

function refill(): void {
  refillQueued = false;
  while (pool.length < POOL_SIZE) pool.push(makeToken());
}

/** A new owner for storage, `what` naming it in messages ("session #3"). */
export function newMemoryOwner(what: string): MemoryOwner {
  const token = pool.pop() ?? makeToken();
  token.what = what.replace("#", `#${token.id}`);
  if (!refillQueued) {
    refillQueued = true;
    // A timer, not a microtask: tokens made before the job ends would be kept alive with it.
    setTimeout(refill, 0);
  }
  return token;
}

/**
 * The weak reference to `owner` made in an earlier job, to test later whether the owner is gone
 * (`deref()` is undefined once it was collected). Undefined for an object not from newMemoryOwner.
 */
export function ownerRef(owner: MemoryOwner): WeakRef<MemoryOwner> | undefined {
  return refs.get(owner);
}

refill();
