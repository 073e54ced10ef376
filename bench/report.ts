/** The bench's table: per workload, each contestant's median (range) and TensorSlow's ratio to it. */
import type { Measured } from "./harness.js";
import type { Workload } from "./workload.js";

export interface WorkloadResult {
  workload: Workload;
  measured: Measured[];
  extras: Record<string, Record<string, number | string>>;
}

function fmt(v: number): string {
  if (v >= 1000) return v.toFixed(0);
  if (v >= 100) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

/** How many times better ours is than `peer` (>1: ours is better), whichever way the unit points. */
export function advantage(w: Workload, ours: number, peer: number): number {
  return w.higherIsBetter ? ours / peer : peer / ours;
}

export function formatReport(results: readonly WorkloadResult[], machine: Record<string, string | number>): string {
  const lines: string[] = [];
  lines.push(`machine: ${Object.entries(machine).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  lines.push("medians of alternating rounds (min–max); ratio = how many times better TensorSlow is");
  lines.push(
    "cpu: the same figure with the process's CPU time in place of wall time (what a single-threaded contestant takes on an idle core; threads' time adds up)\n",
  );
  const header = ["workload", "contestant", "median", "range", "TensorSlow ×", "cpu median", "cpu ×", "notes"];
  const rows: string[][] = [];
  for (const { workload: w, measured, extras } of results) {
    const ours = measured[0]!;
    for (const m of measured) {
      const ratio = m !== ours && ours.median !== null && m.median !== null ? `${advantage(w, ours.median, m.median).toFixed(2)}×` : "";
      const cpuRatio = m !== ours && ours.cpuMedian !== null && m.cpuMedian !== null ? `${advantage(w, ours.cpuMedian, m.cpuMedian).toFixed(2)}×` : "";
      const notes = [m.error !== undefined ? `cannot run: ${m.error}` : "", ...Object.entries(extras[m.name] ?? {}).map(([k, v]) => `${k} ${v}`)]
        .filter((s) => s !== "")
        .join("; ");
      rows.push([
        m === ours ? `${w.title} [${w.unit}, ${w.higherIsBetter ? "higher" : "lower"} is better]` : "",
        m.name,
        m.median === null ? "—" : fmt(m.median),
        m.min === null ? "" : `${fmt(m.min)}–${fmt(m.max!)}`,
        ratio,
        m.cpuMedian === null ? "" : fmt(m.cpuMedian),
        cpuRatio,
        notes,
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  lines.push(line(header));
  lines.push(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) lines.push(line(r));
  return lines.join("\n");
}
