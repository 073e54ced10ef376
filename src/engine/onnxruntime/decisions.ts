/**
 * Which ops the onnxruntime engine runs, and why it does not run the others. The engine writes an
 * op through the ONNX exporter's table (src/io/onnx/ops.ts), with two differences that come from
 * running a training step rather than exporting an inference model:
 * - a variable update is the variable's next value (the plan chains one variable's updates and
 *   makes the last one a model output), where the exporter may have no entry;
 * - an op that draws random values at every run (a dropout mask in training) cannot run in the
 *   model, whose random draws would not be the session's: the exporter's entry (dropout as the
 *   identity) is an inference model's, not a training step's.
 * An op the engine does not run is computed by the session's own kernels before the model runs,
 * when nothing it needs is updated in the same run; otherwise the plan is refused (plan-model.ts).
 */
import { ONNX_OPS } from "../../io/onnx/ops.js";
import { registeredOps } from "../../ops/define.js";
import type { OnnxEmitter } from "../../io/onnx/builder.js";
import type { ExportEntry } from "../../io/export/inference.js";

/** The variable's new value, from its current value (input 0) and the op's operand (input 1). */
const update =
  (onnxType: "Identity" | "Add" | "Sub"): OnnxEmitter =>
  (cx) => {
    cx.add(onnxType, onnxType === "Identity" ? [cx.input(1)] : [cx.input(0), cx.input(1)], {}, cx.output);
  };

const STATE_UPDATES: Readonly<Record<string, OnnxEmitter>> = {
  Assign: update("Identity"),
  AssignAdd: update("Add"),
  AssignSub: update("Sub"),
};

const PER_RUN_DRAW = "it draws new random values at every run, which must be the session's own draws";

const ENGINE_ONLY: Readonly<Record<string, ExportEntry<OnnxEmitter>>> = {
  DropoutMask: { notExported: PER_RUN_DRAW },
};

/** The engine's entry for each op type: how to write it, or why it does not run in the model. */
export function engineEntry(type: string): ExportEntry<OnnxEmitter> | undefined {
  const own = ENGINE_ONLY[type];
  if (own !== undefined) return own;
  const exported = ONNX_OPS[type];
  if (typeof exported === "function") return exported;
  return STATE_UPDATES[type] ?? exported;
}

/**
 * Each registered op type with an engine decision: null when the model runs it, else why not (it
 * then runs on the session's own kernels before the model, where it can; see plan-model.ts). A type
 * missing here has no decision yet (neither an ONNX mapping nor a stated reason).
 */
export function onnxruntimeSupport(): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const { type } of registeredOps()) {
    const entry = engineEntry(type);
    if (entry !== undefined) out[type] = typeof entry === "function" ? null : entry.notExported;
  }
  return out;
}
