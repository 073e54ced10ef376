/**
 * The data sets to pick from, as the Playground shows them: a thumbnail of each set's points (a
 * radio button each), the classification sets (with the tutorial's two) or the regression sets.
 */
import { css } from "./colors.js";
import { domainOf, makeData } from "./model.js";
import { DATASETS, REG_DATASETS, datasetOf } from "./state.js";

const TITLES = {
  circle: "Circle",
  xor: "Exclusive or",
  gauss: "Gaussian",
  spiral: "Spiral",
  blobs: "Part II's blobs",
  xorClusters: "Part V's XOR-like clusters",
  "reg-plane": "Plane",
  "reg-gauss": "Multi Gaussian",
};
const TUTORIAL_TAGS = { blobs: "Part II", xorClusters: "Part V" };

/** Fills `list` with the sets of `state`'s problem; `onPick(patch)` gets the state change a click makes. */
export function renderDatasetList(list, state, onPick) {
  list.replaceChildren();
  const regression = state.problem === "regression";
  const key = regression ? "regDataset" : "dataset";
  for (const name of regression ? REG_DATASETS : DATASETS) {
    const selected = datasetOf(state) === name;
    const button = document.createElement("button");
    button.type = "button";
    button.className = `dataset${selected ? " selected" : ""}`;
    button.setAttribute("role", "radio");
    button.setAttribute("aria-checked", String(selected));
    button.setAttribute("aria-label", TITLES[name]);
    button.title = TITLES[name];
    const canvas = document.createElement("canvas");
    canvas.className = "data-thumbnail";
    canvas.setAttribute(regression ? "data-regDataset" : "data-dataset", name);
    canvas.width = canvas.height = 100;
    button.appendChild(canvas);
    if (name in TUTORIAL_TAGS) {
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = TUTORIAL_TAGS[name];
      button.appendChild(tag);
    }
    button.addEventListener("click", () => {
      if (!selected) onPick({ [key]: name });
    });
    list.appendChild(button);
    // Up to 300 points of the set without noise (the thumbnails do not change with the seed).
    const sample = makeData({ ...state, [key]: name, noise: 0, percTrainData: 100, seed: "1" }).train;
    const [lo, hi] = domainOf({ ...state, [key]: name });
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, 100, 100);
    for (const p of sample.slice(0, 300)) {
      ctx.fillStyle = css(p.label);
      ctx.fillRect(((p.x - lo) / (hi - lo)) * 100 - 2, ((hi - p.y) / (hi - lo)) * 100 - 2, 4, 4);
    }
  }
}
