/**
 * "The code": the TypeScript that builds and trains the network a state describes, with
 * TensorSlow's public API, as a learner would write it. Run as printed (`npx tsx playground.ts`),
 * it reaches the page's losses: it builds the same graph in the same order from the same seeds
 * and feeds the same batches (the tests run it and compare).
 */
import { activeFeatures } from "./features.js";
import { datasetOf, seedNumber } from "./state.js";

const ACTIVATION_CODE = { relu: "ts.relu", tanh: "ts.tanh", sigmoid: "ts.sigmoid", linear: null };
const OPTIMIZER_CODE = {
  sgd: (lr) => `new ts.train.GradientDescentOptimizer(${lr})`,
  momentum: (lr) => `new ts.train.MomentumOptimizer(${lr}, 0.9)`,
  adam: (lr) => `new ts.train.AdamOptimizer(${lr})`,
  rmsprop: (lr) => `new ts.train.RMSPropOptimizer(${lr})`,
};
const OPTIMIZER_NAME = { sgd: "gradient descent", momentum: "momentum 0.9", adam: "Adam", rmsprop: "RMSProp" };
const DATASET_NAME = {
  circle: "circle",
  xor: "exclusive or",
  gauss: "two Gaussians",
  spiral: "spiral",
  "reg-plane": "plane",
  "reg-gauss": "multi-Gaussian",
  blobs: "part II's blobs",
  xorClusters: "part V's XOR-like clusters",
};

/** How many epochs the printed code trains: the state's stopAt, else 300. */
export function epochsOf(state) {
  return state.stopAt > 0 ? state.stopAt : 300;
}

/** The epochs at which the printed code logs its losses: 0, then every tenth of the run (at least 1). */
export function logEvery(epochs) {
  return Math.max(1, Math.round(epochs / 10));
}

/** The TypeScript program for `state`; `hash` (the page's URL fragment) is quoted in its first comment. */
export function programFor(state, hash = "") {
  const features = activeFeatures(state);
  const name = datasetOf(state);
  const tutorialData = name === "blobs" || name === "xorClusters";
  const crossEntropy = state.loss === "crossEntropy";
  const regression = state.problem === "regression";
  const seed = seedNumber(state.seed);
  const epochs = epochsOf(state);
  const every = logEvery(epochs);
  const hasTest = state.percTrainData < 100;
  const shape = state.networkShape;
  const activation = ACTIVATION_CODE[state.activation];
  const L = [];
  const line = (text = "") => L.push(text);

  line(`// TensorSlow Playground: ${DATASET_NAME[name]}, ${shape.length === 0 ? "no hidden layer" : `hidden layers ${shape.join("-")} (${state.activation})`}, ${OPTIMIZER_NAME[state.optimizer]} at learning rate ${state.learningRate}.`);
  if (hash !== "") line(`// The page: #${hash}`);
  line("// Run it with Node in a project where tensorslow is installed: save it as playground.ts, then npx tsx playground.ts");
  line('import * as ts from "tensorslow";');
  line();
  line(`const SEED = ${seed};${String(state.seed) === String(seed) ? "" : ` // the page's seed "${state.seed}"`}`);
  line(`const EPOCHS = ${epochs};`);
  line(`const BATCH_SIZE = ${state.batchSize};`);
  line("type Point = ts.data.playground.PlaygroundPoint;");
  line();

  // The data.
  if (tutorialData) {
    const fn = name === "blobs" ? "blobs" : "xorClusters";
    line(`// The data: ${DATASET_NAME[name]} (ts.data.${fn}), blue points (label 1) first, then red (label -1).`);
    line(`const pointSet = ts.data.${fn}();`);
    line("const blue = pointSet.blue.shape[0]!;");
    line("const points: Point[] = (pointSet.points.toArray() as number[][]).map(([x, y], i) => ({ x: x!, y: y!, label: i < blue ? 1 : -1 }));");
    if (state.percTrainData >= 100) {
      line("const train = points;");
    } else {
      line(`// Shuffled once with the seed; the first ${state.percTrainData} % train, the rest test.`);
      line("ts.data.playground.shuffle(points, new ts.random.RandomGenerator(SEED));");
      line(`const split = Math.floor((points.length * ${state.percTrainData}) / 100);`);
      line("const train = points.slice(0, split);");
      line("const test = points.slice(split);");
    }
  } else {
    line(`// The data: the TensorFlow Playground's ${DATASET_NAME[name]}, ${regression ? 1200 : 500} points with ${state.noise} % noise, shuffled once,`);
    line(`// the first ${state.percTrainData} % for training and the rest for testing.`);
    line(`const { train, test } = ts.data.playground.dataset(${JSON.stringify(name)}, { noise: ${state.noise}, percTrainData: ${state.percTrainData}, seed: SEED });`);
  }
  line();

  // Features and feeds.
  line(`// The input features, computed from each point (x1, x2): ${features.map((f) => f.label).join(", ")}.`);
  line(`const features = (x1: number, x2: number): number[] => [${features.map((f) => f.code).join(", ")}];`);
  line();
  line(`const x = ts.placeholder({ name: "x", shape: [null, ${features.length}] });`);
  line(`const y = ts.placeholder({ name: "y", shape: [null, ${crossEntropy ? 2 : 1}] });`);
  line();
  line(`/** The feed of a list of points: their features into x, their ${crossEntropy ? "classes (one-hot: [1, 0] blue, [0, 1] red)" : regression ? "values" : "labels (+1 or -1)"} into y. */`);
  line("function feed(points: Point[]): Map<ts.Node, ts.Tensor> {");
  line(`  const X = ts.tensor(Float32Array.from(points.flatMap((p) => features(p.x, p.y))), { shape: [points.length, ${features.length}] });`);
  if (crossEntropy) line("  const Y = ts.tensor(Float32Array.from(points.flatMap((p) => (p.label > 0 ? [1, 0] : [0, 1]))), { shape: [points.length, 2] });");
  else line("  const Y = ts.tensor(Float32Array.from(points, (p) => p.label), { shape: [points.length, 1] });");
  line("  return new Map([");
  line("    [x, X],");
  line("    [y, Y],");
  line("  ]);");
  line("}");
  line();

  // The network.
  const init = initCode(state);
  line(`// The network: ${shape.length === 0 ? "no hidden layer" : `${shape.length} hidden layer${shape.length === 1 ? "" : "s"} of ${shape.join(", ")} ${state.activation} neurons`}, then ${crossEntropy ? "a softmax over the two classes" : regression ? "a linear output" : "a tanh output"}.`);
  line(`// ${init.comment}`);
  for (const l of init.lines) line(l);
  let index = 0;
  let input = "x";
  const options = (act) => {
    const k = init.kernel(index++);
    const b = init.bias(index++);
    return `{ ${act ? `activation: ${act}, ` : ""}kernelInitializer: ${k}, biasInitializer: ${b} }`;
  };
  if (shape.length > 0) line("let h: ts.Node;");
  shape.forEach((units) => {
    line(`h = ts.layers.dense(${input}, ${units}, ${options(activation)});`);
    input = "h";
  });
  if (crossEntropy) {
    line(`const output = ts.softmax(ts.layers.dense(${input}, 2, ${options(null)}));`);
    line();
    line("// The loss: the tutorial's cross-entropy, -Σ c·log p summed over the points.");
    line('const loss = ts.negative(ts.reduceSum(ts.reduceSum(ts.multiply(y, ts.log(output)), 1)), "loss");');
  } else {
    line(`const output = ts.layers.dense(${input}, 1, ${options(regression ? null : "ts.tanh")});`);
    line();
    line(`// The loss: half the squared error, averaged over the points (the TensorFlow Playground's).`);
    line('const loss = ts.reduceMean(ts.multiply(0.5, ts.square(ts.subtract(output, y))), undefined, { name: "loss" });');
  }
  let objective = "loss";
  const optimizer = OPTIMIZER_CODE[state.optimizer](state.learningRate);
  if (state.regularization === "L1") {
    l1Lines(state, optimizer).forEach((l) => line(l));
    line();
  } else if (state.regularization !== "none") {
    const term = state.regularization === "L1" ? "ts.reduceSum(ts.abs(w))" : "ts.nn.l2Loss(w)";
    line(`// ${state.regularization} regularization of the weights (not the biases): ${state.regularization === "L1" ? "the sum of |w|" : "the sum of w²/2"}, times ${state.regularizationRate}.`);
    line('const kernels = ts.trainableVariables().filter((v) => v.name.endsWith("/kernel"));');
    line(`const penalty = ts.multiply(${state.regularizationRate}, kernels.map((w) => ${term}).reduce((a, b) => ts.add(a, b)), "regularization");`);
    line('const objective = ts.add(loss, penalty, "objective");');
    objective = "objective";
  }
  if (state.regularization !== "L1") {
    line(`const trainStep = ${optimizer}.minimize(${objective});`);
    line();
  }

  // Training.
  line("const session = new ts.Session();");
  line("const trainFeed = feed(train);");
  if (hasTest) line("const testFeed = feed(test);");
  line("function report(epoch: number): void {");
  line("  const trainLoss = session.run(loss, trainFeed).item();");
  if (hasTest) {
    line("  const testLoss = session.run(loss, testFeed).item();");
    line('  console.log("Epoch:", epoch, "Training loss:", trainLoss, "Test loss:", testLoss);');
  } else {
    line('  console.log("Epoch:", epoch, "Training loss:", trainLoss);');
  }
  line("}");
  line();
  line("report(0);");
  line("// An epoch is one pass over the training points: an update after every BATCH_SIZE points, with the mean");
  line("// gradient of the points since the last update (a partial batch at the end carries into the next epoch).");
  line("let batch: Point[] = [];");
  line("for (let epoch = 1; epoch <= EPOCHS; epoch++) {");
  line("  train.forEach((point, i) => {");
  line("    batch.push(point);");
  line("    if ((i + 1) % BATCH_SIZE === 0) {");
  line("      session.run(trainStep, feed(batch));");
  line("      batch = [];");
  line("    }");
  line("  });");
  line(`  if (epoch % ${every} === 0 || epoch === EPOCHS) report(epoch);`);
  line("}");
  return `${L.join("\n")}\n`;
}

/**
 * The training step with L1 regularization as the TensorFlow Playground applies it (the page's
 * l1Step in model.js, built in the same order): the optimizer's step on the loss, then the L1 move
 * that zeroes a weight it takes across 0 and marks its link dead.
 */
function l1Lines(state, optimizer) {
  const step = state.learningRate * state.regularizationRate;
  return [
    `// L1 regularization of the weights (not the biases), as the TensorFlow Playground applies it: after the optimizer's`,
    `// step on the loss, each weight moves ${step} (learning rate × ${state.regularizationRate}) towards 0 from the side it was on`,
    "// before; a weight that this move takes across 0 becomes 0 and its link is dead: no later update changes it.",
    "// Ops made later run later, and an update op's value is its variable's newest value (a plain read of w is",
    "// the value the run started with): ts.assignAdd(w, 0) is the weight after the optimizer's step.",
    'const kernels = ts.trainableVariables().filter((v) => v.name.endsWith("/kernel"));',
    `const optimizerStep = ${optimizer}.minimize(loss);`,
    "const l1Steps = kernels.flatMap((w) => {",
    '  const dead = new ts.Variable(ts.zeros(w.fullShape, "bool"), { name: `${w.name}/dead`, trainable: false });',
    "  const stepped = ts.assignAdd(w, ts.zerosLike(w));",
    `  const shrunk = ts.subtract(stepped, ts.multiply(${step}, ts.sign(w)));`,
    "  const crossed = ts.less(ts.multiply(stepped, shrunk), 0);",
    "  return [ts.assign(w, ts.where(dead, w, ts.where(crossed, 0, shrunk))), ts.assign(dead, ts.logicalOr(dead, crossed))];",
    "});",
    'const trainStep = ts.group([optimizerStep, ...l1Steps], "train");',
  ];
}

/** How the printed code initializes the k-th variable (kernels and biases alternate), as the page does. */
function initCode(state) {
  if (state.initZero) {
    return { comment: "Every weight and bias starts at 0 (initZero).", lines: [], kernel: () => "ts.zerosInitializer()", bias: () => "ts.zerosInitializer()" };
  }
  if (state.init === "handSet") {
    return {
      comment: "Part II's hand-set perceptron: a column (1, 1) for blue and (-1, -1) for red, biases 0.",
      lines: [],
      kernel: () => "ts.constantInitializer([[1, -1], [1, -1]])",
      bias: () => "ts.constantInitializer([0, 0])",
    };
  }
  const plus = (k) => (k === 0 ? "SEED" : `SEED + ${k}`);
  if (state.init === "normal") {
    return {
      comment: "Every variable starts from N(0, 1) with its own seed (the tutorial's ts.random.normal).",
      lines: [],
      kernel: (k) => `ts.randomNormalInitializer({ seed: ${plus(k)} })`,
      bias: (k) => `ts.randomNormalInitializer({ seed: ${plus(k)} })`,
    };
  }
  return {
    comment: "Weights start uniform in [-0.5, 0.5) and biases at 0.1, as in the TensorFlow Playground.",
    lines: ["const weights = (seed: number) => ts.randomUniformInitializer({ minval: -0.5, maxval: 0.5, seed });"],
    kernel: (k) => `weights(${plus(k)})`,
    bias: () => "ts.constantInitializer(0.1)",
  };
}
