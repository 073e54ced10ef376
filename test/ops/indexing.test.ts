/** slice, stridedSlice, gather, oneHot: values worked out by hand, gradients, and error messages. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { EXACT, atRun, f64, grads, i32, inGraph, run, throwsWith } from "../helpers/graph-run.js";

const X = [[1, 2, 3], [4, 5, 6]];
const TEN = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

describe("slice and stridedSlice, by hand", () => {
  test("slice with size -1 takes the rest", () => {
    // rows 0.. (all), columns 1..1: [[2],[5]]
    assertClose(run(() => ts.slice(f64(X), [0, 1], [-1, 1])), [[2], [5]], EXACT);
  });

  test("the gradient of slice puts dy where the values came from", () => {
    // loss = Σ [[7],[8]]·x[:,1:2]: dx = [[0,7,0],[0,8,0]]
    for (const shapes of ["static", "rank"] as const) {
      const [dx] = grads([X], ([x]) => ts.reduceSum(ts.multiply(ts.slice(x!, [0, 1], [-1, 1]), f64([[7], [8]]))), shapes);
      assertClose(dx!, [[0, 7, 0], [0, 8, 0]], EXACT);
    }
  });

  test("strides, negative indices and masks", () => {
    // x[8:2:-3] = [8, 5];  x[::-4] = [9, 5, 1];  x[-3:] = [7, 8, 9]
    assertClose(run(() => ts.stridedSlice(f64(TEN), [8], [2], [-3])), [8, 5], EXACT);
    assertClose(run(() => ts.stridedSlice(f64(TEN), [0], [0], [-4], { beginMask: 1, endMask: 1 })), [9, 5, 1], EXACT);
    assertClose(run(() => ts.stridedSlice(f64(TEN), [-3], [0], [1], { endMask: 1 })), [7, 8, 9], EXACT);
  });

  test("shrinkAxisMask takes one index and drops the axis; ellipsis and newAxis", () => {
    // X[-1] = [4,5,6];  X[:, -1] = [3, 6];  X[..., None] has shape [2,3,1];  X[None, 1:, ::2] = [[[4,6]]]
    assertClose(run(() => ts.stridedSlice(f64(X), [-1], [0], [1], { shrinkAxisMask: 1 })), [4, 5, 6], EXACT);
    assertClose(run(() => ts.stridedSlice(f64(X), [0, -1], [0, 0], [1, 1], { beginMask: 1, endMask: 1, shrinkAxisMask: 2 })), [3, 6], EXACT);
    assert.deepEqual(run(() => ts.stridedSlice(f64(X), [0, 0], [0, 0], [1, 1], { ellipsisMask: 1, newAxisMask: 2 })).shape, [2, 3, 1]);
    assertClose(run(() => ts.stridedSlice(f64(X), [0, 1, 0], [0, 0, 0], [1, 1, 2], { newAxisMask: 1, endMask: 6, beginMask: 4 })), [[[4, 6]]], EXACT);
  });

  test("the gradient of a strided slice, with shapes unknown until run time", () => {
    // loss = Σ x[::2]: dx = [1,0,1,0,1]
    const [dx] = grads([[5, 6, 7, 8, 9]], ([x]) => ts.reduceSum(ts.stridedSlice(x!, [0], [0], [2], { beginMask: 1, endMask: 1 })), "rank");
    assertClose(dx!, [1, 0, 1, 0, 1], EXACT);
  });
});

describe("gather and oneHot, by hand", () => {
  test("rows by index, repeats allowed; columns with axis 1", () => {
    const P = [[1, 2], [3, 4], [5, 6]];
    assertClose(run(() => ts.gather(f64(P), [2, 0, 2])), [[5, 6], [1, 2], [5, 6]], EXACT);
    assertClose(run(() => ts.gather(f64(P), [[1], [0]], { axis: 1 })), [[[2], [1]], [[4], [3]], [[6], [5]]], EXACT);
  });

  test("the gradient adds dy into the gathered rows, twice for a repeated index", () => {
    // loss = Σ gather(P, [2,0,2]): row 2 is taken twice, row 1 never: dP = [[1,1],[0,0],[2,2]]
    for (const shapes of ["static", "rank"] as const) {
      const [dp] = grads([[[1, 2], [3, 4], [5, 6]]], ([p]) => ts.reduceSum(ts.gather(p!, [2, 0, 2])), shapes);
      assertClose(dp!, [[1, 1], [0, 0], [2, 2]], EXACT);
    }
  });

  test("oneHot: on at the index, off elsewhere; out-of-range indices give a row of off values", () => {
    assertClose(run(() => ts.oneHot([0, 2, -1, 3], 3)), [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]], EXACT);
    // axis 0 puts the classes first: out[c][i] = (indices[i] == c)
    assertClose(run(() => ts.oneHot(i32([1, 0]), 2, { axis: 0, onValue: 5, offValue: -1, dtype: "float64" })), [[-1, 5], [5, -1]], EXACT);
    assert.equal(run(() => ts.oneHot([1], 2, { dtype: "int32" })).dtype, "int32");
  });
});

describe("slicing and gathering errors", () => {
  test("slice past the end names the axis, its size and the node", () => {
    throwsWith(() => inGraph(() => ts.slice(f64(X), [1, 1], [2, 1])), ts.ShapeError, /Slice 'Slice': begin\[0\] = 1 with size\[0\] = 2 runs past the end of axis 0, whose size is 2 \(input shape \[2,3\]\)/);
    throwsWith(() => inGraph(() => ts.slice(f64(X), [0], [1])), ts.ShapeError, /begin and size have 1 entries, but the input has rank 2/);
    throwsWith(atRun([ts.zeros([2, 3])], ([x]) => ts.slice(x!, [0, 3], [1, 1])), ts.ShapeError, /Slice 'Slice': begin\[1\] = 3/);
  });

  test("stridedSlice: an index out of bounds, a zero stride, two ellipses", () => {
    throwsWith(() => inGraph(() => ts.stridedSlice(f64(X), [2], [0], [1], { shrinkAxisMask: 1 })), ts.ShapeError, /StridedSlice 'StridedSlice': index 2 is out of bounds for axis 0 of size 2/);
    throwsWith(() => inGraph(() => ts.stridedSlice(f64(X), [0], [1], [0])), ts.ShapeError, /strides\[0\] must be non-zero/);
    throwsWith(() => inGraph(() => ts.stridedSlice(f64(X), [0, 0], [0, 0], [1, 1], { ellipsisMask: 3 })), ts.ShapeError, /at most one ellipsis/);
    throwsWith(() => inGraph(() => ts.stridedSlice(f64(X), [0, 0, 0], [1, 1, 1])), ts.ShapeError, /more entries than the input has dimensions/);
    throwsWith(atRun([ts.zeros([3])], ([x]) => ts.stridedSlice(x!, [-4], [0], [1], { shrinkAxisMask: 1 })), ts.ShapeError, /index -4 is out of bounds for axis 0 of size 3/);
  });

  test("gather: an index out of range at run time names the node, the position and the value", () => {
    throwsWith(() => run(() => ts.gather(f64(X), [1, 2], null, "rows")), ts.ValueError, /^'rows' \(GatherV2\) at run time: indices\[1\] = 2 is not in \[0, 2\)/);
    throwsWith(() => run(() => ts.gather(f64(X), [-1], { axis: 1 })), ts.ValueError, /'GatherV2' \(GatherV2\) at run time: indices\[0\] = -1 is not in \[0, 3\)/);
    // Fed indices, checked when the op runs.
    throwsWith(
      () =>
        inGraph((g) => {
          const idx = ts.placeholder({ dtype: "int32", shape: [null] });
          return new ts.Session(g).run(ts.gather(f64(X), idx), new Map([[idx, ts.tensor([0, 7], { dtype: "int32" })]]));
        }),
      ts.ValueError,
      /'GatherV2' \(GatherV2\) at run time: indices\[1\] = 7/,
    );
  });

  test("gather and oneHot take int32 indices only", () => {
    throwsWith(() => inGraph(() => ts.gather(f64(X), f64([0]))), ts.DTypeError, /GatherV2 'GatherV2': indices must be int32, got float64/);
    throwsWith(() => inGraph(() => ts.gather(f64(X), [0.5])), ts.ValueError, /gather indices: element 0 is 0.5/);
    throwsWith(() => inGraph(() => ts.oneHot(f64([1]), 2)), ts.DTypeError, /OneHot 'one_hot': indices must be int32/);
    throwsWith(() => inGraph(() => ts.oneHot([1], 2, { axis: 2 })), ts.ShapeError, /OneHot 'one_hot': axis must be -1 or in \[0, 1\]/);
  });

  test("oneHot gives no gradient: its indices are integers", () => {
    inGraph(() => {
      const idx = ts.placeholder({ dtype: "int32", shape: [2] });
      const y = ts.reduceSum(ts.oneHot(idx, 3, { dtype: "float64" }));
      assert.deepEqual(ts.gradients(y, [idx]), [null]);
    });
  });
});

describe("TF1's signatures of the indexing ops: positional arguments in TF1's order or by name", () => {
  test("stridedSlice's masks by position (TF1's order) or as snake_case keywords", () => {
    // x[::-4] = [9, 5, 1] with begin and end masked; x[-3] shrunk to a scalar = 7.
    assertClose(run(() => ts.stridedSlice(f64(TEN), [0], [0], [-4], 1, 1)), [9, 5, 1], EXACT);
    assertClose(run(() => ts.strided_slice(f64(TEN), [0], [0], [-4], { begin_mask: 1, end_mask: 1 })), [9, 5, 1], EXACT);
    assertClose(run(() => ts.strided_slice(f64(TEN), [-3], [-2], [1], { shrink_axis_mask: 1 })), 7, EXACT);
  });

  test("gather's axis and name by keyword; oneHot's on/off values, axis and dtype by position", () => {
    assertClose(run(() => ts.gather(f64(X), [2, 0], { axis: 1, validate_indices: true })), [[3, 1], [6, 4]], EXACT);
    // TF1's order: gather(params, indices, validate_indices, name, axis, batch_dims); X = [[1,2,3],[4,5,6]].
    const positional = inGraph((g) => {
      const y = ts.gather(f64(X), [2, 0], true, "cols", 1, 0);
      assert.equal(y.name, "cols");
      return new ts.Session(g).run(y);
    });
    assertClose(positional, [[3, 1], [6, 4]], EXACT);
    assertClose(run(() => ts.gather(f64(X), [1], null, undefined, -1)), [[2], [5]], EXACT);
    // one_hot([1, 0], 3, on_value=5, off_value=-1, axis=0): a [3, 2] of columns.
    assertClose(run(() => ts.one_hot([1, 0], 3, 5, -1, 0, "float64")), [[-1, 5], [5, -1], [-1, -1]], EXACT);
    assertClose(run(() => ts.one_hot([1], 2, { on_value: 2, dtype: ts.int32 })), [[0, 2]], { ...EXACT, dtype: "int32" });
  });

  test("unstack(value, num, axis) by position", () => {
    const parts = inGraph(() => ts.unstack(f64(X), 3, 1));
    assert.deepEqual(parts.map((p) => p.shape), [[2], [2], [2]]);
  });

  test("wrong kinds name the function and the argument", () => {
    inGraph(() => {
      throwsWith(() => ts.gather(f64(X), [0], { axes: 1 } as never), ts.TensorSlowError, /^gather: unknown option 'axes'/);
      // The old place of the axis is TF1's validate_indices: a number there is refused, not taken for the axis.
      throwsWith(() => ts.gather(f64(X), [0], 1 as never), ts.ArgumentError, /^gather: argument 'validateIndices' must be true, false or null .*give the axis by keyword/);
      throwsWith(() => ts.gather(f64(X), [0], { batch_dims: 1 } as never), ts.ArgumentError, /^gather: argument 'batch_dims' must be 0 \(batch_dims other than 0 is not supported\)/);
      throwsWith(() => ts.oneHot([0], "3" as never), ts.ArgumentError, /^oneHot: argument 'depth' must be an integer, got the string "3"/);
      throwsWith(() => ts.stridedSlice(f64(TEN), 1 as never, [2]), ts.ArgumentError, /^stridedSlice: argument 'begin' must be an array of integers, got number 1/);
      throwsWith(() => ts.unstack(f64(X), { axis: 0.5 }), ts.ArgumentError, /^unstack: argument 'axis' must be an integer \(or undefined\), got number 0\.5/);
    });
  });
});
