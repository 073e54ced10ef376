/**
 * Files, pictures and exports of graphs: safetensors checkpoints, Graphviz DOT, and ONNX and
 * TensorFlow.js models.
 */
export { toDot, type DotOptions } from "./dot.js";
export {
  encodeSafetensors,
  decodeSafetensors,
  readSafetensorsHeader,
  decodeTensor,
  MAX_HEADER_BYTES,
  type Safetensors,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from "./safetensors/index.js";
export { ExportError } from "./export/errors.js";
export type { ExportSelection } from "./export/subgraph.js";
export { exportOnnx, type OnnxExportOptions, type OnnxModel, type OnnxValueInfo, type OnnxVariableInfo } from "./onnx/export.js";
export { ONNX_OPSET } from "./onnx/ops.js";
export { exportTfjsGraphModel, type TfjsExportOptions, type TfjsGraphModelExport, type TfjsModelJson } from "./tfjs/export.js";
export { exportSupport, type ExportFormat } from "./export/support.js";
