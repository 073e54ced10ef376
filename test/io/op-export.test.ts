/**
 * Every op type has an export decision for each format, and every exported op type agrees with
 * the peer runtime: each sample case of the op table (test/ops/op-table.ts) is built with
 * placeholders, run by our session, exported, run by onnxruntime (ONNX) and by TensorFlow.js's
 * graph-model loader, and the outputs compared to 1e-5.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose, type Ref } from "../helpers/assert-close.js";
import { OP_TABLE, type OpCase, type OpEntry } from "../ops/op-table.js";
import { runOnnx, runTfjs } from "./runtimes.js";

type Mode = "static" | "dims" | "rank";
const FORMATS = ["onnx", "tfjs"] as const;

describe("export decisions", () => {
  for (const format of FORMATS) {
    test(`every registered op type is exported to ${format} or says why not`, () => {
      const support = ts.io.exportSupport(format);
      const undecided = ts.registeredOps().map((d) => d.type).filter((t) => !(t in support));
      assert.deepEqual(undecided, [], `op types without a ${format} export decision (src/io/${format}/ops.ts): ${undecided.join(", ")}`);
      for (const [type, reason] of Object.entries(support)) {
        assert.ok(ts.registeredOps().some((d) => d.type === type), `the ${format} table has '${type}', which is not a registered op type`);
        if (reason !== null) assert.ok(reason.length > 20, `${type}: the reason it is not exported says why`);
      }
    });
  }

  test("gradient and state ops are ONNX ops for exported training steps; TensorFlow.js refuses them, saying why", () => {
    const onnx = ts.io.exportSupport("onnx");
    const tfjs = ts.io.exportSupport("tfjs");
    for (const type of ["SigmoidGrad", "ReluGrad", "SumToShape", "BroadcastLike", "SparseSoftmaxCrossEntropyBackprop", "Assign", "AssignAdd", "AssignSub"]) {
      assert.equal(onnx[type], null, `${type} is exported to ONNX`);
      assert.match(tfjs[type] ?? "", /gradients\(\)|updates a variable|gradient of/, type);
    }
    for (const type of ["MatMul", "Softmax", "Sigmoid", "Reshape", "Sum", "Mean"]) {
      assert.equal(onnx[type], null, `${type} is exported to ONNX`);
      assert.equal(tfjs[type], null, `${type} is exported to TensorFlow.js`);
    }
  });
});

function typedArray(dtype: ts.DType, data: ArrayLike<number>): ts.TypedArray {
  return dtype === "float64" ? Float64Array.from(data) : dtype === "float32" ? Float32Array.from(data) : dtype === "int32" ? Int32Array.from(data) : Uint8Array.from(data);
}

/** The case's sample values in `dtype`, as the op table's forward test makes them. */
function caseValue(entry: OpEntry<any>, i: number, ref: Ref, dtype: ts.DType): ts.Tensor {
  const fixed = entry.inputDtypes?.[i] ?? null;
  const dt = fixed ?? dtype;
  const data = Array.from(ref.data, (v) => (fixed !== null ? v : dt === "int32" ? Math.round(3 * v) : v));
  return new ts.Tensor([...ref.shape], dt, typedArray(dt, data));
}

interface Built {
  graph: ts.Graph;
  node: ts.Node;
  feeds: Record<string, ts.Tensor>;
}

function build(entry: OpEntry<any>, c: OpCase<any>, dtype: ts.DType, mode: Mode): Built {
  const graph = new ts.Graph();
  return graph.asDefault(() => {
    const feeds: Record<string, ts.Tensor> = {};
    const inputs = c.inputs.map((ref, i) => {
      const value = caseValue(entry, i, ref, dtype);
      // An update's variable exports as a constant (its initial value, exported from the graph).
      if (entry.inputKinds?.[i] === "variable") return new ts.Variable(value, { name: `v${i}` });
      const shape = mode === "rank" ? null : mode === "dims" ? value.shape.map(() => null) : [...value.shape];
      const p = ts.placeholder({ dtype: value.dtype, shape, name: `x${i}` });
      feeds[p.name] = value;
      return p;
    });
    return { graph, node: entry.build(inputs, c.attrs), feeds };
  });
}

const TOL = { atol: 1e-5, rtol: 1e-5 };

/** What a format cannot express: such cases must be refused at export, naming the op, with this message. */
const FORMAT_LIMITS: { format: "onnx" | "tfjs"; type: string; cases: RegExp; message: RegExp }[] = [
  { format: "tfjs", type: "Conv2D", cases: /dilation \[2,1\] with stride 2/, message: /conv2d cannot combine strides \[1,2,2,1\] with dilations \[1,2,1,1\]/ },
  { format: "tfjs", type: "Conv2DBackpropInput", cases: /dilation/, message: /Conv2DBackpropInput \(conv2dTranspose\) takes no dilations/ },
];

/**
 * Valid models the peer has no kernel for (the ONNX schemas of Conv, ConvTranspose and AveragePool
 * include double; onnxruntime's CPU kernels do not). Still run, and must still fail that way.
 */
const MISSING_KERNELS: { format: "onnx" | "tfjs"; types: string[]; dtype: ts.DType; error: RegExp; why: string; cases?: RegExp }[] = [
  {
    format: "onnx",
    types: ["Conv2D", "Conv2DBackpropInput", "AvgPool", "AvgPoolGrad"],
    dtype: "float64",
    error: /Could not find an implementation for (Conv|ConvTranspose|AveragePool)\(11\)/,
    why: "onnxruntime 1.30's CPU provider has Conv, ConvTranspose and AveragePool for float32 only",
  },
];

/**
 * Cases a peer runtime gets wrong although the exported model is right. Each is still run, and
 * must still be wrong in the way described: once the peer is fixed, the entry has to go.
 */
interface PeerBug {
  format: "onnx" | "tfjs";
  type: string;
  caseName: string;
  /** Only in these shape modes (default all). */
  modes?: Mode[];
  why: string;
  /** How the peer gets it wrong: a result of this shape, or an error matching this. */
  wrong: { shape: number[] } | { error: RegExp };
}

const PEER_BUGS: PeerBug[] = [
  { format: "tfjs", type: "SelectV2", caseName: "empty [0,3]", why: "tfjs 4.22's where() broadcasts an empty [0,3] condition with [3] to [1,3]", wrong: { shape: [1, 3] } },
  {
    format: "onnx",
    type: "SoftmaxCrossEntropyWithLogits",
    caseName: "empty [0,3]",
    modes: ["rank"],
    why: "onnxruntime 1.30's ReduceSum ignores a negative axis when the input is empty (with a known rank the exporter counts the axis from the front)",
    wrong: { shape: [0, 3] },
  },
  {
    format: "tfjs",
    type: "StridedSlice",
    caseName: "[4] x[3:1] (empty)",
    modes: ["dims", "rank"],
    why: "tfjs 4.22's stridedSlice fails on an empty forward slice (begin after end) when it works out the bounds itself (with a known shape the exporter resolves them)",
    wrong: { error: /Negative size values should be exactly -1/ },
  },
];

/**
 * What an exported model computes where it differs from a training run by design: a dropout mask
 * is all ones in inference (dropout is the identity), of the mask's shape.
 */
function inferenceValue(entry: OpEntry<any>, ours: ts.Tensor): ts.Tensor {
  return entry.type === "DropoutMask" ? ts.ones([...ours.shape], ours.dtype) : ours;
}

/** The ONNX model or TensorFlow.js artifacts of one node, or the ExportError that refused it. */
async function exportNode(format: "onnx" | "tfjs", graph: ts.Graph, inputs: string[], node: ts.Node): Promise<{ run: (feeds: Record<string, ts.Tensor>) => Promise<ts.Tensor> }> {
  if (format === "onnx") {
    const model = await ts.io.exportOnnx(graph, { inputs, outputs: [node] });
    return { run: async (feeds) => (await runOnnx(model.bytes, feeds))[model.outputs[0]!.name]! };
  }
  const model = await ts.io.exportTfjsGraphModel(graph, { inputs, outputs: [node] });
  return { run: async (feeds) => (await runTfjs(model.artifacts, feeds, [node.name]))[0]! };
}

/** Whether `e` is a refusal this case may get, and if so checks that it names the op. */
function expectedRefusal(e: unknown, format: "onnx" | "tfjs", entry: OpEntry<any>, c: OpCase<any>, node: ts.Node, mode: Mode, what: string): boolean {
  if (!(e instanceof ts.io.ExportError)) return false;
  const names = e.message.includes(`'${node.name}'`);
  if (format === "tfjs" && node.dtype === "float64" && /is float64.*TensorFlow.js has no float64/.test(e.message)) return names;
  const limit = FORMAT_LIMITS.find((l) => l.format === format && l.type === entry.type && l.cases.test(c.name));
  const expected = (limit !== undefined && limit.message.test(e.message)) || (mode !== "static" && /(rank|shape) of its input .* must be known/.test(e.message));
  if (expected) assert.ok(e.message.includes(`'${node.name}' (${entry.type})`), `${what}: the refusal names the op: ${e.message}`);
  return expected;
}

/**
 * Runs every case of `entry` in `dtype` and shape mode through export and the peer runtime. An
 * export may refuse what its format cannot express (FORMAT_LIMITS, float64 in TensorFlow.js) or
 * what needs shapes the mode leaves unknown, with a message naming the op.
 */
async function checkOp(entry: OpEntry<any>, format: "onnx" | "tfjs", dtype: ts.DType, mode: Mode, compared: Set<string>, explained: Set<string>): Promise<void> {
  for (const c of entry.cases) {
    const what = `${entry.type} ${c.name} (${dtype}, shapes ${mode}) via ${format}`;
    const { graph, node, feeds } = build(entry, c, dtype, mode);
    const ours = new ts.Session(graph).run(node, feeds);
    let exported: Awaited<ReturnType<typeof exportNode>>;
    try {
      exported = await exportNode(format, graph, Object.keys(feeds), node);
    } catch (e) {
      if (expectedRefusal(e, format, entry, c, node, mode, what)) {
        explained.add(c.name);
        continue;
      }
      throw new Error(`${what}: ${(e as Error).message}`, { cause: e });
    }
    const missing = MISSING_KERNELS.find((m) => m.format === format && m.types.includes(entry.type) && m.dtype === dtype && (m.cases?.test(c.name) ?? true));
    if (missing !== undefined) {
      await assert.rejects(exported.run(feeds), missing.error, `${what}: listed as missing from the peer (${missing.why}), which now runs it: remove it from MISSING_KERNELS`);
      explained.add(c.name);
      continue;
    }
    const bug = PEER_BUGS.find((b) => b.format === format && b.type === entry.type && b.caseName === c.name && (b.modes ?? [mode]).includes(mode));
    if (bug !== undefined) {
      const stale = `${what}: listed as a peer bug (${bug.why}), which no longer shows: remove it from PEER_BUGS`;
      if ("error" in bug.wrong) await assert.rejects(exported.run(feeds), bug.wrong.error, stale);
      else assert.deepEqual([...(await exported.run(feeds)).shape], bug.wrong.shape, stale);
      explained.add(c.name);
      continue;
    }
    const theirs = await exported.run(feeds).catch((e: Error) => {
      throw new Error(`${what}: ${e.message}`, { cause: e });
    });
    assert.equal(theirs.dtype, ours.dtype, `${what}: dtype`);
    assertClose(theirs, inferenceValue(entry, ours), { ...TOL, what });
    compared.add(c.name);
  }
}

const ONNX_DTYPES: ts.DType[] = ["float32", "float64", "int32"];
const TFJS_DTYPES: ts.DType[] = ["float32", "int32"];

for (const format of FORMATS) {
  describe(`${format} export of each op type matches the peer runtime`, () => {
    const support = ts.io.exportSupport(format);
    for (const entry of Object.values(OP_TABLE) as OpEntry<any>[]) {
      if (support[entry.type] !== null) continue;
      const dtypes = (entry.dtypes ?? ["float64", "float32"]).filter((d) => (format === "onnx" ? ONNX_DTYPES : TFJS_DTYPES).includes(d));
      // Every dtype with static shapes; unknown dimensions and rank (symbolic dims, shape-taking
      // paths) in one dtype, since what they change does not depend on it.
      test(`${entry.type} (${dtypes.join(", ")}; static, unknown dims, unknown rank)`, async () => {
        const compared = new Set<string>();
        const explained = new Set<string>();
        for (const dtype of dtypes) await checkOp(entry, format, dtype, "static", compared, explained);
        for (const mode of ["dims", "rank"] as Mode[]) await checkOp(entry, format, dtypes.includes("float32") ? "float32" : dtypes[0]!, mode, compared, explained);
        // Every case met the peer at least once, or was refused or skipped for a listed reason.
        const untested = entry.cases.map((c) => c.name).filter((n) => !compared.has(n) && !explained.has(n));
        assert.deepEqual(untested, [], `${entry.type}: cases never compared`);
        assert.ok(compared.size > 0, `${entry.type}: no case was compared`);
      });
    }
  });
}
