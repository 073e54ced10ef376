/**
 * Plans against plain JS: random graphs run with changing batch sizes, fetch sets and fed
 * intermediates; variables read and updated in one run; a failed run changes nothing.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { seededRandom } from "../helpers/gradcheck.js";

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

describe("plans: buffer sharing and cached outputs", () => {
  test("random DAGs agree with plain JS across runs with changing batch sizes, fetch sets and fed intermediates", () => {
    // Each graph mixes binary, unary and reducing ops over x [n, 3], so that values die at
    // different depths and buffers get shared; each run picks a new batch size (0 included), a new
    // fetch set and sometimes feeds an intermediate node that other nodes also read.
    type Rows = number[][];
    const rnd = seededRandom(2024);
    const ri = (n: number): number => Math.floor(rnd() * n);
    for (let trial = 0; trial < 60; trial++) {
      const g = new ts.Graph();
      g.asDefault(() => {
        const x = ts.placeholder("float64", [null, 3], "x");
        const nodes: { node: ts.Node; f: (at: (i: number) => Rows, xv: Rows) => Rows }[] = [{ node: x, f: (_at, xv) => xv }];
        const count = 4 + ri(10);
        for (let n = 0; n < count; n++) {
          const a = ri(nodes.length);
          const b = ri(nodes.length);
          const A = nodes[a]!.node;
          const B = nodes[b]!.node;
          const zip = (fn: (p: number, q: number) => number) => (at: (i: number) => Rows) =>
            at(a).map((r, i) => r.map((v, j) => fn(v, at(b)[i]![j]!)));
          const map = (fn: (p: number) => number) => (at: (i: number) => Rows) => at(a).map((r) => r.map(fn));
          switch (ri(6)) {
            case 0: nodes.push({ node: ts.add(A, B), f: zip((p, q) => p + q) }); break;
            case 1: nodes.push({ node: ts.multiply(A, B), f: zip((p, q) => p * q) }); break;
            case 2: nodes.push({ node: ts.subtract(A, B), f: zip((p, q) => p - q) }); break;
            case 3: nodes.push({ node: ts.sigmoid(A), f: map(sig) }); break;
            case 4:
              // Row sums broadcast back over the row: [n, 1] + [n, 3] * 0.
              nodes.push({
                node: ts.add(ts.reduceSum(A, 1, { keepDims: true }), ts.multiply(A, 0)),
                f: (at) => at(a).map((r) => { const s = r.reduce((p, q) => p + q, 0); return r.map(() => s); }),
              });
              break;
            default: nodes.push({ node: ts.negative(A), f: map((p) => -p) });
          }
        }
        const s = new ts.Session();
        for (let run = 0; run < 5; run++) {
          const rows = ri(4);
          const xv = Array.from({ length: rows }, () => [rnd() - 0.5, rnd() - 0.5, rnd() - 0.5]);
          const fetchIdx = [...new Set(Array.from({ length: 1 + ri(3) }, () => ri(nodes.length)))];
          const fedIdx = rnd() < 0.5 ? 1 + ri(nodes.length - 1) : -1;
          const fedValue = Array.from({ length: rows }, () => [rnd(), rnd(), rnd()]);
          const memo = new Map<number, Rows>();
          const at = (i: number): Rows => {
            if (i === fedIdx) return fedValue;
            if (!memo.has(i)) memo.set(i, nodes[i]!.f(at, xv));
            return memo.get(i)!;
          };
          const feeds = new Map<ts.Node, ts.Tensor>([[x, ts.tensor(new Float64Array(xv.flat()), { shape: [rows, 3] })]]);
          if (fedIdx >= 0) feeds.set(nodes[fedIdx]!.node, ts.tensor(new Float64Array(fedValue.flat()), { shape: [rows, 3] }));
          const got = s.run(fetchIdx.map((i) => nodes[i]!.node), feeds);
          got.forEach((t, k) => {
            assert.deepEqual(t.shape, [rows, 3]);
            assertClose(t.data, at(fetchIdx[k]!).flat(), { atol: 1e-12, rtol: 1e-12, what: `trial ${trial} run ${run} node ${fetchIdx[k]}` });
          });
        }
      });
    }
  });

  test("a variable, its update and reads of it fetched in one run: reads see the old value, the update the new one", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const v = new ts.Variable([1, 2]);
      const up = ts.assignAdd(v, [10, 20]);
      const read = ts.identity(v);
      const after = ts.multiply(up, 2); // a consumer of the update sees the new value
      const s = new ts.Session();
      const [a, b, c, d, e] = s.run([v, up, read, v, after]);
      assert.deepEqual(a.toArray(), [1, 2]);
      assert.deepEqual(b.toArray(), [11, 22]);
      assert.deepEqual(c.toArray(), [1, 2]);
      assert.deepEqual(d.toArray(), [1, 2]);
      assert.deepEqual(e.toArray(), [22, 44]);
      assert.deepEqual(s.run(v).toArray(), [11, 22]);
      // The values fetched before are copies: the update after them did not change them.
      assert.deepEqual(a.toArray(), [1, 2]);
    });
  });

  test("a failed run leaves variables as they were", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const v = new ts.Variable([1, 2]);
      const p = ts.placeholder({ name: "p" });
      const up = ts.assignAdd(v, [1, 1]);
      const bad = ts.add(v, p); // fails at run time for p of shape [3]
      const s = new ts.Session();
      assert.throws(() => s.run([up, bad], { p: [1, 2, 3] }), ts.ShapeError);
      assert.deepEqual(s.run(v).toArray(), [1, 2]);
    });
  });
});
