/**
 * Kernels of the ops that move elements: slices and splits (and their adjoints), transpose,
 * concat and stack, tile and pad. Each builds per-axis offset tables (index-maps.ts).
 */
import type { AxisAttrs, PadAttrs, SliceAttrs, TransposeAttrs } from "../../kernels/attrs.js";
import { sliceAsStrided, stridesOf, type SplitSpec, type StridedSliceSpec, type Tensor } from "../../tensor/index.js";
import type { Kernel } from "../backend.js";
import {
  axisTable,
  copyRegion,
  gatherTables,
  scatterAddTables,
  scatterTables,
  splitRegion,
  stridedRegion,
  writeRegion,
} from "./index-maps.js";

const slice = (inputs: readonly Tensor[], out: Tensor, attrs: SliceAttrs): void => {
  const x = inputs[0]!;
  copyRegion(x, stridedRegion(x.shape, sliceAsStrided(attrs.begin, attrs.size)), out);
};

const stridedSlice = (inputs: readonly Tensor[], out: Tensor, spec: StridedSliceSpec): void => {
  const x = inputs[0]!;
  copyRegion(x, stridedRegion(x.shape, spec), out);
};

/** (xLike, dy): dy written into zeros where the slice took its values. */
const stridedSliceGrad = (inputs: readonly Tensor[], out: Tensor, spec: StridedSliceSpec): void => {
  writeRegion(inputs[1]!, stridedRegion(inputs[0]!.shape, spec), out);
};

/** Split, SplitV (with like inputs giving the sizes) and Unpack: one piece along the axis. */
const splitPiece = (inputs: readonly Tensor[], out: Tensor, spec: SplitSpec): void => {
  const [x, ...likes] = inputs;
  copyRegion(x!, splitRegion(x!.shape, spec, likes), out);
};

/** (xLike, dy, ...likes): dy written into zeros where the piece lies. */
const splitGrad = (inputs: readonly Tensor[], out: Tensor, spec: SplitSpec): void => {
  const [x, dy, ...likes] = inputs;
  writeRegion(dy!, splitRegion(x!.shape, spec, likes), out);
};

const transpose = (inputs: readonly Tensor[], out: Tensor, attrs: TransposeAttrs): void => {
  const x = inputs[0]!;
  const rank = x.rank;
  const perm = attrs.perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const strides = stridesOf(x.shape);
  gatherTables(x.data, out.shape.map((n, d) => axisTable(n, strides[perm[d]!]!)), out.data);
};

/** Writes each input into its stretch of out along `axis` (a new axis when `stack`). */
function join(inputs: readonly Tensor[], out: Tensor, axis: number, stack: boolean): void {
  const ax = axis < 0 ? axis + out.rank : axis;
  const strides = stridesOf(out.shape);
  let at = 0;
  for (const x of inputs) {
    const tables = x.shape.map((n, d) => axisTable(n, strides[stack && d >= ax ? d + 1 : d]!));
    scatterTables(x.data, tables, out.data, at * strides[ax]!);
    at += stack ? 1 : x.shape[ax]!;
  }
}

const concat = (inputs: readonly Tensor[], out: Tensor, attrs: AxisAttrs): void => join(inputs, out, attrs.axis, false);
const pack = (inputs: readonly Tensor[], out: Tensor, attrs: AxisAttrs): void => join(inputs, out, attrs.axis, true);

/** Tables reading a tile of x (of `shape`) for each index of the tiled shape `tiled`. */
function tileTables(tiled: readonly number[], shape: readonly number[]): Int32Array[] {
  const strides = stridesOf(shape);
  return tiled.map((n, d) => axisTable(n, strides[d]!, (o) => o % shape[d]!));
}

const tile = (inputs: readonly Tensor[], out: Tensor): void => {
  const x = inputs[0]!;
  gatherTables(x.data, tileTables(out.shape, x.shape), out.data);
};

/** (dy, xLike): the tiles of dy summed. */
const tileGrad = (inputs: readonly Tensor[], out: Tensor): void => {
  const dy = inputs[0]!;
  scatterAddTables(dy.data, tileTables(dy.shape, out.shape), out.data);
};

const constantPad = (inputs: readonly Tensor[], out: Tensor, attrs: PadAttrs): void => {
  const x = inputs[0]!;
  writeRegion(x, { begin: attrs.paddings.map(([before]) => before), step: x.shape.map(() => 1), size: [...x.shape] }, out, attrs.constantValue ?? 0);
};

/**
 * Tables reading, for each index of the padded shape `padded`, the element of the unpadded
 * `shape` it mirrors: REFLECT leaves out the edge value, SYMMETRIC repeats it.
 */
function mirrorTables(padded: readonly number[], shape: readonly number[], attrs: PadAttrs): Int32Array[] {
  const strides = stridesOf(shape);
  const shift = attrs.mode === "REFLECT" ? 0 : 1;
  return padded.map((n, d) => {
    const size = shape[d]!;
    return axisTable(n, strides[d]!, (o) => {
      const i = o - attrs.paddings[d]![0];
      return i < 0 ? -i - shift : i >= size ? 2 * size - 2 + shift - i : i;
    });
  });
}

const mirrorPad = (inputs: readonly Tensor[], out: Tensor, attrs: PadAttrs): void => {
  const x = inputs[0]!;
  gatherTables(x.data, mirrorTables(out.shape, x.shape, attrs), out.data);
};

const mirrorPadGrad = (inputs: readonly Tensor[], out: Tensor, attrs: PadAttrs): void => {
  const dy = inputs[0]!;
  scatterAddTables(dy.data, mirrorTables(dy.shape, out.shape, attrs), out.data);
};

export const movementKernels: Record<string, Kernel> = {
  Slice: slice as Kernel,
  StridedSlice: stridedSlice as Kernel,
  StridedSliceGrad: stridedSliceGrad as Kernel,
  SplitV: splitPiece as Kernel,
  Unpack: splitPiece as Kernel,
  SplitGrad: splitGrad as Kernel,
  Transpose: transpose as Kernel,
  ConcatV2: concat as Kernel,
  Pack: pack as Kernel,
  Tile: tile as Kernel,
  TileGrad: tileGrad as Kernel,
  Pad: constantPad as Kernel,
  MirrorPad: mirrorPad as Kernel,
  MirrorPadGrad: mirrorPadGrad as Kernel,
};
