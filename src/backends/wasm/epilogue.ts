/** The activation codes of the GEMM's fused store (assembly/gemv.ts's ACT_ constants). */
import type { EpilogueActivation } from "../../kernels/attrs.js";

export const ACTIVATION_CODES: Readonly<Record<EpilogueActivation | "none", number>> = { none: 0, Relu: 1 };
