/**
 * The loaded kernels module and what every wasm kernel call goes through: operand pointers (a
 * tensor in wasm memory is used in place; any other typed array is copied into per-call staging)
 * and the per-thread scratch of the GEMM and convolution kernels.
 */
import { RELAXED_WASM, SIMD_SIGNATURE, SIMD_WASM, UNSHARED_PATCH } from "./generated/binaries.js";
import { Arena, Heap } from "./heap.js";
import { base64Bytes, canShareMemory, wasmApi, type WasmMemory, type WasmModule } from "./platform.js";
import { simdSignature } from "./simd-ops.js";

/** The exports of src/backends/wasm/assembly/index.ts (pointers are byte addresses). */
export interface KernelExports {
  gemm(m: number, n: number, k: number, a: number, lda: number, ta: number, b: number, ldb: number, tb: number, c: number, ldc: number, scratch: number): void;
  gemmFused(m: number, n: number, k: number, a: number, lda: number, ta: number, b: number, ldb: number, tb: number, w: number, nPad: number, j0: number, c: number, ldc: number, bias: number, act: number, scratch: number): void;
  packWeights(k: number, n: number, b: number, ldb: number, tb: number, out: number): void;
  packedWeightsFloats(k: number, n: number): number;
  gemmBatch(p0: number, p1: number, aOffs: number, bOffs: number, m: number, n: number, k: number, a: number, lda: number, ta: number, b: number, ldb: number, tb: number, c: number, scratch: number): void;
  binaryFlat(op: number, kind: number, a: number, b: number, o: number, n: number): void;
  binaryStrided(op: number, a: number, b: number, o: number, meta: number, rank: number): void;
  unary(op: number, x: number, o: number, n: number): void;
  biasAdd(x: number, b: number, o: number, rows: number, c: number): void;
  sumRows(x: number, o: number, outer: number, len: number, scale: number): void;
  sumCols(x: number, o: number, outer: number, len: number, inner: number, scale: number, acc: number): void;
  softmax(x: number, o: number, outer: number, len: number, inner: number): void;
  conv2d(g: number, x: number, f: number, out: number, r0: number, r1: number, blockRows: number, bias: number, act: number, scratch: number): void;
  conv2dBackpropInput(g: number, dy: number, f: number, dx: number, n0: number, n1: number, blockRows: number, scratch: number): void;
  conv2dBackpropFilter(g: number, x: number, dy: number, df: number, r0: number, r1: number, blockRows: number, scratch: number): void;
  convDirect(g: number, x: number, w: number, out: number, r0: number, r1: number, block: number, bias: number, act: number, scratch: number): void;
  winogradFilter(f: number, u: number, c: number, o: number, flip: number): void;
  winogradFilterFloats(c: number, o: number, planes: number): number;
  winogradConv(g: number, x: number, u: number, out: number, t0: number, t1: number, block: number, bias: number, act: number, scratch: number): void;
  winograd4Filter(f: number, u: number, c: number, o: number, flip: number): void;
  winograd4Conv(g: number, x: number, u: number, out: number, t0: number, t1: number, block: number, bias: number, act: number, scratch: number): void;
  winogradFilterGrad(g: number, x: number, dy: number, df: number, t0: number, t1: number, block: number, scratch: number): void;
  convMaxPool(path: number, g: number, x: number, f: number, n0: number, n1: number, units: number, block: number, bias: number, act: number, pg: number, out: number, perStage: number, scratch: number): void;
  maxPool(g: number, x: number, out: number, p0: number, p1: number): void;
  maxPoolGrad(g: number, x: number, dy: number, dx: number, n0: number, n1: number): void;
  maxPoolGradGrad(g: number, x: number, grad: number, out: number, p0: number, p1: number): void;
  avgPool(g: number, x: number, out: number, p0: number, p1: number): void;
  avgPoolGrad(g: number, dy: number, dx: number, n0: number, n1: number): void;
  sparseXent(labels: number, x: number, loss: number, grad: number, rows: number, classes: number): void;
  softmaxXent(labels: number, x: number, out: number, rows: number, classes: number): void;
  logSoftmax(x: number, out: number, rows: number, classes: number): void;
  threadScratchBytes(): number;
  convColsBytes(): number;
  convStageBytes(): number;
  fused(table: number, steps: number, start: number, count: number, scratch: number): void;
  heapBase(): number;
}

/** The smallest module using a SIMD instruction (i8x16.splat, i8x16.popcnt): the feature probe. */
const SIMD_PROBE = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11);

/** The smallest module using a relaxed SIMD instruction (f32x4.relaxed_madd of three i8x16.splat): the probe for the relaxed binary. */
const RELAXED_PROBE = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0, 65, 0, 253, 15, 65, 0, 253, 15, 65, 0, 253, 15, 253, 133, 2, 11);

/**
 * Which kernels binary runs: "relaxed-simd" (fused multiply-adds in the GEMM where the CPU has
 * them) wherever the engine accepts relaxed SIMD, else "simd".
 */
export type KernelVariant = "simd" | "relaxed-simd";

const INITIAL_PAGES = 64;
const MAX_PAGES = 65536;
const PAGE_BYTES = 65536;

export class WasmRuntime {
  readonly heap: Heap;
  readonly arena: Arena;
  /** Per-thread scratch: GEMM pack buffers, then a convolution's patch block (index 0: the calling thread; workers' entries are made on demand). */
  readonly scratch: number[] = [];
  readonly scratchBytes: number;
  /** Bytes of each thread's scratch, after the GEMM's, for a convolution's block of rows or tiles. */
  readonly convColsBytes: number;
  /** Bytes of each thread's stage, after the convolution's block, for a pooled convolution's output (assembly/conv-pool.ts). */
  readonly convStageBytes: number;
  private readonly staged: { ptr: number; data: Float32Array }[] = [];

  constructor(
    readonly kernels: KernelExports,
    readonly memory: WasmMemory,
    /** Shared memory: views never detach, so tensors may live in wasm memory and threads may run. */
    readonly shared: boolean,
    /** The compiled module, for workers to instantiate over the same memory. */
    readonly module: WasmModule,
    /** Which binary: see KernelVariant. */
    readonly variant: KernelVariant,
    /** The most bytes the memory can grow to. */
    readonly maxBytes: number = MAX_PAGES * PAGE_BYTES,
  ) {
    this.heap = new Heap(memory, kernels.heapBase());
    this.arena = new Arena(this.heap);
    this.scratchBytes = kernels.threadScratchBytes();
    this.convColsBytes = kernels.convColsBytes();
    this.convStageBytes = kernels.convStageBytes();
    this.scratchFor(0);
  }

  scratchFor(thread: number): number {
    while (this.scratch.length <= thread) this.scratch.push(this.heap.alloc(this.scratchBytes));
    return this.scratch[thread]!;
  }

  /** Starts a kernel call: staging from the previous call is given back. */
  begin(): void {
    this.arena.reset();
    this.staged.length = 0;
  }

  /** The address of an operand: in place when it is in wasm memory, else a staged copy. */
  input(data: Float32Array): number {
    if (this.heap.owns(data)) return data.byteOffset;
    const ptr = this.arena.take(data.length * 4);
    this.heap.f32.set(data, ptr >>> 2);
    return ptr;
  }

  /** The address to write a result to; `end` copies staged results out. */
  output(data: Float32Array): number {
    if (this.heap.owns(data)) return data.byteOffset;
    const ptr = this.arena.take(data.length * 4);
    this.staged.push({ ptr, data });
    return ptr;
  }

  /** Staging for i32/u32 argument blocks (shapes, strides, offsets). */
  words(values: ArrayLike<number>): number {
    const ptr = this.arena.take(values.length * 4);
    this.heap.u32.set(values, ptr >>> 2);
    return ptr;
  }

  end(): void {
    const f32 = this.heap.f32;
    for (const { ptr, data } of this.staged) data.set(f32.subarray(ptr >>> 2, (ptr >>> 2) + data.length));
    this.staged.length = 0;
  }
}

/**
 * Compiles and instantiates the kernels module, or returns null where WebAssembly SIMD is missing.
 * Synchronous, so that the library loads without a top-level await (CommonJS code can `require`
 * it): the modules are small (tens of kilobytes), well under what browsers compile synchronously
 * on their main thread (Chromium refuses above 8 MB). The relaxed-SIMD binary is used wherever the
 * engine validates a relaxed op (`relaxed: false` asks for the plain one); a shared memory (and so
 * threads) wherever one can be made, else the same binary with its memory import rewritten for an
 * ordinary memory (UNSHARED_PATCH, checked by the build against asc's own unshared build).
 * `maximumPages` bounds the shared memory (64 KiB pages; by default 4 GiB, or 1 GiB where that
 * cannot be reserved).
 */
export function loadRuntime(options: { shared?: boolean; maximumPages?: number; relaxed?: boolean } = {}): WasmRuntime | null {
  // Binaries built from another list of op codes would run the wrong loop for a code.
  if (SIMD_SIGNATURE !== simdSignature()) throw new Error(`the wasm kernels were built from another list of elementwise ops (${SIMD_SIGNATURE}) than simd-ops.ts (${simdSignature()}): rebuild them (npm run build)`);
  const wasm = wasmApi;
  if (wasm === undefined || !wasm.validate(SIMD_PROBE)) return null;
  const variant: KernelVariant = (options.relaxed ?? true) && wasm.validate(RELAXED_PROBE) ? "relaxed-simd" : "simd";
  const shared = base64Bytes(variant === "relaxed-simd" ? RELAXED_WASM : SIMD_WASM);
  if ((options.shared ?? true) && canShareMemory && wasm.validate(shared)) {
    // A 4 GiB maximum only reserves address space; fall back for hosts that cannot reserve it.
    for (const maximum of options.maximumPages !== undefined ? [options.maximumPages] : [MAX_PAGES, MAX_PAGES / 4]) {
      let memory: WasmMemory;
      try {
        memory = new wasm.Memory({ initial: INITIAL_PAGES, maximum, shared: true });
      } catch {
        continue;
      }
      const module = new wasm.Module(shared);
      const instance = new wasm.Instance(module, { env: { memory } });
      return new WasmRuntime(instance.exports as unknown as KernelExports, memory, true, module, variant, maximum * PAGE_BYTES);
    }
  }
  const bytes = unsharedBinary(shared);
  if (!wasm.validate(bytes)) return null;
  const memory = new wasm.Memory({ initial: INITIAL_PAGES });
  const module = new wasm.Module(bytes);
  const instance = new wasm.Instance(module, { env: { memory } });
  return new WasmRuntime(instance.exports as unknown as KernelExports, memory, false, module, variant);
}

/** A binary built for a shared memory, rewritten to import an ordinary one (see UNSHARED_PATCH). */
function unsharedBinary(shared: Uint8Array): Uint8Array {
  const imports = base64Bytes(UNSHARED_PATCH.bytes);
  const out = new Uint8Array(shared.length - (UNSHARED_PATCH.end - UNSHARED_PATCH.start) + imports.length);
  out.set(shared.subarray(0, UNSHARED_PATCH.start));
  out.set(imports, UNSHARED_PATCH.start);
  out.set(shared.subarray(UNSHARED_PATCH.end), UNSHARED_PATCH.start + imports.length);
  return out;
}
