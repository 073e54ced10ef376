/**
 * Graph pictures: the DOT text (nodes, kinds, clusters, shapes on edges, fetches) and the SVG that
 * Graphviz makes of it (well-formed XML holding the nodes' names).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import * as ts from "tensorslow";

/** The affine graph of part I, plus a node z does not need. */
function affine() {
  const graph = new ts.Graph();
  return graph.asDefault(() => {
    const A = new ts.Variable([[1, 0], [0, -1]], { name: "A" });
    const b = new ts.Variable([1, 1], { name: "b" });
    const x = ts.placeholder({ name: "x" });
    const z = ts.add(ts.matmul(A, x), b);
    const unrelated = ts.square(b, "lonely");
    return { graph, z, unrelated };
  });
}

/** The node statements of DOT text: name -> attribute text. */
function dotNodes(dot: string): Map<string, string> {
  return new Map([...dot.matchAll(/^\s*"((?:[^"\\]|\\.)*)" \[(.*)\];$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** The edges of DOT text as "from -> to (label)". */
function dotEdges(dot: string): string[] {
  return [...dot.matchAll(/^\s*"((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)" \[(?:label="([^"]*)")?.*\];$/gm)].map((m) => `${m[1]} -> ${m[2]} (${m[3] ?? ""})`);
}

/** Every text node of an XML document, in order. */
function texts(xml: string): string[] {
  const out: string[] = [];
  const walk = (x: unknown): void => {
    if (typeof x === "string" || typeof x === "number") out.push(String(x));
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x !== null && typeof x === "object") for (const [k, v] of Object.entries(x)) if (!k.startsWith("@_")) walk(v);
  };
  walk(new XMLParser({ ignoreAttributes: false, processEntities: true, htmlEntities: true }).parse(xml));
  return out;
}

describe("io.toDot", () => {
  it("draws the affine example: A, x, b, MatMul, Add, with shapes on the edges", () => {
    const { graph, z } = affine();
    const dot = ts.io.toDot(graph, { fetches: z });
    assert.match(dot, /^digraph G \{/);
    assert.deepEqual([...dotNodes(dot).keys()], ["A", "b", "x", "MatMul", "Add"]);
    assert.deepEqual(dotEdges(dot).sort(), ["A -> MatMul ([2,2])", "MatMul -> Add (?)", "b -> Add ([2])", "x -> MatMul (?)"].sort());
  });

  it("after a session has run, labels edges with the shapes it saw instead of '?'", () => {
    const { graph, z } = affine();
    const session = new ts.Session(graph);
    // Before any run there is nothing seen: the static shapes.
    assert.ok(dotEdges(ts.io.toDot(graph, { fetches: z, session })).includes("x -> MatMul (?)"));
    session.run(z, { x: [1, 2] });
    const edges = dotEdges(ts.io.toDot(graph, { fetches: z, session }));
    // x, declared without a shape, was fed a vector of 2: A [2,2] · x [2] is a vector of 2.
    assert.deepEqual(edges.sort(), ["A -> MatMul ([2,2])", "MatMul -> Add ([2])", "b -> Add ([2])", "x -> MatMul ([2])"].sort());
    assert.throws(() => ts.io.toDot(graph, { session: {} as never }), /toDot: session must be a Session/);
  });

  it("collapses name scopes into one node each, as TensorBoard draws gradients/", () => {
    const graph = new ts.Graph();
    const { step } = graph.asDefault(() => {
      const x = ts.placeholder("float32", [null, 2], "x");
      const w = new ts.Variable([[1], [2]], { name: "w" });
      const b = new ts.Variable([0.5], { name: "b" });
      const loss = ts.reduceSum(ts.add(ts.matmul(x, w), b), undefined, { name: "loss" });
      return { step: new ts.train.GradientDescentOptimizer(0.1).minimize(loss) };
    });
    const full = dotNodes(ts.io.toDot(graph, { fetches: step }));
    const gradientNodes = [...full.keys()].filter((n) => n.startsWith("gradients/"));
    assert.ok(gradientNodes.some((n) => n.includes("SumToShape")), `gradient helpers drawn: ${gradientNodes}`);
    const dot = ts.io.toDot(graph, { fetches: step, collapse: ["gradients"] });
    const nodes = dotNodes(dot);
    assert.ok(![...nodes.keys()].some((n) => n.startsWith("gradients/")), "no gradient node drawn on its own");
    assert.match(nodes.get("gradients")!, new RegExp(`${gradientNodes.length} nodes`));
    assert.equal(nodes.size, full.size - gradientNodes.length + 1);
    const edges = dotEdges(dot);
    // The model's values flow into the collapsed scope, and the gradients out of it into the updates.
    assert.ok(edges.includes("x -> gradients ([?,2])"), edges.join("; "));
    assert.ok(edges.some((e) => e.startsWith("gradients -> GradientDescent/update_w/")), edges.join("; "));
    assert.equal(new Set(edges).size, edges.length, "one edge per pair of drawn nodes");
    assert.throws(() => ts.io.toDot(graph, { collapse: ["gradients/"] }), /collapse must be an array of name scopes/);
  });

  it("gives placeholders, variables, constants and operations their own shapes and colours", () => {
    const graph = new ts.Graph();
    const { step } = graph.asDefault(() => {
      const x = ts.placeholder("float32", [null, 2], "x");
      const w = new ts.Variable([[1], [2]], { name: "w" });
      const loss = ts.reduceSum(ts.multiply(ts.matmul(x, w), 0.5));
      return { step: new ts.train.GradientDescentOptimizer(0.1).minimize(loss) };
    });
    const nodes = dotNodes(ts.io.toDot(graph, { fetches: step }));
    const shapeOf = (name: string) => /shape=(\w+)/.exec(nodes.get(name)!)![1];
    const fillOf = (name: string) => /fillcolor="([^"]+)"/.exec(nodes.get(name)!)![1];
    assert.equal(shapeOf("x"), "invhouse");
    assert.equal(shapeOf("w"), "box");
    assert.match(nodes.get("w")!, /rounded/);
    assert.equal(shapeOf("MatMul"), "ellipse");
    assert.equal(shapeOf("GradientDescent/update"), "octagon");
    const kinds = ["x", "w", "Const", "MatMul", "GradientDescent/update"].map(fillOf);
    assert.equal(new Set(kinds).size, kinds.length, `colours ${kinds}`);
    assert.match(nodes.get("Const")!, /0\.5/); // a short constant shows its value
    assert.match(nodes.get("x")!, /placeholder \[\?,2\]/);
  });

  it("draws name scopes as nested clusters, and control dependencies dashed", () => {
    const graph = new ts.Graph();
    graph.asDefault(() => {
      const v = new ts.Variable([1, 2], { name: "v" });
      ts.nameScope("layer1", () => ts.nameScope("inner", () => ts.sigmoid(v)));
      ts.group([ts.assign(v, [0, 0])], "init");
    });
    const dot = ts.io.toDot(graph);
    const outer = dot.indexOf('subgraph "cluster_layer1" {');
    const inner = dot.indexOf('subgraph "cluster_layer1/inner" {');
    const node = dot.indexOf('"layer1/inner/Sigmoid" [');
    assert.ok(outer >= 0 && outer < inner && inner < node, dot);
    assert.match(dot, /"Assign" -> "init" \[style=dashed/);
  });

  it("limits the picture to what the fetches need; the whole graph without fetches", () => {
    const { graph, z, unrelated } = affine();
    assert.ok(!dotNodes(ts.io.toDot(graph, { fetches: [z] })).has("lonely"));
    assert.ok(dotNodes(ts.io.toDot(graph)).has("lonely"));
    assert.deepEqual([...dotNodes(ts.io.toDot(graph, { fetches: "lonely" })).keys()], ["b", "lonely"]);
    assert.ok(unrelated);
    assert.throws(() => ts.io.toDot(graph, { fetches: "nope" }), /no node named 'nope'/);
    assert.throws(() => ts.io.toDot(graph, { fetches: affine().z }), /not an element of the graph being drawn/);
  });

  it("escapes names: quotes, backslashes, markup and control characters stay text", () => {
    const graph = new ts.Graph();
    graph.asDefault(() => ts.identity(new ts.Variable(1, { name: 'a"b\\c<d>&e\u0001' })));
    const dot = ts.io.toDot(graph);
    assert.ok(dot.includes('"a\\"b\\\\c<d>&e\\\\u0001" ['), dot);
    assert.ok(dot.includes("<b>a&quot;b\\c&lt;d&gt;&amp;e\\u0001</b>"), dot);
  });
});

describe("viz.graphSvg", () => {
  it("renders part I's graph as well-formed SVG naming A, x, b, MatMul and Add", async () => {
    const { graph, z } = affine();
    const svg = await ts.viz.graphSvg(graph, { fetches: z, title: "z = A·x + b" });
    assert.equal(XMLValidator.validate(svg), true);
    const words = texts(svg);
    for (const name of ["A", "x", "b", "MatMul", "Add", "[2,2]", "z = A·x + b"]) assert.ok(words.includes(name), `${name} in ${words}`);
  });

  it("renders awkward names and DOT given as text", async () => {
    const graph = new ts.Graph();
    graph.asDefault(() => ts.identity(new ts.Variable(1, { name: 'a"b\\c<d>&e\u0001' })));
    const svg = await ts.viz.graphSvg(graph);
    assert.equal(XMLValidator.validate(svg), true);
    assert.ok(texts(svg).includes("a\"b\\c<d>&e\\u0001"));
    const fromText = await ts.viz.graphSvg('digraph { "p" -> "q" }');
    assert.ok(texts(fromText).includes("q"));
    await assert.rejects(ts.viz.graphSvg("digraph { -> }"), ts.TensorSlowError);
  });
});
