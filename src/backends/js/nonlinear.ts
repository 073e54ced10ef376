/** Kernels of the activations and their gradient ops (src/ops/activation.ts). */
import type { Tensor } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";
import { binaryKernel, unaryKernel } from "./elementwise.js";
import { FORMULAS as F } from "./formulas.js";

const leakyRelu = (inputs: readonly Tensor[], out: Tensor, { alpha }: { alpha: number }): void => {
  const x = inputs[0]!.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = F.LeakyRelu(x[i]!, alpha);
};

export const nonlinearKernels: Record<string, Kernel> = {
  Relu: unaryKernel(F.Relu),
  Relu6: unaryKernel(F.Relu6),
  LeakyRelu: leakyRelu as Kernel,
  Elu: unaryKernel(F.Elu),
  Selu: unaryKernel(F.Selu),
  Softplus: unaryKernel(F.Softplus),
  Tanh: unaryKernel(F.Tanh),
  Abs: unaryKernel(F.Abs),
  Sign: unaryKernel(F.Sign),
  ReluGrad: binaryKernel(F.ReluGrad),
  Relu6Grad: binaryKernel(F.Relu6Grad),
  LeakyReluGrad: ((inputs, out, { alpha }: { alpha: number }) => binaryKernel((dy, x) => F.LeakyReluGrad(dy, x, alpha))(inputs, out, undefined as never)) as Kernel,
  EluGrad: binaryKernel(F.EluGrad),
  SeluGrad: binaryKernel(F.SeluGrad),
  TanhGrad: binaryKernel(F.TanhGrad),
};
