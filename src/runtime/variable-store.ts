/**
 * A session's variable values. A variable gets its initial value the first time a session reads
 * it; update ops write new values in place, so a variable's storage is allocated once.
 */
import type { Variable } from "../graph/index.js";
import type { Tensor } from "../tensor/index.js";

export class VariableStore {
  private readonly values = new Map<Variable, Tensor>();

  /** The current value (the session's own storage: callers must not hand it out). */
  read(v: Variable): Tensor {
    let t = this.values.get(v);
    if (t === undefined) {
      t = v.initialValue.clone();
      this.values.set(v, t);
    }
    return t;
  }

  /** Overwrites the variable's value with `value`, whose shape and dtype inference guaranteed. */
  write(v: Variable, value: Tensor): void {
    this.read(v).data.set(value.data);
  }

  /** Replaces a value wholesale (restoring a checkpoint). */
  set(v: Variable, value: Tensor): void {
    this.values.set(v, value.clone());
  }

  clear(): void {
    this.values.clear();
  }
}
