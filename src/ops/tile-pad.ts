/**
 * Repeating and padding: tile (Tile, whose gradient TileGrad sums the tiles) and pad (Pad and
 * PadV2 with a constant, MirrorPad with reflections, whose gradient MirrorPadGrad folds the
 * reflected border back in).
 */
import type { Node, OpDef, TensorSpec } from "../graph/index.js";
import { isIntegerList, is, requireArg, DTypeError, ShapeError, ValueError, formatShape, staticCompatible, type StaticShape } from "../tensor/index.js";
import { apply, defineOp, type NodeLike, type NameArg } from "./define.js";
import { stridedSlice } from "./indexing.js";
import { requireNumeric } from "./infer.js";
import type { PadAttrs } from "../kernels/attrs.js";

export interface TileAttrs {
  multiples: readonly number[];
}

/** The shape of `x` tiled `multiples` times along each axis. */
function tiledShape(x: StaticShape, multiples: readonly number[], context: string): StaticShape {
  if (multiples.some((m) => !Number.isInteger(m) || m < 0)) {
    throw new ShapeError(`${context}: multiples must be integers >= 0, got [${multiples.join(",")}]`);
  }
  if (x === null) return multiples.map((m) => (m === 0 ? 0 : null));
  if (x.length !== multiples.length) {
    throw new ShapeError(`${context}: multiples [${multiples.join(",")}] need one entry per axis of the input, whose shape is ${formatShape(x)}`);
  }
  return x.map((d, i) => (multiples[i] === 0 ? 0 : d === null ? null : d * multiples[i]!));
}

export const Tile: OpDef<TileAttrs> = defineOp<TileAttrs>({
  type: "Tile",
  infer: ([x], { multiples }, name): TensorSpec => ({ dtype: x!.dtype, shape: tiledShape(x!.shape, multiples, `Tile '${name}'`) }),
  gradient: (op, dy) => [apply(TileGrad, [dy, op.inputs[0]!], { multiples: op.attrs.multiples }, "TileGrad")],
});

/** TileGrad(dy, xLike): the tiles of dy summed into one tensor shaped like xLike. */
export const TileGrad: OpDef<TileAttrs> = defineOp<TileAttrs>({
  type: "TileGrad",
  infer: ([dy, x], { multiples }, name): TensorSpec => {
    requireNumeric("TileGrad", name, dy!);
    const expected = tiledShape(x!.shape, multiples, `TileGrad '${name}'`);
    if (!staticCompatible(expected, dy!.shape)) {
      throw new ShapeError(`TileGrad '${name}': the gradient has shape ${formatShape(dy!.shape)}, expected ${formatShape(expected)} (shape ${formatShape(x!.shape)} tiled [${multiples.join(",")}] times)`);
    }
    return { dtype: dy!.dtype, shape: x!.shape };
  },
  gradient: (op, g) => [tile(g, op.attrs.multiples), null],
});

export type PadMode = "CONSTANT" | "REFLECT" | "SYMMETRIC";

/**
 * The padded shape; `mirrorLimit` (MirrorPad) bounds each padding by the axis size (REFLECT
 * takes at most size-1 values, SYMMETRIC at most size), `sign` -1 gives MirrorPadGrad's unpadded
 * shape instead.
 */
function paddedShape(x: StaticShape, attrs: PadAttrs, context: string, sign = 1): StaticShape {
  const { paddings } = attrs;
  if (paddings.some((p) => p.length !== 2 || !p.every((v) => Number.isInteger(v) && v >= 0))) {
    throw new ShapeError(`${context}: paddings must be [before, after] pairs of integers >= 0, got ${JSON.stringify(paddings)}`);
  }
  if (x === null) return paddings.map(() => null);
  if (x.length !== paddings.length) {
    throw new ShapeError(`${context}: paddings has ${paddings.length} entries, one per axis of the input is needed (input shape ${formatShape(x)})`);
  }
  return x.map((d, i) => {
    if (d === null) return null;
    const [a, b] = paddings[i]!;
    const base = sign > 0 ? d : d - a - b;
    if (attrs.mode !== undefined) {
      const limit = attrs.mode === "REFLECT" ? base - 1 : base;
      if (a > limit || b > limit) {
        throw new ShapeError(`${context}: ${attrs.mode} padding of axis ${i} by [${a},${b}] needs paddings of at most ${Math.max(limit, 0)} for an axis of size ${base} (shape ${formatShape(x)})`);
      }
    }
    if (base < 0) throw new ShapeError(`${context}: axis ${i} of size ${d} is smaller than its paddings [${a},${b}]`);
    return sign > 0 ? d + a + b : base;
  });
}

/**
 * The gradient of a constant pad: the middle of dy, as a strided slice that ends `after` before
 * each axis's end, so it needs no run-time shape.
 */
function unpad(dy: Node, paddings: PadAttrs["paddings"]): Node {
  let endMask = 0;
  const end = paddings.map(([, after], i) => {
    if (after === 0) endMask |= 1 << i;
    return -after;
  });
  return stridedSlice(dy, paddings.map(([before]) => before), end, paddings.map(() => 1), { endMask });
}

function definePad(type: "Pad" | "PadV2") {
  return defineOp<PadAttrs>({
    type,
    // PadV2 (Pad with a constant) runs Pad's kernel, which reads the constant from the attributes.
    ...(type === "PadV2" ? { kernel: "Pad" } : {}),
    infer: ([x], attrs, name): TensorSpec => {
      const c = attrs.constantValue ?? 0;
      if ((x!.dtype === "int32" && !Number.isInteger(c)) || (x!.dtype === "bool" && c !== 0 && c !== 1)) {
        throw new DTypeError(`${type} '${name}': the constant ${c} cannot be a value of the ${x!.dtype} input`);
      }
      return { dtype: x!.dtype, shape: paddedShape(x!.shape, attrs, `${type} '${name}'`) };
    },
    gradient: (op, dy) => [unpad(dy, op.attrs.paddings)],
  });
}

export const Pad = definePad("Pad");
export const PadV2 = definePad("PadV2");

export const MirrorPad: OpDef<PadAttrs> = defineOp<PadAttrs>({
  type: "MirrorPad",
  infer: ([x], attrs, name): TensorSpec => ({ dtype: x!.dtype, shape: paddedShape(x!.shape, attrs, `MirrorPad '${name}'`) }),
  gradient: (op, dy) => [apply(MirrorPadGrad, [dy], { ...op.attrs }, "MirrorPadGrad")],
});

/** MirrorPadGrad(dy): the middle of dy plus the reflected borders added back where they came from. */
export const MirrorPadGrad: OpDef<PadAttrs> = defineOp<PadAttrs>({
  type: "MirrorPadGrad",
  infer: ([dy], attrs, name): TensorSpec => {
    requireNumeric("MirrorPadGrad", name, dy!);
    return { dtype: dy!.dtype, shape: paddedShape(dy!.shape, attrs, `MirrorPadGrad '${name}'`, -1) };
  },
  gradient: (op, g) => [apply(MirrorPad, [g], { ...op.attrs }, "MirrorPad")],
});

/** `x` repeated `multiples[i]` times along each axis i. */
export function tile(x: NodeLike, multiples: readonly number[], name?: NameArg): Node {
  requireArg("tile", "multiples", multiples, isIntegerList);
  return apply(Tile, [x], { multiples: [...multiples] }, name ?? "Tile");
}

/**
 * `x` with `paddings[i] = [before, after]` values added around axis i: `constantValues` (mode
 * "CONSTANT"), or the values mirrored at the edge without it ("REFLECT") or with it ("SYMMETRIC").
 */
export function pad(x: NodeLike, paddings: readonly (readonly number[])[], mode: string = "CONSTANT", constantValues = 0, name?: NameArg): Node {
  requireArg("pad", "paddings", paddings, is.list(isIntegerList));
  const pairs = paddings.map((p) => [p[0], p[1]] as [number, number]);
  if (paddings.some((p) => p.length !== 2)) {
    throw new ValueError(`pad: paddings must be [before, after] pairs, got ${JSON.stringify(paddings)}`);
  }
  const m = mode.toUpperCase();
  if (m === "CONSTANT") {
    if (constantValues === 0) return apply(Pad, [x], { paddings: pairs }, name ?? "Pad");
    return apply(PadV2, [x], { paddings: pairs, constantValue: constantValues }, name ?? "PadV2");
  }
  if (m !== "REFLECT" && m !== "SYMMETRIC") throw new ValueError(`pad: unknown mode '${mode}' (CONSTANT, REFLECT or SYMMETRIC)`);
  return apply(MirrorPad, [x], { paddings: pairs, mode: m }, name ?? "MirrorPad");
}
