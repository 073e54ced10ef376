/**
 * Row-wise losses in wasm (assembly/loss.ts) for a class axis that is the last one; another class
 * axis runs the JS kernel. The sparse losses take int32 labels beside float32 logits, so they
 * check dtypes themselves (see index.ts); their labels are range-checked in JS first.
 */
import type { ClassAxisAttrs } from "../../kernels/attrs.js";
import type { Tensor } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";
import { checkSparseLabels, classLayout } from "../js/loss.js";
import type { WasmContext } from "./context.js";

/** Labels int32, logits and result float32. */
function sparseOperands(inputs: readonly Tensor[], out: Tensor): boolean {
  return inputs[0]!.dtype === "int32" && inputs[1]!.dtype === "float32" && out.dtype === "float32";
}

/** SparseSoftmaxCrossEntropyWithLogits (`backprop` false: lse − x[label] per row) or its backprop op (softmax − one_hot). */
export function sparseXentKernel(ctx: WasmContext, js: Kernel, backprop: boolean): Kernel {
  return (inputs, out, attrs) => {
    const [labels, logits] = inputs as [Tensor, Tensor];
    if (!sparseOperands(inputs, out)) return js(inputs, out, attrs);
    checkSparseLabels(labels, logits);
    if (labels.size === 0) return;
    const { rt } = ctx;
    rt.begin();
    const pl = rt.words(labels.data);
    const px = rt.input(logits.data as Float32Array);
    const po = rt.output(out.data as Float32Array);
    const classes = logits.shape[logits.rank - 1]!;
    rt.kernels.sparseXent(pl, px, backprop ? 0 : po, backprop ? po : 0, labels.size, classes);
    rt.end();
  };
}

export function softmaxXentKernel(ctx: WasmContext, js: Kernel): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: ClassAxisAttrs) => {
    const [labels, logits] = inputs as [Tensor, Tensor];
    const { outer, len, inner } = classLayout(logits, attrs.axis, "SoftmaxCrossEntropyWithLogits");
    if (inner !== 1) return js(inputs, out, attrs as never);
    if (outer === 0) return;
    const { rt } = ctx;
    rt.begin();
    const pz = rt.input(labels.data as Float32Array);
    const px = rt.input(logits.data as Float32Array);
    const po = rt.output(out.data as Float32Array);
    rt.kernels.softmaxXent(pz, px, po, outer, len);
    rt.end();
  }) as Kernel;
}

export function logSoftmaxKernel(ctx: WasmContext, js: Kernel): Kernel {
  return ((inputs: readonly Tensor[], out: Tensor, attrs: ClassAxisAttrs) => {
    const x = inputs[0]!;
    const { outer, len, inner } = classLayout(x, attrs.axis, "LogSoftmax");
    if (inner !== 1) return js(inputs, out, attrs as never);
    if (outer === 0) return;
    const { rt } = ctx;
    rt.begin();
    const px = rt.input(x.data as Float32Array);
    const po = rt.output(out.data as Float32Array);
    rt.kernels.logSoftmax(px, po, outer, len);
    rt.end();
  }) as Kernel;
}
