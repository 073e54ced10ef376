/**
 * The gradients of array ops in ONNX: a piece, slice or gather of x written back into zeros shaped
 * like x (Pad, ScatterND), tiles summed (Reshape then ReduceSum), and mirrored borders folded back
 * (reversed Slices padded into place). Each needs the sizes that place the values: where they are
 * unknown, the export names the op and the shape it needs.
 */
import type { Operation } from "../../graph/index.js";
import type { GatherAttrs, PadAttrs, TileAttrs } from "../../ops/index.js";
import { resolveSplit, resolveStridedSlice, Tensor, type SplitSpec, type StridedSliceSpec } from "../../tensor/index.js";
import type { OnnxContext, OnnxEmitter } from "./builder.js";

const FAR = Number.MAX_SAFE_INTEGER;
const attrsOf = <A>(cx: OnnxContext): A => (cx.op as Operation<A>).attrs;

/** Zeros of the op's dtype shaped like input `i` (at run time). */
const zerosLike = (cx: OnnxContext, i: number): string =>
  cx.add("ConstantOfShape", [cx.add("Shape", [cx.input(i)])], { value: { tensor: new Tensor([1], cx.op.dtype) } });

/** `x` padded with zeros: `before` and `after` values along `axis` of a tensor of rank `rank`. */
function padAxis(cx: OnnxContext, x: string, rank: number, axis: number, before: number, after: number, output?: string): string {
  const pads = Array<number>(2 * rank).fill(0);
  pads[axis] = before;
  pads[rank + axis] = after;
  return cx.add("Pad", [x, cx.int64s(pads, "pads")], { mode: { string: "constant" } }, output);
}

/** SplitGrad(xLike, dy, ...likes): dy padded with zeros along the axis to where its piece lies in x. */
export const splitGrad: OnnxEmitter = (cx) => {
  const spec = attrsOf<SplitSpec>(cx);
  const why = `(to place piece ${spec.index} of the split in zeros shaped like the input)`;
  const likes = cx.op.inputs.slice(2).map((l) => l.shape);
  const context = `SplitGrad '${cx.op.name}'`;
  let shape = cx.op.inputs[0]!.shape ?? cx.staticShape(0, why);
  let piece = resolveSplit(shape, spec, likes, context);
  if (piece.start === null || piece.size === null || shape[piece.axis] === null) {
    shape = cx.staticShape(0, why);
    piece = resolveSplit(shape, spec, likes, context);
  }
  const after = shape[piece.axis]! - piece.start! - piece.size!;
  padAxis(cx, cx.input(1), shape.length, piece.axis, piece.start!, after, cx.output);
};

/**
 * StridedSliceGrad(xLike, dy): dy scattered into zeros shaped like x at the positions the slice
 * read (ScatterND with their coordinates, computed at export from x's static shape; the positions
 * of a slice are distinct, so nothing adds up).
 */
export const stridedSliceGrad: OnnxEmitter = (cx) => {
  const shape = cx.staticShape(0, "(its strided slice is resolved into a box at export)");
  const box = resolveStridedSlice(shape, attrsOf<StridedSliceSpec>(cx), `StridedSliceGrad '${cx.op.name}'`);
  const sizes = box.size as number[];
  const count = sizes.reduce((a, b) => a * b, 1);
  if (shape.length === 0) return void cx.add("Identity", [cx.input(1)], {}, cx.output);
  if (count === 0) return void cx.add("Identity", [zerosLike(cx, 0)], {}, cx.output);
  const coordinates: number[] = [];
  const at = Array<number>(sizes.length).fill(0);
  for (let n = 0; n < count; n++) {
    at.forEach((i, axis) => coordinates.push((box.begin[axis] as number) + i * box.step[axis]!));
    for (let axis = sizes.length - 1; axis >= 0 && ++at[axis]! === sizes[axis]; axis--) at[axis] = 0;
  }
  const indices = cx.add("Reshape", [cx.int64s(coordinates, "coordinates"), cx.int64s([...sizes, shape.length], "indices_shape")]);
  const updates = cx.add("Reshape", [cx.input(1), cx.int64s(sizes, "box")]);
  cx.add("ScatterND", [zerosLike(cx, 0), indices, updates], {}, cx.output);
};

/**
 * GatherGrad(paramsLike, indices, dy): each slice of dy added at its index along the axis. The
 * axis goes to the front of zeros shaped like params, the indices' axes to the front of dy, and
 * ScatterND adds (reduction add: an index may repeat); the result is transposed back.
 */
export const gatherGrad: OnnxEmitter = (cx) => {
  const why = "(to move the gathered axis to the front)";
  const rank = cx.rank(0, why);
  const indexRank = cx.rank(1, why);
  const axis = attrsOf<GatherAttrs>(cx).axis < 0 ? attrsOf<GatherAttrs>(cx).axis + rank : attrsOf<GatherAttrs>(cx).axis;
  const toFront = [axis, ...[...Array(rank).keys()].filter((a) => a !== axis)];
  const back = toFront.map((_, i) => toFront.indexOf(i));
  const block = [...Array(indexRank).keys()].map((i) => axis + i);
  const dyRank = rank - 1 + indexRank;
  const dyToFront = [...block, ...[...Array(dyRank).keys()].filter((a) => !block.includes(a))];
  const zeros = cx.add("ConstantOfShape", [cx.add("Gather", [cx.add("Shape", [cx.input(0)]), cx.int64s(toFront, "perm")], { axis: { int: 0 } })], {
    value: { tensor: new Tensor([1], cx.op.dtype) },
  });
  const indices = cx.add("Unsqueeze", [cx.add("Cast", [cx.input(1)], { to: { int: 7 } }), cx.int64s([-1], "axes")]);
  const updates = cx.add("Transpose", [cx.input(2)], { perm: { ints: dyToFront } });
  const summed = cx.add("ScatterND", [zeros, indices, updates], { reduction: { string: "add" } });
  cx.add("Transpose", [summed], { perm: { ints: back } }, cx.output);
};

/** TileGrad(dy, xLike): dy as [m0, d0, m1, d1, ...] (d from x's shape at run time), summed over the m axes. */
export const tileGrad: OnnxEmitter = (cx) => {
  const { multiples } = attrsOf<TileAttrs>(cx);
  if (multiples.length === 0) return void cx.add("Identity", [cx.input(0)], {}, cx.output);
  const xShape = cx.add("Shape", [cx.input(1)]);
  const parts = multiples.flatMap((m, i) => [cx.int64s([m], "multiple"), cx.add("Slice", [xShape, cx.int64s([i], "starts"), cx.int64s([i + 1], "ends")])]);
  const split = cx.add("Reshape", [cx.input(0), cx.add("Concat", parts, { axis: { int: 0 } })], { allowzero: { int: 1 } });
  cx.add("ReduceSum", [split, cx.int64s(multiples.map((_, i) => 2 * i), "axes")], { keepdims: { int: 0 } }, cx.output);
};

/**
 * MirrorPadGrad(dy): per padded axis, the middle of dy plus each border reversed and padded into
 * the positions it mirrored (REFLECT leaves the edge out, SYMMETRIC repeats it). Needs the padded
 * axes' sizes.
 */
export const mirrorPadGrad: OnnxEmitter = (cx) => {
  const { paddings, mode } = attrsOf<PadAttrs>(cx);
  const dyShape = cx.op.inputs[0]!.shape;
  const rank = paddings.length;
  const edge = mode === "REFLECT" ? 1 : 0;
  let g = cx.input(0);
  const last = paddings.reduce((l, [b, a], i) => (b + a > 0 ? i : l), -1);
  if (last < 0) return void cx.add("Identity", [g], {}, cx.output);
  paddings.forEach(([before, after], axis) => {
    if (before + after === 0) return;
    const padded = dyShape?.[axis] ?? cx.staticShape(0, `(to fold the borders of axis ${axis} back)`)[axis]!;
    const size = padded - before - after;
    const axes = cx.int64s([axis], "axes");
    const slice = (start: number, end: number, step: number): string => cx.add("Slice", [g, cx.int64s([start], "starts"), cx.int64s([end], "ends"), axes, cx.int64s([step], "steps")]);
    const terms = [slice(before, before + size, 1)];
    if (before > 0) terms.push(padAxis(cx, slice(before - 1, -FAR, -1), rank, axis, edge, size - edge - before));
    if (after > 0) terms.push(padAxis(cx, slice(padded - 1, padded - after - 1, -1), rank, axis, size - edge - after, edge));
    // Add, not Sum: onnxruntime's Sum has no int32 kernel.
    const out = axis === last ? cx.output : undefined;
    g = terms.length === 1 ? cx.add("Identity", terms, {}, out) : terms.slice(1).reduce((acc, t, i) => cx.add("Add", [acc, t], {}, i === terms.length - 2 ? out : undefined), terms[0]!);
  });
};
