/**
 * The JS reference backend: plain loops over typed arrays, obviously correct, used as the
 * specification that faster backends are tested against. Kernels are keyed by op kernel name.
 */
import { allocate, convertInto } from "../../tensor/index.js";
import type { Backend, Kernel } from "../backend.js";
import { formulaKernels } from "./elementwise.js";
import { jsFused } from "./fused.js";
import { fusedMatMulKernel, matmulKernel } from "./matmul.js";
import { broadcastLikeKernel, meanKernel, furtherReductionKernels, softmaxKernel, sumKernel, sumToShapeKernel } from "./reduce.js";
// Comparisons, selection, clipping.
import { compareKernels } from "./compare.js";
// Array ops: movement, indexing and creation, more reductions.
import { indexingKernels } from "./indexing.js";
import { movementKernels } from "./movement.js";
// Convolution and pooling (ops/conv.ts, ops/pool.ts).
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel, conv2dKernel, fusedConv2dKernel, fusedConv2dMaxPoolKernel } from "./conv.js";
import { avgPoolGradKernel, avgPoolKernel, maxPoolGradGradKernel, maxPoolGradKernel, maxPoolKernel } from "./pool.js";
import { l2LossKernel, logSoftmaxKernel, sigmoidXentKernel, softmaxXentKernel, sparseXentBackpropKernel, sparseXentKernel } from "./loss.js";
import { biasAddGradKernel, biasAddKernel, dropoutMaskKernel } from "./nn.js";
import { randomKernels } from "./random.js";
import { shapeInfoKernels } from "./shape-info.js";
import { numericsKernels } from "./numerics.js";

const copy: Kernel = (inputs, out) => out.data.set(inputs[0]!.data);

/** The kernels of ops that are not a formula of formulas.ts (theirs are derived from it). */
const opKernels: Record<string, Kernel> = {
  Cast: (inputs, out) => convertInto(inputs[0]!.data, out.data, out.dtype),
  Softmax: softmaxKernel as Kernel,
  MatMul: matmulKernel as Kernel,
  _FusedMatMul: fusedMatMulKernel as Kernel,
  Sum: sumKernel as Kernel,
  Mean: meanKernel as Kernel,
  SumToShape: sumToShapeKernel as Kernel,
  BroadcastLike: broadcastLikeKernel as Kernel,
  SizeRatio: (inputs, out) => {
    out.data[0] = inputs[0]!.size / inputs[1]!.size;
  },
  OnesLike: (_inputs, out) => out.data.fill(1),
  Reshape: copy,
  // The session writes an update op's output into its variable; Assign's output is the new value.
  Assign: (inputs, out) => out.data.set(inputs[1]!.data),
  ...compareKernels,
  ZerosLike: (_inputs, out) => out.data.fill(0),
  ...movementKernels,
  ...indexingKernels,
  ...furtherReductionKernels,
  ...numericsKernels,
  // Convolution and pooling.
  Conv2D: conv2dKernel as Kernel,
  _FusedConv2D: fusedConv2dKernel as Kernel,
  _FusedConv2DMaxPool: fusedConv2dMaxPoolKernel as Kernel,
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
  ...shapeInfoKernels,
};

const kernels: Record<string, Kernel> = formulaKernels();
for (const [name, kernel] of Object.entries(opKernels)) {
  // An op with a formula runs the kernel derived from it, never a second implementation.
  if (name in kernels) throw new Error(`JS kernel '${name}' is written out, though formulas.ts has the formula '${name}'`);
  kernels[name] = kernel;
}

export const jsBackend: Backend = {
  name: "js",
  kernels,
  allocate,
  fused: jsFused,
};
