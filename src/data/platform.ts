/**
 * The few things data loading needs from its host: Node's file system and zlib, an environment
 * variable, or the web's DecompressionStream in a browser.
 *
 * Node's modules are loaded with dynamic `import()` of a computed specifier, only when a loader
 * runs: the library's entry point imports no `node:` module, so it loads in browsers, and bundlers
 * leave the specifier alone (the comments tell webpack and Vite so). Their types are declared here
 * structurally, just for the calls made, so that the core compiles without Node's type definitions.
 */
import { DataError } from "../tensor/index.js";

interface NodeProcess {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
  pid?: number;
  kill?(pid: number, signal: 0): boolean;
}
interface NodeFs {
  readFile(path: string): Promise<Uint8Array>;
}
interface NodeGunzip extends AsyncIterable<Uint8Array> {
  end(data: Uint8Array): void;
  destroy(): void;
}
interface NodeZlib {
  createGunzip(): NodeGunzip;
}
interface ByteReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(): Promise<void>;
}
interface WebDecompressor {
  readonly writable: { getWriter(): { write(chunk: Uint8Array): Promise<void>; close(): Promise<void> } };
  readonly readable: { getReader(): ByteReader };
}
type DecompressorClass = new (format: "gzip") => WebDecompressor;

function nodeProcess(): NodeProcess | undefined {
  return (globalThis as { process?: NodeProcess }).process;
}

/** True in Node.js (where the file loaders work). */
export function isNode(): boolean {
  return typeof nodeProcess()?.versions?.node === "string";
}

/** An environment variable in Node, or undefined (always, in a browser); empty counts as unset. */
export function envVar(name: string): string | undefined {
  const v = nodeProcess()?.env?.[name];
  return v === undefined || v === "" ? undefined : v;
}

/** This process's id in Node; 0 elsewhere. */
export function processId(): number {
  return nodeProcess()?.pid ?? 0;
}

/** Whether a process with this id runs (Node); one that exists but is not ours to signal counts as running. */
export function processAlive(pid: number): boolean {
  try {
    nodeProcess()?.kill?.(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

/** The absolute form of a file path (Node), so that two spellings of one file compare equal. */
export async function resolvedPath(path: string): Promise<string> {
  const { resolve } = await importNode<{ resolve(path: string): string }>("node:path");
  return resolve(path);
}

function importNode<T>(specifier: string): Promise<T> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier) as Promise<T>;
}

/** Decompressed IDX data beyond this many bytes is refused unless the caller raises the limit. */
export const DEFAULT_MAX_BYTES = 2 ** 30;

export interface GunzipOptions {
  /** Names the data in errors. */
  what: string;
  /** The most bytes the data may decompress to (a guard against decompression bombs). */
  maxBytes: number;
  /**
   * The exact size the output must have, read from its first bytes (a file's header): undefined
   * while more bytes are needed. Inflating stops as soon as the output is longer, so a small
   * header followed by a bomb costs at most one chunk more than the header declares; `tooLong`
   * gives the error then.
   */
  declaredSize?: (prefix: Uint8Array) => number | undefined;
  tooLong?: (declared: number) => DataError;
}

/**
 * Decompresses gzip data as a stream, refusing more than `maxBytes` of output, or more than the
 * output's own header declares: node:zlib in Node, DecompressionStream elsewhere.
 */
export async function gunzip(bytes: Uint8Array, { what, maxBytes, declaredSize, tooLong }: GunzipOptions): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let limit = maxBytes;
  let declared: number | undefined;
  const stream = isNode() ? await nodeChunks(bytes) : webChunks(bytes, what);
  try {
    for await (const chunk of stream) {
      chunks.push(chunk);
      total += chunk.length;
      if (declared === undefined && declaredSize !== undefined) {
        declared = declaredSize(chunks.length === 1 ? chunk : concatChunks(chunks, total));
        if (declared !== undefined) limit = Math.min(limit, declared);
      }
      if (total > limit) {
        throw declared !== undefined && limit === declared && tooLong !== undefined ? tooLong(declared) : tooLarge(what, maxBytes);
      }
    }
  } catch (e) {
    if (e instanceof DataError) throw e; // ours: too large, too long, or a header the caller refused
    throw new DataError(`${what} is not valid gzip data (${bytes.length} bytes): ${(e as Error).message}`);
  }
  return concatChunks(chunks, total);
}

function concatChunks(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** Node's gunzip as a stream of output chunks; leaving the loop early destroys it (no more inflating). */
async function nodeChunks(bytes: Uint8Array): Promise<AsyncIterable<Uint8Array>> {
  const zlib = await importNode<NodeZlib>("node:zlib");
  const stream = zlib.createGunzip();
  stream.end(bytes);
  return stream;
}

function tooLarge(what: string, maxBytes: number): DataError {
  return new DataError(`${what} decompresses to more than ${maxBytes} bytes, the limit (raise it with the maxBytes option)`);
}

/** The web's DecompressionStream as a stream of output chunks; leaving the loop early cancels it. */
async function* webChunks(bytes: Uint8Array, what: string): AsyncGenerator<Uint8Array> {
  const Decompressor = (globalThis as { DecompressionStream?: DecompressorClass }).DecompressionStream;
  if (Decompressor === undefined) {
    throw new DataError(`${what} is gzip-compressed, and this environment has neither node:zlib nor DecompressionStream to decompress it`);
  }
  const stream = new Decompressor("gzip");
  const writer = stream.writable.getWriter();
  // A corrupt stream rejects the reads below as well; this rejection only needs a handler.
  void writer.write(bytes).then(() => writer.close()).catch(() => undefined);
  const reader = stream.readable.getReader();
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done || chunk.value === undefined) return;
      yield chunk.value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * Node's `fs.promises` object, for code that writes files (checkpoints). Its methods are looked
 * up at each call, so tests can make one step fail. `T` declares the calls the caller makes.
 */
export async function nodeFsPromises<T>(): Promise<T> {
  if (!isNode()) throw new DataError("this needs Node.js's file system, and this environment is not Node.js");
  return (await importNode<{ promises: T }>("node:fs")).promises;
}

/** The bytes of a file, or null when it does not exist. Node only. */
export async function readFileBytes(path: string, purpose: string): Promise<Uint8Array | null> {
  if (!isNode()) {
    throw new DataError(
      `${purpose} reads files and needs Node.js; in a browser, fetch the bytes and pass them to ts.data.decodeIdx (cannot read '${path}')`,
    );
  }
  const fs = await importNode<NodeFs>("node:fs/promises");
  try {
    return await fs.readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw new DataError(`${purpose}: cannot read '${path}': ${(e as Error).message}`);
  }
}
