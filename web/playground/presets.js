/**
 * The tutorial's parts as presets: each sets the whole state (the tutorial's data, network,
 * loss, initial weights, learning rate and number of steps). The tutorial trains on all its 100
 * points at once, so a batch is the whole set and an epoch is one step.
 */
import { defaultState } from "./state.js";

const TUTORIAL = { percTrainData: 100, batchSize: 100, loss: "crossEntropy", optimizer: "sgd", regularization: "none", regularizationRate: 0, noise: 0, problem: "classification" };
const XY = { x: true, y: true, xSquared: false, ySquared: false, xTimesY: false, sinX: false, sinY: false };

export const PRESETS = Object.freeze({
  part2: {
    title: "Part II: the perceptron",
    text: "softmax(X·W + b) with the tutorial's hand-set weights W = [[1, −1], [1, −1]] and b = [0, 0] on its two blobs: the line x₁ + x₂ = 0 already separates them. Press play to let gradient descent (learning rate 0.01) sharpen it.",
    state: { ...TUTORIAL, ...XY, dataset: "blobs", networkShape: [], init: "handSet", learningRate: 0.01, seed: "1", stopAt: 0, activation: "sigmoid" },
  },
  part4: {
    title: "Part IV: training the perceptron",
    text: "The same perceptron from random weights (ts.random.normal, seed 1), trained by gradient descent on the cross-entropy with learning rate 0.01 for 100 steps, as the tutorial does; the page stops at step 100.",
    state: { ...TUTORIAL, ...XY, dataset: "blobs", networkShape: [], init: "normal", learningRate: 0.01, seed: "1", stopAt: 100, activation: "sigmoid" },
  },
  part5: {
    title: "Part V: a multi-layer perceptron",
    text: "No line separates the XOR-like clusters, so a hidden layer of 2 sigmoid units comes before the softmax; gradient descent with learning rate 0.03 for 1000 steps from seed 5, as in the tutorial.",
    state: { ...TUTORIAL, ...XY, dataset: "xorClusters", networkShape: [2], init: "normal", learningRate: 0.03, seed: "5", stopAt: 1000, activation: "sigmoid" },
  },
});

/** The full state of a preset. */
export function presetState(id) {
  return { ...defaultState(), ...PRESETS[id].state };
}
