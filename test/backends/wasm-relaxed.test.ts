/**
 * The relaxed-SIMD kernels binary (fused multiply-adds in the GEMM, src/backends/wasm/assembly/
 * madd.ts): Node 20 has relaxed SIMD behind --experimental-wasm-relaxed-simd, so child processes
 * with and without the flag check which binary the loader picks (and that the binary it rewrites
 * for an ordinary memory runs), and the kernel tests run again under the flag: GEMM and
 * convolutions against the JS reference within the bounds those files derive from k (the reference
 * accumulates in float64; a fused multiply-add rounds once where a multiply and an add round twice,
 * so the relaxed binary's results lie within the same bounds), and the wasm paths against each
 * other bit for bit (gemv rows against the 4×8 tiles, fused against unfused, one thread against
 * two), which hold with either binary since every path sums through the same multiply-add.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as ts from "tensorslow";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const RELAXED = "--experimental-wasm-relaxed-simd";

function runNode(args: string[], timeout = 60000): { status: number | null; stdout: string; stderr: string } {
  // Without the test runner's variable, so that a nested `node --test` reports as a run of its own.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Loads the library and prints the variant, whether memory is shared, and the largest error of a
 * 3×300 by 300×13 product (the gemv rows, including their scalar columns past the last 8) relative
 * to the float64 bound k·u·Σ|a||b|.
 */
const PROBE = `
  import * as ts from "tensorslow";
  const w = ts.wasmBackend;
  const m = 3, k = 300, n = 13;
  const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
  const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(3 * i));
  const g = new ts.Graph();
  const y = g.asDefault(() => ts.matmul(ts.constant(ts.tensor(a, { shape: [m, k] })), ts.constant(ts.tensor(b, { shape: [k, n] }))));
  const got = new ts.Session(g).run(y).data;
  let worst = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0, mag = 0;
    for (let p = 0; p < k; p++) { s += a[i * k + p] * b[p * n + j]; mag += Math.abs(a[i * k + p] * b[p * n + j]); }
    worst = Math.max(worst, Math.abs(got[i * n + j] - s) / (k * 2 ** -24 * mag));
  }
  console.log(w.kernelVariant + " " + w.sharedMemory + " " + worst);
`;

function probe(flags: string[]): { variant: string; shared: string; worst: number } {
  const r = runNode([...flags, "--input-type=module", "-e", PROBE]);
  assert.equal(r.status, 0, r.stderr);
  const [variant, shared, worst] = r.stdout.trim().split(" ");
  return { variant: variant!, shared: shared!, worst: Number(worst) };
}

describe("relaxed-SIMD kernels", { skip: ts.wasmBackend === undefined ? "WebAssembly SIMD is not available here" : false }, () => {
  test("the loader picks the relaxed binary where the engine has relaxed SIMD, the plain one where it has not", () => {
    assert.ok(["simd", "relaxed-simd"].includes(ts.wasmBackend!.kernelVariant));
    const cases: [string[], string, string][] = [
      [[RELAXED], "relaxed-simd", "true"],
      [[RELAXED, "--no-harmony-sharedarraybuffer"], "relaxed-simd", "false"],
      [[`--no-${RELAXED.slice(2)}`], "simd", "true"],
      [[`--no-${RELAXED.slice(2)}`, "--no-harmony-sharedarraybuffer"], "simd", "false"],
    ];
    for (const [flags, variant, shared] of cases) {
      const got = probe(flags);
      assert.deepEqual([got.variant, got.shared], [variant, shared], flags.join(" "));
      assert.ok(got.worst <= 1, `${flags.join(" ")}: error ${got.worst} of the bound k·u·Σ|a||b|`);
    }
  });

  test("GEMM, convolution and fused kernels pass their tests with the relaxed binary", () => {
    // Every test process of the run must have loaded the relaxed binary (the flag reaches them).
    const check = `import * as ts from ${JSON.stringify(pathToFileURL(`${root}dist/index.js`).href)}; if (ts.wasmBackend?.kernelVariant !== "relaxed-simd") throw new Error("the relaxed binary is not loaded");`;
    const files = ["wasm-kernels", "wasm-gemm-fused", "wasm-conv-kernels", "wasm-conv-direct", "fused-kernels"].map((f) => `build/test/backends/${f}.test.js`);
    const r = runNode([RELAXED, "--import", `data:text/javascript,${encodeURIComponent(check)}`, "--test", "--test-reporter=tap", ...files], 600000);
    const pass = Number(/^# pass (\d+)$/m.exec(r.stdout)?.[1]);
    const fail = Number(/^# fail (\d+)$/m.exec(r.stdout)?.[1]);
    assert.equal(r.status, 0, `${r.stdout.split("\n").filter((l) => /^\s*not ok|Error|expected|element/.test(l)).slice(0, 20).join("\n")}\n${r.stderr}`);
    assert.equal(fail, 0);
    assert.ok(pass >= 40, `${pass} tests passed`);
  });
});
