/** cast (beyond test/ops/cast.test.ts), zerosLike and onesLike by hand: conversions at the edges, errors. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { inGraph, run, throwsWith } from "../helpers/graph-run.js";

const f64 = (v: ts.NestedArray): ts.Node => ts.constant(v, { dtype: "float64" });
const EXACT = { atol: 0, rtol: 0 };

describe("cast, by hand", () => {
  test("beyond int32's range saturates, NaN gives 0", () => {
    // 3e10 → 2147483647;  −3e10 → −2147483648;  NaN → 0;  2147483647.5 → 2147483647
    const out = run(() => ts.cast(f64([3e10, -3e10, Number.NaN, 2147483647.5]), "int32"));
    assertClose(out, [2147483647, -2147483648, 0, 2147483647], { ...EXACT, dtype: "int32" });
  });

  test("to bool is x != 0 (NaN is true); bool to numbers is 0 or 1", () => {
    assertClose(run(() => ts.cast(f64([0, -0, 2, -0.1, Number.NaN]), "bool")), [0, 0, 1, 1, 1], { ...EXACT, dtype: "bool" });
    assertClose(run(() => ts.cast(ts.constant([true, false]), "float32")), [1, 0], { ...EXACT, dtype: "float32" });
    assertClose(run(() => ts.cast(ts.constant([-3, 0], { dtype: "int32" }), "bool")), [1, 0], { ...EXACT, dtype: "bool" });
  });

  test("float64 to float32 rounds to nearest; int32 to float32 too", () => {
    // 0.1 → 0.10000000149011612;  16777217 (2^24 + 1) → 16777216
    assertClose(run(() => ts.cast(f64([0.1]), "float32")), [0.10000000149011612], { ...EXACT, dtype: "float32" });
    assertClose(run(() => ts.cast(ts.constant([16777217], { dtype: "int32" }), "float32")), [16777216], { ...EXACT, dtype: "float32" });
  });

  test("the node keeps TensorFlow's attribute name DstT", () => {
    inGraph(() => {
      const y = ts.cast(f64([1]), "int32", "to_int") as ts.Operation<{ DstT: ts.DType }>;
      assert.equal(y.name, "to_int");
      assert.deepEqual({ ...y.attrs }, { DstT: "int32" });
    });
  });
});

describe("zerosLike and onesLike, by hand", () => {
  test("zeros and ones with the input's dtype and run-time shape", () => {
    inGraph((g) => {
      const x = ts.placeholder({ dtype: "int32", shape: [null, 2] });
      const [z, o] = new ts.Session(g).run([ts.zerosLike(x), ts.onesLike(x)], new Map([[x, ts.tensor([[5, 6], [7, 8], [9, 10]], { dtype: "int32" })]]));
      assertClose(z!, [[0, 0], [0, 0], [0, 0]], { ...EXACT, dtype: "int32" });
      assertClose(o!, [[1, 1], [1, 1], [1, 1]], { ...EXACT, dtype: "int32" });
    });
    assertClose(run(() => ts.zeros_like(ts.constant([true, true]))), [0, 0], { ...EXACT, dtype: "bool" });
    assertClose(run(() => ts.ones_like(ts.constant([false]))), [1], { ...EXACT, dtype: "bool" });
  });

  test("not differentiable, as in TensorFlow", () => {
    inGraph(() => {
      const x = ts.placeholder({ dtype: "float32", shape: [2] });
      assert.deepEqual(ts.gradients(ts.add(ts.zerosLike(x), ts.onesLike(x)), [x]), [null]);
    });
  });
});

describe("cast errors", () => {
  test("an unknown dtype names the function and the dtypes there are", () => {
    throwsWith(() => inGraph(() => ts.cast(f64([1]), "complex64" as ts.DType, "c")), ts.ArgumentError, /cast: argument 'dtype' must be a dtype: one of "float32", "float64", "int32", "bool", .*got the string "complex64"/);
  });
});
