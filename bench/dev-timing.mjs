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

/** Median seconds per call of `f` over rounds of ~`ms` milliseconds each. */
export async function time(f, ms = 300, rounds = 7) {
  const reps = await repsFor(f, ms);
  const per = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await f();
    per.push((performance.now() - t0) / 1000 / reps);
  }
  return median(per);
}
