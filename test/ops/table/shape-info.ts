/** OP_TABLE entries of the ops that read an input's shape (Shape, Size, Rank) and of InTopK. */
import * as ts from "tensorslow";
import { lit, mk, rnd, type NoAttrs, type OpEntry, type R64 } from "./kit.js";

const METADATA = { notDifferentiable: "its value is the input's shape, which does not change with the input's values" };
const SHAPES = [[2, 3], [4], [], [1, 5, 2], [0, 3]];

function metadataEntry(type: string, build: (x: ts.Node) => ts.Node, ref: (x: R64) => R64): OpEntry<NoAttrs> {
  return {
    type,
    build: ([x]) => build(x!),
    ref: ([x]) => ref(x!),
    cases: SHAPES.map((s) => ({ name: `[${s.join(",")}]`, inputs: [rnd(s)], attrs: {} })),
    differentiable: METADATA,
    outputDtype: () => "int32",
    dtypes: ["float64", "float32", "int32"],
  };
}

interface InTopKCase {
  k: number;
}

/** TensorFlow's definition: the target's prediction is finite and fewer than k predictions exceed it. */
function inTopKRef([p, t]: R64[], { k }: InTopKCase): R64 {
  const [batch, classes] = p!.shape as [number, number];
  return mk([batch], Float64Array.from({ length: batch }, (_, b) => {
    const row = Array.from(p!.data.subarray(b * classes, (b + 1) * classes));
    const v = row[t!.data[b]!]!;
    return Number.isFinite(v) && row.filter((x) => x > v).length < k ? 1 : 0;
  }));
}

export const SHAPE_INFO_OPS: Record<string, OpEntry<any>> = {
  Shape: metadataEntry("Shape", (x) => ts.shape(x), (x) => mk([x.shape.length], Float64Array.from(x.shape))),
  Size: metadataEntry("Size", (x) => ts.size(x), (x) => mk([], Float64Array.of(x.data.length))),
  Rank: metadataEntry("Rank", (x) => ts.rank(x), (x) => mk([], Float64Array.of(x.shape.length))),
  InTopK: {
    type: "InTopK",
    build: ([p, t], { k }: InTopKCase) => ts.nn.inTopK(p!, t!, k),
    ref: inTopKRef,
    cases: [
      { name: "k 1", inputs: [rnd([4, 5]), lit([4], [0, 1, 2, 3])], attrs: { k: 1 } },
      { name: "k 2", inputs: [rnd([4, 5]), lit([4], [4, 3, 2, 1])], attrs: { k: 2 } },
      { name: "ties count for the target", inputs: [lit([2, 3], [1, 1, 0, 0, 2, 2]), lit([2], [1, 2])], attrs: { k: 1 } },
      { name: "k 0 is never", inputs: [rnd([3, 2]), lit([3], [0, 1, 0])], attrs: { k: 0 } },
      { name: "empty batch", inputs: [rnd([0, 3]), lit([0], [])], attrs: { k: 1 } },
    ],
    differentiable: { notDifferentiable: "its output is bool, a piecewise-constant function of the predictions" },
    inputDtypes: [null, "int32"],
    outputDtype: () => "bool",
  },
};
