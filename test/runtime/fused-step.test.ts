/**
 * The fused step's members path (runtime/fused-step.ts) with a variable updated in place: when the
 * shapes fit no program, each member runs its own kernel and the update reaches the variable only
 * after the last member, so reads of the old value stay right. Values are checked against loops
 * written here, and against the same graph run without fusion.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { recordingBackend, withBackend } from "../helpers/recording-backend.js";

describe("fused step: the members path", () => {
  test("an in-place update over shapes no program covers: v −= a·b, with a reader of the old v run first", () => {
    // a [1, 3, 1] and b [2, 1, 4] broadcast to v's [2, 3, 4], which no [outer, inner] split lines up.
    const av = [0.5, -1, 2];
    const bv = [1, 2, 3, 4, -1, -2, -3, -4];
    const v0 = Array.from({ length: 24 }, (_, k) => k / 4);
    const at = (i: number, j: number, k: number): number => i * 12 + j * 4 + k;
    const expected = (v: number[]): number[] => v.map((x, n) => x - av[Math.floor(n / 4) % 3]! * bv[Math.floor(n / 12) * 4 + (n % 4)]!);
    assert.equal(at(1, 2, 3), 23);
    for (const fusion of [true, false]) {
      const { backend, programs, calls } = recordingBackend(`recording-members-${fusion}`, ts.jsBackend);
      withBackend(backend, () => {
        const g = new ts.Graph();
        g.asDefault(() => {
          const v = new ts.Variable(ts.tensor(v0, { shape: [2, 3, 4], dtype: "float64" }));
          const a = ts.placeholder("float64", [null, null, null]);
          const b = ts.placeholder("float64", [null, null, null]);
          const up = ts.assignSub(v, ts.multiply(a, b));
          const doubled = ts.multiply(v, 2);
          const s = new ts.Session({ graph: g, fusion });
          const feeds = new Map([[a, ts.tensor(av, { shape: [1, 3, 1], dtype: "float64" })], [b, ts.tensor(bv, { shape: [2, 1, 4], dtype: "float64" })]]);
          const [u, d] = s.run([up, doubled], feeds);
          const once = expected(v0);
          assertClose(u!, ts.tensor(once, { shape: [2, 3, 4], dtype: "float64" }), { rtol: 1e-15, what: `update, fusion ${fusion}` });
          assertClose(d!, ts.tensor(v0.map((x) => 2 * x), { shape: [2, 3, 4], dtype: "float64" }), { rtol: 1e-15, what: `old v doubled, fusion ${fusion}` });
          s.run(up, feeds);
          assertClose(s.run(ts.identity(v)), ts.tensor(expected(once), { shape: [2, 3, 4], dtype: "float64" }), { rtol: 1e-15, what: `two updates, fusion ${fusion}` });
        });
      });
      // The update's group ran its members' kernels (Mul, then AssignSub's Sub), one call each per run.
      assert.equal(calls.get("Sub"), 2, `fusion ${fusion}`);
      assert.equal(calls.get("Mul"), fusion ? 2 : 3, `fusion ${fusion}: the doubling is a program when fused`);
      if (fusion) assert.ok(!programs.some((p) => p.code.some((c) => c.formula === "Sub")), "no program for the update");
    }
  });
});
