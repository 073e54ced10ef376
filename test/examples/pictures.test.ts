/**
 * The pictures the tour writes: each part's graph (DOT and SVG), the decision boundaries of parts
 * II, IV and V and the loss curves of IV and V, all well-formed, with the right contents.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { writePictures, type Picture } from "../../examples/common.js";
import { runPart1 } from "../../examples/part1-graphs.js";
import { runPart2 } from "../../examples/part2-perceptrons.js";
import { runPart3 } from "../../examples/part3-criterion.js";
import { runPart4 } from "../../examples/part4-gradient-descent.js";
import { runPart5 } from "../../examples/part5-mlp.js";

const quiet = () => {};
const dir = mkdtempSync(join(tmpdir(), "tensorslow-pictures-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function byName(pictures: Picture[]): Map<string, string> {
  return new Map(pictures.map((p) => [p.file, p.content]));
}

function textsOf(svg: string): string[] {
  const out: string[] = [];
  const walk = (x: unknown): void => {
    if (typeof x === "string" || typeof x === "number") out.push(String(x));
    else if (x !== null && typeof x === "object") for (const [k, v] of Object.entries(x)) if (!k.startsWith("@_")) walk(v);
  };
  walk(new XMLParser({ ignoreAttributes: false }).parse(svg));
  return out;
}

describe("the tour's pictures", () => {
  it("part I: the graph of the affine example holds A, x, b, MatMul and Add, in DOT and in SVG", async () => {
    const pictures = byName(await runPart1(quiet).pictures());
    assert.deepEqual([...pictures.keys()], ["part1-graph.dot", "part1-graph.svg"]);
    const dot = pictures.get("part1-graph.dot")!;
    for (const edge of ['"A" -> "MatMul"', '"x" -> "MatMul"', '"MatMul" -> "Add"', '"b" -> "Add"']) assert.ok(dot.includes(edge), edge);
    const svg = pictures.get("part1-graph.svg")!;
    assert.equal(XMLValidator.validate(svg), true);
    const words = textsOf(svg);
    for (const name of ["A", "x", "b", "MatMul", "Add"]) assert.ok(words.includes(name), `${name} in the SVG`);
  });

  it("parts II-V: graphs, decision boundaries and loss curves, all well-formed SVG", async () => {
    const part4 = runPart4(quiet);
    const part5 = runPart5(quiet);
    const all = [
      ...(await runPart2(quiet).pictures()),
      ...(await runPart3(quiet).pictures()),
      ...(await part4.pictures()),
      ...(await part5.pictures()),
    ];
    const pictures = byName(all);
    assert.deepEqual([...pictures.keys()].sort(), [
      "part2-boundary.svg", "part2-graph.dot", "part2-graph.svg",
      "part3-graph.dot", "part3-graph.svg",
      "part4-boundary.svg", "part4-graph.dot", "part4-graph.svg", "part4-loss.svg",
      "part5-boundary.svg", "part5-graph.dot", "part5-graph.svg", "part5-loss.svg",
    ]);
    for (const [file, content] of pictures) if (file.endsWith(".svg")) assert.equal(XMLValidator.validate(content), true, file);
    // The training graphs draw the backward pass as one collapsed gradients node (TensorBoard's way),
    // the updates in their scope, and on every edge the shape the session saw (no "?" left).
    for (const part of ["part4", "part5"]) {
      const dot = pictures.get(`${part}-graph.dot`)!;
      assert.match(dot, /^\s*"gradients" \[label=<<b>gradients<\/b><br\/><font point-size="8">\d+ nodes/m, part);
      assert.doesNotMatch(dot, /^\s*"gradients\/|-> "gradients\//m, part);
      assert.match(dot, /"GradientDescent\/update"/, part);
      assert.doesNotMatch(dot, /label="[^"]*\?/, `${part}: an edge without its run-time shape`);
      assert.match(dot, /"X" -> "[^"]+" \[label="\[100,2\]"\]/, `${part}: the 100 points fed`);
    }
    // A loss falling by orders of magnitude is drawn on a log scale (ticks at powers of ten).
    for (const [part, history] of [["part4", part4.lossHistory], ["part5", part5.lossHistory]] as const) {
      const positive = history.filter((v) => v > 0);
      const spans = Math.max(...positive) >= 100 * Math.min(...positive);
      const ticks = [...pictures.get(`${part}-loss.svg`)!.matchAll(/text-anchor="end"[^>]*>([^<]+)</g)].map((m) => Number(m[1]));
      assert.equal(ticks.length > 1 && ticks.every((t) => Number.isInteger(Math.log10(t))), spans, `${part}: y ticks ${ticks} (loss ${Math.max(...positive)} to ${Math.min(...positive)})`);
    }
    // Every one of the 100 points is drawn on the boundaries; the loss curves have a point per value.
    for (const part of ["part2", "part4", "part5"]) {
      assert.equal((pictures.get(`${part}-boundary.svg`)!.match(/<circle [^>]*r="3.2"/g) ?? []).length, 100, part);
    }
    for (const [part, history] of [["part4", part4.lossHistory], ["part5", part5.lossHistory]] as const) {
      const d = /<path d="([^"]+)"/.exec(pictures.get(`${part}-loss.svg`)!)![1]!;
      assert.equal(d.split(/[ML]/).filter(Boolean).length, history.length, part);
    }
    const paths = writePictures(all, dir);
    assert.deepEqual(readdirSync(dir).sort(), [...pictures.keys()].sort());
    assert.equal(paths.length, all.length);
  });
});
