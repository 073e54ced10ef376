/** Kernels of the ops that read an input's shape (Shape, Size, Rank) and of InTopK. */
import type { InTopKAttrs } from "../../kernels/attrs.js";
import { ValueError, type Tensor } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";

function inTopK([predictions, targets]: readonly Tensor[], out: Tensor, { k }: InTopKAttrs): void {
  const [batch, classes] = predictions!.shape as [number, number];
  const p = predictions!.data;
  const t = targets!.data;
  for (let b = 0; b < batch; b++) {
    const target = t[b]!;
    if (!(target >= 0 && target < classes)) throw new ValueError(`target ${target} of example ${b} is not a class id in [0, ${classes})`);
    const row = b * classes;
    const v = p[row + target]!;
    let above = 0;
    for (let c = 0; c < classes; c++) if (p[row + c]! > v) above++;
    out.data[b] = Number.isFinite(v) && above < k ? 1 : 0;
  }
}

export const shapeInfoKernels: Record<string, Kernel> = {
  Shape: ([x], out) => out.data.set(x!.shape),
  Size: ([x], out) => {
    out.data[0] = x!.size;
  },
  Rank: ([x], out) => {
    out.data[0] = x!.rank;
  },
  InTopK: inTopK as Kernel,
};
