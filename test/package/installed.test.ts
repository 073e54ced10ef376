/**
 * TensorSlow from another project: packed with `npm pack`, installed into a fresh ESM package,
 * and loaded from there by `import` and by CommonJS `require` (Node >= 20.19 loads ES modules from
 * `require` when, as here, their module graph has no top-level await).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { userProject } from "../helpers/user-project.js";

// [[1, 2], [3, 4]] · [[5], [6]] = [[17], [39]], then a softmax over [17, 39] (by hand: 1/(1+e^22)).
const PROGRAM = `
const g = new ts.Graph();
const y = g.asDefault(() => ts.softmax(ts.reshape(ts.matmul(ts.constant([[1, 2], [3, 4]]), ts.constant([[5], [6]])), [2])));
const values = Array.from(new ts.Session(g).run(y).data);
console.log(JSON.stringify({ backend: ts.getBackend(), values }));
`;

function checkOutput(stdout: string): void {
  const { backend, values } = JSON.parse(stdout.trim().split("\n").at(-1)!) as { backend: string; values: number[] };
  assert.equal(backend, "wasm");
  const small = 1 / (1 + Math.exp(22));
  assert.ok(Math.abs(values[0]! - small) < 1e-12 && Math.abs(values[1]! - (1 - small)) < 1e-6, `got ${values}`);
}

describe("the package installed into another project", () => {
  it("installs from the packed tarball without npm warnings, with its LICENSE, README and built files but no tests", async () => {
    const project = await userProject();
    assert.equal(project.installStderr.trim(), "", "npm install printed warnings");
    for (const f of ["LICENSE", "README.md", "package.json", "dist/index.js", "dist/index.d.ts", "dist/node/index.js"]) {
      assert.ok(project.packedFiles.includes(f), `the tarball has ${f}`);
    }
    assert.ok(!project.packedFiles.some((f) => f.startsWith("build/") || f.startsWith("test/")), "no tests in the tarball");
  });

  it("loads with import in an ES module", async () => {
    const project = await userProject();
    writeFileSync(join(project.dir, "esm.mjs"), `import * as ts from "tensorslow";\nimport { progressReporter } from "tensorslow/node";\nif (typeof progressReporter !== "function") throw new Error("no progressReporter");\n${PROGRAM}`);
    checkOutput((await project.node("esm.mjs")).stdout);
  });

  it("loads with require in a CommonJS module", async () => {
    const project = await userProject();
    writeFileSync(join(project.dir, "cjs.cjs"), `const ts = require("tensorslow");\nconst { progressReporter } = require("tensorslow/node");\nif (typeof progressReporter !== "function") throw new Error("no progressReporter");\n${PROGRAM}`);
    const { stdout, stderr } = await project.node("cjs.cjs");
    checkOutput(stdout);
    assert.doesNotMatch(stderr, /Error/, stderr);
  });
});
