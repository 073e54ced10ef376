/**
 * train.Saver: checkpoints round-trip exactly, saving is atomic, and a bad checkpoint is refused
 * with an error naming the file and the variable, before any variable changes.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { promises as fsp, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import * as ts from "tensorslow";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "tensorslow-saver-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A graph with a variable of each dtype and an op that changes them all. */
function model() {
  const graph = new ts.Graph();
  return graph.asDefault(() => {
    const w32 = new ts.Variable([[0.1, -0.2], [0.3, 1e-8]], { name: "w32" });
    const w64 = new ts.Variable([Math.PI, -Math.E, 1e-300], { name: "w64", dtype: "float64" });
    const i32 = new ts.Variable([7, -2147483648], { name: "steps", dtype: "int32" });
    const flag = new ts.Variable([true, false], { name: "flag" });
    const change = ts.group([ts.assignAdd(w32, [[1, 1], [1, 1]]), ts.assignSub(w64, [0.5, 0.5, 0.5]), ts.assignAdd(i32, [3, 3]), ts.assign(flag, [false, true])]);
    return { graph, w32, w64, i32, flag, vars: [w32, w64, i32, flag], change };
  });
}

function snapshot(session: ts.Session, vars: ts.Variable[]): Buffer[] {
  return vars.map((v) => {
    const t = session.run(v);
    return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  });
}

/** Asserts `fn` rejects with `errorClass` whose message matches every pattern. */
async function rejects(fn: () => Promise<unknown> | unknown, errorClass: typeof ts.TensorSlowError, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(async () => fn(), (e: unknown) => {
    assert.ok(e instanceof errorClass, `expected ${errorClass.name}, got ${String(e)}`);
    for (const p of patterns) assert.match((e as Error).message, p);
    return true;
  });
}

describe("Saver: round trips", () => {
  it("save, change, restore gives the saved values bit for bit (float32, float64, int32, bool)", async () => {
    const m = model();
    const session = new ts.Session(m.graph);
    session.run(m.change); // values other than the initial ones
    const saved = snapshot(session, m.vars);
    const saver = new ts.train.Saver(m.vars);
    const path = await saver.save(session, join(dir, "roundtrip.ckpt"));
    assert.equal(path, join(dir, "roundtrip.ckpt"));
    session.run(m.change);
    assert.notDeepEqual(snapshot(session, m.vars), saved);
    await saver.restore(session, path);
    assert.deepEqual(snapshot(session, m.vars), saved);
    // The restored values are live: training continues from them.
    session.run(m.change);
    assert.deepEqual(session.run(m.i32).toArray(), [7 + 6, -2147483648 + 6]);
  });

  it("writes a safetensors file keyed by the variables' names (read here with a hand-written parser)", async () => {
    const m = model();
    const session = new ts.Session(m.graph);
    const path = await new ts.train.Saver(m.vars).save(session, join(dir, "layout.ckpt"));
    const bytes = readFileSync(path);
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8"));
    assert.deepEqual(Object.keys(header).sort(), ["__metadata__", "flag", "steps", "w32", "w64"]);
    assert.deepEqual(header.w64, { dtype: "F64", shape: [3], data_offsets: [0, 24] });
    const start = 8 + n + header.w64.data_offsets[0];
    assert.deepEqual([0, 1, 2].map((i) => bytes.readDoubleLE(start + 8 * i)), [Math.PI, -Math.E, 1e-300]);
    const s = 8 + n + header.steps.data_offsets[0];
    assert.deepEqual([bytes.readInt32LE(s), bytes.readInt32LE(s + 4)], [7, -2147483648]);
    assert.equal(header.__metadata__.format, "tensorslow");
  });

  it("appends the global step to the path, from a number or from an int32 Variable", async () => {
    const m = model();
    const session = new ts.Session(m.graph);
    const saver = new ts.train.Saver(m.vars);
    const p1 = await saver.save(session, join(dir, "model.ckpt"), { globalStep: 100 });
    assert.equal(p1, join(dir, "model.ckpt-100"));
    const p2 = await saver.save(session, join(dir, "model.ckpt"), { globalStep: m.i32.graph.asDefault(() => new ts.Variable(42, { dtype: "int32", name: "global_step" })) });
    assert.equal(p2, join(dir, "model.ckpt-42"));
    assert.equal(ts.io.decodeSafetensors(readFileSync(p1)).metadata["global_step"], "100");
    await assert.rejects(saver.save(session, join(dir, "model.ckpt"), { globalStep: 1.5 }), ts.ValueError);
  });

  it("makes missing parent folders (TF1's Saver does)", async () => {
    const m = model();
    const session = new ts.Session(m.graph);
    const saver = new ts.train.Saver(m.vars);
    const path = await saver.save(session, join(dir, "runs", "a", "model.ckpt"), { globalStep: 3 });
    assert.equal(path, join(dir, "runs", "a", "model.ckpt-3"));
    const saved = snapshot(session, m.vars);
    session.run(m.change);
    await saver.restore(session, path);
    assert.deepEqual(snapshot(session, m.vars), saved);
  });

  it("saves every variable of the default graph by default, and names them as told with an object", () => {
    const graph = new ts.Graph();
    const [a, b] = graph.asDefault(() => [new ts.Variable([1, 2], { name: "a" }), new ts.Variable(3, { name: "b" })]);
    const session = new ts.Session(graph);
    const all = graph.asDefault(() => new ts.train.Saver());
    assert.deepEqual(all.entries.map(([n]) => n), ["a", "b"]);
    const renamed = new ts.train.Saver({ "layer/weights": a!, "layer/bias": b! });
    const bytes = renamed.toBytes(session);
    assert.deepEqual([...ts.io.decodeSafetensors(bytes).tensors.keys()].sort(), ["layer/bias", "layer/weights"]);
    // A checkpoint can fill another graph's variables by those names.
    const other = new ts.Graph();
    const [x, y] = other.asDefault(() => [new ts.Variable([0, 0], { name: "x" }), new ts.Variable(0, { name: "y" })]);
    const s2 = new ts.Session(other);
    new ts.train.Saver({ "layer/weights": x!, "layer/bias": y! }).fromBytes(s2, bytes);
    assert.deepEqual(s2.run([x!, y!]).map((t) => t.toArray()), [[1, 2], 3]);
  });

  it("restores part of a checkpoint (names it does not ask for are ignored), session by session", () => {
    const m = model();
    const trained = new ts.Session(m.graph);
    trained.run(m.change);
    const bytes = new ts.train.Saver(m.vars).toBytes(trained);
    const fresh = new ts.Session(m.graph);
    new ts.train.Saver([m.w64]).fromBytes(fresh, bytes);
    assert.deepEqual(fresh.run(m.w64).toArray(), [Math.PI - 0.5, -Math.E - 0.5, 1e-300 - 0.5]);
    assert.deepEqual(fresh.run(m.i32).toArray(), [7, -2147483648]); // untouched, still the initial value
  });

  it("refuses variable lists it cannot save", () => {
    assert.throws(() => new ts.Graph().asDefault(() => new ts.train.Saver()), /no variables to save/);
    const m = model();
    assert.throws(() => new ts.train.Saver([m.w32, m.w32]), /in the variable list twice/);
    assert.throws(() => new ts.train.Saver({ a: m.w32, b: "w64" as unknown as ts.Variable }), /must hold Variables/);
    const stranger = new ts.Graph().asDefault(() => new ts.Variable(1));
    assert.throws(() => new ts.train.Saver([m.w32, stranger]), ts.GraphError);
    const s = new ts.Session(new ts.Graph());
    assert.throws(() => new ts.train.Saver([m.w32]).toBytes(s), /not an element of this session's graph/);
  });
});

describe("Saver: atomic saves", () => {
  it("a save whose rename fails (a crash before it) leaves the previous checkpoint intact and no temporary file", async () => {
    const m = model();
    const session = new ts.Session(m.graph);
    const saver = new ts.train.Saver(m.vars);
    const path = join(dir, "atomic.ckpt");
    await saver.save(session, path);
    const before = readFileSync(path);
    const saved = snapshot(session, m.vars);
    session.run(m.change);
    const rename = fsp.rename;
    fsp.rename = async () => {
      throw new Error("simulated crash between write and rename");
    };
    try {
      await rejects(() => saver.save(session, path), ts.TensorSlowError, /atomic\.ckpt/, /simulated crash/, /unchanged/);
    } finally {
      fsp.rename = rename;
    }
    assert.deepEqual(readFileSync(path), before);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith(".atomic.ckpt")), []);
    await saver.restore(session, path);
    assert.deepEqual(snapshot(session, m.vars), saved);
  });

  it("a partial temporary file left by a killed save does not disturb the checkpoint or the next save", async () => {
    const m = model();
    const session = new ts.Session(m.graph);
    const saver = new ts.train.Saver(m.vars);
    const path = join(dir, "killed.ckpt");
    await saver.save(session, path);
    const saved = snapshot(session, m.vars);
    // What a process killed mid-write leaves: half of a new checkpoint under a temporary name.
    session.run(m.change);
    const partial = saver.toBytes(session);
    writeFileSync(join(dir, ".killed.ckpt.tmp-crashed"), partial.subarray(0, partial.length >> 1));
    const fresh = new ts.Session(m.graph);
    fresh.run(m.change);
    await saver.restore(fresh, path);
    assert.deepEqual(snapshot(fresh, m.vars), saved);
    await saver.save(session, path);
    await saver.restore(fresh, path);
    assert.deepEqual(snapshot(fresh, m.vars), snapshot(session, m.vars));
  });
});

describe("Saver: saves to one path", () => {
  it("of two saves not awaited, the one asked for last is the checkpoint left (20 trials)", async () => {
    const m = model();
    const session = new ts.Session(m.graph);
    const saver = new ts.train.Saver(m.vars);
    const path = join(dir, "unawaited.ckpt");
    for (let trial = 0; trial < 20; trial++) {
      const first = saver.save(session, path);
      session.run(m.change);
      const expected = saver.toBytes(session);
      // The same file spelled differently is the same queue.
      const second = saver.save(session, join(dir, ".", "unawaited.ckpt"));
      await Promise.all([first, second]);
      assert.deepEqual(readFileSync(path), Buffer.from(expected), `trial ${trial}`);
    }
  });

  it("a save whose predecessor failed still runs, and the failure reaches only its own caller", async () => {
    const m = model();
    const session = new ts.Session(m.graph);
    const saver = new ts.train.Saver(m.vars);
    const path = join(dir, "after-failure.ckpt");
    const rename = fsp.rename;
    let calls = 0;
    fsp.rename = async (...args: Parameters<typeof rename>) => {
      if (calls++ === 0) throw new Error("simulated failure of the first rename");
      return rename(...args);
    };
    try {
      const first = saver.save(session, path);
      session.run(m.change);
      const second = saver.save(session, path);
      await rejects(() => first, ts.TensorSlowError, /simulated failure/);
      await second;
    } finally {
      fsp.rename = rename;
    }
    const fresh = new ts.Session(m.graph);
    await saver.restore(fresh, path);
    assert.deepEqual(snapshot(fresh, m.vars), snapshot(session, m.vars));
  });

  it("the next save removes temporary files left by a process that no longer runs, and keeps a running one's", async () => {
    const m = model();
    const session = new ts.Session(m.graph);
    const saver = new ts.train.Saver(m.vars);
    const path = join(dir, "stale.ckpt");
    const gone = spawnSync(process.execPath, ["-e", ""]).pid!;
    const running = process.ppid;
    writeFileSync(join(dir, `.stale.ckpt.tmp-${gone}-abc`), new Uint8Array(1000));
    writeFileSync(join(dir, `.stale.ckpt.tmp-${running}-def`), new Uint8Array(10));
    writeFileSync(join(dir, `.other.ckpt.tmp-${gone}-ghi`), new Uint8Array(10));
    await saver.save(session, path);
    const left = readdirSync(dir).filter((f) => f.includes(".tmp-")).sort();
    assert.deepEqual(left, [`.other.ckpt.tmp-${gone}-ghi`, `.stale.ckpt.tmp-${running}-def`]);
    for (const f of left) rmSync(join(dir, f));
  });
});

describe("Saver: refusing bad checkpoints, changing nothing", () => {
  /** A session whose values differ from the initial ones, their snapshot, and a good checkpoint's bytes. */
  function setup() {
    const m = model();
    const session = new ts.Session(m.graph);
    const saver = new ts.train.Saver(m.vars);
    const good = saver.toBytes(session);
    session.run(m.change);
    return { m, session, saver, good, values: snapshot(session, m.vars) };
  }

  it("a missing file is a NotFoundError naming it", async () => {
    const { session, saver } = setup();
    await rejects(() => saver.restore(session, join(dir, "nope.ckpt")), ts.NotFoundError, /nope\.ckpt/, /does not exist/);
  });

  it("a truncated file is a DataError naming the file; nothing is restored", async () => {
    const { m, session, saver, good, values } = setup();
    for (const cut of [4, 30, good.length - 3]) {
      const path = join(dir, `truncated-${cut}.ckpt`);
      writeFileSync(path, good.subarray(0, cut));
      await rejects(() => saver.restore(session, path), ts.DataError, new RegExp(`truncated-${cut}\\.ckpt`));
      assert.deepEqual(snapshot(session, m.vars), values);
    }
  });

  it("a corrupt header or value is a DataError naming the file (and the variable); nothing is restored", async () => {
    const { m, session, saver, good, values } = setup();
    const garbled = Uint8Array.from(good);
    garbled[9] = 0x5d; // ']' inside the JSON header
    const path = join(dir, "garbled.ckpt");
    writeFileSync(path, garbled);
    await rejects(() => saver.restore(session, path), ts.DataError, /garbled\.ckpt/, /not valid JSON/);
    // The last data byte belongs to 'flag' (BOOL is stored last): 9 is no boolean.
    const badBool = Uint8Array.from(good);
    badBool[badBool.length - 1] = 9;
    const p2 = join(dir, "badbool.ckpt");
    writeFileSync(p2, badBool);
    await rejects(() => saver.restore(session, p2), ts.DataError, /badbool\.ckpt/, /'flag'/);
    assert.deepEqual(snapshot(session, m.vars), values);
  });

  it("a missing variable, a wrong shape or a wrong dtype names the file and the variable; nothing is restored", async () => {
    const { m, session, saver, values } = setup();
    const write = (name: string, tensors: Record<string, ts.Tensor>) => {
      const path = join(dir, name);
      writeFileSync(path, ts.io.encodeSafetensors(tensors));
      return path;
    };
    const right = {
      w32: ts.tensor([[9, 9], [9, 9]]),
      w64: ts.tensor([9, 9, 9], { dtype: "float64" }),
      steps: ts.tensor([9, 9], { dtype: "int32" }),
      flag: ts.tensor([true, true]),
    };
    const { flag: _dropped, ...missing } = right;
    void _dropped;
    await rejects(() => saver.restore(session, write("missing.ckpt", missing)), ts.NotFoundError, /'flag'/, /missing\.ckpt/, /no variable was restored/);
    await rejects(() => saver.restore(session, write("shape.ckpt", { ...right, w32: ts.tensor([1, 2, 3, 4]) })), ts.ShapeError, /'w32'/, /shape\.ckpt/, /\[4\]/, /\[2,2\]/);
    await rejects(() => saver.restore(session, write("dtype.ckpt", { ...right, steps: ts.tensor([1, 2], { dtype: "float32" }) })), ts.DTypeError, /'steps'/, /dtype\.ckpt/, /float32/, /int32/);
    // Several problems are reported together.
    await rejects(() => saver.restore(session, write("both.ckpt", { w32: right.w32, w64: ts.tensor([1, 2, 3]) })), ts.TensorSlowError, /'w64'/, /'steps'/, /'flag'/);
    assert.deepEqual(snapshot(session, m.vars), values);
    // The same file with everything right restores: the checks above are not refusing everything.
    await saver.restore(session, write("right.ckpt", right));
    assert.deepEqual(session.run(m.i32).toArray(), [9, 9]);
  });

  it("bytes refused in the browser path name their source and change nothing", () => {
    const { m, session, saver, good, values } = setup();
    assert.throws(() => saver.fromBytes(session, good.subarray(0, 12), "upload.bin"), (e: unknown) => e instanceof ts.DataError && /upload\.bin/.test((e as Error).message));
    assert.deepEqual(snapshot(session, m.vars), values);
  });
});

/** A safetensors file built by hand from entries { name: [dtype, shape, bytes] }, laid out in order. */
function foreignFile(entries: Record<string, [string, number[], number[]]>): Uint8Array {
  const header: Record<string, unknown> = {};
  const data: number[] = [];
  for (const [name, [dtype, shape, bytes]] of Object.entries(entries)) {
    header[name] = { dtype, shape, data_offsets: [data.length, data.length + bytes.length] };
    data.push(...bytes);
  }
  const json = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(8 + json.length + data.length);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  Buffer.from(data).copy(out, 8 + json.length);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

describe("Saver: checkpoints written by other frameworks", () => {
  /** A float32 weight and an int32 counter, and a session whose values are not those of any file below. */
  function setup() {
    const graph = new ts.Graph();
    const { w, n } = graph.asDefault(() => ({ w: new ts.Variable([7, 7], { name: "w" }), n: new ts.Variable(7, { name: "n", dtype: "int32" }) }));
    return { graph, w, n, session: new ts.Session(graph), saver: new ts.train.Saver([w, n]) };
  }

  it("ignores entries it does not ask for in any dtype the format defines (a PyTorch num_batches_tracked, an F16 embedding, a C64)", () => {
    const { w, n, session, saver } = setup();
    const bytes = foreignFile({
      w: ["F32", [2], [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]], // 1, 2
      n: ["I32", [], [5, 0, 0, 0]],
      "bn.num_batches_tracked": ["I64", [], [0, 0, 0, 0, 0, 0, 0, 0x80]], // -2^63: fits nothing
      embedding: ["F16", [2], [0, 0x3c, 0, 0xc0]],
      phase: ["C64", [1], [0, 0, 0, 0, 0, 0, 0, 0]],
      packed: ["F4", [2], [0x12]],
    });
    saver.fromBytes(session, bytes);
    assert.deepEqual(session.run(w).toArray(), [1, 2]);
    assert.equal(session.run(n).item(), 5);
  });

  it("converts an entry it asks for from F16/BF16/I64/U8 when every value fits exactly", () => {
    const { w, n, session, saver } = setup();
    // F16 0x3c00 = 1, 0xc100 = -2.5; I64 41.
    saver.fromBytes(session, foreignFile({ w: ["F16", [2], [0, 0x3c, 0, 0xc1]], n: ["I64", [], [41, 0, 0, 0, 0, 0, 0, 0]] }));
    assert.deepEqual(session.run(w).toArray(), [1, -2.5]);
    assert.equal(session.run(n).item(), 41);
    // BF16 0x4049 = 3.140625, 0xbf80 = -1; U8 200.
    saver.fromBytes(session, foreignFile({ w: ["BF16", [2], [0x49, 0x40, 0x80, 0xbf]], n: ["U8", [], [200]] }));
    assert.deepEqual(session.run(w).toArray(), [3.140625, -1]);
    assert.equal(session.run(n).item(), 200);
  });

  it("refuses by name an entry whose values do not fit the variable, or whose dtype TensorSlow cannot read; nothing changes", () => {
    const { w, n, session, saver } = setup();
    const big = foreignFile({ w: ["F16", [2], [0, 0x3c, 0, 0x3c]], n: ["I64", [], [0, 0, 0, 0, 1, 0, 0, 0]] }); // n = 2^32
    assert.throws(() => saver.fromBytes(session, big, "'torch.safetensors'"), (e: unknown) => e instanceof ts.DTypeError && /variable 'n'/.test((e as Error).message) && /4294967296/.test((e as Error).message) && /torch\.safetensors/.test((e as Error).message) && /no variable was restored/.test((e as Error).message));
    const complex = foreignFile({ w: ["C64", [2], new Array(16).fill(0)], n: ["I32", [], [1, 0, 0, 0]] });
    assert.throws(() => saver.fromBytes(session, complex), (e: unknown) => e instanceof ts.DTypeError && /variable 'w' is C64/.test((e as Error).message));
    assert.deepEqual(session.run(w).toArray(), [7, 7]);
    assert.equal(session.run(n).item(), 7);
  });
});

describe("Session.readVariable (what the Saver reads with)", () => {
  it("returns a copy of the session's current value, compiling no plan", () => {
    const m = model();
    const session = new ts.Session(m.graph);
    session.run(m.change);
    const planCount = session.planCount;
    const w = session.readVariable(m.w32);
    assert.deepEqual(w.toArray(), [[1.1, 0.8], [1.3, 1]].map((r) => r.map((v) => Math.fround(v))));
    assert.equal(session.planCount, planCount);
    w.data[0] = 99;
    assert.notEqual(session.readVariable(m.w32).data[0], 99);
  });

  it("refuses variables of other graphs, non-variables and closed sessions", () => {
    const m = model();
    const session = new ts.Session(m.graph);
    assert.throws(() => new ts.Session(new ts.Graph()).readVariable(m.w32), /not an element of this session's graph/);
    assert.throws(() => session.readVariable(m.change as unknown as ts.Variable), /not a Variable/);
    session.close();
    assert.throws(() => session.readVariable(m.w32), /closed/);
  });
});
