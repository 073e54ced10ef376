/**
 * `npm pack` and `npm publish` hooks: the packed package.json has no `prepare` script.
 *
 * `prepare` builds dist/ when the package is installed from its git repository (npm runs it in the
 * clone). A packed tarball already holds dist/, yet npm lists the `prepare` of a tarball installed
 * by path or URL among the dependencies' install scripts awaiting approval, and warns at every
 * install. So `prepack` (after building) sets the script aside, and `postpack` puts it back:
 *   node scripts/pack-manifest.mjs strip | restore
 * A pack that fails between the two leaves package.json.prepack beside package.json; `restore`
 * (or the next `strip`) puts it back.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const manifest = join(root, "package.json");
const saved = join(root, "package.json.prepack");

function restore() {
  if (existsSync(saved)) renameSync(saved, manifest);
}

const action = process.argv[2];
if (action === "strip") {
  restore();
  const text = readFileSync(manifest, "utf8");
  const pkg = JSON.parse(text);
  delete pkg.scripts.prepare;
  writeFileSync(saved, text);
  writeFileSync(manifest, JSON.stringify(pkg, null, 2) + "\n");
} else if (action === "restore") {
  restore();
} else {
  throw new Error(`pack-manifest.mjs: expected 'strip' or 'restore', got '${action}'`);
}
