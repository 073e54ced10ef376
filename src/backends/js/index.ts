/**
 * The JS reference backend: plain loops over typed arrays, obviously correct, used as the
 * specification that faster backends are tested against. Kernels are keyed by op kernel name.
 */
import { allocate, convertInto } from "../../tensor/index.js";
import type { Backend, Kernel } from "../backend.js";
import { binaryKernel, unaryKernel } from "./elementwise.js";
import { FORMULAS as F } from "./formulas.js";
import { jsFused } from "./fused.js";
import { matmulKernel } from "./matmul.js";
import { broadcastLikeKernel, meanKernel, softmaxKernel, sumKernel, sumToShapeKernel } from "./reduce.js";
// Activations, comparisons and selection (issue 3).
import { binaryMathKernels } from "./binary-math.js";
import { compareKernels } from "./compare.js";
import { nonlinearKernels } from "./nonlinear.js";
// Array ops: movement, indexing and creation, more reductions.
import { indexingKernels } from "./indexing.js";
import { movementKernels } from "./movement.js";
import { reduceExtKernels } from "./reduce-ext.js";
// Convolution and pooling (ops/conv.ts, ops/pool.ts).
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel, conv2dKernel } from "./conv.js";
import { avgPoolGradKernel, avgPoolKernel, maxPoolGradGradKernel, maxPoolGradKernel, maxPoolKernel } from "./pool.js";
import { l2LossKernel, logSoftmaxKernel, sigmoidXentKernel, softmaxXentKernel, sparseXentBackpropKernel, sparseXentKernel } from "./loss.js";
import { biasAddGradKernel, biasAddKernel, dropoutMaskKernel } from "./nn.js";
import { randomKernels } from "./random.js";

const copy: Kernel = (inputs, out) => out.data.set(inputs[0]!.data);

const kernels: Record<string, Kernel> = {
  Add: binaryKernel(F.Add),
  Sub: binaryKernel(F.Sub),
  Mul: binaryKernel(F.Mul),
  RealDiv: binaryKernel(F.RealDiv),
  Neg: unaryKernel(F.Neg),
  Log: unaryKernel(F.Log),
  Exp: unaryKernel(F.Exp),
  Square: unaryKernel(F.Square),
  Sqrt: unaryKernel(F.Sqrt),
  Floor: unaryKernel(F.Floor),
  Cast: (inputs, out) => convertInto(inputs[0]!.data, out.data, out.dtype),
  Sigmoid: unaryKernel(F.Sigmoid),
  SigmoidGrad: binaryKernel(F.SigmoidGrad),
  Softmax: softmaxKernel as Kernel,
  MatMul: matmulKernel as Kernel,
  Sum: sumKernel as Kernel,
  Mean: meanKernel as Kernel,
  SumToShape: sumToShapeKernel as Kernel,
  BroadcastLike: broadcastLikeKernel as Kernel,
  SizeRatio: (inputs, out) => {
    out.data[0] = inputs[0]!.size / inputs[1]!.size;
  },
  OnesLike: (_inputs, out) => out.data.fill(1),
  Identity: copy,
  Reshape: copy,
  // The session writes an update op's output into its variable; Assign's output is the new value.
  Assign: (inputs, out) => out.data.set(inputs[1]!.data),
  // Activations, comparisons and selection (issue 3).
  ...nonlinearKernels,
  ...binaryMathKernels,
  ...compareKernels,
  ZerosLike: (_inputs, out) => out.data.fill(0),
  ...movementKernels,
  ...indexingKernels,
  ...reduceExtKernels,
  // Convolution and pooling.
  Conv2D: conv2dKernel as Kernel,
  Conv2DBackpropInput: conv2dBackpropInputKernel as Kernel,
  Conv2DBackpropFilter: conv2dBackpropFilterKernel as Kernel,
  MaxPool: maxPoolKernel as Kernel,
  MaxPoolGrad: maxPoolGradKernel as Kernel,
  MaxPoolGradGrad: maxPoolGradGradKernel as Kernel,
  AvgPool: avgPoolKernel as Kernel,
  AvgPoolGrad: avgPoolGradKernel as Kernel,
  // Losses and nn building blocks (loss.ts, nn.ts).
  LogSoftmax: logSoftmaxKernel as Kernel,
  SoftmaxCrossEntropyWithLogits: softmaxXentKernel as Kernel,
  SparseSoftmaxCrossEntropyWithLogits: sparseXentKernel,
  SparseSoftmaxCrossEntropyBackprop: sparseXentBackpropKernel,
  SigmoidCrossEntropyWithLogits: sigmoidXentKernel,
  L2Loss: l2LossKernel,
  BiasAdd: biasAddKernel,
  BiasAddGrad: biasAddGradKernel,
  DropoutMask: dropoutMaskKernel as Kernel,
  ...randomKernels,
};

export const jsBackend: Backend = {
  name: "js",
  kernels,
  allocate,
  fused: jsFused,
};
