/**
 * Kept operands in a session: a MatMul whose B is a variable or a constant keeps B packed across
 * runs, a Winograd convolution its filter transformed (KeptOperand). Every way a variable changes — a training step (updates fused in place or
 * landing after the run), loadVariable, re-initialization — must reach the next inference: its
 * values are compared bit for bit with the same product computed by the backend's kernel on a
 * fresh copy of the weights (packed per call), at batch 1 (the row path) and batch 7.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

const IN = 64;
const OUT = 96;

function bitsEqual(got: ts.Tensor, want: ts.Tensor, what: string): void {
  assert.deepEqual(got.shape, want.shape, what);
  for (let i = 0; i < got.size; i++) {
    if (!Object.is(got.data[i], want.data[i])) assert.fail(`${what}: element ${i} is ${got.data[i]}, want ${want.data[i]}`);
  }
}

describe("a MatMul's kept weights", { skip: ts.wasmBackend === undefined ? "WebAssembly SIMD is not available here" : false }, () => {
  const backend = ts.wasmBackend!;
  /** x·W on the backend's MatMul kernel with a copy of W (no kept operand): the unpacked reference. */
  const reference = (x: ts.Tensor, w: ts.Tensor): ts.Tensor => {
    const out = new ts.Tensor([x.shape[0]!, w.shape[1]!], "float32");
    (backend.kernels.MatMul as unknown as (i: ts.Tensor[], o: ts.Tensor, a: object) => void)([x, w.clone()], out, { transposeA: false, transposeB: false });
    return out;
  };

  for (const fusion of [true, false]) {
    test(`a convolution's filter kept transformed (Winograd) follows training steps and loadVariable (fusion ${fusion ? "on" : "off"})`, () => {
      const graph = new ts.Graph();
      graph.asDefault(() => {
        const x = ts.placeholder("float32", [null, 6, 6, 8], "x");
        const f = new ts.Variable(ts.random.normal([3, 3, 8, 12], { seed: 1, stddev: 0.2 }), { name: "f" });
        const b = new ts.Variable(ts.random.normal([12], { seed: 2 }), { name: "b" });
        const y = ts.nn.relu(ts.nn.biasAdd(ts.nn.conv2d(x, f, 1, "SAME"), b));
        const loss = ts.reduceMean(ts.square(y));
        const train = new ts.train.GradientDescentOptimizer(0.5).minimize(loss);
        const session = new ts.Session({ graph, fusion });
        session.run(ts.globalVariablesInitializer());
        const attrs = { strides: [1, 1, 1, 1], dilations: [1, 1, 1, 1], padding: "SAME" };
        const check = (what: string): void => {
          for (const batch of [1, 3]) {
            const xv = ts.random.uniform([batch, 6, 6, 8], { seed: 20 + batch, minval: -1, maxval: 1 });
            const got = session.run(y, new Map([[x, xv]]));
            // The unkept reference: the backend's kernels on fresh copies of the filter and bias.
            const conv = new ts.Tensor([batch, 6, 6, 12], "float32");
            (backend.kernels.Conv2D as unknown as (i: ts.Tensor[], o: ts.Tensor, a: object) => void)([xv, session.readVariable(f)], conv, attrs);
            const biased = new ts.Tensor(conv.shape, "float32");
            (backend.kernels.BiasAdd as unknown as (i: ts.Tensor[], o: ts.Tensor, a: object) => void)([conv, session.readVariable(b)], biased, {});
            const want = new ts.Tensor(conv.shape, "float32", Float32Array.from(biased.data, (v) => (v < 0 ? 0 : v)));
            bitsEqual(got, want, `${what}, batch ${batch}`);
          }
        };
        check("first runs");
        check("again");
        const feeds = new Map([[x, ts.random.uniform([4, 6, 6, 8], { seed: 3, minval: -1, maxval: 1 })]]);
        session.run(train, feeds);
        check("after a training step");
        session.loadVariable(f, ts.random.normal([3, 3, 8, 12], { seed: 5 }));
        check("after loadVariable");
        session.close();
      });
    });

    test(`follow training steps, loadVariable and re-initialization (fusion ${fusion ? "on" : "off"})`, () => {
      const graph = new ts.Graph();
      graph.asDefault(() => {
        const x = ts.placeholder("float32", [null, IN], "x");
        const target = ts.placeholder("float32", [null, OUT], "target");
        const w = new ts.Variable(ts.random.normal([IN, OUT], { seed: 1, stddev: 0.2 }), { name: "w" });
        const c = ts.constant(ts.random.normal([OUT, OUT], { seed: 2, stddev: 0.2 }));
        const y = ts.matmul(x, w);
        const z = ts.matmul(y, c);
        const loss = ts.reduceMean(ts.square(ts.subtract(y, target)));
        const trainers = [new ts.train.GradientDescentOptimizer(0.5).minimize(loss), new ts.train.AdamOptimizer(0.05).minimize(loss)];
        const session = new ts.Session({ graph, fusion });
        session.run(ts.globalVariablesInitializer());
        const constValue = session.run(c);
        const check = (what: string): void => {
          for (const batch of [1, 7]) {
            const xv = ts.random.uniform([batch, IN], { seed: 10 + batch, minval: -1, maxval: 1 });
            const [yv, zv] = session.run([y, z], new Map([[x, xv]]));
            const wv = session.readVariable(w);
            bitsEqual(yv!, reference(xv, wv), `${what}, batch ${batch}: x·w`);
            bitsEqual(zv!, reference(yv!, constValue), `${what}, batch ${batch}: y·constant`);
          }
        };
        check("first runs");
        check("runs again (weights kept)");
        const feeds = new Map([
          [x, ts.random.uniform([5, IN], { seed: 3, minval: -1, maxval: 1 })],
          [target, ts.random.uniform([5, OUT], { seed: 4 })],
        ]);
        for (const [i, train] of trainers.entries()) {
          const before = session.readVariable(w);
          session.run(train, feeds);
          assert.notDeepEqual(session.readVariable(w).data, before.data, "the step changed w");
          check(`after training step ${i}`);
        }
        session.loadVariable(w, ts.random.normal([IN, OUT], { seed: 5 }));
        check("after loadVariable");
        session.run(ts.globalVariablesInitializer());
        check("after re-initialization");
        session.close();
      });
    });
  }
});
