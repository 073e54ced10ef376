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
});
