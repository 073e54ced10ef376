import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

describe("dtype names and constants", () => {
  test("TensorFlow's constants and other names resolve to the dtype that stores them", () => {
    assert.deepEqual([ts.float32, ts.float64, ts.int32, ts.bool, ts.int64, ts.int16, ts.int8, ts.uint8, ts.float16], ["float32", "float64", "int32", "bool", "int64", "int16", "int8", "uint8", "float16"]);
    const stored = (d: ts.DTypeLike) => ts.placeholder(d).dtype;
    assert.deepEqual(
      (["float", "double", "half", "float16", "int64", "int16", "int8", "uint8", "int32", "bool"] as const).map(stored),
      ["float32", "float64", "float32", "float32", "int32", "int32", "int32", "int32", "int32", "bool"],
    );
  });

  test("placeholder(ts.int32, [null]) is an int32 placeholder; an integer shape is rank 1", () => {
    const p = ts.placeholder(ts.int32, [null]);
    assert.deepEqual([p.dtype, p.shape], ["int32", [null]]);
    assert.deepEqual(ts.placeholder(ts.float32, 784).shape, [784]);
    assert.deepEqual(ts.placeholder("float", [null, 784], "x").name, "x");
  });

  test("an unknown dtype name is refused with the function, the argument and the names it takes", () => {
    assert.throws(() => ts.placeholder("float23" as never), (e: Error) => e instanceof ts.TensorSlowError && /^placeholder: argument 'dtype' must be a dtype: one of "float32".*"uint8".*got the string "float23"/.test(e.message));
    assert.throws(() => ts.placeholder(undefined as never, [2], 3 as never), /placeholder: argument 'name' must be a string/);
  });

  test("int64 labels are stored as int32 and computed with, and a value int32 cannot hold is refused", () => {
    const labels = ts.placeholder(ts.int64, [null]);
    const oneHot = ts.oneHot(labels, 3);
    const sess = new ts.Session();
    assert.deepEqual(sess.run(oneHot, new Map([[labels, ts.tensor([2, 0], null, "int64")]])).toArray(), [[0, 0, 1], [1, 0, 0]]);
    assert.throws(() => ts.tensor([2 ** 40], null, "int64"), /element 0 is 1099511627776, which int64 cannot hold exactly \(int64 takes integers from -2147483648 to 2147483647, the int32 range, since int64 is stored as int32 here/);
    assert.throws(() => ts.constant([1, 256], ts.uint8), /element 1 is 256, which uint8 cannot hold exactly \(uint8 takes integers from 0 to 255/);
    assert.throws(() => ts.tensor([-1], null, "uint8"), /uint8 takes integers from 0 to 255/);
    assert.throws(() => ts.tensor(new Int32Array([40000]), null, "int16"), /element 0 is 40000, which int16 cannot hold \(int16 takes integers from -32768 to 32767; it is stored as int32 here\)/);
    assert.deepEqual(ts.tensor([1.5], null, "float16").toArray(), [1.5]);
    assert.equal(ts.tensor([1.5], null, "float16").dtype, "float32");
  });

  test("cast and TF1's to_* shorthands take the names", () => {
    const x = ts.constant([1.7, -2.2]);
    const sess = new ts.Session();
    const [a, b, c, d] = sess.run([ts.cast(x, ts.int64), ts.toInt64(x), ts.toInt32(x), ts.toDouble(ts.to_int32(x))]);
    assert.deepEqual([a.dtype, a.toArray(), b.toArray(), c.toArray(), d.dtype, d.toArray()], ["int32", [1, -2], [1, -2], [1, -2], "float64", [1, -2]]);
    assert.equal(ts.toFloat(ts.constant([1], ts.int32)).dtype, "float32");
    assert.throws(() => ts.cast(x, "int128" as never), /cast: argument 'dtype' must be a dtype/);
  });
});

describe("tensor(values, shape?, dtype?) in TensorFlow.js's order", () => {
  test("the shape and the dtype are positional, or options", () => {
    const t = ts.tensor([1, 2, 3, 4], [2, 2]);
    assert.deepEqual(t.shape, [2, 2]);
    assert.deepEqual(t.toArray(), [[1, 2], [3, 4]]);
    const i = ts.tensor([1, 2, 3, 4], [4], "int32");
    assert.deepEqual([i.dtype, i.shape], ["int32", [4]]);
    assert.deepEqual(ts.tensor([1, 2], null, "float64").dtype, "float64");
    assert.deepEqual(ts.tensor([1, 2, 3, 4], { shape: [2, 2], dtype: "int32" }).toArray(), [[1, 2], [3, 4]]);
  });

  test("wrong kinds of arguments are refused, naming the argument", () => {
    assert.throws(() => ts.tensor([1, 2, 3, 4], [3, 2]), /a value of shape \[4\] cannot take the shape \[3,2\]/);
    assert.throws(() => ts.tensor([1, 2], "int32" as never), /tensor: argument 'shape' must be a shape \(an array of integers >= 0\) or null \(or undefined\), got the string "int32"/);
    assert.throws(() => ts.tensor([1, 2], [2], "int" as never), /tensor: argument 'dtype' must be a dtype/);
    assert.throws(() => ts.tensor([1, 2], { shap: [2] } as never), /tensor: unknown option 'shap' \(it takes values, shape, dtype\)/);
    assert.throws(() => ts.tensor("abc" as never), /tensor: argument 'values' must be a number, a boolean, a \(nested\) array of them, a typed array or a Tensor, got the string "abc"/);
    assert.throws(() => (ts.tensor as (...a: unknown[]) => unknown)([1], [1], "int32", { shape: [1] }), /tensor: 'shape' is given twice/);
  });

  test("dataSync, arraySync and print, as TensorFlow.js's", () => {
    const t = ts.tensor([1, 2, 3, 4], [2, 2], "int32");
    const data = t.dataSync();
    assert.ok(data instanceof Int32Array);
    assert.deepEqual([...data], [1, 2, 3, 4]);
    data[0] = 9; // a copy: the tensor keeps its value
    assert.deepEqual(t.arraySync(), [[1, 2], [3, 4]]);
    const printed: string[] = [];
    const log = console.log;
    console.log = (s: string) => printed.push(s);
    try {
      t.print();
    } finally {
      console.log = log;
    }
    assert.deepEqual(printed, ["Tensor int32 [2,2]\n[[1, 2],\n [3, 4]]"]);
  });
});
