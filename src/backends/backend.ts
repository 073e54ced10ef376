/**
 * The kernel interface. A backend is a table of kernels over Tensor values (typed arrays plus
 * shapes) and an allocator for their storage; it knows nothing of graphs. The session resolves
 * each op's kernel name in the active backend when it compiles a plan.
 */
import { ValueError, type DType, type Tensor, type TypedArray } from "../tensor/index.js";
import type { FusedKernels } from "./fused.js";
import type { MemoryOwner } from "./owners.js";

/**
 * Computes an op's output into `out`, whose shape and dtype the op's inference has already set and
 * whose storage the runtime owns (it may be reused across runs). `out` never aliases an input.
 */
export type Kernel = (inputs: readonly Tensor[], out: Tensor, attrs: never) => void;

export interface Backend {
  readonly name: string;
  readonly kernels: Readonly<Record<string, Kernel>>;
  /**
   * Storage for `size` elements of `dtype`. A backend may place it in its own memory (a wasm
   * heap); it must stay valid until given back with `free`. Keep the returned array itself
   * referenced while views of it (subarray) are in use: a backend may reclaim storage whose array
   * was garbage-collected without `free` (the wasm backend does, for sessions never closed).
   * `owner` (from newMemoryOwner, held by a Session) is what the storage belongs to: a backend may
   * also reclaim the storage of an owner that became unreachable, so the storage must be reachable
   * only through its owner.
   */
  allocate(dtype: DType, size: number, owner?: MemoryOwner): TypedArray;
  /** Takes back storage from `allocate` that the runtime no longer uses (optional: GC suffices for JS). */
  free?(data: TypedArray): void;
  /** Fused elementwise programs (fused.ts); without it the plan runs every op with its own kernel. */
  readonly fused?: FusedKernels;
}

const backends = new Map<string, Backend>();
let active: Backend | undefined;

export function registerBackend(backend: Backend): void {
  if (typeof backend !== "object" || backend === null || typeof backend.name !== "string" || backend.name === "" || typeof backend.kernels !== "object" || typeof backend.allocate !== "function") {
    throw new ValueError(`registerBackend: expected a backend { name, kernels, allocate }, got ${backend === null ? "null" : typeof backend === "object" ? `an object with keys ${Object.keys(backend).join(", ")}` : typeof backend}`);
  }
  backends.set(backend.name, backend);
  active ??= backend;
}

/** Chooses the backend by name for sessions' later runs ("js" is always there). */
export function setBackend(name: string): void {
  if (typeof name !== "string") throw new ValueError(`setBackend: the backend's name must be a string, got ${typeof name}; available: ${[...backends.keys()].join(", ")}`);
  const b = backends.get(name);
  if (b === undefined) {
    throw new ValueError(`setBackend: unknown backend '${name}'; available: ${[...backends.keys()].join(", ")}`);
  }
  active = b;
}

export function getBackend(): string {
  return activeBackend().name;
}

export function activeBackend(): Backend {
  if (active === undefined) throw new Error("no backend registered");
  return active;
}

export function listBackends(): string[] {
  return [...backends.keys()];
}
