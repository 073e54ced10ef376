/**
 * Reading and writing whole files in Node (checkpoints, exported models). `node:fs` is imported on first use, through
 * data/platform (the one place that reaches Node's modules), so the main entry stays loadable in a
 * browser, where checkpoints go through bytes instead.
 */
import { isNode, nodeFsPromises, processAlive, processId, readFileBytes, resolvedPath } from "../data/platform.js";
import { NotFoundError, TensorSlowError } from "../tensor/index.js";

/** The part of Node's `fs.promises` used here. */
interface FileHandle {
  write(data: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}
interface NodeFs {
  open(path: string, flags: string): Promise<FileHandle>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
  readdir(path: string): Promise<string[]>;
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
}

const BROWSER_HINT = "in a browser, use saver.toBytes(session) and saver.fromBytes(session, bytes)";

/** What a written file is, for messages, and what to do instead in a browser. */
export interface FileKind {
  what: string;
  browserHint: string;
}

const CHECKPOINT: FileKind = { what: "the checkpoint", browserHint: BROWSER_HINT };

async function nodeFs(path: string, kind: FileKind): Promise<NodeFs> {
  if (!isNode()) throw new TensorSlowError(`cannot write ${kind.what} '${path}': files need Node.js; ${kind.browserHint}`);
  return nodeFsPromises<NodeFs>();
}

/** The directory part of a path, '.' when there is none (either separator, for Windows paths). */
function directoryOf(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut < 0 ? "." : cut === 0 ? path.slice(0, 1) : path.slice(0, cut);
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

/** What is left of each path's queue of writes: the promise of the last write asked for. */
const queues = new Map<string, Promise<void>>();

/**
 * Writes `bytes` to `path` (making missing parent folders) so that the file is either the old one
 * or the whole new one, never a mix: the bytes go to a temporary file in the same folder (a rename within one file system is
 * atomic), are flushed to disk, and only then renamed over `path`. A failure removes the
 * temporary file; a crash can leave one behind (named `.<name>.tmp-<pid>-*`), but never touches
 * `path`, and the next write to `path` removes what a process no longer running left.
 *
 * Writes to one path run one after the other in the order they were asked for, so when several
 * are in flight (saving every N steps without awaiting) the last one asked for is the file left.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, kind: FileKind = CHECKPOINT): Promise<void> {
  const fs = await nodeFs(path, kind);
  const key = await resolvedPath(path);
  const previous = queues.get(key) ?? Promise.resolve();
  const write = previous.catch(() => undefined).then(() => writeNow(fs, path, bytes, kind));
  const tail = write.catch(() => undefined);
  queues.set(key, tail);
  try {
    await write;
  } finally {
    if (queues.get(key) === tail) queues.delete(key);
  }
}

async function writeNow(fs: NodeFs, path: string, bytes: Uint8Array, kind: FileKind): Promise<void> {
  const dir = directoryOf(path);
  const prefix = tempPrefix(path);
  // Missing parent folders are made, as `tf.train.Saver` and the exporters' users expect.
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new TensorSlowError(`could not write ${kind.what} '${path}': could not create its folder '${dir}': ${(e as Error).message}`);
  }
  await removeStaleTemps(fs, dir, prefix);
  const temp = `${dir}/${prefix}${processId()}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  try {
    const handle = await fs.open(temp, "wx");
    try {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, written);
        written += bytesWritten;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (e) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw new TensorSlowError(`could not write ${kind.what} '${path}': ${(e as Error).message} (any previous file at that path is unchanged)`);
  }
  await syncDirectory(fs, dir);
}

/** Temporary files of `path` are named `.<name>.tmp-<pid>-<unique>`, next to it. */
function tempPrefix(path: string): string {
  return `.${baseName(path)}.tmp-`;
}

/**
 * Removes temporary files of earlier writes to the same path whose process is gone (killed
 * mid-write): they can be as large as the file itself. This process's own writes to the path run
 * one at a time (the queue above), so none of its temporary files is in flight here either.
 */
async function removeStaleTemps(fs: NodeFs, dir: string, prefix: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return; // The write itself reports a missing or unreadable folder.
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (Number.isSafeInteger(pid) && pid !== processId() && processAlive(pid)) continue;
    await fs.rm(`${dir}/${name}`, { force: true }).catch(() => undefined);
  }
}

/** Makes the rename itself durable; not every platform can open a folder, and that is no error. */
async function syncDirectory(fs: NodeFs, dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a directory: the rename is still atomic there, only its durability is weaker.
  }
}

/** The whole checkpoint file; a missing file is a NotFoundError naming it. */
export async function readCheckpointFile(path: string): Promise<Uint8Array> {
  if (!isNode()) throw new TensorSlowError(`cannot read the checkpoint '${path}': files need Node.js; ${BROWSER_HINT}`);
  const bytes = await readFileBytes(path, "Saver.restore");
  if (bytes === null) throw new NotFoundError(`the checkpoint file '${path}' does not exist`);
  return bytes;
}
