/**
 * Plans specialized on fed shapes (runtime/plan.ts, specialize.ts): a graph on `placeholder()`
 * with no shape gives the values plain JS computes, for every shape it is fed; it fuses as a shaped
 * graph does (seen through the kernels a recording backend is asked to run); at most
 * MAX_SPECIALIZATIONS sets of shapes get a variant, and the others run the generic plan, unfused
 * and still right; a shape inference refuses falls back to the generic plan's error.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import type * as PlanModule from "../../dist/runtime/plan.js";
import { assertClose } from "../helpers/assert-close.js";
import { internal } from "../helpers/internals.js";
import { recordingBackend, withBackend } from "../helpers/recording-backend.js";

const { MAX_SPECIALIZATIONS } = await internal<typeof PlanModule>("runtime/plan.js");

const W = [
  [0.5, -1],
  [2, 0.25],
];
const B = [0.1, -0.2];
const sig = (v: number): number => 1 / (1 + Math.exp(-v));

/** 2·sigmoid(x·W + b) − 1, row by row in float64. */
function expected(x: number[][]): number[][] {
  return x.map((r) => [0, 1].map((j) => 2 * sig(r[0]! * W[0]![j]! + r[1]! * W[1]![j]! + B[j]!) - 1));
}

function rows(n: number, seed: number): number[][] {
  return Array.from({ length: n }, (_, i) => [Math.sin(seed + i), Math.cos(seed * 3 + i)]);
}

/** The network on `x`, with a session (built on the default graph of `fn`'s call). */
function network(x: ts.Placeholder): { y: ts.Node; session: ts.Session } {
  const w = new ts.Variable(W, { name: "W" });
  const b = new ts.Variable(B, { name: "b" });
  const y = ts.subtract(ts.multiply(ts.sigmoid(ts.add(ts.matmul(x, w), b)), 2), 1);
  return { y, session: new ts.Session() };
}

/** The elementwise ops' own kernels, which a fused plan does not call. */
const ELEMENTWISE = ["Add", "Sub", "Mul", "Sigmoid", "SigmoidGrad", "Square", "Neg", "AssignSub"];

/** The elementwise kernels (Add, Sigmoid, Mul, Sub) called individually in `calls`. */
function unfusedCalls(calls: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const [k, v] of calls) if (k !== "MatMul") n += v;
  return n;
}

describe("plans specialized on fed shapes", () => {
  test("an unshaped placeholder fed two shapes gives the values plain JS computes, fused as a shaped graph is", () => {
    const rec = recordingBackend("specialize-values", ts.jsBackend);
    withBackend(rec.backend, () => {
      for (const shaped of [false, true]) {
        rec.calls.clear();
        rec.programs.length = 0;
        new ts.Graph().asDefault(() => {
          const x = shaped ? ts.placeholder("float32", [null, 2], "x") : ts.placeholder({ name: "x" });
          const { y, session } = network(x);
          for (const [n, seed] of [[3, 1], [7, 2], [3, 3], [7, 4]] as const) {
            const xv = rows(n, seed);
            assertClose(session.run(y, new Map([[x, xv]])).toArray() as number[][], expected(xv), { atol: 1e-6 });
          }
          // The values inside the fused group have no tensors, yet their shapes are known.
          const sigmoid = y.inputs[0]!.inputs[0]!;
          assert.equal(sigmoid.type, "Sigmoid");
          assert.deepEqual(session.observedShapes().get(sigmoid), [7, 2]);
        });
        // Four runs: MatMul each time; the four elementwise ops as one program per variant.
        assert.equal(rec.calls.get("MatMul"), 4, `shaped ${shaped}`);
        assert.equal(unfusedCalls(rec.calls), 0, `shaped ${shaped}: ${[...rec.calls.keys()]}`);
        assert.ok(rec.programs.length >= 1, `shaped ${shaped}`);
      }
    });
  });

  test("a training step on placeholder() runs its elementwise ops and updates fused, and learns what the shaped graph learns", () => {
    const rec = recordingBackend("specialize-train", ts.jsBackend);
    const lossAfter = (shaped: boolean): { losses: number[]; calls: string[] } =>
      withBackend(rec.backend, () =>
        new ts.Graph().asDefault(() => {
          rec.calls.clear();
          const x = shaped ? ts.placeholder("float32", [null, 2]) : ts.placeholder();
          const c = shaped ? ts.placeholder("float32", [null, 2]) : ts.placeholder();
          const { y, session } = network(x);
          const J = ts.reduceSum(ts.square(ts.subtract(y, c)));
          const step = new ts.train.GradientDescentOptimizer(0.1).minimize(J);
          const feeds = new Map<ts.Node, ts.TensorLike>([
            [x, rows(5, 1)],
            [c, rows(5, 9)],
          ]);
          const losses: number[] = [];
          for (let i = 0; i < 5; i++) {
            losses.push(session.run(J, feeds).item() as number);
            session.run(step, feeds);
          }
          return { losses, calls: ELEMENTWISE.filter((k) => rec.calls.has(k)) };
        }),
      );
    const unshaped = lossAfter(false);
    const shaped = lossAfter(true);
    assert.deepEqual(unshaped.losses, shaped.losses);
    assert.ok(unshaped.losses[4]! < unshaped.losses[0]!);
    // The gradient graphs differ a little (with shapes known, OnesLike of the scalar loss is a
    // constant); the elementwise ops of either run only inside fused programs.
    assert.deepEqual(unshaped.calls, []);
    assert.deepEqual(shaped.calls, []);
  });

  test(`at most ${MAX_SPECIALIZATIONS} sets of shapes get a variant; the others run the generic plan, unfused and right`, () => {
    const rec = recordingBackend("specialize-bound", ts.jsBackend);
    withBackend(rec.backend, () =>
      new ts.Graph().asDefault(() => {
        const x = ts.placeholder();
        const { y, session } = network(x);
        const run = (n: number): number => {
          rec.calls.clear();
          const xv = rows(n, n);
          assertClose(session.run(y, new Map([[x, xv]])).toArray() as number[][], expected(xv), { atol: 1e-6 });
          return unfusedCalls(rec.calls);
        };
        for (let n = 1; n <= MAX_SPECIALIZATIONS; n++) assert.equal(run(n), 0, `batch ${n} is specialized`);
        // Beyond the bound: the generic plan, where nothing is known to fuse (Add, Sigmoid, Mul, Sub).
        assert.equal(run(MAX_SPECIALIZATIONS + 1), 4);
        assert.equal(run(MAX_SPECIALIZATIONS + 2), 4);
        // The remembered shapes still run their variants.
        assert.equal(run(1), 0);
        assert.equal(run(MAX_SPECIALIZATIONS), 0);
      }),
    );
  });

  test("a fed shape that inference refuses runs the generic plan, whose error names the op", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder({ name: "x" });
      const { y, session } = network(x);
      assert.throws(() => session.run(y, new Map([[x, [[1, 2, 3]]]])), (e: Error) => e instanceof ts.ShapeError && /MatMul/.test(e.message));
      // And the plan still runs a good shape afterwards.
      const xv = rows(2, 5);
      assertClose(session.run(y, new Map([[x, xv]])).toArray() as number[][], expected(xv), { atol: 1e-6 });
    });
  });
});
