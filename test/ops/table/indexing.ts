/**
 * OP_TABLE entries of selecting by position: Slice, StridedSlice and its adjoint StridedSliceGrad,
 * GatherV2 and its adjoint GatherGrad, OneHot.
 */
import * as ts from "tensorslow";
import { buildRaw, lit, mk, rnd, shaped, type OpCase, type OpEntry, type R64 } from "./kit.js";
import { addAt, basicIndex, pick, type StridedCaseAttrs } from "./array-kit.js";
import { unravel } from "../../helpers/assert-close.js";

interface SliceCaseAttrs {
  begin: number[];
  size: number[];
}

/** x[begin[i] : begin[i]+size[i]] with size -1 meaning to the end. */
function sliceRef(x: R64, { begin, size }: SliceCaseAttrs): R64 {
  const shape = x.shape.map((d, i) => (size[i] === -1 ? d - begin[i]! : size[i]!));
  return pick(x, shape, (idx) => idx.map((v, d) => v + begin[d]!));
}

function stridedRef(x: R64, attrs: StridedCaseAttrs): R64 {
  const { shape, sources } = basicIndex(x.shape, attrs);
  return mk(shape, Float64Array.from(sources, (s) => x.data[s]!));
}

const sc = (name: string, shape: number[], attrs: StridedCaseAttrs): OpCase<StridedCaseAttrs> => ({ name, inputs: [rnd(shape)], attrs });

function stridedCases(): OpCase<StridedCaseAttrs>[] {
  return [
    sc("[5] x[1:4]", [5], { begin: [1], end: [4], strides: [1] }),
    sc("[5] x[-1:0:-1] (backwards, end excluded)", [5], { begin: [-1], end: [0], strides: [-1] }),
    sc("[5] x[::-2] (masked, backwards)", [5], { begin: [0], end: [0], strides: [-2], beginMask: 1, endMask: 1 }),
    sc("[5] x[10:-10:-3] (clamped)", [5], { begin: [10], end: [-10], strides: [-3] }),
    sc("[3,4] x[1:3, -3:10:2]", [3, 4], { begin: [1, -3], end: [3, 10], strides: [1, 2] }),
    sc("[3,4] x[-1, :] (shrink)", [3, 4], { begin: [-1, 0], end: [0, 0], strides: [1, 1], shrinkAxisMask: 1, beginMask: 2, endMask: 2 }),
    sc("[2,3,4] x[..., 1:3] (ellipsis)", [2, 3, 4], { begin: [0, 1], end: [0, 3], strides: [1, 1], ellipsisMask: 1 }),
    sc("[2,3,4] x[..., -1] (ellipsis and shrink)", [2, 3, 4], { begin: [0, -1], end: [0, 0], strides: [1, 1], ellipsisMask: 1, shrinkAxisMask: 2 }),
    sc("[2,3] x[:, None, 0:2] (new axis)", [2, 3], { begin: [0, 0, 0], end: [0, 0, 2], strides: [1, 1, 1], beginMask: 1, endMask: 1, newAxisMask: 2 }),
    sc("[3,4] x[1:2] (fewer entries than axes)", [3, 4], { begin: [1], end: [2], strides: [1] }),
    sc("[2,3,4] x[1, ::-1, 1::2]", [2, 3, 4], { begin: [1, 0, 1], end: [0, 0, 0], strides: [1, -1, 2], shrinkAxisMask: 1, beginMask: 2, endMask: 6 }),
    sc("[4] x[3:1] (empty)", [4], { begin: [3], end: [1], strides: [1] }),
    sc("rank 0 x[...]", [], { begin: [0], end: [0], strides: [1], ellipsisMask: 1 }),
  ];
}

interface GatherCaseAttrs {
  axis: number;
}

/** np.take(params, indices, axis). */
function gatherRef(params: R64, indices: R64, axis: number): R64 {
  const ax = axis < 0 ? axis + params.shape.length : axis;
  const shape = [...params.shape.slice(0, ax), ...indices.shape, ...params.shape.slice(ax + 1)];
  const k = indices.shape.length;
  return pick(params, shape, (idx) => {
    const at = indices.data[idx.slice(ax, ax + k).reduce((f, v, d) => f * indices.shape[d]! + v, 0)]!;
    return [...idx.slice(0, ax), at, ...idx.slice(ax + k)];
  });
}

function gatherCases(): OpCase<GatherCaseAttrs>[] {
  return [
    { name: "[5,3] rows [4,0,4] (a repeat)", inputs: [rnd([5, 3]), lit([3], [4, 0, 4])], attrs: { axis: 0 } },
    { name: "[3,4] axis 1 with [2,2] indices", inputs: [rnd([3, 4]), lit([2, 2], [3, 0, 1, 3])], attrs: { axis: 1 } },
    { name: "[3,4] axis -1 with a scalar index", inputs: [rnd([3, 4]), lit([], [2])], attrs: { axis: -1 } },
    { name: "[2,3,2] axis 1 with [1,1]", inputs: [rnd([2, 3, 2]), lit([1, 1], [1])], attrs: { axis: 1 } },
    { name: "[4] with [6] indices", inputs: [rnd([4]), lit([6], [3, 3, 0, 1, 2, 3])], attrs: { axis: 0 } },
    { name: "[3,2] with no indices [0]", inputs: [rnd([3, 2]), lit([0], [])], attrs: { axis: 0 } },
  ];
}

interface OneHotCaseAttrs {
  depth: number;
  onValue?: number;
  offValue?: number;
  axis?: number;
  dtype?: ts.DType;
}

export const INDEXING_OPS: Record<string, OpEntry<any>> = {
  Slice: {
    type: "Slice",
    build: ([x], { begin, size }: SliceCaseAttrs) => ts.slice(x!, begin, size),
    ref: ([x], attrs: SliceCaseAttrs) => sliceRef(x!, attrs),
    cases: [
      { name: "[3,4] begin [1,0] size [2,-1]", inputs: [rnd([3, 4])], attrs: { begin: [1, 0], size: [2, -1] } },
      { name: "[2,3,4] begin [0,1,2] size [-1,1,2]", inputs: [rnd([2, 3, 4])], attrs: { begin: [0, 1, 2], size: [-1, 1, 2] } },
      { name: "[5] begin [2] size [0] (empty)", inputs: [rnd([5])], attrs: { begin: [2], size: [0] } },
      { name: "[5] begin [5] size [-1] (empty at the end)", inputs: [rnd([5])], attrs: { begin: [5], size: [-1] } },
      { name: "rank 0", inputs: [rnd([])], attrs: { begin: [], size: [] } },
    ],
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32", "int32"],
  },

  StridedSlice: {
    type: "StridedSlice",
    build: ([x], { begin, end, strides, ...masks }: StridedCaseAttrs) => ts.stridedSlice(x!, begin, end, strides, masks),
    ref: ([x], attrs: StridedCaseAttrs) => stridedRef(x!, attrs),
    cases: stridedCases(),
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32", "int32"],
  },

  StridedSliceGrad: {
    type: "StridedSliceGrad",
    // StridedSliceGrad(xLike, dy): zeros like xLike with dy written where the slice read.
    build: (xs, attrs: StridedCaseAttrs) =>
      buildRaw("StridedSliceGrad", xs, { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0, ...attrs }),
    ref: ([x, dy], attrs: StridedCaseAttrs) => {
      const { sources } = basicIndex(x!.shape, attrs);
      const out = mk(x!.shape);
      sources.forEach((s, i) => (out.data[s]! += dy!.data[i]!));
      return out;
    },
    cases: stridedCases()
      .filter((c) => c.inputs[0]!.shape.length > 0)
      .map((c) => ({ ...c, inputs: [shaped([...c.inputs[0]!.shape]), rnd(basicIndex(c.inputs[0]!.shape, c.attrs).shape)] })),
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32", "int32"],
  },

  GatherV2: {
    type: "GatherV2",
    build: ([p, i], { axis }: GatherCaseAttrs) => ts.gather(p!, i!, { axis }),
    ref: ([p, i], { axis }: GatherCaseAttrs) => gatherRef(p!, i!, axis),
    cases: gatherCases(),
    differentiable: true,
    secondOrder: true,
    inputDtypes: [null, "int32"],
    dtypes: ["float64", "float32", "int32"],
  },

  GatherGrad: {
    type: "GatherGrad",
    // GatherGrad(paramsLike, indices, dy): np.add.at(zeros(params.shape), indices along axis, dy).
    build: (xs, attrs: GatherCaseAttrs) => buildRaw("GatherGrad", xs, attrs),
    ref: ([p, indices, dy], { axis }: GatherCaseAttrs) => {
      const ax = axis < 0 ? axis + p!.shape.length : axis;
      const k = indices!.shape.length;
      return addAt(dy!, p!.shape, (idx) => {
        const at = indices!.data[idx.slice(ax, ax + k).reduce((f, v, d) => f * indices!.shape[d]! + v, 0)]!;
        return [...idx.slice(0, ax), at, ...idx.slice(ax + k)];
      });
    },
    cases: gatherCases().map((c) => {
      const [p, i] = c.inputs as [R64, R64];
      return { ...c, inputs: [shaped(p.shape), i, rnd(gatherRef(mk(p.shape), i, c.attrs.axis).shape)] };
    }),
    differentiable: true,
    secondOrder: true,
    inputDtypes: [null, "int32", null],
    dtypes: ["float64", "float32", "int32"],
  },

  OneHot: {
    type: "OneHot",
    build: ([i], { depth, ...options }: OneHotCaseAttrs) => ts.oneHot(i!, depth, options),
    ref: ([indices], { depth, onValue = 1, offValue = 0, axis = -1 }: OneHotCaseAttrs) => {
      const ax = axis === -1 ? indices!.shape.length : axis;
      const shape = [...indices!.shape];
      shape.splice(ax, 0, depth);
      const out = mk(shape);
      for (let o = 0; o < out.data.length; o++) {
        const idx = unravel(o, shape);
        const d = idx.splice(ax, 1)[0]!;
        const at = indices!.data[idx.reduce((f, v, k) => f * indices!.shape[k]! + v, 0)];
        out.data[o] = at === d ? onValue : offValue;
      }
      return out;
    },
    cases: [
      { name: "[4] depth 3 (with -1 and 3 out of range)", inputs: [lit([4], [0, 2, -1, 3])], attrs: { depth: 3 } },
      { name: "[4] depth 3 axis 0", inputs: [lit([4], [0, 2, 1, 1])], attrs: { depth: 3, axis: 0 } },
      { name: "[2,2] depth 4 axis 1", inputs: [lit([2, 2], [3, 0, 1, 2])], attrs: { depth: 4, axis: 1 } },
      { name: "a scalar index", inputs: [lit([], [1])], attrs: { depth: 2 } },
      { name: "on 5, off -1, float64", inputs: [lit([3], [2, 0, 1])], attrs: { depth: 3, onValue: 5, offValue: -1, dtype: "float64" } },
      { name: "int32 output", inputs: [lit([2], [1, 0])], attrs: { depth: 2, dtype: "int32" } },
      { name: "depth 0", inputs: [lit([2], [0, 1])], attrs: { depth: 0 } },
    ],
    differentiable: { notDifferentiable: "its input is integer indices, and its output depends on them only through comparisons" },
    inputDtypes: ["int32"],
    outputDtype: (_dtype, attrs: OneHotCaseAttrs) => attrs.dtype ?? "float32",
    dtypes: ["float32"],
  },
};
