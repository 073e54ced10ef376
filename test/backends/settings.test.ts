/**
 * Backend and thread settings validate their arguments: a wrong one is a ValueError naming the
 * function, and the thread count is capped at MAX_THREADS_PER_CORE times the cores.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import * as ts from "tensorslow";

function refuses(fn: () => void, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ts.ValueError, `expected a ValueError, got ${String(e)}`);
    for (const p of patterns) assert.match((e as Error).message, p);
    return true;
  });
}

describe("setBackend and registerBackend", () => {
  test("an unknown or non-string name is a ValueError listing the backends; the active backend stays", () => {
    const before = ts.getBackend();
    refuses(() => ts.setBackend("nope"), /setBackend: unknown backend 'nope'; available: js/);
    refuses(() => ts.setBackend(undefined as never), /setBackend: the backend's name must be a string, got undefined/);
    refuses(() => ts.registerBackend({ name: "x" } as never), /registerBackend: expected a backend/);
    assert.equal(ts.getBackend(), before);
  });
});

describe("setNumThreads", () => {
  test("zero, fractions, NaN and non-numbers are ValueErrors naming the value; the setting stays", () => {
    const before = ts.getNumThreads();
    for (const bad of [0, -1, 1.5, NaN, Infinity]) refuses(() => ts.setNumThreads(bad), /setNumThreads: the number of threads must be a positive integer/, new RegExp(String(bad)));
    refuses(() => ts.setNumThreads("2" as never), /got string 2/);
    assert.equal(ts.getNumThreads(), before);
  });

  test("at most MAX_THREADS_PER_CORE (4) times the cores (os.availableParallelism() here)", () => {
    const before = ts.getNumThreads();
    const most = 4 * availableParallelism();
    try {
      ts.setNumThreads(most);
      assert.equal(ts.getNumThreads(), most);
      refuses(() => ts.setNumThreads(most + 1), new RegExp(`${most + 1} threads is more than ${most}, the limit of 4 per core on this machine's ${availableParallelism()} core`));
      refuses(() => ts.setNumThreads(500), /500 threads/);
      assert.equal(ts.getNumThreads(), most);
    } finally {
      ts.setNumThreads(before);
    }
  });
});
