// Development timing of one forward convolution kernel (_FusedConv2D with Relu, or Conv2D with
// --plain) called directly on tensors in wasm memory: median, range and CPU time per call (all
// threads), and GFLOPS (2 per multiply-add) by wall and by CPU time. Geometries are
// batch,H,W,C,kh,kw,O,stride with SAME padding; by default the Part VI CNN's first layer at
// batch 1 and 256. Compare two builds by running it on each, alternately.
// Usage: node bench/dev-conv.mjs [geometry ...] [--threads N] [--plain]   (after `node scripts/build.mjs`)
import { loadavg } from "node:os";
import * as ts from "../dist/index.js";
import { time } from "./dev-timing.mjs";

const args = process.argv.slice(2);
const threadsArg = args.indexOf("--threads");
ts.setNumThreads(threadsArg >= 0 ? Number(args[threadsArg + 1]) : 1);
const plain = args.includes("--plain");
const geometries = args.filter((a, i) => /^\d+(,\d+){7}$/.test(a) && args[i - 1] !== "--threads");
const w = ts.wasmBackend;
if (w === undefined) throw new Error("dev-conv: WebAssembly SIMD is not available here");

function filled(shape, f) {
  const size = shape.reduce((p, d) => p * d, 1);
  const data = w.allocate("float32", size);
  for (let i = 0; i < size; i++) data[i] = f(i);
  return new ts.Tensor(shape, "float32", data);
}

const us = (s) => (s * 1e6).toFixed(1);
for (const geometry of geometries.length > 0 ? geometries : ["1,28,28,1,3,3,32,1", "256,28,28,1,3,3,32,1"]) {
  const [batch, h, wd, c, kh, kw, o, stride] = geometry.split(",").map(Number);
  const [oh, ow] = [Math.ceil(h / stride), Math.ceil(wd / stride)];
  const x = filled([batch, h, wd, c], Math.sin);
  const f = filled([kh, kw, c, o], Math.cos);
  const bias = filled([o], (i) => 0.01 * i);
  const out = filled([batch, oh, ow, o], () => 0);
  const attrs = { strides: [1, stride, stride, 1], dilations: [1, 1, 1, 1], padding: "SAME", activation: "Relu" };
  const run = plain ? () => w.kernels.Conv2D([x, f], out, attrs) : () => w.kernels._FusedConv2D([x, f, bias], out, attrs);
  const t = await time(run, 300, 9);
  const flops = 2 * batch * oh * ow * kh * kw * c * o;
  console.log(`${plain ? "Conv2D" : "_FusedConv2D"} x [${batch},${h},${wd},${c}] f [${kh},${kw},${c},${o}] stride ${stride}: ${us(t.median)} µs (${us(t.min)}-${us(t.max)}; cpu ${us(t.cpu)}), ${(flops / t.median / 1e9).toFixed(1)} GFLOPS (${(flops / t.cpu / 1e9).toFixed(1)} per CPU-second); threads ${ts.getNumThreads()}; load ${loadavg()[0].toFixed(1)}`);
  for (const t of [x, f, bias, out]) w.free(t.data);
}
