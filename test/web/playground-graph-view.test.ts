/**
 * The graph panel (web/playground/graph-view.js) looks without training: the nodes it runs to
 * show their values, every frame while training, leave every variable (weights, optimizer slots,
 * L1's dead links) as it was, whatever the optimizer.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { loadGraphView, loadModel, loadState } from "../helpers/web.js";

describe("web/playground/graph-view.js", async () => {
  const { runsUpdate } = await loadGraphView();
  const { Trainer } = await loadModel();
  const { parseHash } = await loadState();

  /** The nodes the panel draws with the gradients shown: those the training step needs. */
  function drawn(train: ts.GraphNode): ts.GraphNode[] {
    const needed = new Set<ts.GraphNode>();
    const stack = [train];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (needed.has(n)) continue;
      needed.add(n);
      stack.push(...n.inputs, ...n.controlInputs);
    }
    return [...needed];
  }

  for (const optimizer of ["sgd", "momentum", "adam", "rmsprop"]) {
    for (const reg of ["none", "L1"]) {
      it(`runs the values it shows without changing a variable (${optimizer}, regularization ${reg})`, () => {
        const { state } = parseHash(`dataset=gauss&networkShape=2&optimizer=${optimizer}&regularization=${reg}&regularizationRate=0.03&seed=6`);
        const t = new Trainer(state);
        t.step();
        const memo = new Map();
        const shown = drawn(t.net.train).filter((n): n is ts.Node => n instanceof ts.Node && !(n instanceof ts.Placeholder) && !runsUpdate(n, memo));
        // What it keeps: the loss, every layer's output, the variables and the loss's gradients.
        for (const n of [t.net.loss, ...t.net.layers, ...t.net.variables]) assert.ok(shown.includes(n), `${n.name} is shown`);
        for (const v of t.net.variables) assert.ok(shown.includes(t.net.gradientOf.get(v)!), `the gradient of ${v.name} is shown`);
        const read = () => t.net.graph.globalVariables().map((v) => [v.name, t.session.readVariable(v).toArray()]);
        const before = read();
        t.session.run(shown, t.trainFeed);
        assert.deepEqual(read(), before);
        t.close();
      });
    }
  }
});
