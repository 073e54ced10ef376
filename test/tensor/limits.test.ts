/**
 * Size limits are checked where a shape is made: a tensor, a placeholder, an op's inferred output,
 * and an op's output at run time. A shape beyond MAX_TENSOR_ELEMENTS (2^31 - 1) is a ShapeError
 * naming the node (or the function), not a RangeError from a typed array or the wasm allocator.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

function shapeError(...patterns: RegExp[]): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof ts.ShapeError, `expected a ShapeError, got ${String(e)}`);
    for (const p of patterns) assert.match((e as Error).message, p);
    return true;
  };
}

describe("size limits", () => {
  test("tensors made directly: zeros, random.normal, a Variable's value", () => {
    const tooMany = /shape \[1000000,1000000\] has 1000000000000 elements, more than the 2147483647 a tensor can hold/;
    assert.throws(() => ts.zeros([1e6, 1e6]), shapeError(tooMany));
    assert.throws(() => ts.random.normal([1e6, 1e6]), shapeError(tooMany));
    assert.throws(() => new ts.Variable(ts.ones([1e6, 1e6])), shapeError(tooMany));
    assert.deepEqual(ts.zeros([0, 1e6]).shape, [0, 1e6]);
  });

  test("ops whose output shape is known when built name the node: range, fill, tile, oneHot", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      assert.throws(() => ts.range(0, 1e12), shapeError(/^Range 'range': dimension 1000000000000 of shape \[1000000000000\] is more than the 2147483647 elements/));
      assert.throws(() => ts.fill([1e6, 1e6], 1), shapeError(/^Fill 'Fill': shape \[1000000,1000000\] has 1000000000000 elements/));
      assert.throws(() => ts.tile(ts.constant([1, 2]), [2 ** 30 + 1]), shapeError(/^Tile 'Tile': dimension 2147483650 of shape \[2147483650\]/));
      assert.throws(() => ts.oneHot(ts.constant(new Int32Array(10000)), 1e6), shapeError(/^OneHot 'one_hot': shape \[10000,1000000\] has 10000000000 elements/));
      // Nothing was added for the refused ops.
      assert.equal(g.nodes.filter((n) => /^(Range|Fill|Tile|OneHot)/.test(n.name)).length, 0);
    });
  });

  test("a placeholder's dimensions must fit a tensor (2^53 is refused)", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      assert.throws(() => ts.placeholder("float32", [2 ** 53], "big"), shapeError(/placeholder 'big'/, /dimension 9007199254740992/));
      assert.throws(() => ts.placeholder("float32", [1e5, 1e5], "square"), shapeError(/placeholder 'square'/, /10000000000 elements/));
      assert.deepEqual(ts.placeholder("float32", [null, 2 ** 31 - 1]).shape, [null, 2 ** 31 - 1]);
    });
  });

  test("an output too large at run time (a broadcast of fed shapes) names the op, fused or not", () => {
    for (const fusion of [true, false]) {
      const g = new ts.Graph();
      g.asDefault(() => {
        const a = ts.placeholder("float32", [null, 1], "a");
        const b = ts.placeholder("float32", [1, null], "b");
        const sum = ts.add(a, b);
        const s = new ts.Session({ fusion });
        const feeds = new Map([[a, new ts.Tensor([100000, 1], "float32")], [b, new ts.Tensor([1, 100000], "float32")]]);
        assert.throws(() => s.run(sum, feeds), shapeError(/'Add'.* at run time/, /shape \[100000,100000\] has 10000000000 elements/));
      });
    }
  });
});
