/**
 * The layer rules of src/, read from the source files' imports: which folder may import which.
 * Kernels know nothing of ops or graphs (they meet ops, and the plans that call them, only in
 * kernels/attrs.ts, the attributes every side reads), ops know nothing of the runtime, the runtime
 * and the graph name no particular op.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as ts from "tensorslow";

const SRC = fileURLToPath(new URL("../../../src/", import.meta.url));

/** Every TypeScript file under `dir`, as a path relative to src/. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [relative(SRC, join(dir, e.name))] : [],
  );
}

/** The folder of src/ a file belongs to ("ops", "backends"), or the file's own name at the top ("index.ts"). */
function layerOf(file: string): string {
  return file.split("/")[0]!;
}

/** The src/-relative files that `file` imports (statically, dynamically or for types only). */
function importsOf(file: string): string[] {
  const code = readFileSync(join(SRC, file), "utf8");
  const specs = [...code.matchAll(/\bfrom\s*"([^"]+)"|\bimport\s*\(\s*"([^"]+)"\s*\)|^\s*import\s*"([^"]+)"/gm)].map((m) => m[1] ?? m[2] ?? m[3]!);
  return specs.filter((s) => s.startsWith(".")).map((s) => relative(SRC, resolve(dirname(join(SRC, file)), s)));
}

/** The layers each layer may import besides its own files; layers not named here are not restricted. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  tensor: [],
  kernels: ["tensor"],
  graph: ["tensor"],
  data: ["tensor"],
  backends: ["tensor", "kernels"],
  ops: ["tensor", "graph", "kernels"],
  autodiff: ["tensor", "graph", "ops"],
  // The runtime is a party to the kernel contract too: it adds plan-made attributes (kept operands).
  runtime: ["tensor", "graph", "kernels", "backends"],
  initializers: ["tensor"],
  losses: ["tensor", "graph", "ops"],
  // Files and export: ops for the attribute types the export tables read, runtime for Session,
  // data for the platform module. Never an engine, training or pictures (they build on io).
  io: ["tensor", "graph", "ops", "runtime", "data"],
  summary: ["tensor", "graph", "io", "data"],
  viz: ["tensor", "graph", "io", "runtime"],
};

/** String literals of a file with its comments taken out (so that a comment may name an op). */
function stringLiterals(file: string): string[] {
  const code = readFileSync(join(SRC, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
  return [...code.matchAll(/"([^"\\\n]*)"|'([^'\\\n]*)'/g)].map((m) => m[1] ?? m[2]!);
}

describe("the layers of src/ and what each may import", () => {
  const files = sourceFiles();

  it("finds the source files and their imports", () => {
    assert.ok(files.length > 100, `found ${files.length} files`);
    assert.ok(importsOf("backends/js/matmul.ts").includes("kernels/attrs.js"), "backends/js/matmul.ts reads MatMulAttrs from the contract");
    assert.equal(layerOf("backends/wasm/index.ts"), "backends");
  });

  for (const [layer, allowed] of Object.entries(MAY_IMPORT)) {
    it(`${layer}/ imports ${allowed.length === 0 ? "nothing of ours" : allowed.map((a) => `${a}/`).join(", ")} besides itself`, () => {
      const mine = files.filter((f) => layerOf(f) === layer);
      assert.ok(mine.length > 0, `no files in src/${layer}/`);
      const wrong = mine.flatMap((f) => importsOf(f).filter((i) => layerOf(i) !== layer && !allowed.includes(layerOf(i))).map((i) => `${f} imports ${i}`));
      assert.deepEqual(wrong, []);
    });
  }

  it("the rules allow no cycle between layers (so the layers can be read bottom up)", () => {
    const done = new Set<string>();
    const cycle = (layer: string, path: string[]): string[] | undefined => {
      if (path.includes(layer)) return [...path.slice(path.indexOf(layer)), layer];
      if (done.has(layer)) return undefined;
      for (const below of MAY_IMPORT[layer] ?? []) {
        const found = cycle(below, [...path, layer]);
        if (found !== undefined) return found;
      }
      done.add(layer);
      return undefined;
    };
    for (const layer of Object.keys(MAY_IMPORT)) assert.equal(cycle(layer, [])?.join(" -> "), undefined);
  });

  it("the runtime, the graph and autodiff name no particular op", () => {
    const types = new Set(ts.registeredOps().map((d) => d.type));
    assert.ok(types.has("MatMul") && types.size > 50, `${types.size} op types`);
    const named = files
      .filter((f) => ["runtime", "graph", "autodiff"].includes(layerOf(f)))
      .flatMap((f) => stringLiterals(f).filter((s) => types.has(s)).map((s) => `${f} names "${s}"`));
    assert.deepEqual(named, []);
  });

  it("the check of names would see an op named in a file", () => {
    assert.ok(stringLiterals("ops/matmul.ts").includes("MatMul"));
  });
});
