/** matmul by hand: the vector, batch and transpose rules (the arithmetic is in the comments). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { EXACT, f64, run } from "../helpers/graph-run.js";

const f32 = (v: ts.NestedArray): ts.Node => ts.constant(v, { dtype: "float32" });

describe("matmul, by hand", () => {
  test("[2,2]·[2,2]", () => {
    // [[1,2],[3,4]]·[[5,6],[7,8]] = [[1·5+2·7, 1·6+2·8], [3·5+4·7, 3·6+4·8]] = [[19,22],[43,50]]
    assertClose(run(() => ts.matmul(f64([[1, 2], [3, 4]]), f64([[5, 6], [7, 8]]))), [[19, 22], [43, 50]], EXACT);
  });

  test("[2,3]·[3,1] in float32", () => {
    // [[1,2,3],[4,5,6]]·[[1],[0],[-1]] = [[1−3],[4−6]] = [[−2],[−2]]
    const out = run(() => ts.matmul(f32([[1, 2, 3], [4, 5, 6]]), f32([[1], [0], [-1]])));
    assertClose(out, [[-2], [-2]], { ...EXACT, dtype: "float32" });
  });

  test("vector·matrix drops the leading dimension", () => {
    // [1,2,3]·[[1,0],[0,1],[1,1]] = [1·1+2·0+3·1, 1·0+2·1+3·1] = [4,5], shape [2]
    assertClose(run(() => ts.matmul(f64([1, 2, 3]), f64([[1, 0], [0, 1], [1, 1]]))), [4, 5], EXACT);
  });

  test("matrix·vector drops the trailing dimension", () => {
    // [[1,2,3],[4,5,6]]·[1,0,−1] = [1−3, 4−6] = [−2,−2], shape [2]
    assertClose(run(() => ts.matmul(f64([[1, 2, 3], [4, 5, 6]]), f64([1, 0, -1]))), [-2, -2], EXACT);
  });

  test("vector·vector is a scalar", () => {
    // [1,2,3]·[4,5,6] = 4+10+18 = 32, shape []
    const out = run(() => ts.matmul(f64([1, 2, 3]), f64([4, 5, 6])));
    assert.deepEqual(out.shape, []);
    assertClose(out, 32, EXACT);
  });

  test("batched, with broadcast batch dimensions [2,1,1,2]·[3,2,1] → [2,3,1,1]", () => {
    // a's two 1×2 rows: a0 = [1,2], a1 = [3,4]; b's three 2×1 columns: b0 = [1,0]ᵀ, b1 = [0,1]ᵀ, b2 = [1,1]ᵀ.
    // out[i][j] = a_i·b_j:  a0 → [1, 2, 3];  a1 → [3, 4, 7]
    const out = run(() => ts.matmul(f64([[[[1, 2]]], [[[3, 4]]]]), f64([[[1], [0]], [[0], [1]], [[1], [1]]])));
    assertClose(out, [[[[1]], [[2]], [[3]]], [[[3]], [[4]], [[7]]]], EXACT);
  });

  test("batched matrix · shared matrix [2,2,2]·[2,2]", () => {
    // batch 0: identity·[[1,2],[3,4]] = [[1,2],[3,4]];  batch 1: [[0,1],[1,0]]·[[1,2],[3,4]] = [[3,4],[1,2]] (rows swapped)
    const out = run(() => ts.matmul(f64([[[1, 0], [0, 1]], [[0, 1], [1, 0]]]), f64([[1, 2], [3, 4]])));
    assertClose(out, [[[1, 2], [3, 4]], [[3, 4], [1, 2]]], EXACT);
  });

  test("transposeA, transposeB, and both", () => {
    const A = [[1, 2], [3, 4]];
    const B = [[5, 6], [7, 8]];
    // Aᵀ·B = [[1,3],[2,4]]·[[5,6],[7,8]] = [[5+21, 6+24], [10+28, 12+32]] = [[26,30],[38,44]]
    assertClose(run(() => ts.matmul(f64(A), f64(B), { transposeA: true })), [[26, 30], [38, 44]], EXACT);
    // A·Bᵀ = [[1,2],[3,4]]·[[5,7],[6,8]] = [[5+12, 7+16], [15+24, 21+32]] = [[17,23],[39,53]]
    assertClose(run(() => ts.matmul(f64(A), f64(B), { transposeB: true })), [[17, 23], [39, 53]], EXACT);
    // Aᵀ·Bᵀ = [[1,3],[2,4]]·[[5,7],[6,8]] = [[5+18, 7+24], [10+24, 14+32]] = [[23,31],[34,46]]
    assertClose(run(() => ts.matmul(f64(A), f64(B), { transposeA: true, transposeB: true })), [[23, 31], [34, 46]], EXACT);
  });

  test("transposeA of a non-square [3,2] operand", () => {
    // Aᵀ = [[1,3,5],[2,4,6]];  Aᵀ·[[1],[1],[1]] = [[9],[12]]
    const out = run(() => ts.matmul(f64([[1, 2], [3, 4], [5, 6]]), f64([[1], [1], [1]]), { transposeA: true }));
    assertClose(out, [[9], [12]], EXACT);
  });

  test("0·Inf inside a product gives NaN, as IEEE arithmetic does", () => {
    // [0, 1]·[Inf, 1]ᵀ = 0·Inf + 1·1 = NaN + 1 = NaN
    const out = run(() => ts.matmul(f64([[0, 1]]), f64([[Infinity], [1]])));
    assert.ok(Number.isNaN(out.data[0]), `expected NaN, got ${out.data[0]}`);
  });
});
