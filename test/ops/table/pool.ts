/**
 * OP_TABLE entries of the pooling ops: MaxPool, MaxPoolGrad, MaxPoolGradGrad, AvgPool, AvgPoolGrad.
 * The references walk each window over the positions inside the input (TensorFlow's SAME pooling
 * leaves padding out of the max and of the average's count); the maximum is the first one in
 * row-major order within the window, as TensorFlow's CPU kernel picks it.
 */
import * as ts from "tensorslow";
import { F32_SUMS, F64_SUMS, buildRaw, lit, mk, rnd, shaped, type OpCase, type OpEntry, type R64 } from "./kit.js";
import { hw, outAndPad, type WindowArg } from "./conv.js";

interface PoolCase {
  ksize: WindowArg;
  strides: WindowArg;
  padding: "SAME" | "VALID";
}

/**
 * Calls visit(inputIndices, outputIndex) for each output element of pooling an input of shape xs,
 * with the flat indices of the window's input elements in row-major window order.
 */
function eachWindow(xs: readonly number[], a: PoolCase, visit: (window: number[], yi: number) => void): number[] {
  const [N, H, W, C] = xs as [number, number, number, number];
  const [kh, kw] = hw(a.ksize);
  const [sh, sw] = hw(a.strides);
  const [OH, top] = outAndPad(H, kh, sh, 1, a.padding);
  const [OW, left] = outAndPad(W, kw, sw, 1, a.padding);
  for (let n = 0; n < N; n++)
    for (let y = 0; y < OH; y++)
      for (let x = 0; x < OW; x++)
        for (let c = 0; c < C; c++) {
          const window: number[] = [];
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const r = y * sh + i - top;
              const q = x * sw + j - left;
              if (r >= 0 && r < H && q >= 0 && q < W) window.push(((n * H + r) * W + q) * C + c);
            }
          visit(window, ((n * OH + y) * OW + x) * C + c);
        }
  return [N, OH, OW, C];
}

/** The index of the first maximum of x over `window`. */
function firstMax(x: R64, window: number[]): number {
  let best = window[0]!;
  for (const k of window) if (x.data[k]! > x.data[best]!) best = k;
  return best;
}

function pooledShape(xs: readonly number[], a: PoolCase): number[] {
  return eachWindow(xs, a, () => {});
}

function maxPoolRef(x: R64, a: PoolCase): R64 {
  const values: number[] = [];
  const shape = eachWindow(x.shape, a, (w, yi) => (values[yi] = x.data[firstMax(x, w)]!));
  return mk(shape, Float64Array.from(values));
}

function avgPoolRef(x: R64, a: PoolCase): R64 {
  const values: number[] = [];
  const shape = eachWindow(x.shape, a, (w, yi) => (values[yi] = w.reduce((s, k) => s + x.data[k]!, 0) / w.length));
  return mk(shape, Float64Array.from(values));
}

/** Sample geometries: [name, input shape, attributes]. */
const GEOMETRIES: [string, number[], PoolCase][] = [
  ["2×2, stride 2, VALID, batch 2", [2, 4, 4, 3], { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: "VALID" }],
  ["3×3, stride 2, SAME, padding on both sides", [1, 5, 5, 2], { ksize: 3, strides: 2, padding: "SAME" }],
  ["2×2, stride 2, SAME, the padding after", [1, 5, 3, 1], { ksize: [2, 2], strides: [2, 2], padding: "SAME" }],
  ["ksize [3,2], strides [1,2], VALID", [2, 4, 5, 2], { ksize: [1, 3, 2, 1], strides: [1, 1, 2, 1], padding: "VALID" }],
  ["3×3, stride 1, SAME: overlapping windows", [1, 4, 4, 1], { ksize: 3, strides: 1, padding: "SAME" }],
  ["1×1 windows (identity)", [1, 2, 3, 2], { ksize: 1, strides: 1, padding: "VALID" }],
  ["empty batch", [0, 4, 4, 2], { ksize: 2, strides: 2, padding: "SAME" }],
];

const geometry = (g: number): [string, number[], PoolCase] => GEOMETRIES[g]!;

function poolCases(): OpCase<PoolCase>[] {
  return GEOMETRIES.map(([name, xs, a]) => ({ name: `${name}: [${xs}]`, inputs: [rnd(xs)], attrs: a }));
}

/** Ties within a window: its maximum is not differentiable there, so forward only. */
const TIES: OpCase<PoolCase> = {
  name: "ties within windows (first maximum in row-major order)",
  inputs: [lit([1, 2, 4, 1], [1, 3, 3, 0, 3, 2, -1, 3])],
  attrs: { ksize: 2, strides: 2, padding: "VALID" },
  noGradcheck: "the inputs tie for the maximum, where max pooling is not differentiable",
};

const buildPool = (op: typeof ts.nn.maxPool) => ([x]: ts.Node[], a: PoolCase) => op(x!, a.ksize, a.strides, a.padding);

export const POOL_OPS: Record<string, OpEntry<any>> = {
  MaxPool: {
    type: "MaxPool",
    build: buildPool(ts.nn.maxPool),
    ref: ([x], a: PoolCase) => maxPoolRef(x!, a),
    cases: [...poolCases(), TIES],
    differentiable: true,
    secondOrder: true,
  },

  MaxPoolGrad: {
    type: "MaxPoolGrad",
    // MaxPoolGrad(x, y, dy): dy[n,y,x,c] added at the first maximum of its window in x (y: only its shape).
    build: (xs, a: PoolCase) => buildRaw("MaxPoolGrad", xs, { ...a, ksize: nhwcRef(a.ksize), strides: nhwcRef(a.strides), dataFormat: "NHWC" }),
    ref: ([x, , dy], a: PoolCase) => {
      const dx = mk(x!.shape);
      eachWindow(x!.shape, a, (w, yi) => (dx.data[firstMax(x!, w)]! += dy!.data[yi]!));
      return dx;
    },
    cases: [0, 1, 3, 4, 6].map((g) => {
      const [name, xs, a] = geometry(g);
      const ys = pooledShape(xs, a);
      return { name: `${name}: [${xs}]`, inputs: [rnd(xs), shaped(ys), rnd(ys)], attrs: a };
    }).concat([
      { ...TIES, inputs: [TIES.inputs[0]!, shaped([1, 1, 2, 1]), lit([1, 1, 2, 1], [0.5, -2])] },
      // A NaN first in its window keeps the window's maximum there; a NaN later is passed over.
      {
        name: "NaN in windows (the first position, then each strictly greater one)",
        inputs: [lit([1, 2, 4, 1], [NaN, 1, 2, NaN, 3, 0, 5, 6]), shaped([1, 1, 2, 1]), lit([1, 1, 2, 1], [0.5, -2])],
        attrs: { ksize: 2, strides: 2, padding: "VALID" },
        noGradcheck: "NaN inputs",
      },
    ]),
    differentiable: true,
    secondOrder: true,
  },

  MaxPoolGradGrad: {
    type: "MaxPoolGradGrad",
    // MaxPoolGradGrad(x, y, g): g at the first maximum of each window of x, in the pooled shape.
    build: (xs, a: PoolCase) => buildRaw("MaxPoolGradGrad", xs, { ...a, ksize: nhwcRef(a.ksize), strides: nhwcRef(a.strides), dataFormat: "NHWC" }),
    ref: ([x, , g], a: PoolCase) => {
      const values: number[] = [];
      const shape = eachWindow(x!.shape, a, (w, yi) => (values[yi] = g!.data[firstMax(x!, w)]!));
      return mk(shape, Float64Array.from(values));
    },
    cases: [0, 1, 4, 6].map((k) => {
      const [name, xs, a] = geometry(k);
      return { name: `${name}: [${xs}]`, inputs: [rnd(xs), shaped(pooledShape(xs, a)), rnd(xs)], attrs: a };
    }),
    differentiable: true,
    secondOrder: true,
  },

  AvgPool: {
    type: "AvgPool",
    build: buildPool(ts.nn.avgPool),
    ref: ([x], a: PoolCase) => avgPoolRef(x!, a),
    cases: poolCases(),
    differentiable: true,
    secondOrder: true,
    f64: F64_SUMS,
    f32: F32_SUMS,
  },

  AvgPoolGrad: {
    type: "AvgPoolGrad",
    // AvgPoolGrad(like, dy): each dy[n,y,x,c] divided equally among its window's input positions.
    build: (xs, a: PoolCase) => buildRaw("AvgPoolGrad", xs, { ...a, ksize: nhwcRef(a.ksize), strides: nhwcRef(a.strides), dataFormat: "NHWC" }),
    ref: ([like, dy], a: PoolCase) => {
      const dx = mk(like!.shape);
      eachWindow(like!.shape, a, (w, yi) => {
        for (const k of w) dx.data[k]! += dy!.data[yi]! / w.length;
      });
      return dx;
    },
    cases: [0, 1, 2, 3, 6].map((k) => {
      const [name, xs, a] = geometry(k);
      return { name: `${name}: [${xs}]`, inputs: [shaped(xs), rnd(pooledShape(xs, a))], attrs: a };
    }),
    differentiable: true,
    secondOrder: true,
    f64: F64_SUMS,
    f32: F32_SUMS,
  },
};

/** A window attribute in TensorFlow's [1, h, w, 1] form (the raw ops take only that form). */
function nhwcRef(arg: WindowArg): number[] {
  const [h, w] = hw(arg);
  return [1, h, w, 1];
}
