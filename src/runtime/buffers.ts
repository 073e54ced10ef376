/**
 * A plan's shared output buffers. Compiling assigns each op's output one of a few buffers, shared
 * by values whose lifetimes do not overlap (compile.ts); this holds their storage across runs. A
 * buffer is allocated the first time it is needed and grows, by replacement, when a value needs
 * more room (a bigger batch); values are views of its first elements. A step that carved a view
 * keeps the array it carved it from, and checks it against `current` to know when another step
 * has grown the buffer since.
 */
import type { DType, TypedArray } from "../tensor/index.js";
import type { Backend } from "../backends/backend.js";

export class PlanBuffers {
  private readonly arrays: (TypedArray | undefined)[];

  constructor(
    count: number,
    private readonly backend: Backend,
  ) {
    this.arrays = new Array(count);
  }

  /** The buffer's storage now (undefined before its first use). */
  current(id: number): TypedArray | undefined {
    return this.arrays[id];
  }

  /** A view of `size` elements of buffer `id`, growing the buffer when it is too small. */
  view(id: number, dtype: DType, size: number): TypedArray {
    let buf = this.arrays[id];
    if (buf === undefined || buf.length < size) {
      if (buf !== undefined) this.backend.free?.(buf);
      buf = this.backend.allocate(dtype, size);
      this.arrays[id] = buf;
    }
    return buf.length === size ? buf : buf.subarray(0, size);
  }

  /** Gives every buffer back to the backend. */
  dispose(): void {
    for (const buf of this.arrays) if (buf !== undefined) this.backend.free?.(buf);
    this.arrays.fill(undefined);
  }
}
