/**
 * onnxruntime-node, the native peer for inference: it runs the ONNX model our own `io.exportOnnx`
 * writes, on the CPU with 2 intra-op threads (the machine's cores, as our wasm thread pool uses
 * them) and full graph optimisation, as a deployment would configure it. Loaded lazily, so that a
 * bench run without it installed still runs the other workloads (the row then says why not).
 */
import * as ts from "tensorslow";

type Ort = typeof import("onnxruntime-node");
type OrtSession = import("onnxruntime-node").InferenceSession;

let loaded: Promise<Ort> | undefined;
function ort(): Promise<Ort> {
  loaded ??= import("onnxruntime-node");
  return loaded;
}

export async function ortVersion(): Promise<string> {
  try {
    const m = await ort();
    return m.env.versions?.common ?? "unknown";
  } catch {
    return "not installed";
  }
}

export const ORT_THREADS = 2;

/** A model loaded for repeated runs on one input: `run()` returns the first output's values. */
export interface OrtRunner {
  run(): Promise<Float32Array>;
  release(): Promise<void>;
}

/**
 * With `spinning: false`, the intra-op threads sleep while they wait, as the onnxruntime engine
 * configures them (src/engine/onnxruntime/engine.ts): the raw runtime with the engine's options,
 * so that the engine's row beside it shows the engine's own overhead.
 */
export async function ortRunner(bytes: Uint8Array, inputName: string, input: ts.Tensor, options: { spinning?: boolean } = {}): Promise<OrtRunner> {
  const m = await ort();
  const session: OrtSession = await m.InferenceSession.create(bytes, {
    intraOpNumThreads: ORT_THREADS,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    ...(options.spinning === false ? { extra: { session: { intra_op: { allow_spinning: "0" } } } } : {}),
  });
  const feeds = { [inputName]: new m.Tensor("float32", input.data as Float32Array, [...input.shape]) };
  const output = session.outputNames[0]!;
  return {
    async run() {
      const result = await session.run(feeds, [output]);
      return result[output]!.data as Float32Array;
    },
    release: () => session.release(),
  };
}
