/** Engines a session can run its plans on besides the runtime's own (see runtime/engine.ts). */
import { is, requireArg } from "../tensor/index.js";
import { onnxruntimeSupport } from "./onnxruntime/index.js";

/**
 * Every registered op type and the engine's decision for it: null when the engine runs it, else the
 * reason it does not (the session then computes it with its own kernels before the engine runs,
 * where nothing it needs is updated in the same run; otherwise the plan is refused, naming it).
 */
export function engineSupport(engine: "onnxruntime"): Record<string, string | null> {
  requireArg("engineSupport", "engine", engine, is.oneOf(["onnxruntime"]));
  return onnxruntimeSupport();
}
