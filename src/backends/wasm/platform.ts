/**
 * The few host APIs the wasm backend uses, typed here (the library compiles without DOM or Node
 * typings) and looked up on globalThis so that the same code runs in Node and in browsers.
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

export type WasmModule = object;

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

interface HostGlobals {
  URL?: new (url: string, base: string) => object;
  console?: { warn(message: string): void };
  WebAssembly?: WasmApi;
  atob?: (b64: string) => string;
  process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown };
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  Worker?: new (url: object, options: { type: "module"; name: string }) => BrowserWorker;
  addEventListener?: (type: "message", listener: (event: { data: unknown }) => void, options: { once: boolean }) => void;
}

const host = globalThis as HostGlobals;

export const wasmApi: WasmApi | undefined = host.WebAssembly;

export const isNode = typeof host.process?.versions?.node === "string";

/**
 * Whether a shared WebAssembly.Memory can be made: always in Node; in browsers only when the page
 * is cross-origin isolated (otherwise SharedArrayBuffer is unavailable).
 */
export const canShareMemory = typeof SharedArrayBuffer === "function" && (isNode || host.crossOriginIsolated === true);

export function base64Bytes(b64: string): Uint8Array {
  const text = host.atob!(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * A Node module, by dynamic import of a computed specifier: the main entry imports no `node:`
 * module statically, so it loads in browsers, and bundlers leave the specifier alone.
 */
export function importNode(specifier: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

/** A worker thread (Node's worker_threads or a browser's Web Worker), as far as the pool uses it. */
export interface PoolWorker {
  unref(): void;
  terminate(): unknown;
}

/** What a pool worker is started with (see thread-worker.ts). */
export interface PoolWorkerData {
  module: WasmModule;
  memory: WasmMemory;
  ctl: number;
  index: number;
  scratch: number;
  functions: readonly string[];
}

/**
 * Where the pool gets its threads: Node's worker_threads, or Web Workers in a cross-origin
 * isolated page. `canBlock` says whether this thread may sleep in Atomics.wait: everywhere but a
 * browser's main thread, which must spin instead. `waitsForStart` says whether it may wait for new
 * workers to start: in Node only, since a browser may start a worker (from a page or from another
 * worker) only once the creating thread's task returns.
 */
export interface ThreadHost {
  /** Starts a worker; `failed` is called if it cannot load or throws. */
  start(url: object, data: PoolWorkerData, failed: (message: string) => void): PoolWorker;
  cores(): number;
  canBlock: boolean;
  waitsForStart: boolean;
}

interface BrowserWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: "error", listener: (event: { message?: string }) => void): void;
}

/**
 * Node's worker_threads and os; Web Workers where a page may share memory; else undefined.
 * Synchronous, so that loading the library needs no top-level await (which would stop CommonJS
 * code from `require`-ing it): Node's modules come from `process.getBuiltinModule` (Node ≥ 20.16).
 */
export function loadThreadHost(): ThreadHost | undefined {
  if (isNode) {
    const builtin = host.process!.getBuiltinModule;
    if (builtin === undefined) return undefined;
    const wt = builtin("node:worker_threads") as {
      Worker: new (url: object, options: { workerData: unknown; execArgv: string[] }) => PoolWorker & { on(event: "error", listener: (e: Error) => void): void };
    };
    const os = builtin("node:os") as { availableParallelism?: () => number; cpus: () => unknown[] };
    return {
      // The parent's flags (--input-type, loaders, ...) are for its entry point, not for ours.
      start: (url, data, failed) => {
        const worker = new wt.Worker(url, { workerData: data, execArgv: [] });
        worker.on("error", (e) => failed(e.message));
        return worker;
      },
      cores: () => os.availableParallelism?.() ?? os.cpus().length,
      canBlock: true,
      waitsForStart: true,
    };
  }
  if (!canShareMemory || host.Worker === undefined) return undefined;
  const WorkerClass = host.Worker;
  return {
    start: (url, data, failed) => {
      const worker = new WorkerClass(url, { type: "module", name: `tensorslow-thread-${data.index}` });
      // A script that does not load (a CSP without worker-src, a missing file) or throws.
      worker.addEventListener("error", (e) => failed(e.message ?? "the worker's script failed"));
      worker.postMessage(data);
      return { unref: () => {}, terminate: () => worker.terminate() };
    },
    cores: () => host.navigator?.hardwareConcurrency ?? 1,
    canBlock: atomicsWaitAllowed(),
    waitsForStart: false,
  };
}

/** Whether Atomics.wait may block here (it throws on a browser's main thread, whatever the value). */
function atomicsWaitAllowed(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Cores the host offers (the default thread count). */
export function hardwareConcurrency(threads: ThreadHost | undefined): number {
  return Math.max(1, threads?.cores() ?? host.navigator?.hardwareConcurrency ?? 1);
}

/** The URL of a module next to this one (for starting workers). */
export function siblingUrl(file: string): object {
  return new host.URL!(file, (import.meta as { url: string }).url);
}

export function warn(message: string): void {
  host.console?.warn(message);
}

/** In a browser pool worker: the first message, which carries the worker's data. */
export function firstMessage(): Promise<unknown> {
  return new Promise((resolve) => host.addEventListener!("message", (event) => resolve(event.data), { once: true }));
}
