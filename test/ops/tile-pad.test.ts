/** tile and pad: values worked out by hand, gradients, and error messages. */
import { describe, test } from "node:test";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { EXACT, atRun, f64, grads, inGraph, run, throwsWith } from "../helpers/graph-run.js";

describe("tile, by hand", () => {
  test("repeats along each axis", () => {
    assertClose(run(() => ts.tile(f64([[1, 2]]), [2, 2])), [[1, 2, 1, 2], [1, 2, 1, 2]], EXACT);
  });

  test("the gradient sums the tiles", () => {
    // loss = Σ w·tile(x, [2,2]) with w = [[1,2,3,4],[5,6,7,8]]: dx[0][j] = Σ of w at columns j, j+2:
    // dx = [[1+3+5+7, 2+4+6+8]] = [[16, 20]]
    for (const shapes of ["static", "rank"] as const) {
      const [dx] = grads([[[1, 2]]], ([x]) => ts.reduceSum(ts.multiply(ts.tile(x!, [2, 2]), f64([[1, 2, 3, 4], [5, 6, 7, 8]]))), shapes);
      assertClose(dx!, [[16, 20]], EXACT);
    }
  });
});

describe("pad, by hand", () => {
  test("constant padding with 0 (Pad) and with another value (PadV2)", () => {
    assertClose(run(() => ts.pad(f64([[1, 2]]), [[1, 0], [1, 1]])), [[0, 0, 0, 0], [0, 1, 2, 0]], EXACT);
    inGraph(() => {
      const p = ts.pad(f64([1]), [[1, 2]], "CONSTANT", 9);
      if (p.type !== "PadV2") throw new Error(`expected PadV2, got ${p.type}`);
    });
    assertClose(run(() => ts.pad(f64([1]), [[1, 2]], "constant", 9)), [9, 1, 9, 9], EXACT);
  });

  test("REFLECT leaves out the edge, SYMMETRIC repeats it", () => {
    // [1,2,3] padded by 2 on each side: REFLECT [3,2 | 1,2,3 | 2,1], SYMMETRIC [2,1 | 1,2,3 | 3,2]
    assertClose(run(() => ts.pad(f64([1, 2, 3]), [[2, 2]], "REFLECT")), [3, 2, 1, 2, 3, 2, 1], EXACT);
    assertClose(run(() => ts.pad(f64([1, 2, 3]), [[2, 2]], "SYMMETRIC")), [2, 1, 1, 2, 3, 3, 2], EXACT);
  });

  test("gradients: the middle of dy for a constant pad; reflected borders folded back for a mirror pad", () => {
    // loss = Σ w·pad(x, [[1,1]]) with w = [1,2,3,4]: dx = [2,3]
    const [dc] = grads([[5, 6]], ([x]) => ts.reduceSum(ts.multiply(ts.pad(x!, [[1, 1]]), f64([1, 2, 3, 4]))), "rank");
    assertClose(dc!, [2, 3], EXACT);
    // REFLECT [[2,2]] of [a,b,c] reads [c,b,a,b,c,b,a]: a twice, b three times, c twice.
    const [dr] = grads([[1, 2, 3]], ([x]) => ts.reduceSum(ts.pad(x!, [[2, 2]], "REFLECT")), "rank");
    assertClose(dr!, [2, 3, 2], EXACT);
    // SYMMETRIC [[2,2]] reads [b,a,a,b,c,c,b]: a twice, b three times, c twice.
    const [ds] = grads([[1, 2, 3]], ([x]) => ts.reduceSum(ts.multiply(ts.pad(x!, [[2, 2]], "SYMMETRIC"), f64([1, 10, 100, 1000, 10000, 100000, 1000000]))));
    // a: w1 + w2 = 10 + 100; b: w0 + w3 + w6 = 1 + 1000 + 1000000; c: w4 + w5
    assertClose(ds!, [110, 1001001, 110000], EXACT);
  });
});

describe("tile and pad errors", () => {
  test("tile: one multiple per axis", () => {
    throwsWith(() => inGraph(() => ts.tile(f64([[1, 2]]), [2])), ts.ShapeError, /Tile 'Tile': multiples \[2\] need one entry per axis of the input, whose shape is \[1,2\]/);
    throwsWith(() => inGraph(() => ts.tile(f64([1]), [-1])), ts.ShapeError, /multiples must be integers >= 0/);
  });

  test("pad: one pair per axis, mirror paddings bounded by the axis, a known mode", () => {
    throwsWith(() => inGraph(() => ts.pad(f64([[1, 2]]), [[1, 1]])), ts.ShapeError, /Pad 'Pad': paddings has 1 entries, one per axis of the input is needed \(input shape \[1,2\]\)/);
    throwsWith(() => inGraph(() => ts.pad(f64([1, 2, 3]), [[3, 0]], "REFLECT")), ts.ShapeError, /MirrorPad 'MirrorPad': REFLECT padding of axis 0 by \[3,0\] needs paddings of at most 2 for an axis of size 3/);
    throwsWith(atRun([ts.zeros([2])], ([x]) => ts.pad(x!, [[0, 3]], "SYMMETRIC")), ts.ShapeError, /SYMMETRIC padding of axis 0 by \[0,3\] needs paddings of at most 2/);
    throwsWith(() => inGraph(() => ts.pad(f64([1]), [[1, 1]], "WRAP")), ts.ValueError, /unknown mode 'WRAP'/);
    throwsWith(() => inGraph(() => ts.pad(ts.constant([1], { dtype: "int32" }), [[1, 1]], "CONSTANT", 0.5)), ts.DTypeError, /PadV2 'PadV2': the constant 0.5 cannot be a value of the int32 input/);
  });
});
