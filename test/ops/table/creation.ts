/** OP_TABLE entries of the ops that make tensors from a shape: Fill, Range, and the random draws. */
import * as ts from "tensorslow";
import { mk, rnd, type OpEntry } from "./kit.js";
import { xoshiroUniforms } from "./nn.js";

interface RandomCaseAttrs {
  shape: number[];
  dtype: ts.DType;
  seed: number;
  seed2: number;
}

/**
 * The draws of a random op's first run in a session, rewritten from the definitions: the stream is
 * xoshiro128** seeded with seed·0x9E3779B1 xor seed2; normal draws are Box-Muller pairs (cosine
 * first, sine kept for the next draw), truncated ones redrawn while |z| > 2.
 */
function randomRef(kind: "normal" | "truncated" | "uniform") {
  return (_xs: unknown[], { shape, dtype, seed, seed2 }: RandomCaseAttrs) => {
    const u = xoshiroUniforms((Math.imul(seed, 0x9e3779b1) ^ seed2) >>> 0);
    let spare: number | null = null;
    const normal = (): number => {
      if (spare !== null) {
        const z = spare;
        spare = null;
        return z;
      }
      let a = 0;
      while (a === 0) a = u();
      const b = u();
      const r = Math.sqrt(-2 * Math.log(a));
      spare = r * Math.sin(2 * Math.PI * b);
      return r * Math.cos(2 * Math.PI * b);
    };
    const truncated = (): number => {
      let z = normal();
      while (Math.abs(z) > 2) z = normal();
      return z;
    };
    const draw = kind === "normal" ? normal : kind === "truncated" ? truncated : u;
    const round = dtype === "float32" ? Math.fround : (x: number) => x;
    return mk(shape, Float64Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => round(draw())));
  };
}

function randomEntry(type: string, kind: "normal" | "truncated" | "uniform"): OpEntry<RandomCaseAttrs> {
  return {
    type,
    build: (_xs, attrs) => new ts.Operation(ts.registeredOps().find((d) => d.type === type)!, ts.getDefaultGraph(), [], attrs, type),
    ref: randomRef(kind),
    cases: [
      { name: "[3,4] float64", inputs: [], attrs: { shape: [3, 4], dtype: "float64", seed: 1, seed2: 2 } },
      { name: "[5] float32", inputs: [], attrs: { shape: [5], dtype: "float32", seed: 87654321, seed2: 7 } },
      { name: "[101] (an odd count of normal draws)", inputs: [], attrs: { shape: [101], dtype: "float64", seed: -3, seed2: 0 } },
      { name: "rank 0", inputs: [], attrs: { shape: [], dtype: "float64", seed: 5, seed2: 5 } },
      { name: "empty [0,2]", inputs: [], attrs: { shape: [0, 2], dtype: "float64", seed: 5, seed2: 5 } },
    ],
    differentiable: { notDifferentiable: "its values are random draws that depend on no input" },
    outputDtype: (_dtype, attrs) => attrs.dtype,
    dtypes: ["float64"],
  };
}

interface RangeCaseAttrs {
  start: number;
  limit: number;
  delta: number;
  dtype?: ts.DType;
}

const isInt = ({ start, limit, delta }: RangeCaseAttrs): boolean => [start, limit, delta].every(Number.isInteger);

export const CREATION_OPS: Record<string, OpEntry<any>> = {
  Fill: {
    type: "Fill",
    build: ([v], { dims }: { dims: number[] }) => ts.fill(dims, v!),
    ref: ([v], { dims }: { dims: number[] }) => mk(dims, new Float64Array(dims.reduce((p, d) => p * d, 1)).fill(v!.data[0]!)),
    cases: [
      { name: "[2,3]", inputs: [rnd([])], attrs: { dims: [2, 3] } },
      { name: "rank 0", inputs: [rnd([])], attrs: { dims: [] } },
      { name: "[1,4,1]", inputs: [rnd([])], attrs: { dims: [1, 4, 1] } },
      { name: "empty [0,2]", inputs: [rnd([])], attrs: { dims: [0, 2] } },
    ],
    differentiable: true,
    secondOrder: true,
    dtypes: ["float64", "float32", "int32"],
  },

  Range: {
    type: "Range",
    build: (_xs, { start, limit, delta, dtype }: RangeCaseAttrs) => ts.range(start, limit, delta, dtype === undefined ? {} : { dtype }),
    // Python's range(start, limit, delta), in floating point for non-integers.
    ref: (_xs, { start, limit, delta }: RangeCaseAttrs) => {
      const values: number[] = [];
      for (let i = 0; delta > 0 ? start + i * delta < limit : start + i * delta > limit; i++) values.push(start + i * delta);
      return mk([values.length], Float64Array.from(values));
    },
    cases: [
      { name: "0..4 (int32)", inputs: [], attrs: { start: 0, limit: 5, delta: 1 } },
      { name: "2, 5, 8 (delta 3)", inputs: [], attrs: { start: 2, limit: 10, delta: 3 } },
      { name: "5 down to 1 (delta -1)", inputs: [], attrs: { start: 5, limit: 0, delta: -1 } },
      { name: "1 to 2 by 0.25 (float32)", inputs: [], attrs: { start: 1, limit: 2, delta: 0.25 } },
      { name: "-1 down to -2.5 by -0.5", inputs: [], attrs: { start: -1, limit: -2.5, delta: -0.5 } },
      { name: "0..2 as float64", inputs: [], attrs: { start: 0, limit: 3, delta: 1, dtype: "float64" } },
      { name: "empty (start = limit)", inputs: [], attrs: { start: 3, limit: 3, delta: 1 } },
    ],
    differentiable: { notDifferentiable: "it has no inputs: its values are fixed by its attributes" },
    outputDtype: (_dtype, attrs: RangeCaseAttrs) => attrs.dtype ?? (isInt(attrs) ? "int32" : "float32"),
    dtypes: ["float64"],
  },

  RandomStandardNormal: randomEntry("RandomStandardNormal", "normal"),
  TruncatedNormal: randomEntry("TruncatedNormal", "truncated"),
  RandomUniform: randomEntry("RandomUniform", "uniform"),
};
