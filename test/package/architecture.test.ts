/**
 * ARCHITECTURE.md stays true to the tree: every repository path it names under src/, test/ or
 * scripts/ exists (a file or a folder), so a renamed or deleted file cannot leave the design
 * document pointing at nothing.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * The paths a text names that start at src/, test/ or scripts/ (not inside a longer path such as
 * build/test/...), without trailing punctuation.
 */
export function namedPaths(text: string): string[] {
  const found = text.match(/(?<![\w./-])(?:src|test|scripts)\/[\w./-]*/g) ?? [];
  return [...new Set(found.map((p) => p.replace(/[.,:;]+$/, "")))];
}

describe("ARCHITECTURE.md", () => {
  const text = readFileSync(join(ROOT, "ARCHITECTURE.md"), "utf8");
  const paths = namedPaths(text);

  it("the path finder reads paths as written, and only those", () => {
    assert.deepEqual(namedPaths("see `src/ops/math.ts`, src/runtime/ and build/test/ops/x.js, or test/package/imports.test.ts."), [
      "src/ops/math.ts",
      "src/runtime/",
      "test/package/imports.test.ts",
    ]);
  });

  it("names the files of every layer it describes", () => {
    assert.ok(paths.length > 50, `found ${paths.length} paths`);
    for (const layer of ["src/tensor/", "src/graph/", "src/ops/", "src/autodiff/", "src/runtime/", "src/backends/", "src/kernels/", "src/io/"]) {
      assert.ok(paths.includes(layer), `${layer} is not described`);
    }
  });

  it("every path it names exists", () => {
    assert.deepEqual(paths.filter((p) => !existsSync(join(ROOT, p))), []);
  });
});
