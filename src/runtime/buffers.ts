/**
 * A plan's shared output buffers. Compiling assigns each op's output one of a few buffers, shared
 * by values whose lifetimes do not overlap (compile.ts); this holds their storage across runs. A
 * buffer is allocated the first time it is needed and grows, by replacement, when a value needs
 * more room (a bigger batch); values are views of its first elements. A step that carved a view
 * keeps the array it carved it from, and checks it against `current` to know when another step
 * has grown the buffer since.
 *
 * The storage lives in a pool that the variants of one plan share (plan.ts: the generic variant
 * and those specialized on fed shapes), since only one of them runs at a time: buffer k of dtype
 * d of every variant is one array, so the variants together hold what the largest needs, not the
 * sum. A step of a variant that finds its buffer regrown by another variant rebinds, as it would
 * for a step of its own.
 */
import type { DType, TypedArray } from "../tensor/index.js";
import type { Backend } from "../backends/backend.js";

/** The storage of the buffers of one plan's variants, by dtype and rank among that dtype's buffers. */
export class BufferPool {
  private readonly arrays = new Map<string, TypedArray>();
  /** Bumped whenever storage is replaced or given back: views of the pool cache arrays by it. */
  version = 0;

  constructor(readonly backend: Backend) {}

  get(key: string): TypedArray | undefined {
    return this.arrays.get(key);
  }

  /** Replaces the storage under `key`, giving the old one back to the backend. */
  replace(key: string, dtype: DType, size: number): TypedArray {
    const old = this.arrays.get(key);
    if (old !== undefined) this.backend.free?.(old);
    const buf = this.backend.allocate(dtype, size);
    this.arrays.set(key, buf);
    this.version++;
    return buf;
  }

  /** Gives every buffer back to the backend. */
  dispose(): void {
    for (const buf of this.arrays.values()) this.backend.free?.(buf);
    this.arrays.clear();
    this.version++;
  }
}

export class PlanBuffers {
  /** Each buffer's key in the pool. */
  private readonly keys: readonly string[];
  /** Each buffer's storage as of pool version `seen` (steps ask at every run: an array read, not a Map lookup). */
  private readonly arrays: (TypedArray | undefined)[];
  private seen = -1;

  constructor(
    dtypes: readonly DType[],
    private readonly pool: BufferPool,
  ) {
    const seen = new Map<DType, number>();
    this.keys = dtypes.map((d) => {
      const k = seen.get(d) ?? 0;
      seen.set(d, k + 1);
      return `${d}#${k}`;
    });
    this.arrays = new Array(dtypes.length);
  }

  /** The buffer's storage now (undefined before its first use). */
  current(id: number): TypedArray | undefined {
    const pool = this.pool;
    if (this.seen !== pool.version) {
      for (let i = 0; i < this.keys.length; i++) this.arrays[i] = pool.get(this.keys[i]!);
      this.seen = pool.version;
    }
    return this.arrays[id];
  }

  /** A view of `size` elements of buffer `id`, growing the buffer when it is too small. */
  view(id: number, dtype: DType, size: number): TypedArray {
    const key = this.keys[id]!;
    let buf = this.pool.get(key);
    if (buf === undefined || buf.length < size) buf = this.pool.replace(key, dtype, size);
    return buf.length === size ? buf : buf.subarray(0, size);
  }
}
