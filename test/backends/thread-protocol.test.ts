/**
 * The worker pool's job protocol, driven step by step on one thread: every participant's part is
 * a plain function over the control block, so the interleavings that matter can be played in
 * order. The one that broke CI (6 Dec 2026): a worker late for job g claimed a chunk of job g+1
 * whose fields were half written, and ran it — a trap or a wrong value under load.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { internal } from "../helpers/internals.js";
import type * as Protocol from "../../dist/backends/wasm/thread-protocol.js";

const { CTL, CTL_BYTES, jobFailure, openJob, prepareJob, serveChunks } = await internal<typeof Protocol>("backends/wasm/thread-protocol.js");

/** A control block at byte 64 of a shared buffer, argument tables after it, and functions that log their calls. */
function setup() {
  const ctl = 64;
  const memory = { buffer: new SharedArrayBuffer(ctl + CTL_BYTES + 4096) };
  const i32 = new Int32Array(memory.buffer);
  const args = ctl + CTL_BYTES;
  const calls: string[] = [];
  const fns = [
    (...a: number[]) => void calls.push(`f(${a.join(",")})`),
    (...a: number[]) => void calls.push(`g(${a.join(",")})`),
    () => {
      throw new RangeError("boom");
    },
  ];
  /** Writes `count` chunks' arguments (chunk i gets [base + i]) and returns the job. */
  const job = (gen: number, fn: number, count: number, base: number): Protocol.Job => {
    new Float64Array(memory.buffer, args, count).set(Array.from({ length: count }, (_, i) => base + i));
    return { gen, count, fn, argc: 1, args, scratch: false, active: 1 };
  };
  /** Posts a job as the pool's caller does, then serves it as a participant of its generation. */
  const postAndServe = (j: Protocol.Job): void => {
    prepareJob(i32, ctl, j);
    openJob(i32, ctl, j);
    serveChunks(i32, memory, ctl, j.gen, fns, 0);
  };
  return { ctl, memory, i32, calls, fns, job, postAndServe, done: () => Atomics.load(i32, (ctl >>> 2) + CTL.DONE) };
}

describe("the worker pool's job protocol", () => {
  test("a participant takes every chunk of an open job once, and counts them done", () => {
    const s = setup();
    s.postAndServe(s.job(1, 0, 3, 10));
    assert.deepEqual(s.calls, ["f(10)", "f(11)", "f(12)"]);
    assert.equal(s.done(), 3);
    // A second participant arriving now finds nothing left.
    serveChunks(s.i32, s.memory, s.ctl, 1, s.fns, 0);
    assert.equal(s.calls.length, 3);
  });

  test("a worker late for the last job claims nothing of the next while its fields are written", () => {
    const s = setup();
    s.postAndServe(s.job(1, 0, 2, 10));
    // The caller posts a bigger job; before it opens, a worker that woke for job 1 looks at the
    // ticket and the count. Had the ticket still carried generation 1, the new count (4) would let
    // it claim chunk 2 and run g with job 2's arguments.
    const second = s.job(2, 1, 4, 20);
    prepareJob(s.i32, s.ctl, second);
    serveChunks(s.i32, s.memory, s.ctl, 1, s.fns, 0);
    assert.deepEqual(s.calls, ["f(10)", "f(11)"], "the late worker ran no chunk");
    assert.equal(s.done(), 0);
    // Nor may a participant of the new generation claim before the job opens.
    serveChunks(s.i32, s.memory, s.ctl, 2, s.fns, 0);
    assert.deepEqual(s.calls, ["f(10)", "f(11)"]);
    openJob(s.i32, s.ctl, second);
    serveChunks(s.i32, s.memory, s.ctl, 1, s.fns, 0);
    assert.deepEqual(s.calls, ["f(10)", "f(11)"], "a worker of generation 1 serves nothing of generation 2");
    serveChunks(s.i32, s.memory, s.ctl, 2, s.fns, 0);
    assert.deepEqual(s.calls, ["f(10)", "f(11)", "g(20)", "g(21)", "g(22)", "g(23)"]);
    assert.equal(s.done(), 4);
  });

  test("a chunk that throws still counts done, and the job reports what it said; the next job starts clean", () => {
    const s = setup();
    s.postAndServe(s.job(1, 2, 3, 0));
    assert.equal(s.done(), 3);
    assert.equal(jobFailure(s.i32, s.memory, s.ctl), "RangeError: boom");
    s.postAndServe(s.job(2, 0, 1, 5));
    assert.equal(jobFailure(s.i32, s.memory, s.ctl), undefined);
    assert.deepEqual(s.calls, ["f(5)"]);
  });
});
