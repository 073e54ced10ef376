/** Backends for tests that watch what a plan asks of a backend: the programs it compiles and the kernels it calls. */
import * as ts from "tensorslow";

/** `base` with its fused programs recorded and its kernel calls counted, registered as `name` by withBackend. */
export function recordingBackend(name: string, base: ts.Backend): { backend: ts.Backend; programs: ts.FusedProgram[]; calls: Map<string, number> } {
  const programs: ts.FusedProgram[] = [];
  const calls = new Map<string, number>();
  const kernels: Record<string, ts.Kernel> = {};
  for (const k of Object.keys(base.kernels).concat(Object.keys(Object.getPrototypeOf(base.kernels) ?? {}))) {
    const kernel = base.kernels[k]!;
    kernels[k] = (inputs, out, attrs) => {
      calls.set(k, (calls.get(k) ?? 0) + 1);
      kernel(inputs, out, attrs);
    };
  }
  const backend: ts.Backend = {
    name,
    kernels,
    allocate: (dtype, size) => base.allocate(dtype, size),
    free: base.free === undefined ? undefined : (data) => base.free!(data),
    fused: {
      has: (f) => base.fused!.has(f),
      compile(p) {
        programs.push(p);
        return base.fused!.compile(p);
      },
    },
  };
  return { backend, programs, calls };
}

/** Runs `fn` with `backend` registered and active, then restores the previous one. */
export function withBackend<T>(backend: ts.Backend, fn: () => T): T {
  ts.registerBackend(backend);
  const previous = ts.getBackend();
  ts.setBackend(backend.name);
  try {
    return fn();
  } finally {
    ts.setBackend(previous);
  }
}
