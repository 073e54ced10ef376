/**
 * Epilogue fusion (runtime/epilogue.ts): a MatMul whose product only a bias add reads (BiasAdd, or
 * Add of a row-length vector), and that sum only a Relu, runs as one _FusedMatMul step when fusion
 * is on. Checked: which chains the plan fuses and which it must not (a product or sum read
 * elsewhere or fetched); values with fusion on equal those with fusion off bit for bit (the same
 * float32 operations in the same order), on the wasm backend at batch 1 (row path), 7 (edge tiles)
 * and 300 (split across threads), in float32 and float64, and on the JS backend; and training with
 * fused layers (weights kept packed, updates in place) takes the same steps as unfused training
 * (to float32 rounding: see the test). A convolution's chain that only a MaxPool reads takes the
 * pool in, in inference only.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import type * as Compile from "../../dist/runtime/compile.js";
import { internal } from "../helpers/internals.js";

const { compilePlan } = await internal<typeof Compile>("runtime/compile.js");

function bitsEqual(got: ts.Tensor, want: ts.Tensor, what: string): void {
  assert.deepEqual(got.shape, want.shape, what);
  for (let i = 0; i < got.size; i++) {
    if (!Object.is(got.data[i], want.data[i])) assert.fail(`${what}: element ${i} is ${got.data[i]}, want ${want.data[i]}`);
  }
}

interface Net {
  graph: ts.Graph;
  x: ts.Placeholder;
  labels: ts.Placeholder;
  /** dense(relu) by layers.dense (BiasAdd), then matmul + add of a vector (Add), no activation. */
  out: ts.Node;
  hidden: ts.Node;
  train: ts.GraphNode;
}

/** Seeded uniform values in [-1, 1) as a tensor of `dtype`. */
function uniform(shape: number[], seed: number, dtype: "float32" | "float64"): ts.Tensor {
  const u = ts.random.uniform(shape, { seed, minval: -1, maxval: 1 });
  return dtype === "float32" ? u : new ts.Tensor(shape, "float64", Float64Array.from(u.data));
}

/** With `layers`, the first layer is layers.dense (float32 only); otherwise the same ops by hand. */
function net(dtype: "float32" | "float64" = "float32", layers = true): Net {
  const graph = new ts.Graph();
  return graph.asDefault(() => {
    const x = ts.placeholder(dtype, [null, 70], "x");
    const labels = ts.placeholder("int32", [null], "labels");
    const hidden = layers
      ? ts.layers.dense(x, 90, { activation: ts.nn.relu, kernelInitializer: ts.initializers.glorotUniform({ seed: 1 }), biasInitializer: ts.initializers.constant(0.1) })
      : ts.nn.relu(ts.nn.biasAdd(ts.matmul(x, new ts.Variable(uniform([70, 90], 1, dtype), { name: "w1" })), new ts.Variable(uniform([90], 4, dtype), { name: "b1" })));
    const w = new ts.Variable(uniform([90, 12], 2, dtype), { name: "w2" });
    const b = new ts.Variable(uniform([12], 3, dtype), { name: "b2" });
    const out = ts.add(ts.matmul(hidden, w), b);
    const loss = ts.reduceMean(ts.nn.sparseSoftmaxCrossEntropyWithLogits({ labels, logits: out }));
    const train = new ts.train.GradientDescentOptimizer(0.1).minimize(loss);
    return { graph, x, labels, out, hidden, train };
  });
}

/** The MatMul nodes whose plan step runs _FusedMatMul, by the name of the value the step gives. */
function fusedSteps(fetches: ts.Node[], fed: ts.Node[], backend: ts.Backend = ts.wasmBackend ?? ts.jsBackend, fusion = true): string[] {
  const plan = compilePlan(fetches, new Set(fed), backend, { fusion });
  return plan.steps.flatMap((s) => (s.kind === "op" && s.op.def.type === "MatMul" && plan.slotNodes[s.slot] !== s.op ? [plan.slotNodes[s.slot]!.name] : []));
}

/**
 * On the wasm and JS backends, `out` of `graph` for images of `x`'s shape at each batch size (seeded
 * values in [-1, 1)): the same bits with fusion on and off.
 */
function sameBitsFusedOrNot(graph: ts.Graph, x: ts.Placeholder, out: ts.Node, batches: number[]): void {
  for (const [name, backend] of [["wasm", ts.wasmBackend], ["js", ts.jsBackend]] as const) {
    if (backend === undefined) continue;
    const before = ts.getBackend();
    ts.setBackend(name);
    try {
      const [on, off] = [true, false].map((fusion) => {
        const session = new ts.Session({ graph, fusion });
        session.run(graph.asDefault(() => ts.globalVariablesInitializer()));
        const result = batches.map((batch) => session.run(out, new Map([[x, ts.random.uniform([batch, ...(x.shape!.slice(1) as number[])], { seed: batch, minval: -1, maxval: 1 })]])));
        session.close();
        return result;
      });
      on!.forEach((t, i) => bitsEqual(t, off![i]!, `${name}, run ${i}`));
    } finally {
      ts.setBackend(before);
    }
  }
}

describe("epilogue fusion", () => {
  test("the plan fuses both dense layers (BiasAdd + Relu, Add of a vector), only with fusion on", () => {
    const n = net();
    const fused = fusedSteps([n.out], [n.x]);
    assert.equal(fused.length, 2, `fused: ${fused}`);
    assert.ok(fused.includes(n.out.name) && fused.includes(n.hidden.name));
    assert.deepEqual(fusedSteps([n.out], [n.x], undefined, false), []);
  });

  test("a product or sum read elsewhere, or fetched, is not fused away", () => {
    const graph = new ts.Graph();
    graph.asDefault(() => {
      const x = ts.placeholder("float32", [null, 8], "x");
      const w = new ts.Variable(ts.random.normal([8, 8], { seed: 1 }));
      const b = new ts.Variable(ts.zeros([8]));
      const p1 = ts.matmul(x, w);
      const s1 = ts.nn.biasAdd(p1, b);
      const r1 = ts.nn.relu(s1);
      // The sum is fetched: the Relu cannot join the chain, and the bias add goes to the Relu's
      // elementwise pass (as it does before any elementwise reader)...
      assert.deepEqual(fusedSteps([r1, s1], [x]), []);
      // ... but not before a reader that is not elementwise.
      const total = ts.reduceSum(s1);
      assert.deepEqual(fusedSteps([total], [x]), [s1.name]);
      assert.deepEqual(fusedSteps([total, s1], [x]), [s1.name]);
      // The product is fetched: nothing fuses.
      assert.deepEqual(fusedSteps([r1, p1], [x]), []);
      // The product has a second reader.
      const p2 = ts.matmul(x, w);
      const r2 = ts.nn.relu(ts.nn.biasAdd(p2, b));
      const other = ts.square(p2);
      assert.deepEqual(fusedSteps([r2, other], [x]), []);
      // A vector of the wrong length for an Add broadcasts differently: not a bias.
      const p3 = ts.matmul(x, ts.random.normal([8, 1], { seed: 2 }));
      assert.deepEqual(fusedSteps([ts.add(p3, ts.ones([8]))], [x]), []);
    });
  });

  test("convolutions: Conv2D → BiasAdd → Relu and Conv2D → BiasAdd fuse, with the same bits as unfused (wasm and js)", () => {
    const graph = new ts.Graph();
    const { x, out, convs } = graph.asDefault(() => {
      const x = ts.placeholder("float32", [null, 12, 12, 3], "x");
      const c1 = ts.layers.conv2d(x, 16, 3, { padding: "same", activation: ts.nn.relu, kernelInitializer: ts.initializers.glorotUniform({ seed: 1 }), biasInitializer: ts.initializers.constant(0.05) });
      const f2 = new ts.Variable(ts.random.normal([3, 3, 16, 8], { seed: 2, stddev: 0.2 }));
      const c2 = ts.nn.biasAdd(ts.nn.conv2d(c1, f2, 1, "SAME"), new ts.Variable(ts.random.normal([8], { seed: 3 })));
      return { x, out: ts.reduceSum(c2, [1, 2]), convs: [c1, c2] };
    });
    const fusedConvs = (backend: ts.Backend): string[] => {
      const plan = compilePlan([out], new Set([x]), backend, { fusion: true });
      return plan.steps.flatMap((s) => (s.kind === "op" && s.op.def.type === "Conv2D" && plan.slotNodes[s.slot] !== s.op ? [plan.slotNodes[s.slot]!.name] : []));
    };
    assert.deepEqual(fusedConvs(ts.jsBackend).sort(), convs.map((c) => c.name).sort());
    sameBitsFusedOrNot(graph, x, out, [1, 5]);
  });

  test("a convolution's chain that only a MaxPool reads takes the pool in (_FusedConv2DMaxPool) in inference, not in training; the same bits as unfused (wasm and js)", () => {
    const graph = new ts.Graph();
    const { x, labels, logits, pooled, train } = graph.asDefault(() => {
      const x = ts.placeholder("float32", [null, 12, 12, 1], "x");
      const labels = ts.placeholder("int32", [null], "labels");
      const init = (seed: number) => ({ kernelInitializer: ts.initializers.glorotUniform({ seed }), biasInitializer: ts.initializers.constant(0.05) });
      let h = ts.layers.conv2d(x, 8, 3, { padding: "same", activation: ts.nn.relu, ...init(1) });
      const pooled = ts.layers.maxPooling2d(h, 2, 2);
      // No activation: the bias add's sum is what the pool reads.
      h = ts.layers.maxPooling2d(ts.layers.conv2d(pooled, 12, 3, { padding: "same", ...init(2) }), 3, 2, { padding: "same" });
      const logits = ts.layers.dense(ts.layers.flatten(h), 4, init(3));
      const loss = ts.losses.sparseSoftmaxCrossEntropy(labels, logits);
      return { x, labels, logits, pooled, train: new ts.train.GradientDescentOptimizer(0.1).minimize(loss) };
    });
    const pooledSteps = (fetches: ts.GraphNode[], fed: ts.Node[], backend: ts.Backend): string[] => {
      const plan = compilePlan(fetches, new Set(fed), backend, { fusion: true });
      return plan.steps.flatMap((s) => (s.kind === "op" && s.op.def.type === "Conv2D" && (plan.slotNodes[s.slot] as ts.Operation).def?.type === "MaxPool" ? [plan.slotNodes[s.slot]!.name] : []));
    };
    for (const backend of [ts.wasmBackend, ts.jsBackend]) {
      if (backend === undefined) continue;
      assert.equal(pooledSteps([logits], [x], backend).length, 2, backend.name);
      // The first pool's input is fetched: that chain keeps its own result.
      assert.deepEqual(pooledSteps([logits, pooled.inputs[0]!], [x], backend).length, 1, backend.name);
      // Training: MaxPoolGrad reads the convolution's result.
      assert.deepEqual(pooledSteps([train], [x, labels], backend), [], backend.name);
    }
    sameBitsFusedOrNot(graph, x, logits, [1, 9, 40]);
  });

  const backends: [string, ts.Backend | undefined][] = [
    ["wasm", ts.wasmBackend],
    ["js", ts.jsBackend],
  ];
  for (const [name, backend] of backends) {
    for (const dtype of ["float32", "float64"] as const) {
      test(`inference and training, fusion on and off, give the same bits (${name}, ${dtype})`, { skip: backend === undefined ? "WebAssembly SIMD is not available here" : false }, () => {
        const before = ts.getBackend();
        ts.setBackend(name as "wasm" | "js");
        try {
          const results = [true, false].map((fusion) => {
            const n = net(dtype, dtype === "float32");
            const session = new ts.Session({ graph: n.graph, fusion });
            session.run(n.graph.asDefault(() => ts.globalVariablesInitializer()));
            const outs: ts.Tensor[] = [];
            for (const batch of [1, 7, 300]) {
              outs.push(session.run(n.out, new Map([[n.x, uniform([batch, 70], batch, dtype)]])));
            }
            const x = uniform([50, 70], 9, dtype);
            const labels = ts.tensor(Array.from({ length: 50 }, (_, i) => i % 12), { dtype: "int32" });
            for (let step = 0; step < 3; step++) session.run(n.train, new Map<ts.Node, ts.Tensor>([[n.x, x], [n.labels, labels]]));
            outs.push(session.run(n.out, new Map([[n.x, x]])));
            session.close();
            return outs;
          });
          // Inference: the same bits. After training in float32, fused elementwise programs (the
          // optimizer's update) round once where unfused ops round at every op, fused epilogue or
          // not: the weights agree to float32 rounding, not bit for bit.
          results[0]!.forEach((t, i) => {
            const what = `${name} ${dtype}, result ${i}`;
            if (i < 3 || dtype === "float64") bitsEqual(t, results[1]![i]!, what);
            else for (let j = 0; j < t.size; j++) assert.ok(Math.abs(t.data[j]! - results[1]![i]!.data[j]!) <= 1e-5 * (1 + Math.abs(t.data[j]!)), `${what}: element ${j}`);
          });
        } finally {
          ts.setBackend(before);
        }
      });
    }
  }
});
