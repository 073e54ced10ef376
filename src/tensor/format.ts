/**
 * numpy-style printing: nested brackets, one row per line, columns aligned, and a summary with
 * "..." for large tensors (numpy's threshold of 1000 elements, 3 items at each edge).
 */
import type { Tensor } from "./tensor.js";

const SUMMARY_THRESHOLD = 1000;
const EDGE_ITEMS = 3;

function formatNumber(v: number, dtype: Tensor["dtype"]): string {
  if (dtype === "bool") return v !== 0 ? "true" : "false";
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Number.isInteger(v) || dtype === "int32") return String(v);
  // float32 carries about 7 significant digits; printing more shows float noise, not data.
  const digits = dtype === "float32" ? 7 : 15;
  return String(Number(v.toPrecision(digits)));
}

export function formatTensor(t: Tensor): string {
  const { shape, data, dtype } = t;
  if (shape.length === 0) return formatNumber(data[0]!, dtype);
  const summarize = t.size > SUMMARY_THRESHOLD;
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  const indices = (n: number): (number | null)[] =>
    summarize && n > 2 * EDGE_ITEMS
      ? [...Array.from({ length: EDGE_ITEMS }, (_, i) => i), null, ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)]
      : Array.from({ length: n }, (_, i) => i);

  // First pass: the printed width of every element that will be shown, so columns align.
  let width = 0;
  const visit = (dim: number, offset: number): void => {
    for (const i of indices(shape[dim]!)) {
      if (i === null) continue;
      if (dim === shape.length - 1) width = Math.max(width, formatNumber(data[offset + i]!, dtype).length);
      else visit(dim + 1, offset + i * strides[dim]!);
    }
  };
  visit(0, 0);

  // Columns are aligned across rows; a single row needs no padding.
  const pad = shape.length > 1 ? width : 0;
  const render = (dim: number, offset: number, indent: string): string => {
    const parts: string[] = [];
    for (const i of indices(shape[dim]!)) {
      if (i === null) parts.push("...");
      else if (dim === shape.length - 1) parts.push(formatNumber(data[offset + i]!, dtype).padStart(pad));
      else parts.push(render(dim + 1, offset + i * strides[dim]!, indent + " "));
    }
    if (dim === shape.length - 1) return `[${parts.join(", ")}]`;
    const blank = "\n".repeat(shape.length - dim - 1);
    return `[${parts.join(`,${blank}${indent} `)}]`;
  };
  return render(0, 0, "");
}
