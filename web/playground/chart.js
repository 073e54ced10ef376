/**
 * The loss curve: training loss (grey) and test loss (black) per epoch, as the Playground draws
 * them, on a canvas scaled to the largest loss so far.
 */
import { fitCanvas } from "./heatmap.js";

export function drawLossChart(canvas, history) {
  const { ctx, w, h, ratio } = fitCanvas(canvas);
  if (history.length === 0) return;
  let max = 0;
  for (const { train, test } of history) max = Math.max(max, Number.isFinite(train) ? train : 0, Number.isFinite(test) ? test : 0);
  if (!(max > 0)) max = 1;
  const pad = 2 * ratio;
  const x = (i) => pad + (history.length === 1 ? 0 : (i / (history.length - 1)) * (w - 2 * pad));
  const y = (v) => h - pad - (v / max) * (h - 2 * pad);
  // One vertex per pixel column at most: long runs are sampled.
  const step = Math.max(1, Math.floor(history.length / w));
  const line = (key, color) => {
    ctx.beginPath();
    let started = false;
    for (let i = 0; i < history.length; i += step) {
      const v = history[i][key];
      if (!Number.isFinite(v)) continue;
      if (started) ctx.lineTo(x(i), y(v));
      else ctx.moveTo(x(i), y(v));
      started = true;
    }
    const last = history[history.length - 1][key];
    if (started && Number.isFinite(last)) ctx.lineTo(x(history.length - 1), y(last));
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5 * ratio;
    ctx.stroke();
  };
  line("train", "#888");
  line("test", "#111");
}
