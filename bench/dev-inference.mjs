// Development timing of inference (not the bench: no ratios to report from here): the
// Fashion-MNIST MLP 784-256-128-10 and CNN of examples/part6 at batch 1 and 256, through
// Session.run, beside onnxruntime-node (CPU, 2 intra-op threads) on the model io.exportOnnx writes.
// Inputs are random (speed only). Medians of several rounds; the load average says how busy the
// machine was. Usage: node bench/dev-inference.mjs [mlp|cnn ...] [--no-ort] [--threads N]
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
    let line = `${kind} batch ${batch}: TensorSlow ${(ours * 1e6).toFixed(0)} µs (${(batch / ours).toFixed(0)} samples/s)`;
    if (onnx !== undefined) {
      const input = new ort.Tensor("float32", x.data, shape);
      const ortFeeds = { [onnx.input]: input };
      const got = (await onnx.session.run(ortFeeds))[onnx.output].data;
      const want = session.run(model.logits, feeds).data;
      let diff = 0;
      for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
      const peer = await time(() => onnx.session.run(ortFeeds));
      line += `; ORT ${(peer * 1e6).toFixed(0)} µs (${(batch / peer).toFixed(0)} samples/s); ratio ${(peer / ours).toFixed(2)}x; max |diff| ${diff.toExponential(1)}`;
    }
    console.log(`${line}; load ${loadavg()[0].toFixed(1)}`);
  }
}
