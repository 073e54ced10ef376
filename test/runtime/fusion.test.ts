/**
 * Fusion of elementwise ops (runtime/fusion.ts, bind.ts, fused-step.ts): the same graphs give the
 * same values and the same gradients with fusion on and off, on every backend and for domains below and above the wasm
 * backend's JS/SIMD threshold; groups form where they should (seen through the programs a backend
 * is asked to compile); shapes that do not fit a program fall back to the members' own kernels;
 * variable updates written in place. (The backends' fused kernels themselves: test/backends/fused-kernels.test.ts.)
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { gradcheck, seededRandom } from "../helpers/gradcheck.js";
import { recordingBackend, withBackend } from "../helpers/recording-backend.js";

function onBackend<T>(name: string, fn: () => T): T {
  const previous = ts.getBackend();
  ts.setBackend(name);
  try {
    return fn();
  } finally {
    ts.setBackend(previous);
  }
}

interface RandomGraph {
  graph: ts.Graph;
  placeholders: ts.Placeholder[];
  fetches: ts.Node[];
  feeds: (rows: number) => Map<ts.Node, ts.Tensor>;
}

/**
 * A random graph of elementwise ops over x [rows, C], a bias b [C], a column c [rows, 1] and a
 * scalar s, with reductions here and there (fusion boundaries), and the gradients of a loss made
 * of its last nodes with respect to every input.
 */
function randomGraph(seed: number, dtype: "float32" | "float64"): RandomGraph {
  const rnd = seededRandom(seed);
  const ri = (n: number): number => Math.floor(rnd() * n);
  const C = 1 + ri(5);
  const graph = new ts.Graph();
  return graph.asDefault(() => {
    const x = ts.placeholder(dtype, [null, C], "x");
    const b = ts.placeholder(dtype, [C], "b");
    const c = ts.placeholder(dtype, [null, 1], "c");
    const s = ts.placeholder(dtype, [], "s");
    const nodes: ts.Node[] = [x, ts.nn.biasAdd(x, b), ts.add(x, c)];
    const count = 6 + ri(14);
    for (let n = 0; n < count; n++) {
      const A = nodes[nodes.length - 1 - ri(Math.min(4, nodes.length))]!;
      const B = nodes[ri(nodes.length)]!;
      switch (ri(18)) {
        case 0: nodes.push(ts.add(A, B)); break;
        case 1: nodes.push(ts.subtract(A, B)); break;
        case 2: nodes.push(ts.multiply(A, B)); break;
        case 3: nodes.push(ts.divide(A, ts.add(1.5, ts.square(B)))); break;
        case 4: nodes.push(ts.sigmoid(A)); break;
        case 5: nodes.push(ts.tanh(A)); break;
        case 6: nodes.push(ts.nn.relu(A)); break;
        case 7: nodes.push(ts.multiply(A, s)); break;
        case 8: nodes.push(ts.nn.biasAdd(A, ts.sigmoid(b))); break;
        case 9: nodes.push(ts.subtract(A, ts.multiply(c, s))); break;
        case 10: nodes.push(ts.sqrt(ts.add(ts.square(A), 1))); break;
        case 11: nodes.push(ts.exp(ts.negative(ts.square(A)))); break;
        case 12: nodes.push(ts.nn.leakyRelu(A, 0.3)); break;
        case 13: nodes.push(ts.maximum(A, ts.negative(B))); break;
        case 15: nodes.push(ts.nn.relu6(ts.multiply(A, 4))); break;
        case 16: nodes.push(ts.abs(ts.subtract(A, B))); break;
        // A reduction in the middle: a boundary between groups, broadcast back as a column.
        case 14: nodes.push(ts.add(A, ts.reduceSum(B, 1, { keepDims: true }))); break;
        default: nodes.push(ts.log(ts.add(ts.square(A), 0.5)));
      }
    }
    const last = nodes.slice(-3);
    const loss = ts.reduceSum(last.reduce((p, q) => ts.add(p, ts.multiply(q, 0.7))));
    const placeholders = [x, b, c, s];
    const grads = ts.gradients(loss, placeholders).filter((g): g is ts.Node => g !== null);
    const fetches = [...last, nodes[ri(nodes.length)]!, loss, ...grads];
    const feeds = (rows: number): Map<ts.Node, ts.Tensor> => {
      const r = seededRandom(seed + rows);
      const val = (shape: number[]) => ts.tensor(Float64Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => 2 * r() - 1), { shape, dtype });
      return new Map<ts.Node, ts.Tensor>([
        [x, val([rows, C])],
        [b, val([C])],
        [c, val([rows, 1])],
        [s, val([])],
      ]);
    };
    return { graph, placeholders, fetches, feeds };
  });
}

function runBoth(g: RandomGraph, rows: number): { fused: ts.Tensor[]; unfused: ts.Tensor[] } {
  const feeds = g.feeds(rows);
  const fused = new ts.Session({ graph: g.graph, fusion: true }).run(g.fetches, feeds);
  const unfused = new ts.Session({ graph: g.graph, fusion: false }).run(g.fetches, feeds);
  return { fused, unfused };
}

describe("fused and unfused plans agree", () => {
  for (const backend of ts.listBackends().filter((b) => b === "js" || b === "wasm")) {
    for (const dtype of ["float64", "float32"] as const) {
      test(`random elementwise graphs and their gradients, ${dtype} on ${backend}`, () => {
        onBackend(backend, () => {
          // Below and above the size where the wasm backend runs its SIMD step table (4096).
          const batches = [0, 1, 7, 1500];
          for (let seed = 1; seed <= 25; seed++) {
            const g = randomGraph(seed, dtype);
            for (const rows of batches) {
              const { fused, unfused } = runBoth(g, rows);
              fused.forEach((t, i) => {
                // float64: the same formulas in the same order; float32: fused chains keep doubles
                // (JS) or the same f32 steps (wasm) between ops, unfused ones round after each.
                const tol = dtype === "float64" ? { atol: 1e-12, rtol: 1e-12 } : { atol: 2e-4, rtol: 2e-4 };
                assertClose(t, unfused[i]!, { ...tol, equalNan: true, what: `seed ${seed} rows ${rows} fetch ${i} (${g.fetches[i]})` });
              });
            }
          }
        });
      });
    }
  }

  test("a fused chain's gradient matches finite differences", () => {
    gradcheck(
      "fused chain",
      ([x, b]) => ts.multiply(ts.sigmoid(ts.nn.biasAdd(x!, b!)), ts.tanh(ts.subtract(x!, ts.square(x!)))),
      [
        { shape: [3, 2], data: Float64Array.of(0.1, -0.4, 0.7, 0.2, -0.9, 0.5) },
        { shape: [2], data: Float64Array.of(0.3, -0.2) },
      ],
      { shapes: "dims" },
    );
  });

  test("the generated kernel and the interpreter (no code generation) agree exactly", () => {
    const interpreting: ts.Backend = {
      ...ts.jsBackend,
      name: "js-interpreted",
      fused: { has: (f) => ts.jsBackend.fused!.has(f), compile: (p) => ts.interpretFused(p) },
    };
    for (let seed = 30; seed < 40; seed++) {
      const g = randomGraph(seed, "float64");
      for (const rows of [0, 3, 300]) {
        const feeds = g.feeds(rows);
        const generated = onBackend("js", () => new ts.Session(g.graph).run(g.fetches, feeds));
        const interpreted = withBackend(interpreting, () => new ts.Session(g.graph).run(g.fetches, feeds));
        generated.forEach((t, i) => assertClose(interpreted[i]!, t, { atol: 0, rtol: 0, equalNan: true, what: `seed ${seed} rows ${rows} fetch ${i}` }));
      }
    }
  });
});

describe("what fuses", () => {
  test("Adam's update of a weight matrix is one program: 3 outputs (m, v, the weight), its scalars computed once", () => {
    const { backend, programs, calls } = recordingBackend("recording-adam", ts.jsBackend);
    withBackend(backend, () => {
      const g = new ts.Graph();
      g.asDefault(() => {
        const x = ts.placeholder("float32", [null, 3]);
        const w = new ts.Variable(ts.random.normal([3, 2], { seed: 3 }));
        const loss = ts.reduceSum(ts.square(ts.matmul(x, w)));
        const step = new ts.train.AdamOptimizer(0.01).minimize(loss);
        new ts.Session(g).run(step, new Map([[x, ts.ones([4, 3])]]));
      });
    });
    const update = programs.find((p) => p.outputs.length === 3);
    assert.ok(update !== undefined, "a program with three outputs");
    assert.ok(update.code.length >= 12, `the whole update in one program (${update.code.length} instructions)`);
    assert.deepEqual(update.outputs.map((o) => o.scalar), [false, false, false]);
    // The elementwise kernels were not called one by one.
    for (const k of ["Sub", "Add", "Sqrt", "RealDiv", "Square"]) assert.equal(calls.get(k) ?? 0, 0, `${k} ran unfused`);
  });

  test("bias-add and relu fuse, the bias read as a row; fusion off runs each op's kernel", () => {
    for (const fusion of [true, false]) {
      const { backend, programs, calls } = recordingBackend(`recording-dense-${fusion}`, ts.jsBackend);
      withBackend(backend, () => {
        const g = new ts.Graph();
        g.asDefault(() => {
          const x = ts.placeholder("float32", [null, 4]);
          const y = ts.layers.dense(x, 3, { activation: ts.nn.relu, kernelInitializer: ts.initializers.glorotUniform({ seed: 1 }) });
          const s = new ts.Session({ graph: g, fusion });
          s.run(ts.globalVariablesInitializer());
          s.run(y, new Map([[x, ts.ones([5, 4])]]));
        });
      });
      if (fusion) {
        // After a MatMul, the GEMM's store adds the bias and applies the Relu (runtime/epilogue.ts).
        assert.equal(calls.get("_FusedMatMul"), 1);
        assert.equal(calls.get("BiasAdd") ?? 0, 0);
        // After an elementwise op, one program reads the bias as a row.
        withBackend(backend, () =>
          new ts.Graph().asDefault(() => {
            const x = ts.placeholder("float32", [null, 4]);
            const y = ts.nn.relu(ts.nn.biasAdd(ts.square(x), ts.constant([1, 2, 3, 4])));
            new ts.Session({ fusion }).run(y, new Map([[x, ts.ones([5, 4])]]));
          }),
        );
        const p = programs.find((q) => q.code.some((c) => c.formula === "Relu"))!;
        assert.deepEqual(p.inputs, ["full", "row"]);
        assert.deepEqual(p.code.map((c) => c.formula), ["Square", "Add", "Relu"]);
        assert.equal(calls.get("BiasAdd") ?? 0, 0);
      } else {
        assert.equal(programs.length, 0);
        assert.equal(calls.get("BiasAdd"), 1);
        assert.equal(calls.get("Relu"), 1);
      }
    }
  });

  test("the gradient of a row sum, broadcast back along the summed axis, joins its reader's group as a column", () => {
    // J = Σ_r (Σ_j x_rj)·w_r with w fed: dJ/dx_rj = w_r, a BroadcastLike of w [n] (the row sums'
    // gradient) to x's [n, 3], then times exp(x): one program reading w as a column.
    const { backend, programs, calls } = recordingBackend("recording-broadcast-col", ts.jsBackend);
    const x0 = [[0.5, -1, 2], [1.5, 0.25, -0.75]];
    const w0 = [2, -3];
    const got = withBackend(backend, () =>
      new ts.Graph().asDefault(() => {
        const x = ts.placeholder("float64", [2, 3]);
        const w = ts.placeholder("float64", [2]);
        const J = ts.reduceSum(ts.multiply(ts.reduceSum(x, 1), w));
        const dx = ts.gradients(J, [x])[0]!;
        return new ts.Session().run(ts.multiply(dx, ts.exp(x)), new Map<ts.Node, ts.TensorLike>([[x, ts.tensor(x0, { dtype: "float64" })], [w, ts.tensor(w0, { dtype: "float64" })]]));
      }),
    );
    assertClose(got, x0.map((r, i) => r.map((v) => w0[i]! * Math.exp(v))), { rtol: 1e-14 });
    assert.equal(calls.get("BroadcastLike") ?? 0, 0, [...calls.keys()].join(","));
    const p = programs.find((q) => q.code.some((c) => c.formula === "Exp"))!;
    assert.ok(p.inputs.includes("col"), JSON.stringify(p.inputs));
  });

  test("a value a reduction also reads is stored once and feeds the rest of the group (two outputs)", () => {
    const { backend, programs } = recordingBackend("recording-multi", ts.jsBackend);
    const got = withBackend(backend, () =>
      new ts.Graph().asDefault(() => {
        const x = ts.placeholder("float64", [null, 2]);
        const e = ts.exp(x);
        const total = ts.reduceSum(e);
        const y = ts.multiply(ts.sigmoid(e), 2);
        return new ts.Session().run([y, total], new Map([[x, ts.tensor([[0, 1], [2, -1]], { dtype: "float64" })]]));
      }),
    );
    const p = programs.find((q) => q.outputs.length === 2)!;
    assert.deepEqual(p.code.map((c) => c.formula), ["Exp", "Sigmoid", "Mul"]);
    const xs = [0, 1, 2, -1];
    assertClose(got[0]!, [[0, 1], [2, -1]].map((r) => r.map((v) => 2 / (1 + Math.exp(-Math.exp(v))))), { rtol: 1e-14 });
    assertClose(got[1]!, xs.reduce((s, v) => s + Math.exp(v), 0), { rtol: 1e-14 });
  });
});

describe("shapes a program does not cover", () => {
  test("a broadcast only visible at run time: the gradient of x [1, 3] + y [4, 3] sums over the batch", () => {
    for (const fusion of [true, false]) {
      const g = new ts.Graph();
      const [dx, dy] = g.asDefault(() => {
        const x = ts.placeholder("float64", [null, 3]);
        const y = ts.placeholder("float64", [null, 3]);
        const loss = ts.reduceSum(ts.multiply(ts.sigmoid(ts.add(x, y)), 3));
        const grads = ts.gradients(loss, [x, y]).map((q) => q!);
        const xv = ts.tensor([[0.5, -1, 2]], { dtype: "float64" });
        const yv = ts.tensor([[0, 1, 2], [3, 4, 5], [-1, -2, -3], [0.5, 0.5, 0.5]], { dtype: "float64" });
        return new ts.Session({ graph: g, fusion }).run(grads, new Map([[x, xv], [y, yv]]));
      });
      const sg = (v: number): number => 3 * (1 / (1 + Math.exp(-v))) * (1 - 1 / (1 + Math.exp(-v)));
      const xs = [0.5, -1, 2];
      const ys = [[0, 1, 2], [3, 4, 5], [-1, -2, -3], [0.5, 0.5, 0.5]];
      const dyExpected = ys.map((r) => r.map((v, j) => sg(v + xs[j]!)));
      assertClose(dy!, dyExpected, { rtol: 1e-12, what: `dy, fusion ${fusion}` });
      assertClose(dx!, [xs.map((_, j) => dyExpected.reduce((s, r) => s + r[j]!, 0))], { rtol: 1e-12, what: `dx, fusion ${fusion}` });
    }
  });

  test("a shape error inside a group names the member, as without fusion", () => {
    for (const fusion of [true, false]) {
      const g = new ts.Graph();
      g.asDefault(() => {
        const x = ts.placeholder("float32", [null, 3]);
        const y = ts.placeholder("float32", [null, 3]);
        const z = ts.sigmoid(ts.add(x, y, "the_sum"));
        const s = new ts.Session({ graph: g, fusion });
        assert.throws(
          () => s.run(z, new Map([[x, ts.ones([2, 3])], [y, ts.ones([4, 3])]])),
          (e: unknown) => e instanceof ts.ShapeError && /the_sum/.test(e.message) && /\[2,3\]/.test(e.message) && /\[4,3\]/.test(e.message),
        );
      });
    }
  });
});

describe("variable updates written in place", () => {
  test("reads of the variable anywhere in the run see the old value; a read that needs the update keeps the copy", () => {
    for (const fusion of [true, false]) {
      const g = new ts.Graph();
      g.asDefault(() => {
        const v = new ts.Variable(ts.tensor([1, 2, 3], { dtype: "float64" }));
        const up = ts.assignAdd(v, ts.multiply(ts.constant([10, 20, 30], { dtype: "float64" }), 1));
        // Built after the update (so after it in the graph's order), reading the variable.
        const doubled = ts.multiply(v, 2);
        const s = new ts.Session({ graph: g, fusion });
        const [u, d, read] = s.run([up, doubled, v]);
        assertClose(u!, [11, 22, 33], { what: `update, fusion ${fusion}` });
        assertClose(d!, [2, 4, 6], { what: `a later read, fusion ${fusion}` });
        assertClose(read!, [1, 2, 3], { what: `the variable fetched, fusion ${fusion}` });
        assertClose(s.run(v), [11, 22, 33]);
        // A reader of both the old value and the update's value.
        const both = ts.add(v, up);
        assertClose(s.run(both), [11 + 21, 22 + 42, 33 + 63], { what: `old + new, fusion ${fusion}` });
        assertClose(s.run(v), [21, 42, 63]);
        // The variable not fetched: the update may write it in place, once the other read has run.
        const [u2, d2] = s.run([up, doubled]);
        assertClose(u2!, [31, 62, 93], { what: `update in place, fusion ${fusion}` });
        assertClose(d2!, [42, 84, 126], { what: `the read ordered before it, fusion ${fusion}` });
        // Without fetching the variable, the update alone, twice.
        s.run(up);
        s.run(up);
        assertClose(s.run(ts.identity(v)), [51, 102, 153]);
      });
    }
  });

  test("loadVariable between runs: the in-place update writes the loaded value's storage", () => {
    const g = new ts.Graph();
    g.asDefault(() => {
      const v = new ts.Variable(ts.tensor([1, 2], { dtype: "float32" }));
      const step = ts.assignSub(v, ts.multiply(v, 0.5));
      const s = new ts.Session(g);
      s.run(step);
      s.loadVariable(v, ts.tensor([8, 16], { dtype: "float32" }));
      s.run(step);
      assertClose(s.run(ts.identity(v)), [4, 8]);
    });
  });
});
