/**
 * Builds what is out of date, and only that: `node scripts/build.mjs dist` (the wasm kernels, then
 * the package: dist/), `node scripts/build.mjs dev` (tests, examples, benchmarks: build/), or both
 * when no target is named.
 *
 * A target is up to date when the hash of its inputs (file contents, the compiler's version, and
 * for build/ the hash dist/ was built from) equals the one stamped in its output folder at the end
 * of its last successful build. Otherwise its folder is emptied and rebuilt whole, so no output of
 * a deleted or renamed source lingers (a stale test file would still run). `npm run clean` forces a
 * rebuild.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");
const tscVersion = JSON.parse(readFileSync(require.resolve("typescript/package.json"), "utf8")).version;
const STAMP = ".build-stamp";

/** Every file under `dir` (relative to the root), sorted, skipping the folders named in `skip`. */
function filesUnder(dir, skip = []) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (!skip.includes(relative(root, path))) walk(path);
      } else out.push(relative(root, path));
    }
  };
  if (existsSync(join(root, dir))) walk(join(root, dir));
  return out.sort();
}

function hashOf(files, extra) {
  const h = createHash("sha256");
  h.update(extra);
  for (const f of files) h.update(`\0${f}\0`).update(readFileSync(join(root, f)));
  return h.digest("hex");
}

function stampOf(outDir) {
  try {
    return readFileSync(join(root, outDir, STAMP), "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Runs a Node script; a failure (its messages already printed) ends the build with its status. */
function run(args) {
  try {
    execFileSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  } catch (e) {
    console.error(`build: failed: node ${args.map((a) => relative(root, a) || a).join(" ")}`);
    process.exit(e.status ?? 1);
  }
}

/** Rebuilds `outDir` with `steps` unless the hash of `inputs` is the one stamped there. */
function target(name, outDir, inputs, extra, steps) {
  const hash = hashOf(inputs, extra);
  if (stampOf(outDir) === hash) {
    console.log(`build: ${outDir}/ (${name}) is up to date`);
    return hash;
  }
  rmSync(join(root, outDir), { recursive: true, force: true });
  steps();
  writeFileSync(join(root, outDir, STAMP), hash + "\n");
  console.log(`build: built ${outDir}/ (${name})`);
  return hash;
}

function buildDist() {
  // The wasm kernels first: they are compiled into a generated source file under src/.
  run([join(root, "scripts/build-wasm.mjs")]);
  const inputs = [...filesUnder("src", ["src/backends/wasm/assembly"]), "tsconfig.base.json", "tsconfig.json", "tsconfig.node.json", "package.json"];
  return target("the package", "dist", inputs, `tsc ${tscVersion}`, () => {
    run([tsc, "-p", "tsconfig.json"]);
    run([tsc, "-p", "tsconfig.node.json"]);
  });
}

function buildDev(distHash) {
  const inputs = [...filesUnder("test"), ...filesUnder("examples"), ...filesUnder("bench", ["bench/results"]), "tsconfig.base.json", "tsconfig.dev.json"];
  target("tests, examples and benchmarks", "build", inputs, `tsc ${tscVersion} dist ${distHash}`, () => run([tsc, "-p", "tsconfig.dev.json"]));
}

const which = process.argv[2] ?? "all";
if (!["dist", "dev", "all"].includes(which)) throw new Error(`build.mjs: unknown target '${which}' (dist, dev or all)`);
if (which === "dist" || which === "all") {
  const distHash = buildDist();
  if (which === "all") buildDev(distHash);
} else {
  buildDev(stampOf("dist") ?? "none");
}
