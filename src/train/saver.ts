/**
 * TensorFlow 1.x's `tf.train.Saver`: saves a session's variable values to a checkpoint and
 * restores them. A checkpoint is one safetensors file whose keys are the variables' names.
 *
 * `save` and `restore` work on files in Node; they are async because `node:fs` is loaded on first
 * use (the main entry never imports it, so it still loads in a browser). Anywhere, `toBytes` and
 * `fromBytes` give and take the same file as bytes, synchronously.
 */
import { Variable, getDefaultGraph } from "../graph/index.js";
import { checkpointToBytes, restoreFromBytes, type CheckpointEntries } from "../io/checkpoint.js";
import { readCheckpointFile, writeFileAtomic } from "../io/files.js";
import type { Session } from "../runtime/session.js";
import { GraphError, ValueError, check, is, isPlainObject, requireArg } from "../tensor/index.js";

export interface SaveOptions {
  /**
   * A step number (or an int32 Variable holding one, read from the session) appended to the
   * path as `path-<step>`, as TensorFlow does; saving every N steps then keeps each checkpoint.
   */
  globalStep?: number | Variable;
}

export class Saver {
  /** Checkpoint name and variable, in the order they are saved. */
  readonly entries: CheckpointEntries;

  /**
   * Saves `varList`: an array of variables (saved under their graph names) or an object from
   * checkpoint name to variable. By default, every variable of the default graph at this moment.
   */
  constructor(varList?: readonly Variable[] | Readonly<Record<string, Variable>>) {
    requireArg("Saver", "varList", varList as unknown, is.optional(check("an array of Variables, or an object from checkpoint name to Variable", (v) => Array.isArray(v) || isPlainObject(v), true)));
    const list: [string, Variable][] =
      varList === undefined
        ? getDefaultGraph().globalVariables().map((v) => [v.name, v])
        : Array.isArray(varList)
          ? (varList as readonly Variable[]).map((v) => [v?.name, v])
          : Object.entries(varList);
    if (list.length === 0) throw new ValueError("Saver: no variables to save");
    const names = new Set<string>();
    const seen = new Set<Variable>();
    for (const [name, v] of list) {
      if (!(v instanceof Variable)) throw new ValueError(`Saver: the variable list must hold Variables, got ${String(v)}${name ? ` for '${name}'` : ""}`);
      if (v.graph !== list[0]![1].graph) throw new GraphError(`Saver: ${v} and ${list[0]![1]} belong to different graphs`);
      if (seen.has(v)) throw new ValueError(`Saver: ${v} is in the variable list twice`);
      if (names.has(name)) throw new ValueError(`Saver: two variables are saved under the name '${name}'`);
      if (name === "" || name === "__metadata__") throw new ValueError(`Saver: '${name}' cannot name a variable in a checkpoint`);
      names.add(name);
      seen.add(v);
    }
    this.entries = Object.freeze(list.map((e) => Object.freeze(e)));
  }

  /**
   * Writes the checkpoint to `path` (or `path-<globalStep>`) and returns the path written. The
   * write is atomic: a crash or an error midway leaves any previous file at that path intact.
   */
  async save(session: Session, path: string, options: SaveOptions & { global_step?: number | Variable } = {}): Promise<string> {
    if (typeof path !== "string" || path === "") throw new ValueError(`Saver.save: the path must be a non-empty string, got ${JSON.stringify(path)}`);
    // TensorFlow's keyword is global_step.
    const step = this.stepOf(session, options.globalStep ?? options.global_step);
    const target = step === undefined ? path : `${path}-${step}`;
    await writeFileAtomic(target, this.toBytes(session, options));
    return target;
  }

  /** Loads the checkpoint at `path` (what `save` returned) into `session`; on any error, no variable changes. */
  async restore(session: Session, path: string): Promise<void> {
    if (typeof path !== "string" || path === "") throw new ValueError(`Saver.restore: the path must be a non-empty string, got ${JSON.stringify(path)}`);
    this.fromBytes(session, await readCheckpointFile(path), `'${path}'`);
  }

  /** The checkpoint as bytes (a safetensors file), for browsers or any storage. */
  toBytes(session: Session, options: SaveOptions = {}): Uint8Array {
    const step = this.stepOf(session, options.globalStep);
    const metadata: Record<string, string> = { format: "tensorslow" };
    if (step !== undefined) metadata["global_step"] = String(step);
    return checkpointToBytes(session, this.entries, metadata);
  }

  /**
   * Loads checkpoint bytes into `session` and returns the file's metadata. `source` names the
   * bytes in errors. Every variable is checked (present, dtype, shape) before any is loaded.
   */
  fromBytes(session: Session, bytes: Uint8Array | ArrayBuffer, source = "(bytes)"): Record<string, string> {
    return restoreFromBytes(session, this.entries, bytes, source);
  }

  private stepOf(session: Session, globalStep: number | Variable | undefined): number | undefined {
    if (globalStep === undefined) return undefined;
    const value = globalStep instanceof Variable ? session.readVariable(globalStep).item() : globalStep;
    if (typeof value !== "number" || !Number.isSafeInteger(value)) {
      throw new ValueError(`Saver: globalStep must be an integer, got ${String(value)}${globalStep instanceof Variable ? ` (the value of ${globalStep})` : ""}`);
    }
    return value;
  }
}
