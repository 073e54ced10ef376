/** Small helpers the tutorial's examples share: printing, pictures, and running a file on its own. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as ts from "tensorslow";

/** Where an example prints (console.log by default; the tests pass a function that collects lines). */
export type Log = (...args: unknown[]) => void;

/** Whether the module at `importMetaUrl` is the program node was started with. */
export function isMain(importMetaUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(importMetaUrl) === process.argv[1];
}

/** A tensor's values as rows of plain numbers. */
export function rows(t: ts.Tensor): number[][] {
  return t.toArray() as number[][];
}

/** A number with a fixed count of decimals, for tables a learner can read. */
export function fixed(x: number, digits = 4): string {
  return x.toFixed(digits);
}

/** The fraction of rows whose largest probability sits where the one-hot label has its 1. */
export function accuracy(probabilities: ts.Tensor, labels: readonly (readonly number[])[]): number {
  const p = rows(probabilities);
  let correct = 0;
  p.forEach((row, i) => {
    const predicted = row.indexOf(Math.max(...row));
    if (labels[i]![predicted] === 1) correct++;
  });
  return correct / p.length;
}

/**
 * The tutorial's class list `[[1, 0]] * len(blue_points) + [[0, 1]] * len(red_points)`: blue is
 * class 0, red class 1, blue rows first.
 */
export function blueThenRedClasses(blue: ts.Tensor, red: ts.Tensor): number[][] {
  return [...Array.from({ length: blue.shape[0]! }, () => [1, 0]), ...Array.from({ length: red.shape[0]! }, () => [0, 1])];
}

/** A picture an example draws: a file name and its text (SVG or Graphviz DOT). */
export interface Picture {
  file: string;
  content: string;
}

/** Where the examples write their pictures (relative to the working directory). */
export const OUT_DIR = "out";

/**
 * The graph picture of the nodes `fetches` need, as DOT and as SVG; with `session`, edges carry the
 * shapes its runs saw, and the backward pass (gradients/) is drawn as one node, as TensorBoard does.
 */
export async function graphPictures(stem: string, graph: ts.Graph, fetches: ts.GraphNode | ts.GraphNode[], title: string, session?: ts.Session): Promise<Picture[]> {
  const options = { fetches, title, ...(session === undefined ? {} : { session, collapse: ["gradients"] }) };
  return [
    { file: `${stem}.dot`, content: ts.io.toDot(graph, options) },
    { file: `${stem}.svg`, content: await ts.viz.graphSvg(graph, options) },
  ];
}

/** What the pictures of a trained 2-D classifier need. */
export interface ClassifierDrawing {
  /** File names start with it: "part4" gives part4-graph.svg, part4-boundary.svg, part4-loss.svg. */
  stem: string;
  graph: ts.Graph;
  /** The node whose graph is drawn (the output, or the training step to show its gradients). */
  drawn: ts.GraphNode;
  session: ts.Session;
  output: ts.Node;
  input: ts.Node;
  points: ts.TensorLike;
  classes: ts.TensorLike;
  /** The loss before each step, when the classifier was trained. */
  lossHistory?: number[];
  titles: { graph: string; boundary: string; loss?: string };
}

/** The classifier's graph (DOT and SVG), its decision boundary over the points, and its loss curve. */
export async function classifierPictures(d: ClassifierDrawing): Promise<Picture[]> {
  // The graph first: its edges show the shapes of the session's last runs, not the boundary's grid.
  const pictures = await graphPictures(`${d.stem}-graph`, d.graph, d.drawn, d.titles.graph, d.session);
  const boundary = ts.viz.decisionBoundarySvg(d.session, d.output, d.input, d.points, d.classes, { title: d.titles.boundary, classNames: ["blue", "red"] });
  pictures.push({ file: `${d.stem}-boundary.svg`, content: boundary });
  if (d.lossHistory !== undefined) {
    const logScale = spansOrdersOfMagnitude(d.lossHistory);
    pictures.push({ file: `${d.stem}-loss.svg`, content: ts.viz.lossCurveSvg(d.lossHistory, { title: d.titles.loss ?? "loss", logScale }) });
  }
  return pictures;
}

/** Whether positive values span two orders of magnitude or more (then a log scale shows the whole fall). */
export function spansOrdersOfMagnitude(values: readonly number[]): boolean {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  return positive.length > 1 && Math.max(...positive) >= 100 * Math.min(...positive);
}

/** Writes the pictures into `dir` (made if missing) and returns their paths. */
export function writePictures(pictures: readonly Picture[], dir = OUT_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  return pictures.map(({ file, content }) => {
    const path = join(dir, file);
    writeFileSync(path, content);
    return path;
  });
}
