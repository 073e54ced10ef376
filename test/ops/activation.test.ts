/**
 * Activations by hand: forward values and first and second derivatives worked out in the comments,
 * the TensorFlow gradient ops they build, the nn and snake_case names, and error messages.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { assertClose } from "../helpers/assert-close.js";
import { grads, inGraph, run, throwsWith } from "../helpers/graph-run.js";

const f64 = (v: ts.NestedArray): ts.Node => ts.constant(v, { dtype: "float64" });
const EXACT = { atol: 0, rtol: 0 };
const CLOSE = { atol: 1e-15, rtol: 1e-14 };
// e^-1, to the last digit: 0.36787944117144233.
const E1 = 0.36787944117144233;
// SELU's scale λ and alpha α (Klambauer et al. 2017), and λ·α = 1.7580993408473766.
const SCALE = 1.0507009873554804934193349852946;
const SCALE_ALPHA = 1.7580993408473766;

/** The second derivative d/dx (d/dx f(x)) at float64 `x`, elementwise (f acts elementwise). */
function second(x: ts.NestedArray, f: (x: ts.Node) => ts.Node): ts.Tensor {
  return grads([x], ([v]) => ts.reduceSum(ts.gradients(f(v!), [v!])[0]!))[0]!;
}

describe("relu family, by hand", () => {
  test("relu: max(x, 0), in float64 and int32", () => {
    // [-2, -0.5, 0, 1.5] → [0, 0, 0, 1.5];  int32 [-3, 4] → [0, 4]
    assertClose(run(() => ts.relu(f64([-2, -0.5, 0, 1.5]))), [0, 0, 0, 1.5], EXACT);
    assertClose(run(() => ts.relu(ts.constant([-3, 4], { dtype: "int32" }))), [0, 4], { ...EXACT, dtype: "int32" });
  });

  test("relu's gradient is 1 for x > 0 and 0 for x < 0, built as ReluGrad; its second derivative is 0", () => {
    // x = [-1, 2] → [0, 1];  then d/dx of ReluGrad(1, relu(x)) = [0, 0] (zeros, as TensorFlow gives, not null)
    assertClose(grads([[-1, 2]], ([x]) => ts.relu(x!))[0]!, [0, 1], EXACT);
    assertClose(second([-1, 2], ts.relu), [0, 0], EXACT);
    inGraph(() => {
      const x = ts.placeholder({ dtype: "float32", shape: [2] });
      const [g] = ts.gradients(ts.relu(x), [x]);
      assert.equal(g!.type, "ReluGrad");
      assert.equal(g!.name, "gradients/Relu_grad/ReluGrad");
    });
  });

  test("relu6: min(max(x, 0), 6) with gradient 1 strictly inside (0, 6)", () => {
    // [-1, 3, 6, 7.5] → [0, 3, 6, 6];  gradient at [-1, 3, 7] → [0, 1, 0]
    assertClose(run(() => ts.relu6(f64([-1, 3, 6, 7.5]))), [0, 3, 6, 6], EXACT);
    assertClose(grads([[-1, 3, 7]], ([x]) => ts.relu6(x!))[0]!, [0, 1, 0], EXACT);
  });

  test("leakyRelu: alpha·x below 0, default alpha 0.2 as TensorFlow's", () => {
    // [-2, 3] → [-0.4, 3] (alpha 0.2);  alpha 0.1 → [-0.2, 3];  gradient at [-1, 2] → [0.2, 1]
    assertClose(run(() => ts.leakyRelu(f64([-2, 3]))), [-0.4, 3], CLOSE);
    assertClose(run(() => ts.leakyRelu(f64([-2, 3]), 0.1)), [-0.2, 3], CLOSE);
    assertClose(grads([[-1, 2]], ([x]) => ts.leakyRelu(x!))[0]!, [0.2, 1], CLOSE);
    assertClose(second([-1, 2], (x) => ts.leakyRelu(x)), [0, 0], EXACT);
  });
});

describe("exponential units, by hand", () => {
  test("elu: e^x − 1 below 0, x above; gradient e^x below 0; second derivative e^x below 0, 0 above", () => {
    // elu([-1, 0, 2]) = [e^-1 − 1, 0, 2] = [-0.6321205588285577, 0, 2]
    assertClose(run(() => ts.elu(f64([-1, 0, 2]))), [E1 - 1, 0, 2], CLOSE);
    // d/dx at [-1, 2]: [e^-1, 1];  d²/dx²: [e^-1, 0]
    assertClose(grads([[-1, 2]], ([x]) => ts.elu(x!))[0]!, [E1, 1], CLOSE);
    assertClose(second([-1, 2], ts.elu), [E1, 0], CLOSE);
  });

  test("selu: λ·x above 0, λ·α·(e^x − 1) below, with TensorFlow's constants", () => {
    // selu([-1, 0, 2]) = [λα(e^-1 − 1), 0, 2λ] = [-1.1113307378125625, 0, 2.101401974710961]
    assertClose(run(() => ts.selu(f64([-1, 0, 2]))), [-1.1113307378125625, 0, 2.101401974710961], CLOSE);
    // d/dx at [-1, 2]: [λα·e^-1, λ] = [0.646768603034814, 1.0507009873554805];  d²/dx²: [λα·e^-1, 0]
    assertClose(grads([[-1, 2]], ([x]) => ts.selu(x!))[0]!, [SCALE_ALPHA * E1, SCALE], CLOSE);
    assertClose(second([-1, 2], ts.selu), [SCALE_ALPHA * E1, 0], CLOSE);
  });
});

describe("softplus, tanh, abs and sign, by hand", () => {
  test("softplus: log(1 + e^x), with no overflow at ±1000", () => {
    // [0, 1, 1000, -1000] → [ln 2, ln(1 + e), 1000, e^-1000 = 0 in doubles] = [0.6931471805599453, 1.3132616875182228, 1000, 0]
    assertClose(run(() => ts.softplus(f64([0, 1, 1000, -1000]))), [0.6931471805599453, 1.3132616875182228, 1000, 0], CLOSE);
    // d/dx = sigmoid(x): at [0, 1] → [0.5, 0.7310585786300049];  d²/dx² = σ(1 − σ) at 0 → 0.25
    assertClose(grads([[0, 1]], ([x]) => ts.softplus(x!))[0]!, [0.5, 0.7310585786300049], CLOSE);
    assertClose(second([0], ts.softplus), [0.25], CLOSE);
  });

  test("tanh with TanhGrad: 1 − tanh², and −2·tanh·(1 − tanh²) for the second derivative", () => {
    // tanh(0.5) = 0.46211715726000974;  1 − t² = 0.7864477329659274;  −2t(1 − t²) = −0.7268619813835873
    assertClose(run(() => ts.tanh(f64([0, 0.5]))), [0, 0.46211715726000974], CLOSE);
    assertClose(grads([[0.5]], ([x]) => ts.tanh(x!))[0]!, [0.7864477329659274], CLOSE);
    assertClose(second([0.5], ts.tanh), [-0.7268619813835873], CLOSE);
  });

  test("abs and sign, in float64 and int32; abs's gradient is sign(x)", () => {
    // abs([-3, 0, 2.5]) = [3, 0, 2.5];  int32 abs([-7, 7]) = [7, 7];  sign([-2, 0, 3]) = [-1, 0, 1]
    assertClose(run(() => ts.abs(f64([-3, 0, 2.5]))), [3, 0, 2.5], EXACT);
    assertClose(run(() => ts.abs(ts.constant([-7, 7], { dtype: "int32" }))), [7, 7], { ...EXACT, dtype: "int32" });
    assertClose(run(() => ts.sign(f64([-2, 0, 3]))), [-1, 0, 1], EXACT);
    // d|x|/dx at [-3, 2] = [-1, 1]
    assertClose(grads([[-3, 2]], ([x]) => ts.abs(x!))[0]!, [-1, 1], EXACT);
  });
});

describe("activation names", () => {
  test("tf.nn's activations are under nn, and the snake_case alias in compat", () => {
    for (const name of ["relu", "relu6", "leakyRelu", "elu", "selu", "softplus", "tanh", "sigmoid", "softmax"] as const) {
      assert.equal(ts.nn[name], ts[name], `nn.${name}`);
    }
    assert.equal(ts.leaky_relu, ts.leakyRelu);
  });

  test("node names follow TensorFlow's types", () => {
    inGraph(() => {
      const x = f64([1]);
      assert.deepEqual(
        [ts.relu(x), ts.relu(x), ts.relu6(x), ts.leakyRelu(x), ts.elu(x), ts.selu(x), ts.softplus(x), ts.tanh(x), ts.abs(x)].map((n) => n.name),
        ["Relu", "Relu_1", "Relu6", "LeakyRelu", "Elu", "Selu", "Softplus", "Tanh", "Abs"],
      );
    });
  });
});

describe("activation errors", () => {
  const bools = (): ts.Node => ts.constant([true, false]);
  const ints = (): ts.Node => ts.constant([1, 2], { dtype: "int32" });

  test("relu refuses bool, naming the node", () => {
    throwsWith(() => inGraph(() => ts.relu(bools(), "act")), ts.DTypeError, /Relu 'act' does arithmetic and does not take bool values \(shape \[2\]\)/);
  });

  test("elu, selu, softplus, tanh and leakyRelu need floats", () => {
    for (const [type, f] of [
      ["Elu", ts.elu],
      ["Selu", ts.selu],
      ["Softplus", ts.softplus],
      ["Tanh", ts.tanh],
      ["LeakyRelu", (x: ts.Node) => ts.leakyRelu(x)],
    ] as const) {
      throwsWith(() => inGraph(() => f(ints())), ts.DTypeError, new RegExp(`${type} '${type}' needs a float32 or float64 input, got int32 of shape \\[2\\]`));
    }
  });

  test("leakyRelu's alpha must be a finite number", () => {
    throwsWith(() => inGraph(() => ts.leakyRelu(f64([1]), Number.NaN)), ts.ValueError, /LeakyRelu 'LeakyRelu': alpha must be a finite number, got NaN/);
  });

  test("a failed activation leaves no node behind", () => {
    inGraph((g) => {
      const x = bools();
      const before = g.nodes.length;
      assert.throws(() => ts.relu(x));
      assert.equal(g.nodes.length, before);
    });
  });
});
