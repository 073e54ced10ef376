/**
 * Tensor storage in wasm memory, and who owns it. Every block given out as a Float32Array is
 * freed by whichever comes first: `free` (a session's close()), the finalizer of the array (a
 * session dropped without close(), once the event loop turns), or, when the heap runs short, the
 * owner's death: the heap calls `reclaim`, which frees every block of an owner whose WeakRef is
 * empty (owners.ts explains why that works inside a synchronous loop, where finalizers never run).
 *
 * When tensors would leave less than RESERVE of the memory's maximum and nothing can be
 * reclaimed (the garbage collector has not yet found the dropped sessions, or they are all live),
 * new tensors are ordinary JS arrays instead: kernels copy them through wasm memory per call
 * (slower, not wrong), the rest of the memory stays for that staging, and JS arrays are collected
 * like any other. So a loop that drops sessions without close() keeps running, with bounded wasm
 * memory; `memoryStats().fallbackBytes` and a one-time warning say it happened.
 *
 * An owner's blocks are referenced only through the owner (a Session hands out copies, never its
 * storage), so freeing them when the owner is unreachable frees nothing anybody can still read.
 */
import { ownerRef, type MemoryOwner } from "../owners.js";
import { WasmOutOfMemoryError, blockBytes, type Heap } from "./heap.js";
import { warn } from "./platform.js";

/**
 * What tensors leave free of the memory's maximum, for per-call staging (which grows when operands
 * are JS arrays) and each thread's GEMM and convolution scratch: an eighth, and at least 16 MiB.
 */
export const RESERVE = { share: 1 / 8, leastBytes: 16 * 2 ** 20 } as const;

interface Block {
  readonly ptr: number;
  readonly bytes: number;
  readonly owner: OwnerBlocks | undefined;
}

interface OwnerBlocks {
  readonly ref: WeakRef<MemoryOwner>;
  readonly id: number;
  readonly what: string;
  readonly serials: Set<number>;
  bytes: number;
  /** The number of reclaim checks made before the owner's first block. */
  readonly born: number;
}

export class TensorMemory {
  /** Live blocks by serial number (what the finalizer gets: an address may be reused). */
  private readonly blocks = new Map<number, Block>();
  private readonly serialAt = new Map<number, number>();
  private readonly owners = new Map<number, OwnerBlocks>();
  private readonly collected = new FinalizationRegistry<number>((serial) => this.release(serial));
  private nextSerial = 1;
  /** Bytes of tensors in wasm memory. */
  private bytes = 0;
  private readonly budget: number;
  /** Bytes asked for since the budget last made `reclaim` run (it runs again after budget/16 more). */
  private sinceReclaim = Infinity;
  private warned = false;
  /** Reclaim checks so far. */
  private checks = 0;
  /** Bytes taken back from owners found unreachable, and bytes of tensors given JS memory instead (for tests and reports). */
  reclaimedBytes = 0;
  fallbackBytes = 0;

  constructor(
    private readonly heap: Heap,
    maxBytes: number,
  ) {
    this.budget = Math.max(0, maxBytes - Math.max(maxBytes * RESERVE.share, RESERVE.leastBytes));
    heap.reclaim = () => this.reclaim();
    heap.describeUse = () => this.describeUse();
  }

  /**
   * A Float32Array of `size` elements, owned by `owner` when given: in wasm memory, or an ordinary
   * array when tensors have taken their share of it.
   */
  allocate(size: number, owner: MemoryOwner | undefined): Float32Array {
    const bytes = blockBytes(size * 4);
    if (this.bytes + bytes > this.budget) {
      this.sinceReclaim += bytes;
      if (this.sinceReclaim >= this.budget / 16) {
        this.sinceReclaim = 0;
        this.reclaim();
      }
      if (this.bytes + bytes > this.budget) return this.fallback(size, "tensors have taken their share of it");
    }
    let ptr: number;
    try {
      ptr = this.heap.alloc(bytes);
    } catch (e) {
      if (e instanceof WasmOutOfMemoryError) return this.fallback(size, "it cannot grow further");
      throw e;
    }
    this.bytes += bytes;
    const data = new Float32Array(this.heap.memory.buffer, ptr, size);
    const serial = this.nextSerial++;
    const blocks = owner === undefined ? undefined : this.ownerBlocks(owner);
    this.blocks.set(serial, { ptr, bytes, owner: blocks });
    this.serialAt.set(ptr, serial);
    if (blocks !== undefined) {
      blocks.serials.add(serial);
      blocks.bytes += bytes;
    }
    this.collected.register(data, serial, data);
    return data;
  }

  /** Frees storage from `allocate`; anything else (a JS array, a view of another block) is ignored. */
  free(data: Float32Array): void {
    const serial = this.serialAt.get(data.byteOffset);
    if (serial === undefined || !this.heap.owns(data) || !this.collected.unregister(data)) return;
    this.release(serial);
  }

  private fallback(size: number, why: string): Float32Array {
    this.fallbackBytes += size * 4;
    if (!this.warned) {
      this.warned = true;
      warn(
        `tensorslow: wasm memory is full (${why}): ${this.describeUse()}. New tensors go to JS memory and run slower. ` +
          `Close sessions you no longer need (session.close(), or declare them with \`using\`).`,
      );
    }
    return new Float32Array(size);
  }

  /**
   * Frees the blocks of every owner that is gone; returns the bytes freed. Owners that appeared
   * since the previous check are left for the next one: `deref()` of a live owner keeps it alive
   * until the current job ends, so testing the session a loop is running now would keep it for
   * the rest of the loop. By the next check such an owner is usually gone, and tested only then.
   */
  reclaim(): number {
    const examined = this.checks++;
    let freed = 0;
    for (const [id, owner] of this.owners) {
      if (owner.born >= examined || owner.ref.deref() !== undefined) continue;
      this.owners.delete(id);
      freed += owner.bytes;
      for (const serial of owner.serials) this.release(serial);
    }
    this.reclaimedBytes += freed;
    return freed;
  }

  /** What holds the memory, for an out-of-memory message: the largest owners first. */
  describeUse(): string {
    const live = [...this.owners.values()].sort((a, b) => b.bytes - a.bytes);
    let unowned = 0;
    for (const b of this.blocks.values()) if (b.owner === undefined) unowned += b.bytes;
    const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MB`;
    const listed = live.slice(0, 5).map((o) => `${o.what} ${mb(o.bytes)}`).join(", ");
    const parts = [`${live.length} live session${live.length === 1 ? "" : "s"} hold${live.length === 1 ? "s" : ""} tensors${live.length > 0 ? ` (${listed}${live.length > 5 ? ", ..." : ""})` : ""}`];
    if (unowned > 0) parts.push(`${mb(unowned)} of other tensors`);
    return parts.join("; ");
  }

  private ownerBlocks(owner: MemoryOwner): OwnerBlocks {
    let blocks = this.owners.get(owner.id);
    if (blocks === undefined) {
      // An owner not made by newMemoryOwner has no WeakRef from an earlier job: its blocks are
      // freed by close() or by finalizers only.
      const ref = ownerRef(owner) ?? { deref: () => owner } as WeakRef<MemoryOwner>;
      blocks = { ref, id: owner.id, what: owner.what, serials: new Set(), bytes: 0, born: this.checks };
      this.owners.set(owner.id, blocks);
    }
    return blocks;
  }

  private release(serial: number): void {
    const block = this.blocks.get(serial);
    if (block === undefined) return; // freed already (by close() or by reclaim)
    this.blocks.delete(serial);
    this.serialAt.delete(block.ptr);
    this.bytes -= block.bytes;
    if (block.owner !== undefined) {
      block.owner.serials.delete(serial);
      block.owner.bytes -= block.bytes;
      if (block.owner.serials.size === 0) this.owners.delete(block.owner.id);
    }
    this.heap.free(block.ptr);
  }
}
