/**
 * Measuring: contestants of one workload run in alternating rounds (ours, then each peer, then
 * ours again, ...) so that the machine's drift and noise fall on all of them alike, and each
 * reports the median of its rounds. Nothing here knows what is measured.
 */

/** One contestant of a workload: `setup` once (untimed), then `round` returns one measurement. */
export interface Contestant {
  name: string;
  /** Prepares data, graphs, warm-up; its time is not counted. May throw to mean "cannot run". */
  setup?: () => Promise<void> | void;
  /** One timed round; returns the measured value (in the workload's unit). */
  round: () => Promise<number> | number;
  teardown?: () => Promise<void> | void;
}

export interface Measured {
  name: string;
  /** Median of the rounds, or null when the contestant could not run (see `error`). */
  median: number | null;
  min: number | null;
  max: number | null;
  samples: number[];
  /**
   * The same figure per round with the process's CPU time (all its threads) in place of wall time,
   * and its median: on a machine shared with other work, a single-threaded contestant's CPU time is
   * what it would take alone, while its wall time includes the time it waited for a core.
   */
  cpuSamples: number[];
  cpuMedian: number | null;
  error?: string;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Seconds since an arbitrary origin, at nanosecond resolution. */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * A full collection when node runs with --expose-gc (`npm run bench` does), else nothing; then a
 * pause, so that V8's background threads finish sweeping before the round rather than competing
 * with it for the cores.
 */
export async function collectGarbage(): Promise<void> {
  if (gc === undefined) return;
  gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
}

/**
 * Runs `rounds` alternating rounds of every contestant that set up without error. `higherIsBetter`
 * says how a figure relates to time (a rate, or a time per unit), for the CPU-time figures.
 */
export async function alternate(contestants: readonly Contestant[], rounds: number, higherIsBetter: boolean): Promise<Measured[]> {
  const results: Measured[] = contestants.map((c) => ({ name: c.name, median: null, min: null, max: null, samples: [], cpuSamples: [], cpuMedian: null }));
  const ready: boolean[] = [];
  for (const [i, c] of contestants.entries()) {
    try {
      await c.setup?.();
      ready.push(true);
    } catch (e) {
      results[i]!.error = e instanceof Error ? e.message.split("\n")[0]! : String(e);
      ready.push(false);
    }
  }
  for (let r = 0; r < rounds; r++) {
    for (const [i, c] of contestants.entries()) {
      if (!ready[i]) continue;
      // Each round starts on a collected heap, so that no contestant's round pays (on the main
      // thread or in V8's concurrent GC threads) for the garbage of the one before it.
      await collectGarbage();
      try {
        const cpu0 = process.cpuUsage();
        const t0 = now();
        const value = await c.round();
        const wall = now() - t0;
        const cpu = process.cpuUsage(cpu0);
        // The round's figure scaled by CPU time over wall time (a time per unit shrinks with it, a rate grows).
        const share = (cpu.user + cpu.system) / 1e6 / wall;
        results[i]!.samples.push(value);
        results[i]!.cpuSamples.push(higherIsBetter ? value / share : value * share);
      } catch (e) {
        results[i]!.error = e instanceof Error ? e.message.split("\n")[0]! : String(e);
        ready[i] = false;
      }
    }
  }
  for (const [i, c] of contestants.entries()) {
    await c.teardown?.();
    const s = results[i]!.samples;
    if (s.length > 0) {
      results[i]!.median = median(s);
      results[i]!.min = Math.min(...s);
      results[i]!.max = Math.max(...s);
      results[i]!.cpuMedian = median(results[i]!.cpuSamples);
    }
  }
  return results;
}

/** The median time of `reps` calls of `fn`, after `warmup` untimed calls, in seconds per call. */
export async function timePerCall(fn: () => unknown, reps: number, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    await fn();
    times.push(now() - t0);
  }
  return median(times);
}
