/**
 * The onnxruntime engine, registered under its name when the library loads (ONNX Runtime itself
 * loads only when a session on this engine first runs): `new Session({ engine: "onnxruntime" })`.
 */
import { registerEngine } from "../../runtime/engine.js";
import { OnnxruntimeEngine, checkOnnxruntimeOptions } from "./engine.js";

registerEngine("onnxruntime", {
  optionNames: ["executionProviders", "allowSpinning"],
  create: (host, options) => new OnnxruntimeEngine(host, checkOnnxruntimeOptions(options)),
});

export { onnxruntimeSupport } from "./decisions.js";
export type { ExecutionProvider } from "./engine.js";
