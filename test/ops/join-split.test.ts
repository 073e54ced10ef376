/** concat, stack, unstack, split: values worked out by hand, gradients, node names and error messages. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { EXACT, atRun, f64, grads, inGraph, run, throwsWith } from "../helpers/graph-run.js";

/** Asserts that `fn` throws and leaves the graph with as many nodes as before. */
function addsNothing(g: ts.Graph, fn: () => unknown): void {
  const before = g.numNodes();
  assert.throws(fn);
  assert.equal(g.numNodes(), before, "a failed build leaves no nodes behind");
}

describe("concat and stack, by hand", () => {
  test("concat along axis 0 and along axis -1", () => {
    assertClose(run(() => ts.concat([f64([[1, 2]]), f64([[3, 4], [5, 6]])], 0)), [[1, 2], [3, 4], [5, 6]], EXACT);
    assertClose(run(() => ts.concat([f64([[1], [2]]), f64([[3, 4], [5, 6]])], -1)), [[1, 3, 4], [2, 5, 6]], EXACT);
  });

  test("the gradient of concat is each input's stretch of dy, also when the sizes are unknown until run time", () => {
    // y = [a0, a1, b0], loss = Σ [10,20,30]·y: da = [10,20], db = [30]
    for (const shapes of ["static", "dims", "rank"] as const) {
      const [da, db] = grads([[1, 2], [3]], ([a, b]) => ts.reduceSum(ts.multiply(ts.concat([a!, b!], 0), f64([10, 20, 30]))), shapes);
      assertClose(da!, [10, 20], EXACT);
      assertClose(db!, [30], EXACT);
    }
  });

  test("stack makes a new axis", () => {
    assertClose(run(() => ts.stack([f64(1), f64(2), f64(3)])), [1, 2, 3], EXACT);
    // out[i][k] = values[k][i]: [[1,3],[2,4]]
    assertClose(run(() => ts.stack([f64([1, 2]), f64([3, 4])], 1)), [[1, 3], [2, 4]], EXACT);
  });
});

describe("unstack and split, by hand", () => {
  test("unstack along axis 1 gives one node per column, named unstack/0, unstack/1", () => {
    inGraph((g) => {
      const pieces = ts.unstack(f64([[1, 2], [3, 4]]), { axis: 1 });
      assert.deepEqual(pieces.map((p) => [p.name, p.type]), [["unstack/0", "Unpack"], ["unstack/1", "Unpack"]]);
      const [c0, c1] = new ts.Session(g).run(pieces);
      assertClose(c0!, [1, 3], EXACT);
      assertClose(c1!, [2, 4], EXACT);
    });
  });

  test("the gradient of one piece is zeros but for that piece", () => {
    // loss = Σ column 1: d/dx = [[0,1],[0,1]]
    const [dx] = grads([[[1, 2], [3, 4]]], ([x]) => ts.reduceSum(ts.unstack(x!, { num: 2, axis: -1 })[1]!), "rank");
    assertClose(dx!, [[0, 1], [0, 1]], EXACT);
  });

  test("split into equal pieces and into given sizes", () => {
    const x = [1, 2, 3, 4, 5, 6];
    const eq = run(() => ts.split(f64(x), 3));
    assert.deepEqual(eq.map((t) => t.toArray()), [[1, 2], [3, 4], [5, 6]]);
    const sized = run(() => ts.split(f64(x), [2, -1]));
    assert.deepEqual(sized.map((t) => t.toArray()), [[1, 2], [3, 4, 5, 6]]);
    inGraph(() => assert.deepEqual(ts.split(f64(x), [1, 0, -1]).map((p) => [p.name, p.type, p.shape]), [["split/0", "SplitV", [1]], ["split/1", "SplitV", [0]], ["split/2", "SplitV", [5]]]));
  });

  test("gradients through several pieces add up", () => {
    // loss = Σ 2·p0 + Σ 3·p2 of split([6], 3): d/dx = [2,2,0,0,3,3]
    for (const shapes of ["static", "rank"] as const) {
      const [dx] = grads([[1, 2, 3, 4, 5, 6]], ([x]) => {
        const [p0, , p2] = ts.split(x!, 3);
        return ts.add(ts.reduceSum(ts.multiply(p0!, 2)), ts.reduceSum(ts.multiply(p2!, 3)));
      }, shapes);
      assertClose(dx!, [2, 2, 0, 0, 3, 3], EXACT);
    }
  });
});

describe("concat, stack, unstack and split errors", () => {
  test("concat: a mismatched dimension names the input, both shapes and the node", () => {
    throwsWith(
      () => inGraph(() => ts.concat([ts.zeros([2, 3]), ts.zeros([2, 4])], 0)),
      ts.ShapeError,
      /^ConcatV2 'concat': dimension 1 of input 1 is 4, expected 3 \(shapes \[2,3\] and \[2,4\]\)$/,
    );
    throwsWith(atRun([ts.zeros([2, 3]), ts.zeros([2, 4])], ([a, b]) => ts.concat([a!, b!], 0)), ts.ShapeError, /ConcatV2 'concat': dimension 1 of input 1 is 4, expected 3/);
  });

  test("concat: ranks, scalars, dtypes and an empty list", () => {
    throwsWith(() => inGraph(() => ts.concat([ts.zeros([2]), ts.zeros([2, 1])], 0)), ts.ShapeError, /ConcatV2 'concat': input 1 has rank 2, input 0 has rank 1/);
    throwsWith(() => inGraph(() => ts.concat([ts.zeros([]), ts.zeros([])], 0)), ts.ShapeError, /cannot concatenate scalars/);
    throwsWith(() => inGraph(() => ts.concat([ts.zeros([2]), ts.zeros([2], "float64")], 0)), ts.DTypeError, /ConcatV2 'concat': inputs must have the same dtype, got float32 and float64/);
    throwsWith(() => inGraph(() => ts.concat([], 0)), ts.ShapeError, /ConcatV2 'concat' needs at least one input/);
    throwsWith(() => inGraph(() => ts.concat([ts.zeros([2])], 1)), ts.ShapeError, /axis 1 is out of range for a tensor of rank 1/);
  });

  test("stack: shapes must agree, the axis must fit", () => {
    throwsWith(() => inGraph(() => ts.stack([ts.zeros([2]), ts.zeros([3])])), ts.ShapeError, /Pack 'stack': dimension 0 of input 1 is 3, expected 2/);
    throwsWith(() => inGraph(() => ts.stack([ts.zeros([2])], 3)), ts.ShapeError, /Pack 'stack': axis 3 is out of range .* \[-2, 1\]/);
  });

  test("unstack: num must match the axis, and must be known", () => {
    throwsWith(() => inGraph(() => ts.unstack(ts.zeros([2, 3]), { num: 2, axis: 1 })), ts.ShapeError, /Unpack 'unstack\/0': axis 1 has size 3, expected num = 2/);
    throwsWith(() => inGraph(() => ts.unstack(ts.placeholder({ shape: [null, 2] }))), ts.ValueError, /cannot infer the number of pieces .*\[\?,2\].*pass num/);
  });

  test("split: sizes must fit the axis, at build time and at run time", () => {
    throwsWith(() => inGraph(() => ts.split(ts.zeros([5]), 2)), ts.ShapeError, /Split 'split\/0': axis 0 of size 5 cannot be split into 2 equal pieces/);
    throwsWith(() => inGraph(() => ts.split(ts.zeros([5]), [2, 2])), ts.ShapeError, /SplitV 'split\/0'.*piece sizes \[2,2\] must add up to the dimension's size 5/);
    throwsWith(() => inGraph(() => ts.split(ts.zeros([5]), [-1, -1])), ts.ShapeError, /at most one -1/);
    throwsWith(atRun([ts.zeros([2, 5])], ([x]) => ts.split(x!, 2, 1)[0]!), ts.ShapeError, /Split 'split\/0': axis 1 of size 5 cannot be split into 2/);
  });

  test("a split that fails adds nothing to the graph, not even a constant", () => {
    inGraph((g) => addsNothing(g, () => ts.split([1, 2, 3], 2)));
    inGraph((g) => addsNothing(g, () => ts.unstack([[1, 2]], { num: 3 })));
  });
});
