/** Kernels that select by index values (gather and its adjoint, one-hot) and that make tensors (fill, range). */
import type { GatherAttrs, OneHotAttrs, RangeAttrs } from "../../kernels/attrs.js";
import { ValueError, normalizeAxes, sizeOf, type Tensor } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";
import { axisTable, gatherTables, scatterAddTables } from "./index-maps.js";

/**
 * Tables for GatherV2 over its output seen as [outer, indices, inner]: outer blocks of params,
 * the indexed slice along the axis, and the inner elements. An index outside the axis is an error
 * (the session names the node).
 */
function gatherTablesOf(params: readonly number[], indices: Tensor, axis: number): Int32Array[] {
  const [ax] = normalizeAxes(axis, params.length, "GatherV2");
  const n = params[ax!]!;
  const inner = sizeOf(params.slice(ax! + 1));
  const outer = sizeOf(params.slice(0, ax!));
  const idx = indices.data;
  const middle = axisTable(idx.length, inner, (m) => {
    const i = idx[m]!;
    if (!(i >= 0 && i < n)) {
      throw new ValueError(`indices[${m}] = ${i} is not in [0, ${n}) (axis ${ax} of params of shape [${params.join(",")}])`);
    }
    return i;
  });
  return [axisTable(outer, n * inner), middle, axisTable(inner, 1)];
}

const gather = (inputs: readonly Tensor[], out: Tensor, { axis }: GatherAttrs): void => {
  const [params, indices] = inputs as [Tensor, Tensor];
  gatherTables(params.data, gatherTablesOf(params.shape, indices, axis), out.data);
};

/** (paramsLike, indices, dy): each slice of dy added into zeros at its index. */
const gatherGrad = (inputs: readonly Tensor[], out: Tensor, { axis }: GatherAttrs): void => {
  const [, indices, dy] = inputs as [Tensor, Tensor, Tensor];
  scatterAddTables(dy.data, gatherTablesOf(out.shape, indices, axis), out.data);
};

const oneHot = (inputs: readonly Tensor[], out: Tensor, { depth, onValue, offValue, axis }: OneHotAttrs): void => {
  const idx = inputs[0]!.data;
  const o = out.data;
  o.fill(offValue);
  // Output as [outer, depth, inner] where the indices are [outer, inner].
  const ax = axis === -1 ? inputs[0]!.rank : axis;
  const inner = sizeOf(inputs[0]!.shape.slice(ax));
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    if (i < 0 || i >= depth) continue;
    const p = Math.floor(k / inner);
    const q = k - p * inner;
    o[(p * depth + i) * inner + q] = onValue;
  }
};

const fill = (inputs: readonly Tensor[], out: Tensor): void => {
  out.data.fill(inputs[0]!.data[0]!);
};

const range = (_inputs: readonly Tensor[], out: Tensor, { start, delta }: RangeAttrs): void => {
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = start + i * delta;
};

export const indexingKernels: Record<string, Kernel> = {
  GatherV2: gather as Kernel,
  GatherGrad: gatherGrad as Kernel,
  OneHot: oneHot as Kernel,
  Fill: fill as Kernel,
  Range: range as Kernel,
};
