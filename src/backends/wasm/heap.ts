/**
 * Memory of the wasm backend, managed from JS: the AssemblyScript kernels own no heap (they run
 * with the stub runtime and take pointers), so every block — tensor buffers, per-thread GEMM
 * scratch, staging for operands that live outside wasm memory — comes from this allocator.
 *
 * Why views never go stale: with a shared memory (Node, and cross-origin-isolated pages) growing
 * the memory does not detach the old SharedArrayBuffer, so every Float32Array handed out stays
 * valid for its whole life; only the heap's own whole-memory views are refreshed after a grow.
 * With an ordinary memory (browsers without isolation) a grow detaches every view, so the backend
 * hands out ordinary JS arrays instead and stages operands through wasm memory per kernel call.
 */
import { TensorSlowError } from "../../tensor/index.js";
import type { WasmMemory } from "./platform.js";

const PAGE = 65536;
/** Block alignment: a cache line, which also aligns every f32x4 access of a buffer's start. */
export const ALIGN = 64;

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** The bytes a block asked for with `bytes` takes (blocks are ALIGN-rounded). */
export const blockBytes = (bytes: number): number => roundUp(Math.max(bytes, 1), ALIGN);

export class WasmOutOfMemoryError extends TensorSlowError {}

export class Heap {
  /** Free blocks, sorted by address and coalesced. */
  private readonly freeStart: number[] = [];
  private readonly freeSize: number[] = [];
  private readonly used = new Map<number, number>();
  /** Every buffer object the memory has had (a shared memory gives a new one after each grow). */
  private readonly buffers = new Set<ArrayBufferLike>();
  private f32View!: Float32Array;
  private u32View!: Uint32Array;
  private i32View!: Int32Array;
  /** Frees memory of owners that are gone and returns the bytes freed (tensor-memory.ts); tried before growing. */
  reclaim: (() => number) | undefined;
  /** What holds the memory, for the out-of-memory message. */
  describeUse: (() => string) | undefined;
  /** Bytes allocated since `reclaim` last ran: it runs again once they reach a quarter of the memory. */
  private sinceReclaim = 0;

  constructor(
    readonly memory: WasmMemory,
    base: number,
  ) {
    const start = roundUp(base, ALIGN);
    this.refresh();
    const end = memory.buffer.byteLength;
    if (end > start) this.release(start, end - start);
  }

  /** Whole-memory views, current after any grow. */
  get f32(): Float32Array {
    if (this.f32View.buffer !== this.memory.buffer) this.refresh();
    return this.f32View;
  }

  get u32(): Uint32Array {
    if (this.u32View.buffer !== this.memory.buffer) this.refresh();
    return this.u32View;
  }

  get i32(): Int32Array {
    if (this.i32View.buffer !== this.memory.buffer) this.refresh();
    return this.i32View;
  }

  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** Whether `data` is a view of this memory (then its byteOffset is its address). */
  owns(data: ArrayBufferView): boolean {
    return this.buffers.has(data.buffer);
  }

  /** A block of at least `bytes` bytes, ALIGN-aligned; grows the memory when none is free. */
  alloc(bytes: number): number {
    const size = roundUp(Math.max(bytes, 1), ALIGN);
    let best = -1;
    for (let i = 0; i < this.freeSize.length; i++) {
      if (this.freeSize[i]! >= size && (best < 0 || this.freeSize[i]! < this.freeSize[best]!)) best = i;
    }
    if (best < 0) {
      // Before growing, take back what unreachable owners hold; not at every allocation, as each
      // check keeps the owners alive at that moment until the current job ends (owners.ts).
      if (this.reclaim !== undefined && this.sinceReclaim >= this.byteLength / 4) {
        this.sinceReclaim = 0;
        if (this.reclaim() >= size) return this.alloc(bytes);
      }
      this.grow(size);
      return this.alloc(bytes);
    }
    this.sinceReclaim += size;
    const ptr = this.freeStart[best]!;
    if (this.freeSize[best] === size) {
      this.freeStart.splice(best, 1);
      this.freeSize.splice(best, 1);
    } else {
      this.freeStart[best]! += size;
      this.freeSize[best]! -= size;
    }
    this.used.set(ptr, size);
    return ptr;
  }

  free(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) throw new Error(`wasm heap: freeing ${ptr}, which is not an allocated block`);
    this.used.delete(ptr);
    this.release(ptr, size);
  }

  /** Bytes in use (for tests: steady-state runs must not change it). */
  get usedBytes(): number {
    let n = 0;
    for (const s of this.used.values()) n += s;
    return n;
  }

  private release(ptr: number, size: number): void {
    // Insert in address order, merging with the neighbours it touches.
    let i = 0;
    while (i < this.freeStart.length && this.freeStart[i]! < ptr) i++;
    const prev = i - 1;
    if (prev >= 0 && this.freeStart[prev]! + this.freeSize[prev]! === ptr) {
      this.freeSize[prev]! += size;
      if (i < this.freeStart.length && ptr + size === this.freeStart[i]) {
        this.freeSize[prev]! += this.freeSize[i]!;
        this.freeStart.splice(i, 1);
        this.freeSize.splice(i, 1);
      }
    } else if (i < this.freeStart.length && ptr + size === this.freeStart[i]) {
      this.freeStart[i] = ptr;
      this.freeSize[i]! += size;
    } else {
      this.freeStart.splice(i, 0, ptr);
      this.freeSize.splice(i, 0, size);
    }
  }

  /** Grows by at least what a block of `size` still needs, and by at least half the memory. */
  private grow(size: number): void {
    const end = this.byteLength;
    const last = this.freeStart.length - 1;
    const tail = last >= 0 && this.freeStart[last]! + this.freeSize[last]! === end ? this.freeSize[last]! : 0;
    const need = Math.ceil((size - tail) / PAGE);
    const pages = Math.max(need, Math.ceil(end / PAGE / 2));
    try {
      this.memory.grow(pages);
    } catch {
      try {
        this.memory.grow(need);
      } catch {
        // The last resort before failing: whatever unreachable owners still hold.
        if (this.reclaim !== undefined && this.reclaim() > 0) {
          this.sinceReclaim = 0;
          if (this.largestFree() >= size) return;
        }
        throw new WasmOutOfMemoryError(this.outOfMemoryMessage(size));
      }
    }
    this.refresh();
    this.release(end, this.byteLength - end);
  }

  private largestFree(): number {
    return this.freeSize.reduce((a, b) => Math.max(a, b), 0);
  }

  private outOfMemoryMessage(size: number): string {
    const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MB`;
    const use = this.describeUse?.() ?? `${mb(this.usedBytes)} in use`;
    return (
      `wasm backend: out of memory allocating ${mb(size)} (the memory is ${mb(this.byteLength)}, its most; ${mb(this.usedBytes)} in use: ${use}). ` +
      `Close sessions you no longer need (session.close(), or declare them with \`using\`); ` +
      (size > this.byteLength / 4 ? `a tensor this large may fit the js backend (ts.setBackend("js")).` : `the memory of sessions dropped without close() comes back once the garbage collector has run.`)
    );
  }

  private refresh(): void {
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    this.f32View = new Float32Array(buffer);
    this.u32View = new Uint32Array(buffer);
    this.i32View = new Int32Array(buffer);
  }
}

/**
 * Per-kernel-call staging: a bump region for copies of operands that are not in wasm memory and
 * for small argument blocks. Taken blocks stay valid until the next `reset`. When a call needs
 * more than the region holds, the overflow gets blocks of its own, and the next reset replaces
 * everything by one region of the high-water size, so a steady state allocates nothing.
 */
export class Arena {
  private base = 0;
  private capacity = 0;
  private top = 0;
  private readonly overflow: number[] = [];
  private highWater = 0;

  constructor(private readonly heap: Heap) {}

  reset(): void {
    if (this.overflow.length > 0) {
      for (const p of this.overflow) this.heap.free(p);
      this.overflow.length = 0;
      if (this.capacity > 0) this.heap.free(this.base);
      this.capacity = roundUp(this.highWater, ALIGN);
      this.base = this.heap.alloc(this.capacity);
    }
    this.top = 0;
    this.highWater = 0;
  }

  take(bytes: number): number {
    const size = roundUp(Math.max(bytes, 1), ALIGN);
    this.highWater += size;
    if (this.top + size <= this.capacity) {
      const p = this.base + this.top;
      this.top += size;
      return p;
    }
    const p = this.heap.alloc(size);
    this.overflow.push(p);
    return p;
  }
}
