// Development timing of inference (not the bench: no ratios to report from here): the
// Fashion-MNIST MLP 784-256-128-10 and CNN of examples/part6 at batch 1 and 256, through
// Session.run, beside onnxruntime-node (CPU, 2 intra-op threads) on the model io.exportOnnx writes.
// Inputs are random (speed only). Medians of several rounds with their range (min-max), and the
// median CPU time per call (all threads of the process: on a busy machine, what a single-threaded
// contestant takes alone); the load average says how busy the machine was.
// Usage: node bench/dev-inference.mjs [mlp|cnn ...] [--batch N] [--no-ort] [--threads N]
//   (after `node scripts/build.mjs`)
import { loadavg } from "node:os";
import * as ts from "../dist/index.js";
import { buildCnn, buildMlp } from "../build/examples/part6/models.js";
import { time } from "./dev-timing.mjs";

const args = process.argv.slice(2);
const kinds = args.filter((a) => a === "mlp" || a === "cnn");
const withOrt = !args.includes("--no-ort");
const threadsArg = args.indexOf("--threads");
const threads = threadsArg >= 0 ? Number(args[threadsArg + 1]) : 2;
ts.setNumThreads(threads);
const batchArg = args.indexOf("--batch");
const batches = batchArg >= 0 ? [Number(args[batchArg + 1])] : [1, 256];
const ort = withOrt ? await import("onnxruntime-node") : undefined;

const us = (s) => (s * 1e6).toFixed(1);
const figure = (t) => `${us(t.median)} µs (${us(t.min)}-${us(t.max)}; cpu ${us(t.cpu)})`;

for (const kind of kinds.length > 0 ? kinds : ["mlp", "cnn"]) {
  const model = kind === "mlp" ? buildMlp({ seed: 1 }) : buildCnn({ seed: 1 });
  const session = new ts.Session(model.graph);
  let onnx;
  if (ort !== undefined) {
    const exported = await ts.io.exportOnnx(session, { inputs: [model.x], outputs: [model.logits] });
    onnx = { session: await ort.InferenceSession.create(exported.bytes, { intraOpNumThreads: threads, interOpNumThreads: 1 }), input: exported.inputs[0].name, output: exported.outputs[0].name };
  }
  for (const batch of batches) {
    const shape = kind === "mlp" ? [batch, 784] : [batch, 28, 28, 1];
    const x = ts.random.uniform(shape, { seed: 3 });
    const feeds = new Map([[model.x, x]]);
    const ours = await time(() => session.run(model.logits, feeds));
    let line = `${kind} batch ${batch}: TensorSlow ${figure(ours)}, ${(batch / ours.median).toFixed(0)} samples/s`;
    if (onnx !== undefined) {
      const input = new ort.Tensor("float32", x.data, shape);
      const ortFeeds = { [onnx.input]: input };
      const got = (await onnx.session.run(ortFeeds))[onnx.output].data;
      const want = session.run(model.logits, feeds).data;
      let diff = 0;
      for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
      const peer = await time(() => onnx.session.run(ortFeeds));
      line += `; ORT ${figure(peer)}, ${(batch / peer.median).toFixed(0)} samples/s; ratio ${(peer.median / ours.median).toFixed(2)}x; max |diff| ${diff.toExponential(1)}`;
    }
    console.log(`${line}; load ${loadavg()[0].toFixed(1)}`);
  }
}
