/**
 * The variables of a session on the onnxruntime engine, kept where ONNX Runtime reads them without
 * a copy by the engine at every step. Each variable the engine touches gets buffers of plain memory
 * (not a backend's: ONNX Runtime holds them during a run), wrapped as ONNX Runtime tensors: the
 * model reads the current one and writes the variable's next value into the other as a
 * preallocated output; after the run the two swap, and the session's variable store adopts the new
 * one as the variable's storage. So fetch, readVariable, Saver.save and export, which read the
 * store, always see the engine's values; a value loaded into the store (a restore) is noticed at the
 * next run, since the store then holds another tensor than the engine's.
 * What a run returns for a variable's next value becomes the next buffer when it is not the
 * preallocated tensor (written): onnxruntime-web does not write into preallocated outputs (see
 * load.ts) and gets none; onnxruntime-node 1.30 writes into them and still returns a copy of each
 * in a new array (its binding converts every output), which is then adopted in place of the
 * preallocated buffer.
 */
import type { Variable } from "../../graph/index.js";
import { Tensor, TensorSlowError, allocate } from "../../tensor/index.js";
import type { EngineHost } from "../../runtime/engine.js";
import type { Ort, OrtData, OrtDType, OrtTensor } from "./load.js";

interface Buffers {
  /** The variable's storage now (the store holds this very tensor). */
  current: Tensor;
  currentOrt: OrtTensor;
  /** Where the next value is written (made on the first update). */
  next: Tensor | undefined;
  nextOrt: OrtTensor | undefined;
}

export class EngineVariables {
  private readonly buffers = new Map<Variable, Buffers>();

  constructor(
    private readonly host: EngineHost,
    private readonly ort: Ort,
  ) {}

  /** The variable's value as ONNX Runtime reads it; the variable moves into engine memory on first use. */
  current(v: Variable): OrtTensor {
    return this.entry(v).currentOrt;
  }

  /** The variable's value now, as the session's tensor (the engine's storage: copy before handing out). */
  value(v: Variable): Tensor {
    return this.entry(v).current;
  }

  /** The buffer the run writes the variable's next value into. */
  next(v: Variable): OrtTensor {
    const b = this.entry(v);
    if (b.next === undefined) {
      b.next = new Tensor(b.current.shape, b.current.dtype, allocate(b.current.dtype, b.current.size));
      b.nextOrt = this.wrap(b.next);
    }
    return b.nextOrt!;
  }

  /**
   * After a run: `written` is what ONNX Runtime returned for the variable's next value. When it is not
   * the preallocated tensor (none was given), its array becomes the next buffer (a fresh array of the
   * run's, which nothing else holds).
   */
  written(v: Variable, written: OrtTensor): void {
    const b = this.entry(v);
    if (written === b.nextOrt) return;
    const data = written.data as OrtData;
    if (data.length !== b.current.size) throw new TensorSlowError(`the onnxruntime engine's run returned ${data.length} values for variable '${v.name}', expected ${b.current.size}`);
    b.next = new Tensor(b.current.shape, b.current.dtype, data);
    b.nextOrt = written;
  }

  /** The variable's next value as the run wrote it (the engine's storage after the swap: copy before handing out). */
  nextValue(v: Variable): Tensor {
    return this.buffers.get(v)!.next!;
  }

  /** After a run: the next values become the variables' storage. */
  swap(v: Variable): void {
    const b = this.buffers.get(v)!;
    [b.current, b.next] = [b.next!, b.current];
    [b.currentOrt, b.nextOrt] = [b.nextOrt!, b.currentOrt];
    this.host.adoptVariable(v, b.current);
  }

  private entry(v: Variable): Buffers {
    const stored = this.host.readVariable(v);
    let b = this.buffers.get(v);
    if (b === undefined || b.current !== stored) {
      const current = new Tensor(stored.shape, stored.dtype, allocate(stored.dtype, stored.size));
      current.data.set(stored.data);
      this.host.adoptVariable(v, current);
      b = { current, currentOrt: this.wrap(current), next: undefined, nextOrt: undefined };
      this.buffers.set(v, b);
    }
    return b;
  }

  private wrap(t: Tensor): OrtTensor {
    return new this.ort.Tensor(t.dtype as OrtDType, t.data as OrtData, t.shape);
  }

  clear(): void {
    this.buffers.clear();
  }
}
