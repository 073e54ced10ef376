/** The kernel that checks values: CheckNumerics passes its input through unless it holds a NaN or an infinity. */
import type { CheckNumericsAttrs } from "../../kernels/attrs.js";
import { NumericsError, firstNonFinite, formatShape, nonFiniteKind, type Tensor } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";

const checkNumerics = (inputs: readonly Tensor[], out: Tensor, { message }: CheckNumericsAttrs): void => {
  const x = inputs[0]!;
  const bad = firstNonFinite(x.data);
  if (bad >= 0) {
    throw new NumericsError(`${message} : Tensor had ${nonFiniteKind(x.data[bad]!)} values (element ${bad} of shape ${formatShape(x.shape)} is the first)`);
  }
  out.data.set(x.data);
};

export const numericsKernels: Record<string, Kernel> = { CheckNumerics: checkNumerics as Kernel };
