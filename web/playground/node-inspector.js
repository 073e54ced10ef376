/**
 * What the graph panel shows of a clicked node: its name, type and shape, its value on the
 * training points, and, for a value that is a function of the inputs alone (a [batch, k] node that
 * depends on x but not on y), each of its columns as a heat map over the plane, from one run over
 * the grid. A variable's small matrix is shown as a table of coloured entries.
 */
import * as ts from "tensorslow";
import { css } from "./colors.js";
import { describeValue, runsUpdate } from "./graph-view.js";
import { drawValues } from "./heatmap.js";
import { dependsOn } from "./model.js";

/** Fills `box` with what there is to see of `node` in `trainer`'s session; `grid` feeds x over the plane (density² rows). */
export function inspectNode(box, node, { trainer, grid, density }) {
  box.replaceChildren();
  const net = trainer.net;
  const title = document.createElement("h3");
  title.textContent = `${node.name} · ${node.type}${node.shape ? ` · shape [${node.shape.map((d) => d ?? "?").join(", ")}]` : ""}`;
  box.appendChild(title);
  const p = document.createElement("p");
  box.appendChild(p);
  if (!(node instanceof ts.Node) || runsUpdate(node)) {
    p.textContent = "An update, or a value computed from one: running it changes a variable, so the page does not run it to look.";
    return;
  }
  const onPlane = node.shape?.length === 2 && node.shape[0] === null && dependsOn(node, net.x) && !dependsOn(node, net.y);
  const value = trainer.session.run(node, trainer.trainFeed);
  p.textContent = onPlane
    ? `A function of the inputs alone: each of its ${node.shape[1]} column${node.shape[1] === 1 ? "" : "s"} over the plane (one run over the ${density}×${density} grid).`
    : `On the ${trainer.data.train.length} training points: ${describeValue(value)}.`;
  if (onPlane) {
    const maps = trainer.session.run(node, new Map([[net.x, grid]]));
    const row = document.createElement("div");
    row.className = "inspector-maps";
    for (let j = 0; j < Math.min(8, maps.shape[1]); j++) {
      const canvas = document.createElement("canvas");
      canvas.setAttribute("aria-label", `column ${j + 1}`);
      drawValues(canvas, maps.data, { density, stride: maps.shape[1], offset: j, size: 50 });
      row.appendChild(canvas);
    }
    box.appendChild(row);
  } else if (value.shape.length === 2 && value.size <= 64) {
    box.appendChild(matrixTable(value));
  }
}

function matrixTable(t) {
  const table = document.createElement("table");
  table.className = "matrix";
  const [rows, cols] = t.shape;
  for (let r = 0; r < rows; r++) {
    const tr = table.insertRow();
    for (let c = 0; c < cols; c++) {
      const td = tr.insertCell();
      const v = t.data[r * cols + c];
      td.textContent = v.toFixed(3);
      td.style.background = css(v);
    }
  }
  return table;
}
