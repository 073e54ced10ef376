/**
 * Training-loop conveniences over a Session: `evaluate` averages scalar fetches over batches,
 * `fit` runs epochs of training steps and reports progress to a `TrainReporter`.
 *
 * The fetched metrics are per-batch means (e.g. `reduceMean` of a per-sample loss); averaging
 * them weighted by batch size gives the exact mean over all samples, a short last batch included.
 * Reporting is pluggable and environment-free here; `tensorslow/node` adds a terminal progress bar.
 */
import { GraphNode } from "../graph/index.js";
import { Session } from "../runtime/session.js";
import type { FeedDict } from "../runtime/feeds.js";
import { driveAsync, driveSync, type Steps } from "./drive.js";
import { check, formatShape, is, isPlainObject, requireArg, signature, Tensor, ValueError, type Check } from "../tensor/index.js";

/** One batch of feeds: a Map keyed by placeholders, or an object keyed by placeholder names. */
export type BatchFeeds = ReadonlyMap<GraphNode | string, Tensor> | { readonly [name: string]: Tensor };

/** Scalar fetches by name, e.g. `{ loss, accuracy }`. */
export type MetricFetches = { readonly [name: string]: GraphNode | string };
export type MetricValues<M> = { -readonly [K in keyof M]: number };

const isSession = is.instance(Session, "a Session");
const isFetch = (v: unknown): boolean => v instanceof GraphNode || typeof v === "string";
const isMetrics = check<MetricFetches>("an object of scalar fetches by name (nodes or node names), e.g. { loss }", (v) => isPlainObject(v) && Object.values(v).every(isFetch), true);
const isData = check<Iterable<BatchFeeds>>("an iterable of batches (ts.data.batches, an array of feed objects, ...)", (v) => typeof (v as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] === "function");
const isFeeds = is.optional(check<FeedDict>("feeds (a Map, or an object keyed by node names)", (v) => v instanceof Map || isPlainObject(v), true));
/** A plain object whose listed keys are numbers (the logs fit reports). */
const logOf = <T>(what: string, keys: readonly string[]): Check<T> =>
  check<T>(`${what} (an object with ${keys.join(", ")})`, (v) => isPlainObject(v) && keys.every((k) => typeof v[k] === "number"));

const EVALUATE = signature<{ session: Session; metrics: MetricFetches; data: Iterable<BatchFeeds> } & EvaluateOptions>("evaluate", [
  { name: "session", check: isSession },
  { name: "metrics", check: isMetrics },
  { name: "data", check: isData },
  { name: "feeds", check: isFeeds, keywordOnly: true },
]);
const EVALUATE_ASYNC = signature<{ session: Session; metrics: MetricFetches; data: Iterable<BatchFeeds> } & EvaluateOptions>("evaluateAsync", EVALUATE.params);

export interface EvaluateOptions {
  /** Feeds added to every batch's (e.g. a dropout keep probability). */
  feeds?: FeedDict;
}

/** The number of samples in a batch: the first dimension of its first Tensor. */
function samplesIn(batch: BatchFeeds): number {
  const first: unknown = batch instanceof Map ? batch.values().next().value : Object.values(batch)[0];
  if (!(first instanceof Tensor) || first.rank === 0) {
    throw new ValueError(`a batch must hold Tensors whose first dimension counts the samples, got ${first instanceof Tensor ? `shape ${formatShape(first.shape)}` : String(first)}`);
  }
  return first.shape[0]!;
}

function merged(batch: BatchFeeds, extra: FeedDict | undefined): FeedDict {
  if (extra === undefined) return batch;
  const out = new Map<GraphNode | string, unknown>();
  for (const feeds of [batch, extra]) {
    const entries = feeds instanceof Map ? feeds.entries() : Object.entries(feeds);
    for (const [k, v] of entries) out.set(k as GraphNode | string, v);
  }
  return out as FeedDict;
}

function scalarOf(value: unknown, name: string, what: string): number {
  if (!(value instanceof Tensor) || value.size !== 1) {
    throw new ValueError(
      `${what}: '${name}' must be a scalar per batch (a mean, e.g. reduceMean), got ${value instanceof Tensor ? `shape ${formatShape(value.shape)}` : "no value"}`,
    );
  }
  return Number(value.data[0]);
}

/** Sums of per-batch means weighted by batch size, for exact means over samples. */
class WeightedMeans {
  private readonly sums: Map<string, number>;
  samples = 0;

  constructor(names: readonly string[]) {
    this.sums = new Map(names.map((n) => [n, 0]));
  }

  add(values: Readonly<Record<string, unknown>>, samples: number, what: string): void {
    for (const [name, sum] of this.sums) this.sums.set(name, sum + samples * scalarOf(values[name], name, what));
    this.samples += samples;
  }

  mean(name: string): number {
    return this.sums.get(name)! / this.samples;
  }

  means(): Record<string, number> {
    return Object.fromEntries([...this.sums.keys()].map((n) => [n, this.mean(n)]));
  }
}

/**
 * Runs the scalar `metrics` over every batch of `data` and returns their means over all samples,
 * e.g. `evaluate(session, { loss, accuracy }, ts.data.batches({ x: test.images, y: test.labels }, 1000))`.
 * On a session whose engine answers asynchronously ("onnxruntime"), use `evaluateAsync`.
 */
export function evaluate<M extends MetricFetches>(
  session: Session,
  metrics: M,
  data: Iterable<BatchFeeds>,
  options?: EvaluateOptions,
): MetricValues<M>;
export function evaluate(...args: unknown[]): MetricValues<MetricFetches> {
  const { session, metrics, data, feeds } = EVALUATE.parse(args);
  return driveSync(session, "evaluate", evaluateSteps(metrics, data, feeds));
}

/** `evaluate`, answered by a promise: on any engine (arguments are checked at the call, before the promise). */
export function evaluateAsync<M extends MetricFetches>(
  session: Session,
  metrics: M,
  data: Iterable<BatchFeeds>,
  options?: EvaluateOptions,
): Promise<MetricValues<M>>;
export function evaluateAsync(...args: unknown[]): Promise<MetricValues<MetricFetches>> {
  const { session, metrics, data, feeds } = EVALUATE_ASYNC.parse(args);
  return driveAsync(session, evaluateSteps(metrics, data, feeds));
}

function* evaluateSteps(metrics: MetricFetches, data: Iterable<BatchFeeds>, feeds: FeedDict | undefined): Steps<MetricValues<MetricFetches>> {
  const names = Object.keys(metrics);
  if (names.length === 0) throw new ValueError("evaluate: name at least one metric to fetch, e.g. { loss }");
  const totals = new WeightedMeans(names);
  for (const batch of data) {
    const values = (yield { fetches: metrics, feeds: merged(batch, feeds) }) as Record<string, unknown>;
    totals.add(values, samplesIn(batch), "evaluate");
  }
  if (totals.samples === 0) throw new ValueError("evaluate: the data gave no samples to average over");
  return totals.means() as MetricValues<MetricFetches>;
}

/** Progress within an epoch, after each batch. */
export interface BatchLog {
  /** 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** Samples trained on so far in this epoch. */
  readonly samplesSeen: number;
  /** Samples in the epoch, when the data says (ts.data.batches does). */
  readonly samples: number | undefined;
  /** Mean loss over the epoch's samples so far. */
  readonly loss: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

/** An epoch's summary: training means, validation means (when given), time and throughput. */
export interface EpochLog {
  readonly epoch: number;
  readonly epochs: number;
  readonly samples: number;
  readonly loss: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly validation: Readonly<Record<string, number>> | undefined;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

/** Receives `fit`'s progress; every method is optional. */
export interface TrainReporter {
  epochStart?(info: { readonly epoch: number; readonly epochs: number; readonly samples: number | undefined }): void;
  batchEnd?(log: BatchLog): void;
  epochEnd?(log: EpochLog): void;
  /** Called once when `fit` ends, normally or by an error (to release a terminal, for instance). */
  close?(): void;
}

export interface FitOptions {
  /** 1 by default. */
  epochs?: number;
  /** Batch-mean fetches averaged over each epoch besides the loss, e.g. `{ accuracy }`. */
  metrics?: MetricFetches;
  /** Evaluated (loss and metrics) after each epoch. */
  validation?: Iterable<BatchFeeds>;
  /** Feeds added to every training batch's. */
  feeds?: FeedDict;
  /** Feeds added to every validation batch's (e.g. keep probability 1). */
  validationFeeds?: FeedDict;
  /** Where progress goes: by default `lineReporter()` (one line per epoch); null for none. */
  reporter?: TrainReporter | null;
  /** A clock in milliseconds, for throughput; by default performance.now() or Date.now(). */
  now?: () => number;
}

export interface FitTargets {
  /** The training step, e.g. `optimizer.minimize(loss)`. */
  step: GraphNode;
  /** The loss, a batch mean. */
  loss: GraphNode | string;
}

const FIT = signature<{ session: Session; targets: FitTargets; data: Iterable<BatchFeeds> & { readonly samplesPerEpoch?: number } } & FitOptions>("fit", [
  { name: "session", check: isSession },
  {
    name: "targets",
    check: check<FitTargets>("{ step, loss }: the training step node and the loss (a node or its name)", (v) => isPlainObject(v) && v.step instanceof GraphNode && isFetch(v.loss), true),
  },
  { name: "data", check: isData },
  { name: "epochs", check: is.optional(is.positiveInteger), keywordOnly: true },
  { name: "metrics", check: is.optional(isMetrics), keywordOnly: true },
  { name: "validation", check: is.optional(isData), keywordOnly: true },
  { name: "feeds", check: isFeeds, keywordOnly: true },
  { name: "validationFeeds", check: isFeeds, keywordOnly: true },
  { name: "reporter", check: is.optional(check<TrainReporter | null>("a TrainReporter (an object of optional callbacks) or null", (v) => v === null || (typeof v === "object" && !Array.isArray(v)))), keywordOnly: true },
  { name: "now", check: is.optional(is.function), keywordOnly: true },
]);
const FIT_ASYNC = signature<{ session: Session; targets: FitTargets; data: Iterable<BatchFeeds> & { readonly samplesPerEpoch?: number } } & FitOptions>("fitAsync", FIT.params);

function defaultClock(): () => number {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf !== undefined ? () => perf.now() : () => Date.now();
}

/**
 * Trains for `epochs` epochs: each batch of `data` runs `step` and fetches `loss` (and `metrics`)
 * in the same run, so they describe the batch before its update, as Keras reports them. Iterating
 * `data` once must give one epoch (ts.data.batches reshuffles at each). Returns one log per epoch.
 */
export function fit(
  session: Session,
  targets: FitTargets,
  data: Iterable<BatchFeeds> & { readonly samplesPerEpoch?: number },
  options?: FitOptions,
): EpochLog[];
export function fit(...args: unknown[]): EpochLog[] {
  const { session, targets, data, ...options } = FIT.parse(args);
  return driveSync(session, "fit", fitSteps(targets, data, options));
}

/** `fit`, answered by a promise: on any engine (the only way on one that answers asynchronously, such as "onnxruntime"). */
export function fitAsync(
  session: Session,
  targets: FitTargets,
  data: Iterable<BatchFeeds> & { readonly samplesPerEpoch?: number },
  options?: FitOptions,
): Promise<EpochLog[]>;
export function fitAsync(...args: unknown[]): Promise<EpochLog[]> {
  const { session, targets, data, ...options } = FIT_ASYNC.parse(args);
  return driveAsync(session, fitSteps(targets, data, options));
}

function* fitSteps(targets: FitTargets, data: Iterable<BatchFeeds> & { readonly samplesPerEpoch?: number }, options: FitOptions): Steps<EpochLog[]> {
  const epochs = options.epochs ?? 1;
  const metricFetches = options.metrics ?? {};
  if ("loss" in metricFetches) throw new ValueError("fit: 'loss' is reported already; give the other metrics other names");
  const fetches = { step: targets.step, loss: targets.loss, ...metricFetches };
  const names = ["loss", ...Object.keys(metricFetches)];
  const reporter = options.reporter === undefined ? lineReporter() : options.reporter;
  const now = options.now ?? defaultClock();
  const history: EpochLog[] = [];
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const samples = data.samplesPerEpoch;
      reporter?.epochStart?.({ epoch, epochs, samples });
      const start = now();
      const totals = new WeightedMeans(names);
      for (const batch of data) {
        const values = (yield { fetches, feeds: merged(batch, options.feeds) }) as Record<string, unknown>;
        totals.add(values, samplesIn(batch), "fit");
        const seconds = (now() - start) / 1000;
        reporter?.batchEnd?.({ epoch, epochs, samplesSeen: totals.samples, samples, loss: totals.mean("loss"), seconds, samplesPerSecond: rate(totals.samples, seconds) });
      }
      if (totals.samples === 0) throw new ValueError(`fit: epoch ${epoch} gave no batches (iterating the data once must give one epoch)`);
      const seconds = (now() - start) / 1000;
      const { loss, ...metrics } = totals.means();
      const validation = options.validation === undefined
        ? undefined
        : yield* evaluateSteps({ loss: targets.loss, ...metricFetches }, options.validation, options.validationFeeds);
      const log: EpochLog = { epoch, epochs, samples: totals.samples, loss: loss!, metrics, validation, seconds, samplesPerSecond: rate(totals.samples, seconds) };
      history.push(log);
      reporter?.epochEnd?.(log);
    }
  } finally {
    reporter?.close?.();
  }
  return history;
}

function rate(samples: number, seconds: number): number {
  return seconds > 0 ? samples / seconds : 0;
}

function fixed(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : String(x);
}

const EPOCH_LOG = logOf<EpochLog>("an epoch log", ["epoch", "epochs", "samples", "loss", "seconds", "samplesPerSecond"]);
const BATCH_LOG = logOf<BatchLog>("a batch log", ["epoch", "epochs", "samplesSeen", "loss", "seconds", "samplesPerSecond"]);

/** "epoch 2/5  loss 0.3121  accuracy 0.8870  val_loss 0.3544  val_accuracy 0.8712  (3.1 s, 19355 samples/s)" */
export function formatEpochLog(log: EpochLog): string {
  requireArg("formatEpochLog", "log", log, EPOCH_LOG);
  const parts = [`epoch ${log.epoch}/${log.epochs}`, `loss ${fixed(log.loss)}`];
  for (const [k, v] of Object.entries(log.metrics)) parts.push(`${k} ${fixed(v)}`);
  for (const [k, v] of Object.entries(log.validation ?? {})) parts.push(`val_${k} ${fixed(v)}`);
  return `${parts.join("  ")}  (${log.seconds.toFixed(1)} s, ${Math.round(log.samplesPerSecond)} samples/s)`;
}

/** "epoch 2/5  27000/60000 (45%)  loss 0.4512  5120 samples/s" */
export function formatBatchLog(log: BatchLog): string {
  requireArg("formatBatchLog", "log", log, BATCH_LOG);
  const seen = log.samples === undefined ? `${log.samplesSeen} samples` : `${log.samplesSeen}/${log.samples} (${Math.floor((100 * log.samplesSeen) / log.samples)}%)`;
  return `epoch ${log.epoch}/${log.epochs}  ${seen}  loss ${fixed(log.loss)}  ${Math.round(log.samplesPerSecond)} samples/s`;
}

export interface LineReporterOptions {
  /** Where lines go; console.log by default. */
  write?: (line: string) => void;
  /** Seconds between progress lines within an epoch; Infinity (the default) for epoch lines only. */
  interval?: number;
}

/** Plain text lines: one per epoch, and one every `interval` seconds within an epoch (for logs). */
const LINE_REPORTER = signature<LineReporterOptions>("lineReporter", [
  { name: "write", check: is.optional(is.function), keywordOnly: true },
  { name: "interval", check: is.optional(check<number>("a positive number of seconds", (v) => typeof v === "number" && v > 0)), keywordOnly: true },
]);

export function lineReporter(options?: LineReporterOptions): TrainReporter;
export function lineReporter(...args: unknown[]): TrainReporter {
  const options = LINE_REPORTER.parse(args);
  const write = options.write ?? consoleLog;
  const interval = options.interval ?? Infinity;
  let nextLine = interval;
  return {
    epochStart() {
      nextLine = interval;
    },
    batchEnd(log) {
      if (log.seconds < nextLine || log.samplesSeen === log.samples) return;
      write(formatBatchLog(log));
      while (nextLine <= log.seconds) nextLine += interval;
    },
    epochEnd(log) {
      write(formatEpochLog(log));
    },
  };
}

function consoleLog(line: string): void {
  (globalThis as { console?: { log(s: string): void } }).console?.log(line);
}
