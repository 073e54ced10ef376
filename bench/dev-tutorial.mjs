// Development timing of the tutorial's training step (not the bench: no peers but the hand-written
// network): the workloads tutorial-literal (placeholder(), nested arrays fed) and tutorial-mlp
// (shaped placeholders, tensors fed), TensorSlow and the hand-written JS contestant of each, in one
// process, in alternating rounds of 500 steps; medians of wall and CPU time per step, with the
// spread (min–max). Loads the bench's own workloads, so what is timed is what `npm run bench` times.
// Usage: node --expose-gc bench/dev-tutorial.mjs [literal|mlp ...] [--rounds N]
//   (after `node scripts/build.mjs`; add --cpu-prof to profile)
import { loadavg } from "node:os";
import { tutorialLiteralWorkload } from "../build/bench/workloads/tutorial-literal.js";
import { tutorialMlpWorkload } from "../build/bench/workloads/tutorial-mlp.js";

const args = process.argv.slice(2);
const roundsArg = args.indexOf("--rounds");
const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 15;
const picked = args.filter((a) => a === "literal" || a === "mlp");
const workloads = { literal: tutorialLiteralWorkload, mlp: tutorialMlpWorkload };
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

for (const id of picked.length > 0 ? picked : ["literal", "mlp"]) {
  const workload = workloads[id](rounds);
  const contestants = workload.contestants().filter((c) => !c.name.startsWith("tfjs"));
  for (const c of contestants) await c.setup?.();
  const wall = contestants.map(() => []);
  const cpu = contestants.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, c] of contestants.entries()) {
      globalThis.gc?.();
      const c0 = cpuSeconds();
      const w0 = performance.now();
      const perStep = await c.round();
      // round() times 500 steps and then computes the loss once; scale CPU time by the wall ratio.
      const roundWall = (performance.now() - w0) / 1000;
      wall[i].push(perStep);
      cpu[i].push(((cpuSeconds() - c0) / roundWall) * perStep);
    }
  }
  const extras = workload.extras?.() ?? {};
  const line = contestants.map((c, i) => {
    const w = wall[i];
    return `${c.name} ${median(w).toFixed(1)} µs (${Math.min(...w).toFixed(1)}–${Math.max(...w).toFixed(1)}; cpu ${median(cpu[i]).toFixed(1)}) loss ${JSON.stringify(extras[c.name]?.["loss after all steps"])}`;
  });
  const ratio = median(wall[0]) / median(wall[contestants.length - 1]);
  console.log(`${id}: ${line.join("; ")}; ratio ${ratio.toFixed(2)}x; load ${loadavg()[0].toFixed(1)}`);
}
