// Timing helpers of the dev scripts (bench/dev-*.mjs).

export const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** After 3 warm-up calls, how many calls of `f` in a row take about `ms` / 4 milliseconds or more. */
export async function repsFor(f, ms = 300) {
  for (let i = 0; i < 3; i++) await f();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await f();
    if (performance.now() - t0 > ms / 4) return reps;
    reps *= 2;
  }
}

/**
 * Seconds per call of `f` over rounds of ~`ms` milliseconds each: the rounds' median, min and max,
 * and the median CPU seconds per call (all the process's threads: on a busy machine, what a
 * single-threaded contestant takes alone).
 */
export async function time(f, ms = 300, rounds = 7) {
  const reps = await repsFor(f, ms);
  const per = [];
  const cpu = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await f();
    per.push((performance.now() - t0) / 1000 / reps);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6 / reps);
  }
  return { median: median(per), min: Math.min(...per), max: Math.max(...per), cpu: median(cpu) };
}
