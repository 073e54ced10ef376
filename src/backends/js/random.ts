/** The random ops' kernels (ops/random.ts): each run draws from the op's stream in the session. */
import type { RandomKernelAttrs } from "../../kernels/attrs.js";
import { fillNormal, fillTruncatedNormal, fillUniform, type Tensor } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";

const draw = (fill: typeof fillNormal): Kernel =>
  ((_inputs: readonly Tensor[], out: Tensor, { generator }: RandomKernelAttrs) => fill(out.data, generator)) as Kernel;

export const randomKernels: Record<string, Kernel> = {
  RandomStandardNormal: draw(fillNormal),
  TruncatedNormal: draw(fillTruncatedNormal),
  RandomUniform: draw(fillUniform),
};
