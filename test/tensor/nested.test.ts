/**
 * Nested arrays to tensors in one pass (tensor/nested.ts), as `tensor()` and a feed of nested
 * arrays use it: values against an independent flattening (Array.prototype.flat), every element
 * read once (counted through proxies), and the path of a bad element in the refusals.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

/** `rows` with every sub-array a proxy counting reads of its elements into `reads`. */
function counted(rows: number[][][], reads: { n: number }): number[][][] {
  const watch = <T extends object>(a: T, leaf: boolean): T =>
    new Proxy(a, {
      get(target, key, receiver) {
        if (leaf && typeof key === "string" && /^\d+$/.test(key)) reads.n++;
        return Reflect.get(target, key, receiver);
      },
    });
  return watch(rows.map((plane) => watch(plane.map((row) => watch(row, true)), false)), false);
}

describe("nested arrays to tensors", () => {
  test("a 3-D array gives the values an independent flattening gives, reading each element once", () => {
    const rows = Array.from({ length: 3 }, (_, i) => Array.from({ length: 4 }, (_, j) => Array.from({ length: 5 }, (_, k) => i * 100 + j * 10 + k + 0.5)));
    const reads = { n: 0 };
    const t = ts.tensor(counted(rows, reads), { dtype: "float64" });
    assert.deepEqual(t.shape, [3, 4, 5]);
    assert.deepEqual(Array.from(t.data), rows.flat(2));
    // 60 elements, and the first once more: the shape is read down the first elements.
    assert.equal(reads.n, 61);
  });

  test("a feed of nested arrays converts in the same one pass, to the placeholder's dtype", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder({ name: "x", dtype: "float64" });
      const rows = [[[1.25, 2], [3, 4]], [[5, 6], [7, 8.5]]];
      const reads = { n: 0 };
      const y = new ts.Session().run(ts.multiply(x, 2), new Map([[x, counted(rows, reads)]]));
      assert.equal(y.dtype, "float64");
      assert.deepEqual(Array.from(y.data), rows.flat(2).map((v) => 2 * v));
      assert.equal(reads.n, 9);
    });
  });

  test("booleans, int32 and bool convert as tensor() always did", () => {
    assert.deepEqual(Array.from(ts.tensor([[true, false], [false, true]]).data), [1, 0, 0, 1]);
    assert.deepEqual(Array.from(ts.tensor([[1, true], [0, -3]], { dtype: "float32" }).data), [1, 1, 0, -3]);
    assert.deepEqual(Array.from(ts.tensor([[0, 2], [-1, 0]], { dtype: "bool" }).data), [0, 1, 1, 0]);
    assert.deepEqual(Array.from(ts.tensor([[7, -2], [2147483647, -2147483648]], { dtype: "int32" }).data), [7, -2, 2147483647, -2147483648]);
    assert.throws(() => ts.tensor([[1, 2], [3, 2.5]], { dtype: "int32" }), /element 3 is 2.5, which int32 cannot hold exactly/);
    assert.throws(() => ts.tensor([[1, 300]], { dtype: "uint8" }), /element 1 is 300, which uint8 cannot hold/);
    assert.deepEqual(ts.tensor([[], []]).shape, [2, 0]);
    assert.deepEqual(ts.tensor(true).shape, []);
  });

  test("a bad element is named by its path, at any depth", () => {
    assert.throws(() => ts.tensor([[[1], [2]], [[3], [4, 5]]]), /^ValueError: ragged nested array: element value\[1\]\[1\] has length 2, expected 1 \(inferred shape \[2,2,1\]\)$/);
    assert.throws(() => ts.tensor([[[1], [2]], [[3], 4]] as never), /element value\[1\]\[1\] is a number, expected an array of length 1/);
    assert.throws(() => ts.tensor([[1, 2], [3, [4]]] as never), /ragged nested array: element value\[1\]\[1\] is an array, expected a number/);
    assert.throws(() => ts.tensor([[1, 2], [3, null]] as never), /element value\[1\]\[1\] is object \(null\), expected a number/);
    assert.throws(() => ts.tensor("a" as never), /tensor/);
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder({ name: "x" });
      assert.throws(() => new ts.Session().run(x, new Map([[x, [[1, 2], [3]]]])), /cannot feed placeholder 'x': ragged nested array: element value\[1\] has length 1, expected 2/);
    });
  });
});
