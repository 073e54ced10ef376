/**
 * A user's own project with TensorSlow installed as a user installs it: the package packed by
 * `npm pack` (what a tarball or a registry would hand out) and installed by `npm install` into a
 * fresh ESM package in a temporary folder. Made once per test process.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The repository root (tests run from build/test/...). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface UserProject {
  /** The project's folder (its package.json says "type": "module"). */
  dir: string;
  /** The packed tarball's file names, as `npm pack` listed them. */
  packedFiles: string[];
  /** What `npm install` wrote to stderr (warnings would be here). */
  installStderr: string;
  /** Runs `node <file>` in the project's folder; rejects with the output when it fails. */
  node(file: string, timeoutMs?: number): Promise<{ stdout: string; stderr: string }>;
}

let made: Promise<UserProject> | undefined;

async function make(): Promise<UserProject> {
  const root = mkdtempSync(join(tmpdir(), "tensorslow-user-"));
  process.once("exit", () => rmSync(root, { recursive: true, force: true }));
  const packed = await run("npm", ["pack", "--json", "--pack-destination", root], { cwd: REPO_ROOT, maxBuffer: 64 << 20 });
  // The prepack script's lines come first (its build finds dist/ up to date), then npm's JSON.
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m))) as [{ filename: string; files: { path: string }[] }];
  const dir = join(root, "project");
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "my-project", private: true, type: "module", dependencies: { tensorslow: `file:../${info.filename}` } }, null, 2));
  // --prefer-offline: the dependencies come from npm's cache when it has them (the repository's own install filled it).
  const installed = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, maxBuffer: 64 << 20 });
  const nodeIn = (file: string, timeoutMs = 600_000) => run(process.execPath, [file], { cwd: dir, timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (!readdirSync(join(dir, "node_modules")).includes("tensorslow")) throw new Error(`npm install did not install tensorslow into ${dir}`);
  // The user of the onnxruntime engine installs onnxruntime-node, an optional peer that npm leaves
  // out; the repository's own copy stands for theirs (its dependencies resolve from where it lies).
  if (readdirSync(join(dir, "node_modules")).includes("onnxruntime-node")) throw new Error("npm installed onnxruntime-node, an optional peer it must leave out");
  symlinkSync(join(REPO_ROOT, "node_modules", "onnxruntime-node"), join(dir, "node_modules", "onnxruntime-node"), "dir");
  return { dir, packedFiles: info.files.map((f) => f.path), installStderr: installed.stderr, node: nodeIn };
}

/** The user's project, made on first call. */
export function userProject(): Promise<UserProject> {
  made ??= make();
  return made;
}
