/**
 * "The code" (web/playground/code.js): the TypeScript the page prints type-checks against the
 * package as it is, and, run as printed in its own Node process, prints the losses the page's
 * network (web/playground/model.js, the module the page runs) reaches at the same epochs, bit for
 * bit.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import typescript from "typescript";
import { REPO_ROOT, loadCode, loadModel, loadPresets, loadState, type PlaygroundState } from "../helpers/web.js";

const run = promisify(execFile);

/** Inside the repository, so that the printed `import * as ts from "tensorslow"` finds the package by its own name. */
const DIR = fileURLToPath(new URL("build/playground-code/", REPO_ROOT));

const CONFIGS: [string, string][] = [
  ["spiral", "dataset=spiral&networkShape=8,8,5&xSquared=true&ySquared=true&sinX=true&sinY=true&regularization=L2&regularizationRate=0.001&seed=1&stopAt=12"],
  ["xor", "dataset=xor&networkShape=4,2&activation=relu&batchSize=30&percTrainData=70&noise=20&regularization=L1&regularizationRate=0.003&xTimesY=true&seed=0.80196&stopAt=10"],
  ["regression", "problem=regression&regDataset=reg-gauss&networkShape=6&activation=sigmoid&optimizer=adam&learningRate=0.01&batchSize=7&percTrainData=30&seed=7&stopAt=5"],
  ["momentum", "dataset=circle&networkShape=3&optimizer=momentum&activation=linear&initZero=true&seed=3&stopAt=7"],
  // L1 strong enough to take weights across 0: they become 0 and their links die (the Playground's rule).
  ["l1", "dataset=gauss&networkShape=3,2&regularization=L1&regularizationRate=0.03&learningRate=0.1&seed=5&stopAt=15"],
];

/** The "Epoch: ..." lines a program prints: [epoch, training loss, test loss (NaN when none)]. */
function parse(stdout: string): [number, number, number][] {
  return stdout
    .trim()
    .split("\n")
    .map((line) => {
      const m = /^Epoch: (\d+) Training loss: (\S+)(?: Test loss: (\S+))?$/.exec(line);
      assert.ok(m, `unexpected output line: ${line}`);
      return [Number(m[1]), Number(m[2]), m[3] === undefined ? Number.NaN : Number(m[3])];
    });
}

describe("the code the page prints", async () => {
  const { programFor, epochsOf, logEvery } = await loadCode();
  const { parseHash } = await loadState();
  const { Trainer } = await loadModel();
  const { presetState } = await loadPresets();
  const programs: { name: string; state: PlaygroundState; file: string }[] = [];

  before(() => {
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(DIR, { recursive: true });
    const add = (name: string, state: PlaygroundState, hash: string) => {
      const file = `${DIR}${name}.ts`;
      writeFileSync(file, programFor(state, hash));
      programs.push({ name, state, file });
    };
    for (const [name, hash] of CONFIGS) {
      const { state, problems } = parseHash(hash);
      assert.deepEqual(problems, []);
      add(name, state, hash);
    }
    for (const id of ["part2", "part4", "part5"]) add(id, { ...presetState(id), stopAt: id === "part2" ? 3 : presetState(id).stopAt }, "");
  });
  after(() => rmSync(DIR, { recursive: true, force: true }));

  it("type-checks (strict) against the package's types", () => {
    const program = typescript.createProgram(
      programs.map((p) => p.file),
      { strict: true, noEmit: true, target: typescript.ScriptTarget.ES2022, module: typescript.ModuleKind.NodeNext, moduleResolution: typescript.ModuleResolutionKind.NodeNext, skipLibCheck: true, types: ["node"] },
    );
    const diagnostics = typescript.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${d.file.fileName.slice(DIR.length)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
      return `${where} ${typescript.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    assert.deepEqual(diagnostics, []);
  });

  it("runs in Node and prints the page's losses, bit for bit", async (t) => {
    // Types stripped, nothing else changed (what `node --experimental-strip-types` or tsx run), in parallel.
    const outputs = await Promise.all(
      programs.map(({ file }) => {
        const js = typescript.transpileModule(typescript.sys.readFile(file)!, { compilerOptions: { module: typescript.ModuleKind.ESNext, target: typescript.ScriptTarget.ES2022 } }).outputText;
        const jsFile = file.replace(/\.ts$/, ".js");
        writeFileSync(jsFile, js);
        return run(process.execPath, [jsFile], { cwd: DIR });
      }),
    );
    for (const [i, { name, state }] of programs.entries()) {
      const printed = parse(outputs[i]!.stdout);

      const epochs = epochsOf(state);
      const every = logEvery(epochs);
      const trainer = new Trainer(state);
      const page: [number, number, number][] = [[0, trainer.losses().train, trainer.losses().test]];
      for (let e = 1; e <= epochs; e++) {
        trainer.step();
        if (e % every === 0 || e === epochs) page.push([e, trainer.losses().train, trainer.losses().test]);
      }
      const dead = trainer.deadLinks()?.flat(2).filter(Boolean).length ?? 0;
      if (name === "l1") assert.ok(dead > 0, "the l1 configuration kills some links");
      trainer.close();
      assert.deepEqual(printed, page, name);
      t.diagnostic(`${name}: ${printed.length} reports, epoch ${printed.at(-1)![0]} training loss ${printed.at(-1)![1]}${state.regularization === "L1" ? `, ${dead} dead links` : ""}`);
    }
  });

  it("says what it builds, in the comments a learner reads", () => {
    const spiral = programs.find((p) => p.name === "spiral")!;
    const text = programFor(spiral.state, "x");
    assert.match(text, /^\/\/ TensorSlow Playground: spiral, hidden layers 8-8-5 \(tanh\), gradient descent at learning rate 0\.03\.\n\/\/ The page: #x\n/);
    assert.match(text, /ts\.data\.playground\.dataset\("spiral", \{ noise: 0, percTrainData: 50, seed: SEED \}\)/);
    assert.match(text, /const features = \(x1: number, x2: number\): number\[\] => \[x1, x2, x1 \* x1, x2 \* x2, Math\.sin\(x1\), Math\.sin\(x2\)\];/);
    assert.match(text, /new ts\.train\.GradientDescentOptimizer\(0\.03\)\.minimize\(objective\)/);
    const xor = programs.find((p) => p.name === "xor")!;
    assert.match(programFor(xor.state), /const SEED = \d+; \/\/ the page's seed "0\.80196"/);
  });
});
