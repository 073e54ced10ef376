/**
 * The tutorial's parts I-V are tests too: each example runs as it does in the tour, and every
 * expected value here is computed independently, by hand or by plain float64 JavaScript.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runPart1 } from "../../examples/part1-graphs.js";
import { runPart2 } from "../../examples/part2-perceptrons.js";
import { runPart3 } from "../../examples/part3-criterion.js";
import { runPart4 } from "../../examples/part4-gradient-descent.js";
import { runPart5, PART5_SEED } from "../../examples/part5-mlp.js";

type Matrix = number[][];

function collect(): { log: (...args: unknown[]) => void; lines: string[] } {
  const lines: string[] = [];
  return { log: (...args) => lines.push(args.join(" ")), lines };
}

function assertClose(actual: number, expected: number, rel: number, abs: number, what: string): void {
  const tol = abs + rel * Math.abs(expected);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, expected ${expected} (±${tol})`);
}

// ---- plain-JS linear algebra in float64, independent of the library ------------------------------

const matmul = (a: Matrix, b: Matrix): Matrix => a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const transpose = (a: Matrix): Matrix => a[0]!.map((_, j) => a.map((row) => row[j]!));
const addRow = (a: Matrix, b: number[]): Matrix => a.map((row) => row.map((v, j) => v + b[j]!));
const sub = (a: Matrix, b: Matrix): Matrix => a.map((row, i) => row.map((v, j) => v - b[i]![j]!));
const sumRows = (a: Matrix): number[] => a[0]!.map((_, j) => a.reduce((s, row) => s + row[j]!, 0));
const sigmoid = (a: Matrix): Matrix => a.map((row) => row.map((v) => 1 / (1 + Math.exp(-v))));
const softmax = (a: Matrix): Matrix =>
  a.map((row) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((x, y) => x + y, 0);
    return e.map((v) => v / s);
  });
const crossEntropy = (p: Matrix, c: Matrix): number => -p.reduce((s, row, i) => s + row.reduce((t, v, j) => t + c[i]![j]! * Math.log(v), 0), 0);
const step = (w: Matrix, g: Matrix, lr: number): Matrix => w.map((row, i) => row.map((v, j) => v - lr * g[i]![j]!));
const stepVec = (b: number[], g: number[], lr: number): number[] => b.map((v, j) => v - lr * g[j]!);
function accuracyOf(p: Matrix, c: Matrix): number {
  return p.filter((row, i) => c[i]![row.indexOf(Math.max(...row))] === 1).length / p.length;
}

// --------------------------------------------------------------------------------------------------

describe("Part I: computational graphs", () => {
  it("z = A·x + b gives the tutorial's [2, -1]", () => {
    const { log, lines } = collect();
    const { z, zByName } = runPart1(log);
    assert.deepEqual(z, [2, -1]);
    // [[1, 0], [0, -1]]·[3, 4] + [1, 1] = [3 + 1, -4 + 1]
    assert.deepEqual(zByName, [4, -3]);
    assert.ok(lines.some((l) => l.includes("[2, -1]")), "prints z");
  });
});

describe("Part II: perceptrons", () => {
  it("sigmoid(w·x + b) for w = (1, 1), b = 0, x = (3, 2) is sigmoid(5)", () => {
    const { sigmoidOfPoint } = runPart2(() => {});
    assertClose(sigmoidOfPoint, 1 / (1 + Math.exp(-5)), 0, 1e-6, "sigmoid(5)"); // 0.99330714907...
  });

  it("the hand-set perceptron's probabilities are softmax([x + y, -(x + y)])", () => {
    const { X, probabilities } = runPart2(() => {});
    assert.equal(probabilities.length, 100);
    X.forEach(([x, y], i) => {
      // X·W + b with W = [[1, -1], [1, -1]], b = [0, 0] is [x + y, -(x + y)]; its softmax:
      const a = x! + y!;
      const pBlue = Math.exp(a) / (Math.exp(a) + Math.exp(-a));
      const pRed = Math.exp(-a) / (Math.exp(a) + Math.exp(-a));
      assertClose(probabilities[i]![0]!, pBlue, 0, 1e-6, `P(blue) of point ${i}`);
      assertClose(probabilities[i]![1]!, pRed, 0, 1e-6, `P(red) of point ${i}`);
    });
    // The first 50 rows are blue points, around (2, 2): mostly P(blue) > 0.5
    assert.ok(probabilities.slice(0, 50).filter(([b, r]) => b! > r!).length >= 48);
    assert.ok(probabilities.slice(50).filter(([b, r]) => r! > b!).length >= 48);
  });
});

describe("Part III: training criterion", () => {
  it("J = -sum(c * log(p)) matches a plain-JS computation", () => {
    const { J, X, c } = runPart3(() => {});
    assert.equal(X.length, 100);
    assert.deepEqual(c.slice(0, 50), Array(50).fill([1, 0]));
    assert.deepEqual(c.slice(50), Array(50).fill([0, 1]));
    let expected = 0;
    X.forEach(([x, y], i) => {
      const a = x! + y!;
      const logPBlue = a - Math.log(Math.exp(a) + Math.exp(-a));
      const logPRed = -a - Math.log(Math.exp(a) + Math.exp(-a));
      expected -= c[i]![0]! * logPBlue + c[i]![1]! * logPRed;
    });
    assertClose(J, expected, 1e-4, 1e-4, "J");
    assert.ok(expected > 0);
  });
});

describe("Part IV: gradient descent", () => {
  const { log, lines } = collect();
  const result = runPart4(log);

  it("follows plain-JS gradient descent (lr 0.01, 100 steps) from the same initial weights", () => {
    const { X, c, initial } = result;
    let W = initial.W;
    let b = initial.b;
    const history: number[] = [];
    for (let i = 0; i <= 100; i++) {
      const p = softmax(addRow(matmul(X, W), b));
      history.push(crossEntropy(p, c));
      if (i === 100) break;
      // dJ/dz = p - c for softmax followed by cross-entropy
      const dz = sub(p, c);
      W = step(W, matmul(transpose(X), dz), 0.01);
      b = stepVec(b, sumRows(dz), 0.01);
    }
    assert.equal(result.lossHistory.length, 101);
    result.lossHistory.forEach((l, i) => assertClose(l, history[i]!, 1e-3, 1e-3, `loss before step ${i}`));
    result.W.forEach((row, i) => row.forEach((v, j) => assertClose(v, W[i]![j]!, 1e-3, 1e-3, `W[${i}][${j}]`)));
    result.b.forEach((v, j) => assertClose(v, b[j]!, 1e-3, 1e-3, `b[${j}]`));
  });

  it("the loss decreases and the learned perceptron classifies >= 95% of the blobs", () => {
    const h = result.lossHistory;
    assert.ok(h[h.length - 1]! < h[0]! / 10, `loss ${h[0]} -> ${h[h.length - 1]}`);
    for (let i = 10; i < h.length; i++) assert.ok(h[i]! <= h[i - 1]! + 1e-4, `loss rose at step ${i}: ${h[i - 1]} -> ${h[i]}`);
    const p = softmax(addRow(matmul(result.X, result.W), result.b));
    const acc = accuracyOf(p, result.c);
    assert.ok(acc >= 0.95, `accuracy ${acc}`);
    assert.equal(result.accuracy, acc);
  });

  it("prints the loss every 10 steps and the learned weights", () => {
    assert.equal(lines.filter((l) => /Step: +\d+ +Loss:/.test(l)).length, 10);
    assert.ok(lines.some((l) => l.startsWith("Weight matrix:")));
    assert.ok(lines.some((l) => l.startsWith("Bias:")));
  });
});

describe("Part V: multi-layer perceptron", () => {
  const { log, lines } = collect();
  const result = runPart5(log);

  it("reaches >= 95% training accuracy on the XOR-like clusters (checked by a plain-JS forward pass)", () => {
    const hidden = sigmoid(addRow(matmul(result.X, result.wHidden), result.bHidden));
    const p = softmax(addRow(matmul(hidden, result.wOutput), result.bOutput));
    const acc = accuracyOf(p, result.c);
    assert.ok(acc >= 0.95, `accuracy ${acc}`);
    assert.equal(result.accuracy, acc);
    const h = result.lossHistory;
    assert.equal(h.length, 1001);
    assert.ok(h[1000]! < h[0]! / 4, `loss ${h[0]} -> ${h[1000]}`);
    assertClose(h[1000]!, crossEntropy(p, result.c), 1e-3, 1e-3, "final loss");
  });

  it("follows plain-JS backpropagation for its first 100 steps", () => {
    const { X, c } = result;
    let { wHidden, bHidden, wOutput, bOutput } = result.initial;
    for (let i = 0; i < 100; i++) {
      const hidden = sigmoid(addRow(matmul(X, wHidden), bHidden));
      const p = softmax(addRow(matmul(hidden, wOutput), bOutput));
      assertClose(result.lossHistory[i]!, crossEntropy(p, c), 1e-3, 1e-3, `loss before step ${i}`);
      const dz = sub(p, c);
      const dHidden = matmul(dz, transpose(wOutput)).map((row, r) => row.map((v, k) => v * hidden[r]![k]! * (1 - hidden[r]![k]!)));
      wOutput = step(wOutput, matmul(transpose(hidden), dz), 0.03);
      bOutput = stepVec(bOutput, sumRows(dz), 0.03);
      wHidden = step(wHidden, matmul(transpose(X), dHidden), 0.03);
      bHidden = stepVec(bHidden, sumRows(dHidden), 0.03);
    }
  });

  it("is reproducible: the same seed gives the identical loss history, another seed another", () => {
    const again = runPart5(() => {}, { seed: PART5_SEED });
    assert.deepEqual(again.lossHistory, result.lossHistory);
    const other = runPart5(() => {}, { seed: PART5_SEED + 1 });
    assert.notDeepEqual(other.lossHistory, result.lossHistory);
    assert.notDeepEqual(other.initial, result.initial);
  });

  it("prints the falling loss every 100 steps, the learned weights and the accuracy", () => {
    assert.equal(lines.filter((l) => /Step: +\d+ +Loss:/.test(l)).length, 10);
    assert.ok(lines.some((l) => l.startsWith("Hidden layer weight matrix:")));
    assert.ok(lines.some((l) => l.startsWith("Output layer bias:")));
    assert.ok(lines.some((l) => /Training accuracy: \d+\.\d%/.test(l)));
  });
});
