/**
 * Folding (runtime/fold.ts): an op whose value depends on its inputs' shapes only (onesLike, shape,
 * size) is computed when the plan is compiled, wherever static shapes (the graph's, or a variant's
 * specialized on fed shapes) give its inputs' shapes; what only it needed is not computed. Seen
 * through the kernels a recording backend is asked to run; values written from the math.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { recordingBackend, withBackend } from "../helpers/recording-backend.js";

describe("folding shape-only ops", () => {
  test("the gradient of a loss on placeholder() starts from a folded onesLike: the loss itself is not computed", () => {
    // J = Σ x², dJ/dx = 2x; gradients() starts from onesLike(J), J's shape being unknown when built.
    const rec = recordingBackend("fold-grad", ts.jsBackend);
    withBackend(rec.backend, () => {
      const g = new ts.Graph();
      const { x, dx } = g.asDefault(() => {
        const x = ts.placeholder({ name: "x" });
        const J = ts.reduceSum(ts.square(x));
        return { x, dx: ts.gradients(J, [x])[0]! };
      });
      for (const fusion of [true, false]) {
        const session = new ts.Session({ graph: g, fusion });
        for (const xv of [[[1, -2], [3, 0.5]], [4, 5, -6]]) {
          // The first run with these shapes compiles a variant (folding calls the kernel once); the second is steady.
          session.run(dx, new Map([[x, xv]]));
          rec.calls.clear();
          const got = session.run(dx, new Map([[x, xv]]));
          assertClose(got.toArray() as number[] | number[][], (Array.isArray(xv[0]) ? (xv as number[][]).map((r) => r.map((v) => 2 * v)) : (xv as number[]).map((v) => 2 * v)), { atol: 1e-6 });
          // Folded (with fusion), neither onesLike's kernel nor the loss's sum runs; without, both do.
          assert.equal(rec.calls.get("OnesLike"), fusion ? undefined : 1, `fusion ${fusion}`);
          assert.equal(rec.calls.get("Sum"), fusion ? undefined : 1, `fusion ${fusion}`);
        }
      }
    });
  });

  test("shape and size of a placeholder() value are computed once per fed shape, and right for each", () => {
    const rec = recordingBackend("fold-shape", ts.jsBackend);
    withBackend(rec.backend, () => {
      const g = new ts.Graph();
      const { x, s, n } = g.asDefault(() => {
        const x = ts.placeholder({ name: "x" });
        return { x, s: ts.shape(x), n: ts.size(ts.square(x)) };
      });
      const session = new ts.Session(g);
      rec.calls.clear();
      for (const [xv, shape] of [
        [[[1, 2, 3], [4, 5, 6]], [2, 3]],
        [[[[1], [2]], [[3], [4]], [[5], [6]]], [3, 2, 1]],
        [[[1, 2, 3], [4, 5, 6]], [2, 3]],
      ] as [ts.NestedArray, number[]][]) {
        for (let i = 0; i < 3; i++) {
          const [sv, nv] = session.run([s, n], new Map([[x, xv]])) as ts.Tensor[];
          assert.equal(sv!.dtype, "int32");
          assert.deepEqual(sv!.toArray(), shape);
          assert.equal(nv!.item(), shape.reduce((p, d) => p * d, 1));
        }
      }
      // Two sets of fed shapes, two variants: each folded Shape and Size once, when compiled; the
      // square that only size read never ran.
      assert.equal(rec.calls.get("Shape"), 2);
      assert.equal(rec.calls.get("Size"), 2);
      assert.equal(rec.calls.get("Square"), undefined);
    });
  });

  test("a fetched folded value is a copy: changing it changes no later run", () => {
    const g = new ts.Graph();
    const { x, o } = g.asDefault(() => {
      const x = ts.placeholder("float32", [2, 2], "x");
      return { x, o: ts.onesLike(x) };
    });
    const session = new ts.Session(g);
    const first = session.run(o, new Map([[x, [[5, 6], [7, 8]]]]));
    assert.deepEqual(first.toArray(), [[1, 1], [1, 1]]);
    first.data[0] = 42;
    assert.deepEqual(session.run(o, new Map([[x, [[5, 6], [7, 8]]]])).toArray(), [[1, 1], [1, 1]]);
    assert.deepEqual(session.run(o, new Map([[x, [[5, 6], [7, 8]]]])).toArray(), [[1, 1], [1, 1]]);
  });

  test("a value whose shape alone is read is not computed: a training step skips its loss", () => {
    // L = Σ_r Σ_j exp(x_rj): dL/dx = exp(x). The row sums J are read by the gradient only for
    // their shape (BroadcastLike's like), so their Sum does not run, unless J is fetched too.
    const rec = recordingBackend("stand-in", ts.jsBackend);
    const xv = [[0.5, -1, 2], [1, 0, -0.25]];
    withBackend(rec.backend, () => {
      const g = new ts.Graph();
      const { x, J, dx } = g.asDefault(() => {
        const x = ts.placeholder({ name: "x" });
        const J = ts.reduceSum(ts.exp(x), 1);
        return { x, J, dx: ts.gradients(ts.reduceSum(J), [x])[0]! };
      });
      const session = new ts.Session(g);
      const feeds = new Map([[x, xv]]);
      session.run(dx, feeds);
      rec.calls.clear();
      assertClose(session.run(dx, feeds), xv.map((r) => r.map(Math.exp)), { rtol: 1e-6 });
      assert.equal(rec.calls.get("Sum"), undefined, [...rec.calls.keys()].join(","));
      const [gx, j] = session.run([dx, J], feeds) as ts.Tensor[];
      assertClose(gx!, xv.map((r) => r.map(Math.exp)), { rtol: 1e-6 });
      assertClose(j!, xv.map((r) => r.reduce((s, v) => s + Math.exp(v), 0)), { rtol: 1e-6 });
      assert.equal(rec.calls.get("Sum"), 1);
    });
  });

  test("an op with an effect is computed even where only its shape is read: checkNumerics still fails the run", () => {
    const g = new ts.Graph();
    const { x, dx } = g.asDefault(() => {
      const x = ts.placeholder({ name: "x" });
      const checked = ts.checkNumerics(ts.log(x), "log of x");
      return { x, dx: ts.gradients(ts.reduceSum(ts.reduceSum(checked, 1)), [x])[0]! };
    });
    const session = new ts.Session(g);
    // d/dx Σ log x = 1/x, the check passed.
    assertClose(session.run(dx, new Map([[x, [[1, 2], [4, 0.5]]]])), [[1, 0.5], [0.25, 2]], { rtol: 1e-6 });
    assert.throws(() => session.run(dx, new Map([[x, [[1, -2], [4, 0.5]]]])), (e: unknown) => e instanceof ts.NumericsError && /log of x/.test((e as Error).message));
  });
});
