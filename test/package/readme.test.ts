/**
 * The README runs: every ```ts and ```js block, as written, in a fresh folder of a user's own ES
 * module package with the packed package installed (test/helpers/user-project.ts). TypeScript
 * blocks are type-checked against the installed package's types, then run with their types
 * stripped. Blocks not meant to run use another fence (```text, ```sh, ```html).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import typescript from "typescript";
import { REPO_ROOT, userProject } from "../helpers/user-project.js";

interface Block {
  lang: string;
  line: number;
  code: string;
}

/** The fenced code blocks of a Markdown text, with their info string's first word and first line. */
function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*(\S*)/.exec(lines[i]!);
    if (open === null) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith(open[1]!) && l.trim() === open[1]);
    assert.ok(end > i, `README.md:${i + 1}: a fence that is never closed`);
    blocks.push({ lang: open[2]!, line: i + 1, code: lines.slice(i + 1, end).join("\n") });
    i = end;
  }
  return blocks;
}

const RUNNABLE = ["ts", "typescript", "js", "javascript"];
const blocks = codeBlocks(readFileSync(join(REPO_ROOT, "README.md"), "utf8")).filter((b) => RUNNABLE.includes(b.lang));

/** The file a block becomes in the user's project. */
const fileOf = (b: Block): string => `readme-${b.line}.${b.lang.startsWith("t") ? "ts" : "mjs"}`;

describe("the README's code blocks", () => {
  it("has code blocks to run", () => {
    assert.ok(blocks.length >= 4, `found ${blocks.length}`);
  });

  it("type-check against the installed package (TypeScript blocks)", async () => {
    const project = await userProject();
    const files = blocks.filter((b) => b.lang.startsWith("t")).map((b) => {
      const file = join(project.dir, fileOf(b));
      writeFileSync(file, b.code);
      return file;
    });
    const program = typescript.createProgram(files, {
      module: typescript.ModuleKind.NodeNext,
      moduleResolution: typescript.ModuleResolutionKind.NodeNext,
      target: typescript.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
      typeRoots: [join(REPO_ROOT, "node_modules/@types")],
    });
    const problems = typescript.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${d.file.fileName.slice(project.dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start!).line + 1}` : "";
      return `${where} ${typescript.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    assert.deepEqual(problems, []);
  });

  for (const block of blocks) {
    it(`README.md:${block.line} (${block.lang}) runs`, async () => {
      const project = await userProject();
      const js = block.lang.startsWith("t")
        ? typescript.transpileModule(block.code, { compilerOptions: { module: typescript.ModuleKind.ESNext, target: typescript.ScriptTarget.ES2022 } }).outputText
        : block.code;
      const file = `readme-${block.line}.mjs`;
      writeFileSync(join(project.dir, file), js);
      try {
        await project.node(file);
      } catch (e) {
        // The message holds the command and its stderr.
        assert.fail(`README.md:${block.line} failed: ${(e as Error).message}`);
      }
    });
  }
});
