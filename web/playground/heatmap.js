/**
 * Heat maps on canvases: a square grid of values in [−1, 1] drawn in the Playground's shades, and
 * the data points drawn over it (training points with a white ring, test points with a black one).
 */
import { css, shadeRgb } from "./colors.js";

/**
 * Draws `density`² values into `canvas` (whose width and height it sets to `size`), pixel (row, col)
 * being values[(row · density + col) · stride + offset]; `map(v)` turns a value into [−1, 1]
 * first, and discretize draws only the sign. `size` may be smaller than density: each pixel then
 * averages a block of values. Pixels are drawn at the Playground's opacity (160 of 255) over the
 * white beneath, so that the points drawn over them stand out.
 */
export function drawValues(canvas, values, { density, stride = 1, offset = 0, size = density, discretize = false, map, alpha = 160 }) {
  if (canvas.width !== size) canvas.width = size;
  if (canvas.height !== size) canvas.height = size;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(size, size);
  const block = density / size;
  const data = image.data;
  for (let row = 0, p = 0; row < size; row++) {
    for (let col = 0; col < size; col++, p += 4) {
      let sum = 0;
      for (let i = 0; i < block; i++) {
        const base = ((row * block + i) * density + col * block) * stride + offset;
        for (let j = 0; j < block; j++) sum += values[base + j * stride];
      }
      let v = sum / (block * block);
      if (map !== undefined) v = map(v);
      if (discretize) v = v >= 0 ? 1 : -1;
      shadeRgb(v, data, p);
      data[p + 3] = alpha;
    }
  }
  ctx.putImageData(image, 0, 0);
}

/**
 * Sizes `canvas` to its CSS size times the device's pixel ratio (sharp lines on any screen) and
 * clears it: its context, width, height and ratio.
 */
export function fitCanvas(canvas) {
  const ratio = globalThis.devicePixelRatio || 1;
  const w = Math.round(canvas.clientWidth * ratio);
  const h = Math.round(canvas.clientHeight * ratio);
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h, ratio };
}

/** Draws points {x, y, label} over [lo, hi]² on `canvas`. */
export function drawPoints(canvas, [lo, hi], train, test) {
  const { ctx, w, h, ratio } = fitCanvas(canvas);
  const r = 3.2 * ratio;
  const draw = (points, ring) => {
    ctx.lineWidth = ratio;
    ctx.strokeStyle = ring;
    for (const p of points) {
      ctx.beginPath();
      ctx.arc(((p.x - lo) / (hi - lo)) * w, ((hi - p.y) / (hi - lo)) * h, r, 0, 2 * Math.PI);
      ctx.fillStyle = css(p.label);
      ctx.fill();
      ctx.stroke();
    }
  };
  draw(train, "#fff");
  draw(test, "#000");
}
