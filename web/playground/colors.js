/**
 * The TensorFlow Playground's colours: values from −1 (orange) through 0 (light grey) to 1 (blue),
 * clamped, in 30 shades for heat maps; link widths from |weight|.
 */
const ORANGE = [0xf5, 0x93, 0x22];
const GREY = [0xe8, 0xea, 0xeb];
const BLUE = [0x08, 0x77, 0xbd];
export const SHADES = 30;

function mix(a, b, t) {
  return a.map((v, i) => Math.round(v + (b[i] - v) * t));
}

/** The colour of a value in [−1, 1] (clamped), continuous: [r, g, b]. */
export function rgb(value) {
  const v = Math.max(-1, Math.min(1, Number.isFinite(value) ? value : 0));
  return v < 0 ? mix(GREY, ORANGE, -v) : mix(GREY, BLUE, v);
}

/** A CSS colour for a value in [−1, 1]. */
export function css(value) {
  const [r, g, b] = rgb(value);
  return `rgb(${r}, ${g}, ${b})`;
}

/** The 31 shades a heat map uses, as one flat [r, g, b, ...] table, from −1 to 1. */
const TABLE = (() => {
  const table = new Uint8Array((SHADES + 1) * 3);
  for (let i = 0; i <= SHADES; i++) table.set(rgb(-1 + (2 * i) / SHADES), 3 * i);
  return table;
})();

/** The shade index of a value: [−1, 1] cut into 31 equal bins (the Playground's quantize scale). */
export function shade(value) {
  if (!(value > -1)) return 0;
  if (value >= 1) return SHADES;
  return Math.floor(((value + 1) / 2) * (SHADES + 1));
}

export function shadeRgb(value, out, offset) {
  const i = 3 * shade(value);
  out[offset] = TABLE[i];
  out[offset + 1] = TABLE[i + 1];
  out[offset + 2] = TABLE[i + 2];
}

/** A link's stroke width: |weight| from 0 to 5 mapped to 1 to 10 pixels (clamped). */
export function linkWidth(weight) {
  return 1 + (9 * Math.min(5, Math.abs(weight))) / 5;
}
