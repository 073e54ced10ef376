/**
 * Views (runtime/view.ts): an op that only relabels its input's elements (a reshape, the matrix
 * product gradient's AsMatrix/LiftMatMulGrad/UnliftMatMulGrad, a SumToShape with nothing to sum)
 * runs no kernel where static shapes show that it relabels. Expected values are plain-JS sums and
 * products written from the math; the plans' steps are read from compilePlan.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import type * as Compile from "../../dist/runtime/compile.js";
import { assertClose } from "../helpers/assert-close.js";
import { internal } from "../helpers/internals.js";
import { recordingBackend, withBackend } from "../helpers/recording-backend.js";

const { compilePlan } = await internal<typeof Compile>("runtime/compile.js");

const kinds = (plan: { steps: readonly { kind: string }[] }): string[] => plan.steps.map((s) => s.kind);

describe("views", () => {
  test("a viewed value keeps its buffer until the view's last reader: a later op does not take it", () => {
    // a = x·W is viewed as v [1,4]; b = x·W2 comes after the view and, were a's buffer free once the
    // view had run, would be written into it; y = v·reshape(b, [4,1]) reads both: Σ a_ij·b_ij.
    const W = [[1, 2], [3, -1], [0.5, 4]];
    const W2 = [[-2, 1], [0.25, 3], [1, 1]];
    const g = new ts.Graph();
    const { x, y } = g.asDefault(() => {
      const x = ts.placeholder("float32", [2, 3], "x");
      const a = ts.matmul(x, ts.constant(W));
      const v = ts.reshape(a, [1, 4]);
      const b = ts.matmul(x, ts.constant(W2));
      return { x, y: ts.matmul(v, ts.reshape(b, [4, 1])) };
    });
    const plan = compilePlan([y], new Set([x]), ts.jsBackend);
    assert.equal(kinds(plan).filter((k) => k === "view").length, 2, kinds(plan).join(","));
    // Three products, three buffers: a's is still in use when b and y are computed.
    assert.equal(plan.buffers.length, 3);
    const session = new ts.Session(g);
    for (const xv of [[[1, 2, 3], [4, 5, 6]], [[-1, 0.5, 2], [3, -2, 1]]]) {
      const prod = (m: number[][]): number[][] => xv.map((r) => [0, 1].map((j) => r.reduce((s, xi, i) => s + xi * m[i]![j]!, 0)));
      const a = prod(W).flat();
      const b = prod(W2).flat();
      assertClose(session.run(y, new Map([[x, xv]])), [[a.reduce((s, ai, i) => s + ai * b[i]!, 0)]], { atol: 1e-4 });
    }
  });

  test("a reshape of a variable is not a view when an update writes the variable in place", () => {
    const g = new ts.Graph();
    const { r, update } = g.asDefault(() => {
      const v = new ts.Variable([[1, 2], [3, 4]], { dtype: "float32" });
      return { r: ts.reshape(v, [4]), update: ts.assignSub(v, ts.constant([[1, 1], [1, 1]], "float32")) };
    });
    const plan = compilePlan([r, update], new Set(), ts.jsBackend);
    assert.ok(!kinds(plan).includes("view"), kinds(plan).join(","));
    const session = new ts.Session(g);
    // The reshape reads the value before the update, as it would without fusion.
    let [rv, uv] = session.run([r, update]) as ts.Tensor[];
    assert.deepEqual(Array.from(rv!.data), [1, 2, 3, 4]);
    assert.deepEqual(uv!.toArray(), [[0, 1], [2, 3]]);
    [rv] = session.run([r, update]) as ts.Tensor[];
    assert.deepEqual(Array.from(rv!.data), [0, 1, 2, 3]);
  });

  test("a view of a fed value follows the values fed, run after run", () => {
    const g = new ts.Graph();
    const { x, y } = g.asDefault(() => {
      const x = ts.placeholder("float32", [2, 3], "x");
      return { x, y: ts.matmul(ts.reshape(x, [3, 2]), ts.constant([[1], [10]])) };
    });
    const session = new ts.Session(g);
    for (const xv of [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]], [[0, -1, 0], [-1, 0, 2]]]) {
      const flat = xv.flat();
      const want = [0, 1, 2].map((i) => [flat[2 * i]! + 10 * flat[2 * i + 1]!]);
      assert.deepEqual(session.run(y, new Map([[x, xv]])).toArray(), want);
    }
  });

  test("the matrix-product gradient on placeholder() runs no reshape kernel and gives the analytic gradients, for matrices and vectors", () => {
    // y = Σ_j (x·W)_j over every row: dW_ij = Σ_r x_ri, dx_ri = Σ_j W_ij (a vector x: dW_ij = x_i).
    const W = [[0.5, -1, 2], [3, 0.25, -0.5]];
    const rec = recordingBackend("view-matmul-grad", ts.jsBackend);
    withBackend(rec.backend, () => {
      const g = new ts.Graph();
      const { x, dx, dW } = g.asDefault(() => {
        const x = ts.placeholder({ name: "x" });
        const w = new ts.Variable(W, { name: "W" });
        const y = ts.reduceSum(ts.matmul(x, w));
        const [dx, dW] = ts.gradients(y, [x, w]) as ts.Node[];
        return { x, dx: dx!, dW: dW! };
      });
      const session = new ts.Session(g);
      const rowSums = W.map((r) => r.reduce((s, v) => s + v, 0));
      for (const xv of [[[1, 2], [3, -4], [0.5, 0.5]], [7, -3], [[1, 1], [2, 2], [3, 3], [4, 4], [5, -5]]] as (number[] | number[][])[]) {
        const rowsOfX = (Array.isArray(xv[0]) ? xv : [xv]) as number[][];
        const colSums = [0, 1].map((i) => rowsOfX.reduce((s, r) => s + r[i]!, 0));
        rec.calls.clear();
        const [gx, gW] = session.run([dx, dW], new Map([[x, xv]])) as ts.Tensor[];
        assert.deepEqual(gx!.shape, Array.isArray(xv[0]) ? [rowsOfX.length, 2] : [2]);
        assertClose(gx!.toArray() as number[] | number[][], Array.isArray(xv[0]) ? rowsOfX.map(() => rowSums) : rowSums, { atol: 1e-5 });
        assertClose(gW!.toArray() as number[][], [0, 1].map((i) => [0, 1, 2].map(() => colSums[i]!)), { atol: 1e-5 });
        // AsMatrix, LiftMatMulGrad and UnliftMatMulGrad run the Reshape kernel when they copy.
        assert.equal(rec.calls.get("Reshape"), undefined, [...rec.calls.keys()].join(","));
      }
    });
  });

  test("without fusion every relabelling op runs its own kernel, with the same values", () => {
    const g = new ts.Graph();
    const { x, y } = g.asDefault(() => {
      const x = ts.placeholder("float32", [2, 2], "x");
      return { x, y: ts.matmul(ts.reshape(ts.matmul(x, x), [1, 4]), ts.constant([[1], [2], [3], [4]])) };
    });
    assert.ok(kinds(compilePlan([y], new Set([x]), ts.jsBackend)).includes("view"));
    assert.ok(!kinds(compilePlan([y], new Set([x]), ts.jsBackend, { fusion: false })).includes("view"));
    const xv = [[1, 2], [3, 4]];
    // x·x = [[7, 10], [15, 22]]; · [1, 2, 3, 4] = 7 + 20 + 45 + 88.
    for (const fusion of [true, false]) assert.deepEqual(new ts.Session({ graph: g, fusion }).run(y, new Map([[x, xv]])).toArray(), [[160]]);
  });
});
