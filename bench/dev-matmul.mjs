// Development timing of a 1024 product through Session.run, B a variable (kept packed) or fed
// (packed per call), on 1 and 2 threads: wall GFLOPS and GFLOPS per CPU-second (all threads' CPU
// time), which tells a busy machine from a slow kernel. Usage: node bench/dev-matmul.mjs [N]
import { loadavg } from "node:os";
import * as ts from "../dist/index.js";

const n = Number(process.argv[2] ?? 1024);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const threads of [1, 2]) {
  ts.setNumThreads(threads);
  for (const kind of ["variable B (kept)", "fed B"]) {
    const graph = new ts.Graph();
    const bValue = ts.random.uniform([n, n], { seed: 2 });
    const { c, b } = graph.asDefault(() => {
      const a = new ts.Variable(ts.random.uniform([n, n], { seed: 1 }));
      const b = kind === "fed B" ? ts.placeholder("float32", [n, n]) : new ts.Variable(bValue);
      return { c: ts.matmul(a, b), b };
    });
    const session = new ts.Session(graph);
    const feeds = kind === "fed B" ? new Map([[b, bValue]]) : undefined;
    const into = ts.zeros([n, n]);
    const run = () => session.run(c, feeds, { into });
    run();
    run();
    const wall = [], cpu = [];
    const end = performance.now() + 3000;
    while (performance.now() < end || wall.length < 5) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      run();
      wall.push(performance.now() - t0);
      const d = process.cpuUsage(c0);
      cpu.push((d.user + d.system) / 1000);
    }
    const g = (ms) => ((2 * n ** 3) / (ms * 1e-3) / 1e9).toFixed(1);
    console.log(`threads=${threads} ${kind}: median ${g(median(wall))} GFLOPS (best ${g(Math.min(...wall))}), per CPU-second ${g(median(cpu))}; ${wall.length} runs; load ${loadavg()[0].toFixed(1)}`);
    session.close();
  }
}
