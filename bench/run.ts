/**
 * `npm run bench`: TensorSlow and its peers (TensorFlow.js cpu and wasm, onnxruntime-node for
 * inference, and hand-written JS where it sets the floor) on the same workloads in one process, in
 * alternating rounds. Prints medians and ratios, and writes them as JSON under bench/results/ so
 * that runs can be compared over time.
 *
 *   npm run bench                    every workload
 *   npm run bench -- --quick         fewer rounds and sizes (a smoke run)
 *   npm run bench -- --only matmul   workloads whose id contains "matmul" (tutorial, ort-mlp, ...)
 *   npm run bench -- --relaxed       TensorSlow on its relaxed-SIMD kernels (fused multiply-adds in
 *                                    the GEMM): in Node 20, the run restarts itself with
 *                                    --experimental-wasm-relaxed-simd; results go to *-relaxed.json
 *
 * The default run is what Node gives by default (in Node 20 the plain SIMD kernels); the report's
 * machine line says which kernels ran (tensorslowKernels).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import * as ts from "tensorslow";
import { alternate, type Measured } from "./harness.js";
import { TFJS_VERSION } from "./peers/tfjs.js";
import { formatReport, type WorkloadResult } from "./report.js";
import type { Workload } from "./workload.js";
import { matmulWorkload } from "./workloads/matmul.js";
import { tutorialMlpWorkload } from "./workloads/tutorial-mlp.js";
import { tutorialLiteralWorkload } from "./workloads/tutorial-literal.js";
import { inferenceWorkload } from "./workloads/inference.js";
import { ortVersion } from "./peers/ort.js";
import { cnnInferenceWorkload, cnnTrainWorkload, fashionMlpWorkload } from "./workloads/fashion.js";

const RELAXED_FLAG = "--experimental-wasm-relaxed-simd";
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
const relaxed = args.includes("--relaxed");
const kernels = ts.wasmBackend?.kernelVariant ?? "none";
if (relaxed && kernels !== "relaxed-simd") {
  if (process.execArgv.includes(RELAXED_FLAG)) throw new Error(`--relaxed: this engine has no relaxed SIMD even with ${RELAXED_FLAG}`);
  const child = spawnSync(process.execPath, [...process.execArgv, RELAXED_FLAG, process.argv[1]!, ...args], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

function workloads(): Workload[] {
  const rounds = quick ? 3 : 7;
  const sizes = quick ? [128, 256] : [128, 256, 512, 1024];
  const slow = quick ? 2 : 3;
  return [
    ...sizes.map((n) => matmulWorkload(n, rounds)),
    tutorialMlpWorkload(rounds),
    tutorialLiteralWorkload(rounds),
    fashionMlpWorkload(slow),
    cnnTrainWorkload(slow),
    cnnInferenceWorkload(slow),
    ...(["mlp", "cnn"] as const).flatMap((kind) => [1, 256].map((batch) => inferenceWorkload(kind, batch, rounds))),
  ];
}

const selected = workloads().filter((w) => only === undefined || w.id.includes(only));
const results: WorkloadResult[] = [];
for (const w of selected) {
  process.stdout.write(`${w.title} ... `);
  const t0 = Date.now();
  const measured: Measured[] = await alternate(await w.contestants(), w.rounds, w.higherIsBetter);
  results.push({ workload: w, measured, extras: w.extras?.() ?? {} });
  process.stdout.write(`${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  node: process.version,
  tensorslowBackend: ts.getBackend(),
  tensorslowKernels: kernels,
  tfjs: TFJS_VERSION,
  onnxruntime: await ortVersion(),
};
console.log(`\n${formatReport(results, machine)}`);

const json = {
  date: new Date().toISOString(),
  machine,
  quick,
  workloads: results.map(({ workload: w, measured, extras }) => ({
    id: w.id,
    title: w.title,
    unit: w.unit,
    higherIsBetter: w.higherIsBetter,
    rounds: w.rounds,
    results: measured.map((m) => ({ ...m, extras: extras[m.name] ?? {} })),
  })),
};
const dir = new URL("../../bench/results/", import.meta.url);
mkdirSync(dir, { recursive: true });
// Relaxed runs are kept apart: latest.json stays what Node gives by default.
const suffix = relaxed ? "-relaxed" : "";
const stamp = json.date.replace(/[:.]/g, "-") + suffix;
writeFileSync(new URL(`${stamp}.json`, dir), `${JSON.stringify(json, null, 2)}\n`);
writeFileSync(new URL(`latest${suffix}.json`, dir), `${JSON.stringify(json, null, 2)}\n`);
console.log(`\nwrote bench/results/${stamp}.json (and latest${suffix}.json)`);
