/**
 * A session's variable values. A variable gets its initial value the first time a session reads
 * it; update ops write new values in place, so a variable's storage is allocated once. Storage
 * comes from the backend active at that first read (wasm memory on the wasm backend, where its
 * kernels read it in place instead of copying it in for every call) and goes back to it on clear.
 */
import type { Node, Variable } from "../graph/index.js";
import { GraphError, Tensor } from "../tensor/index.js";
import type { Backend } from "../backends/backend.js";

interface Entry {
  readonly value: Tensor;
  /** The backend that allocated the storage (none for storage an engine gave, see adopt). */
  readonly backend: Backend | undefined;
}

export class VariableStore {
  private readonly values = new Map<Variable, Entry>();

  private readonly initializing = new Set<Variable>();

  /**
   * Bumped by every change to any value (a write, an in-place update, a restore): what kernels
   * keep derived from a variable (packed weights, see KeptOperand) is derived again after a change.
   */
  generation = 0;

  /** `evaluate` computes a node in this store's session: the initial value of a variable made from a node. */
  constructor(
    private readonly backend: () => Backend,
    private readonly evaluate: (node: Node) => Tensor,
  ) {}

  /** The current value (the session's own storage: callers must not hand it out). */
  read(v: Variable): Tensor {
    return (this.values.get(v) ?? this.place(v, this.initialValueOf(v))).value;
  }

  /** A variable's initial value, computed in the session when it is a node. */
  private initialValueOf(v: Variable): Tensor {
    const init = v.initialValue;
    if (init instanceof Tensor) return init;
    if (this.initializing.has(v)) {
      throw new GraphError(`${v} cannot be initialized: its initial value ${init} depends on the variable's own value`);
    }
    this.initializing.add(v);
    try {
      return this.evaluate(init);
    } finally {
      this.initializing.delete(v);
    }
  }

  /** Overwrites the variable's value with `value`, whose shape and dtype inference guaranteed. */
  write(v: Variable, value: Tensor): void {
    this.read(v).data.set(value.data);
    this.generation++;
  }

  /** Records that a step wrote a variable's storage in place. */
  touch(): void {
    this.generation++;
  }

  /** Replaces a value wholesale (restoring a checkpoint). */
  set(v: Variable, value: Tensor): void {
    this.generation++;
    this.release(v);
    this.place(v, value);
  }

  /**
   * Makes `value` the variable's storage, as it is (no copy): an engine that computes a variable's
   * next value into a buffer of its own swaps that buffer in. Its dtype and shape are the variable's.
   */
  adopt(v: Variable, value: Tensor): void {
    if (this.values.get(v)?.value === value) return;
    this.generation++;
    this.release(v);
    this.values.set(v, { value, backend: undefined });
  }

  clear(): void {
    this.generation++;
    for (const v of [...this.values.keys()]) this.release(v);
  }

  /** A copy of `value` in storage of the active backend. */
  private place(v: Variable, value: Tensor): Entry {
    const backend = this.backend();
    const data = backend.allocate(value.dtype, value.size);
    data.set(value.data);
    const entry = { value: new Tensor(value.shape, value.dtype, data), backend };
    this.values.set(v, entry);
    return entry;
  }

  private release(v: Variable): void {
    const entry = this.values.get(v);
    if (entry === undefined) return;
    this.values.delete(v);
    entry.backend?.free?.(entry.value.data);
  }
}
