import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Every file the main entry loads statically, with the specifiers each one imports. */
function staticGraph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const code = readFileSync(file, "utf8");
    const specs = [...code.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"|^\s*import\s*"([^"]+)"/gm)].map((m) => m[1] ?? m[2]!);
    seen.set(file, specs);
    for (const s of specs) if (s.startsWith(".")) visit(resolve(dirname(file), s));
  };
  visit(entry);
  return seen;
}

describe("the package's entry points", () => {
  const entry = fileURLToPath(import.meta.resolve("tensorslow"));
  const graph = staticGraph(entry);

  it("the main entry loads in browsers: it statically imports only its own files, none of tensorslow/node", () => {
    assert.ok(graph.size > 10, `found ${graph.size} files`);
    for (const [file, specs] of graph) {
      for (const s of specs) assert.ok(s.startsWith("./") || s.startsWith("../"), `${file} imports '${s}'`);
      assert.ok(!file.includes("/dist/node/"), `${file} is Node-only`);
      const code = readFileSync(file, "utf8");
      // Bundlers follow a literal dynamic import into a lazily loaded chunk: right for Graphviz
      // (graph pictures need it in browsers too) and protobufjs (ONNX export and TensorBoard events give
      // bytes in browsers too, both through the one loader io/protobuf.ts), wrong for anything else.
      const literal = [...code.matchAll(/import\(\s*["'`]([^"'`]*)/g)].map((m) => m[1]);
      const lazy: Record<string, string[]> = { "/dist/viz/graph-svg.js": ["@hpcc-js/wasm-graphviz"], "/dist/io/protobuf.js": ["protobufjs/light.js"] };
      const expected = Object.entries(lazy).find(([suffix]) => file.endsWith(suffix))?.[1] ?? [];
      assert.deepEqual(literal, expected, `${file}: dynamic imports of literal specifiers (bundlers would follow them)`);
      assert.ok(!code.includes("cli-progress"), `${file} mentions cli-progress`);
    }
  });

  it("Node's modules are reached only through the platform modules (data's, the wasm backend's), by computed dynamic import", () => {
    const users = [...graph.keys()].filter((f) => readFileSync(f, "utf8").includes('"node:'));
    assert.deepEqual(users.map((f) => f.slice(f.indexOf("/dist/") + 1)).sort(), ["dist/backends/wasm/platform.js", "dist/data/platform.js"]);
  });

  it("reaches the checkpoint and picture modules (so the checks above cover them)", () => {
    for (const part of ["engine/onnxruntime/load.js", "io/files.js", "io/safetensors/index.js", "train/saver.js", "viz/graph-svg.js", "viz/plots.js", "io/protobuf.js", "io/onnx/proto.js", "io/tfjs/export.js", "summary/proto.js", "summary/writer.js"]) {
      assert.ok([...graph.keys()].some((f) => f.endsWith(`/dist/${part}`)), `${part} reached`);
    }
  });

  it("the core's runtime dependencies are Graphviz (graph pictures) and protobufjs (ONNX export), both loaded lazily; the progress bar's library is optional, onnxruntime-node and onnxruntime-web optional peers", () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(import.meta.resolve("tensorslow/package.json")), "utf8"));
    assert.deepEqual(Object.keys(pkg.dependencies), ["@hpcc-js/wasm-graphviz", "protobufjs"]);
    assert.deepEqual(Object.keys(pkg.optionalDependencies), ["cli-progress"]);
    // Peers the user installs for the onnxruntime engine (Node, browsers): npm does not install an optional peer, nor run its install script.
    assert.deepEqual(Object.keys(pkg.peerDependencies), ["onnxruntime-node", "onnxruntime-web"]);
    assert.deepEqual(pkg.peerDependenciesMeta, { "onnxruntime-node": { optional: true }, "onnxruntime-web": { optional: true } });
    assert.equal(pkg.allowScripts["onnxruntime-node"], false);
    assert.deepEqual(Object.keys(pkg.exports).sort(), [".", "./node", "./package.json"]);
  });

  it("loads onnxruntime-node only when a session on the onnxruntime engine first runs", () => {
    // onnxruntime-node is CommonJS: once loaded, its files are in the require cache, which ES modules share.
    const script = `
      import { createRequire } from "node:module";
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes("onnxruntime-node"));
      const ts = await import("tensorslow");
      const report = [loaded()];
      const graph = new ts.Graph();
      const y = graph.asDefault(() => ts.add(ts.placeholder({ dtype: "float32", shape: [2], name: "x" }), 1));
      const s = new ts.Session({ graph, engine: "onnxruntime" });
      report.push(loaded());
      report.push(Array.from((await s.runAsync(y, { x: [1, 2] })).data));
      report.push(loaded());
      console.log(JSON.stringify(report));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dirname(fileURLToPath(import.meta.url)), encoding: "utf8" });
    assert.deepEqual(JSON.parse(out.trim().split("\n").pop()!), [false, false, [2, 3], true]);
  });
});
