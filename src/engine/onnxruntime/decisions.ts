/**
 * Which ops the onnxruntime engine runs, and why it does not run the others. The engine writes an
 * op through the ONNX exporter's table (src/io/onnx/ops.ts), with two differences that come from
 * running a training step rather than exporting an inference model:
 * - a variable update is the variable's next value (the plan chains one variable's updates and
 *   makes the last one a model output), where the exporter may have no entry;
 * - a dropout mask is drawn at every step, by ONNX Runtime's RandomUniformLike: the same
 *   distribution as the session's kernels, not the same numbers (the exporter's entry, dropout as
 *   the identity, is an inference model's, not a training step's).
 * An op the engine does not run is computed by the session's own kernels before the model runs,
 * when nothing it needs is updated in the same run; otherwise the plan is refused (plan-model.ts).
 */
import { ONNX_OPS } from "../../io/onnx/ops.js";
import { registeredOps } from "../../ops/define.js";
import { onnxDtype, type OnnxEmitter } from "../../io/onnx/builder.js";
import type { Operation } from "../../graph/index.js";
import type { DropoutMaskAttrs } from "../../kernels/attrs.js";
import { ones, scalar, zeros, type DType } from "../../tensor/index.js";
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

/**
 * A dropout mask of x's shape (or the noise shape: x's dimension where it has none): each element
 * 1/(1 − rate) where a uniform draw in [0, 1) is at least the rate, else 0; all ones where the
 * optional `training` input is false.
 */
const dropoutMask: OnnxEmitter = (cx) => {
  const { noiseShape } = (cx.op as Operation<DropoutMaskAttrs>).attrs;
  const dtype = cx.op.dtype as DType;
  let shape = cx.add("Shape", [cx.input(0)]);
  if (noiseShape !== undefined) {
    const keep = cx.int64s(noiseShape.map((d) => (d === null ? 1 : 0)), "keep");
    const set = cx.int64s(noiseShape.map((d) => d ?? 0), "set");
    shape = cx.add("Add", [cx.add("Mul", [shape, keep]), set]);
  }
  const like = cx.add("ConstantOfShape", [shape], { value: { tensor: zeros([1], dtype) } });
  const draw = cx.add("RandomUniformLike", [like], { dtype: { int: onnxDtype(dtype) }, low: { float: 0 }, high: { float: 1 } });
  const one = cx.constant(scalar(1, dtype), "one");
  const scale = cx.add("Div", [one, cx.add("Sub", [one, cx.input(1)])]);
  const kept = cx.add("Where", [cx.add("GreaterOrEqual", [draw, cx.input(1)]), scale, cx.constant(scalar(0, dtype), "zero")]);
  if (cx.op.inputs.length < 3) return void cx.add("Identity", [kept], {}, cx.output);
  cx.add("Where", [cx.input(2), kept, cx.add("ConstantOfShape", [shape], { value: { tensor: ones([1], dtype) } })], {}, cx.output);
};

const ENGINE_ONLY: Readonly<Record<string, ExportEntry<OnnxEmitter>>> = {
  DropoutMask: dropoutMask,
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
