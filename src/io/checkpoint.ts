/**
 * Checkpoints: a session's variable values as safetensors bytes, keyed by checkpoint names (the
 * variables' graph names unless a Saver says otherwise). Restoring checks the whole file against
 * every variable before it loads any, so a bad file leaves the session as it was.
 */
import type { Variable } from "../graph/index.js";
import type { Session } from "../runtime/session.js";
import { DTypeError, GraphError, NotFoundError, ShapeError, formatShape, shapesEqual, type Tensor, type TensorSlowError } from "../tensor/index.js";
import { decodeTensor, encodeSafetensors, isTensorSlowDtype, readSafetensorsHeader, safetensorsBytes } from "./safetensors/index.js";

/** Checkpoint name and variable, in the order they are saved. */
export type CheckpointEntries = readonly (readonly [name: string, variable: Variable])[];

/** The safetensors bytes of the variables' current values in `session`. */
export function checkpointToBytes(session: Session, entries: CheckpointEntries, metadata: Record<string, string> = {}): Uint8Array {
  checkGraph(session, entries, "save");
  return encodeSafetensors(entries.map(([name, v]) => [name, session.readVariable(v)] as const), metadata);
}

/**
 * Loads the variables' values from safetensors `bytes` into `session`. `source` names the file in
 * errors. Names in the file that no entry asks for are ignored whatever their dtype (TensorFlow's
 * Saver does the same), so a checkpoint can restore part of a larger model. An entry asked for in
 * a dtype TensorSlow does not have (F16, BF16, I64, U8, ... from other frameworks) is converted to
 * the variable's dtype when every value fits exactly, and refused by name otherwise. Returns the
 * file's metadata.
 */
export function restoreFromBytes(session: Session, entries: CheckpointEntries, input: Uint8Array | ArrayBuffer, source: string): Record<string, string> {
  checkGraph(session, entries, "restore");
  const bytes = safetensorsBytes(input, "Saver.fromBytes");
  const header = readSafetensorsHeader(bytes, source);
  const byName = new Map(header.entries.map((e) => [e.name, e]));
  const problems: TensorSlowError[] = [];
  for (const [name, v] of entries) {
    const entry = byName.get(name);
    if (entry === undefined) {
      problems.push(new NotFoundError(`variable '${name}' is not in the checkpoint ${source}`));
    } else if (entry.dtype === undefined) {
      problems.push(new DTypeError(`variable '${name}' is ${entry.fileDtype} in the checkpoint ${source}, which TensorSlow cannot read into ${v} (${v.dtype})`));
    } else if (isTensorSlowDtype(entry.fileDtype) && entry.dtype !== v.dtype /* a different model, not a conversion */) {
      problems.push(new DTypeError(`variable '${name}' is ${entry.dtype} in the checkpoint ${source}, but ${v} is ${v.dtype}`));
    } else if (!shapesEqual(entry.shape, v.fullShape)) {
      problems.push(new ShapeError(`variable '${name}' has shape ${formatShape(entry.shape)} in the checkpoint ${source}, but ${v} has shape ${formatShape(v.fullShape)}`));
    }
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    const more = problems.length > 1 ? `; also: ${problems.slice(1).map((p) => p.message).join("; ")}` : "";
    const known = header.entries.length === 0 ? "no variables" : header.entries.map((e) => `'${e.name}'`).slice(0, 20).join(", ");
    const message = `${first.message}${more} (the checkpoint holds ${known}${header.entries.length > 20 ? ", ..." : ""}); no variable was restored`;
    throw new (first.constructor as new (m: string) => TensorSlowError)(message);
  }
  // Decoding can still find a corrupt value (a BOOL byte that is not 0 or 1) or one that does not
  // convert exactly (an I64 beyond int32): decode all first.
  const values: [Variable, Tensor][] = entries.map(([name, v]) => {
    try {
      return [v, decodeTensor(bytes, header, byName.get(name)!, source, v.dtype)];
    } catch (e) {
      if (e instanceof DTypeError) throw new DTypeError(`variable '${name}': ${e.message}; no variable was restored`);
      throw e;
    }
  });
  for (const [v, value] of values) session.loadVariable(v, value);
  return { ...header.metadata };
}

function checkGraph(session: Session, entries: CheckpointEntries, verb: string): void {
  const stranger = entries.find(([, v]) => v.graph !== session.graph);
  if (stranger !== undefined) {
    throw new GraphError(`cannot ${verb} ${stranger[1]}: it is not an element of this session's graph`);
  }
}
