/**
 * TF1's `summary.FileWriter`: TensorBoard event files. Each event is a `tensorflow.Event` proto in
 * a TFRecord; the first says the file's version, then come the graph (as a GraphDef) and the
 * summaries, each with its step and wall time. `tensorboard --logdir <logdir>` reads the folder.
 *
 * Events are queued as they are added and written by `flush()` and `close()` (TF1 also flushes
 * every two minutes; a library should not keep a timer alive, so call them). With `logdir` null
 * (in a browser, say) nothing is written: `toBytes()` gives the same event file as bytes.
 */
import { Graph } from "../graph/index.js";
import { isNode, nodeFsPromises, processId, readFileBytes } from "../data/platform.js";
import { Tensor, TensorSlowError, ValueError, check, is, signature } from "../tensor/index.js";
import { graphDefOf } from "./graph-def.js";
import { histogramOf } from "./histogram.js";
import type { SummaryValues } from "./ops.js";
import { encodeEvent, encodeGraphDef, type Event, type GraphDef, type SummaryValue } from "./proto.js";
import { concatBytes, tfRecord } from "./records.js";

interface NodeFs {
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
  appendFile(path: string, data: Uint8Array): Promise<void>;
}

/** An event waiting to be encoded; a graph is encoded with it. */
type Pending = Event & { graph?: GraphDef };

const WRITER = signature<{ logdir: string | null; graph?: Graph; filenameSuffix?: string }>("summary.FileWriter", [
  { name: "logdir", check: check<string | null>("a folder path (a non-empty string), or null to keep the events as bytes", (v) => v === null || (typeof v === "string" && v.length > 0)) },
  { name: "graph", check: is.optional(is.instance(Graph, "a Graph")) },
  { name: "filenameSuffix", check: is.optional(is.string), keywordOnly: true },
]);

let filesMade = 0;

export class FileWriter {
  /** The folder written to, or null when the events are kept as bytes. */
  readonly logdir: string | null;
  /** The event file's path (made on the first flush), or null. */
  readonly path: string | null;
  private pending: Pending[] = [];
  private readonly kept: Uint8Array[] = [];
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(logdir: string | null, graph?: Graph, options?: { filenameSuffix?: string });
  constructor(...args: unknown[]) {
    const { logdir, graph, filenameSuffix = "" } = WRITER.parse(args);
    if (logdir !== null && !isNode()) {
      throw new TensorSlowError(`summary.FileWriter: cannot write to '${logdir}': files need Node.js; in a browser, use new summary.FileWriter(null) and writer.toBytes()`);
    }
    this.logdir = logdir;
    const seconds = Math.floor(Date.now() / 1000);
    // TensorFlow names the file events.out.tfevents.<seconds>.<host>; TensorBoard reads any name containing "tfevents".
    this.path = logdir === null ? null : `${logdir.replace(/[\\/]+$/, "")}/events.out.tfevents.${seconds}.tensorslow.${processId()}.${filesMade++}${filenameSuffix}`;
    this.pending.push({ wallTime: Date.now() / 1000, fileVersion: "brain.Event:2" });
    if (graph !== undefined) this.addGraph(graph);
  }

  /** Queues the graph's GraphDef (as it is now) for TensorBoard's graph view. */
  addGraph(graph: Graph): void {
    this.open("addGraph");
    if (!(graph instanceof Graph)) throw new TensorSlowError(`summary.FileWriter.addGraph: graph must be a Graph, got ${String(graph)}`);
    this.pending.push({ wallTime: Date.now() / 1000, graph: graphDefOf(graph) });
  }

  /**
   * Queues the values of a summary (what `session.run(summary.mergeAll())` gave) at `step`:
   * scalars as TensorBoard's scalars, histograms with TensorFlow's buckets, computed now.
   */
  addSummary(summary: SummaryValues, step?: number): void {
    this.open("addSummary");
    if (typeof summary !== "object" || summary === null || typeof summary.scalars !== "object" || typeof summary.histograms !== "object") {
      throw new TensorSlowError(
        `summary.FileWriter.addSummary: summary must be what session.run gives for a summary ({ scalars, histograms } of tensors), got ${String(summary)}`,
      );
    }
    if (step !== undefined && !Number.isSafeInteger(step)) throw new TensorSlowError(`summary.FileWriter.addSummary: step must be an integer, got ${String(step)}`);
    const value: SummaryValue[] = [];
    for (const [tag, t] of Object.entries(summary.scalars)) {
      if (!(t instanceof Tensor)) throw new TensorSlowError(`summary.FileWriter.addSummary: scalar '${tag}' must be a Tensor (run the summary first), got ${String(t)}`);
      if (t.size !== 1) throw new ValueError(`summary.FileWriter.addSummary: scalar '${tag}' has ${t.size} values (shape [${t.shape.join(", ")}]); a scalar summary takes one`);
      value.push({ tag, simpleValue: Number(t.data[0]) });
    }
    for (const [tag, t] of Object.entries(summary.histograms)) {
      if (!(t instanceof Tensor)) throw new TensorSlowError(`summary.FileWriter.addSummary: histogram '${tag}' must be a Tensor (run the summary first), got ${String(t)}`);
      value.push({ tag, histo: histogramOf(Array.from(t.data, Number), tag) });
    }
    this.pending.push({ wallTime: Date.now() / 1000, ...(step === undefined ? {} : { step }), summary: { value } });
  }

  /** Writes the queued events (appends them to the event file, or keeps them as bytes). */
  flush(): Promise<void> {
    const events = this.pending;
    this.pending = [];
    const write = this.writing.then(() => this.write(events));
    this.writing = write.catch(() => undefined);
    return write;
  }

  /** Flushes, then refuses further events. */
  async close(): Promise<void> {
    if (this.closed) return;
    const done = this.flush();
    this.closed = true;
    await done;
  }

  /** The whole event file so far, after a flush: what TensorBoard reads (for browsers, or to upload). */
  async toBytes(): Promise<Uint8Array> {
    await this.flush();
    if (this.path === null) return concatBytes(this.kept);
    return (await readFileBytes(this.path, "summary.FileWriter.toBytes")) ?? new Uint8Array(0);
  }

  private open(what: string): void {
    if (this.closed) throw new TensorSlowError(`summary.FileWriter.${what}: the writer is closed`);
  }

  private async write(events: readonly Pending[]): Promise<void> {
    if (events.length === 0) return;
    const records: Uint8Array[] = [];
    for (const { graph, ...event } of events) {
      if (graph !== undefined) event.graphDef = await encodeGraphDef(graph);
      records.push(tfRecord(await encodeEvent(event)));
    }
    if (this.path === null) {
      this.kept.push(...records);
      return;
    }
    const fs = await nodeFsPromises<NodeFs>();
    try {
      await fs.mkdir(this.logdir!, { recursive: true });
      await fs.appendFile(this.path, concatBytes(records));
    } catch (e) {
      throw new TensorSlowError(`summary.FileWriter: could not write the event file '${this.path}': ${(e as Error).message}`);
    }
  }
}
