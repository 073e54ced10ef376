/**
 * Loading ONNX Runtime, only when a session on the onnxruntime engine first runs: onnxruntime-node
 * in Node, onnxruntime-web elsewhere. Neither is a dependency of the core; the user installs the one
 * they need. The specifier is computed, so that bundlers and the main entry's static graph leave it
 * alone. The few parts of the API the engine calls are declared here structurally, so that the core
 * compiles without either package's types.
 */
import { isNode } from "../../data/platform.js";
import { TensorSlowError } from "../../tensor/index.js";

export type OrtDType = "float32" | "float64" | "int32" | "bool";
export type OrtData = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

export interface OrtSession {
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, OrtTensor | null>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface OrtSessionOptions {
  executionProviders: readonly unknown[];
  intraOpNumThreads: number;
  interOpNumThreads: number;
  executionMode: "sequential";
  graphOptimizationLevel: "all";
  /** Session configuration entries (ONNX Runtime's SessionOptions.extra). */
  extra: Record<string, unknown>;
}

export interface Ort {
  Tensor: new (type: OrtDType, data: OrtData, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options: OrtSessionOptions): Promise<OrtSession> };
}

/** The package the engine loads here. */
export function ortPackage(): string {
  return isNode() ? "onnxruntime-node" : "onnxruntime-web";
}

/**
 * Whether the package writes a run's outputs into the CPU tensors given to it as preallocated
 * fetches. onnxruntime-node binds their memory. onnxruntime-web (1.30) copies a CPU tensor into its
 * wasm heap to run, lets the run write the output there, and returns the tensor it was given without
 * copying the heap back: its data stays what it was before the run. So on the web the engine asks
 * for fresh outputs instead.
 */
export function writesPreallocatedOutputs(): boolean {
  return ortPackage() === "onnxruntime-node";
}

let loading: Promise<Ort> | undefined;

/** ONNX Runtime's module, imported on the first call. */
export function loadOrt(): Promise<Ort> {
  loading ??= (async () => {
    const name = ortPackage();
    try {
      const mod = (await import(/* webpackIgnore: true */ /* @vite-ignore */ name)) as Ort & { default?: Ort };
      return mod.InferenceSession !== undefined ? mod : mod.default!;
    } catch (e) {
      loading = undefined;
      throw new TensorSlowError(`the onnxruntime engine runs on the ${name} package, which could not be loaded (${(e as Error).message}); install it: npm install ${name}`);
    }
  })();
  return loading;
}
