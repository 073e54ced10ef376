/**
 * TensorBoard summaries: the event files are read back by a reader written here independently of
 * the writer — TFRecord framing with a bitwise CRC-32C (no table), and a minimal protobuf decoder
 * that knows only wire types and TensorFlow's field numbers — and every value is checked against
 * one computed here.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ts from "tensorslow";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "tensorslow-summary-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

// ---- an independent reader ---------------------------------------------------------------------

/** CRC-32C bit by bit (polynomial 0x82F63B78, reflected). */
function crc32cBitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0x82f63b78 & -(c & 1));
  }
  return (~c) >>> 0;
}
const masked = (bytes: Uint8Array): number => {
  const c = crc32cBitwise(bytes);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
};

/** The records of a TFRecord file, each CRC checked. */
function readRecords(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const length = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
    assert.equal(view.getUint32(at + 8, true), masked(bytes.subarray(at, at + 8)), `length CRC of the record at ${at}`);
    const data = bytes.subarray(at + 12, at + 12 + length);
    assert.equal(view.getUint32(at + 12 + length, true), masked(data), `data CRC of the record at ${at}`);
    out.push(data);
    at += 16 + length;
  }
  assert.equal(at, bytes.length, "records end where the file does");
  return out;
}

type Field = { wire: number; varint?: bigint; fixed64?: DataView; fixed32?: DataView; bytes?: Uint8Array };

/** A protobuf message as its fields by number, in order. */
function fields(bytes: Uint8Array): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let at = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = bytes[at++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
  };
  while (at < bytes.length) {
    const key = Number(varint());
    const [num, wire] = [key >>> 3, key & 7];
    let f: Field;
    if (wire === 0) f = { wire, varint: varint() };
    else if (wire === 1) f = { wire, fixed64: new DataView(bytes.buffer, bytes.byteOffset + at, 8) }, (at += 8);
    else if (wire === 5) f = { wire, fixed32: new DataView(bytes.buffer, bytes.byteOffset + at, 4) }, (at += 4);
    else if (wire === 2) {
      const n = Number(varint());
      f = { wire, bytes: bytes.subarray(at, at + n) };
      at += n;
    } else throw new Error(`wire type ${wire}`);
    out.set(num, [...(out.get(num) ?? []), f]);
  }
  return out;
}
const one = (m: Map<number, Field[]>, n: number): Field | undefined => m.get(n)?.[0];
const str = (f: Field | undefined): string => new TextDecoder().decode(f!.bytes!);
const dbl = (f: Field | undefined): number => f!.fixed64!.getFloat64(0, true);
const packedDoubles = (f: Field | undefined): number[] => {
  const b = f!.bytes!;
  return Array.from({ length: b.length / 8 }, (_, i) => new DataView(b.buffer, b.byteOffset + 8 * i, 8).getFloat64(0, true));
};

interface ReadEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  graphDef?: Uint8Array;
  scalars: Record<string, number>;
  histograms: Record<string, { min: number; max: number; num: number; sum: number; sumSquares: number; limits: number[]; counts: number[] }>;
}

function readEvents(bytes: Uint8Array): ReadEvent[] {
  return readRecords(bytes).map((record) => {
    const e = fields(record);
    // proto3 leaves out fields at their default: no step field is step 0.
    const event: ReadEvent = { wallTime: dbl(one(e, 1)), step: Number(one(e, 2)?.varint ?? 0n), scalars: {}, histograms: {} };
    if (e.has(3)) event.fileVersion = str(one(e, 3));
    if (e.has(4)) event.graphDef = one(e, 4)!.bytes!;
    for (const v of e.has(5) ? (fields(one(e, 5)!.bytes!).get(1) ?? []) : []) {
      const value = fields(v.bytes!);
      const tag = str(one(value, 1));
      if (value.has(2)) event.scalars[tag] = one(value, 2)!.fixed32!.getFloat32(0, true);
      if (value.has(5)) {
        const h = fields(one(value, 5)!.bytes!);
        event.histograms[tag] = { min: dbl(one(h, 1)), max: dbl(one(h, 2)), num: dbl(one(h, 3)), sum: dbl(one(h, 4)), sumSquares: dbl(one(h, 5)), limits: packedDoubles(one(h, 6)), counts: packedDoubles(one(h, 7)) };
      }
    }
    return event;
  });
}

/** GraphDef → { name: { op, inputs, dtype (the enum), shapes } }. */
function readGraphDef(bytes: Uint8Array): Map<string, { op: string; inputs: string[]; dtype?: number; shape?: number[] | null }> {
  const nodes = new Map<string, { op: string; inputs: string[]; dtype?: number; shape?: number[] | null }>();
  for (const n of fields(bytes).get(1) ?? []) {
    const node = fields(n.bytes!);
    const entry: { op: string; inputs: string[]; dtype?: number; shape?: number[] | null } = { op: str(one(node, 2)), inputs: (node.get(3) ?? []).map(str) };
    for (const a of node.get(5) ?? []) {
      const kv = fields(a.bytes!);
      const key = str(one(kv, 1));
      const value = fields(one(kv, 2)!.bytes!);
      if (key === "T" || key === "dtype") entry.dtype = Number(one(value, 6)!.varint);
      if (key === "_output_shapes") {
        const shape = fields(one(fields(one(value, 1)!.bytes!), 7)!.bytes!);
        entry.shape = shape.has(3) ? null : (shape.get(2) ?? []).map((d) => Number(BigInt.asIntN(64, one(fields(d.bytes!), 1)?.varint ?? 0n)));
      }
    }
    nodes.set(str(one(node, 1)), entry);
  }
  return nodes;
}

// ---- the tests ---------------------------------------------------------------------------------

function model() {
  const graph = new ts.Graph();
  return graph.asDefault(() => {
    const x = ts.placeholder("float32", [null, 2], "x");
    const w = new ts.Variable([[1, -2], [0.5, 3]], { name: "w" });
    const loss = ts.reduceMean(ts.square(ts.matmul(x, w)), undefined, { name: "loss" });
    ts.summary.scalar("loss", loss);
    ts.nameScope("weights", () => ts.summary.histogram("w", w));
    const step = new ts.train.GradientDescentOptimizer(0.01).minimize(loss);
    return { graph, x, w, loss, step, merged: ts.summary.mergeAll() };
  });
}

describe("CRC-32C", () => {
  it("matches the standard check value and the bitwise form", async () => {
    // The CRC-32C of "123456789" is 0xE3069283 (RFC 3720, B.4).
    assert.equal(crc32cBitwise(new TextEncoder().encode("123456789")), 0xe3069283);
  });
});

describe("summary.FileWriter", () => {
  it("writes an event file TensorBoard reads: version, graph, then scalars and histograms with their steps", async () => {
    const m = model();
    const session = new ts.Session(m.graph);
    const writer = new ts.summary.FileWriter(join(dir, "run1"), m.graph);
    const xs = [[1, 2], [3, -1]];
    const expectedLoss: number[] = [];
    for (let step = 0; step < 3; step++) {
      const w = session.run(m.w).toArray() as number[][];
      // mean of (x·w)^2 over the 4 entries, in float64.
      const products = xs.flatMap((row) => [0, 1].map((j) => row[0]! * w[0]![j]! + row[1]! * w[1]![j]!));
      expectedLoss.push(products.reduce((s, p) => s + p * p, 0) / 4);
      writer.addSummary(session.run(m.merged, { x: xs }), step * 10);
      session.run(m.step, { x: xs });
    }
    await writer.close();
    const files = readdirSync(join(dir, "run1"));
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^events\.out\.tfevents\.\d+\./);
    const events = readEvents(new Uint8Array(readFileSync(join(dir, "run1", files[0]!))));
    assert.equal(events.length, 5);
    assert.equal(events[0]!.fileVersion, "brain.Event:2");
    const now = Date.now() / 1000;
    for (const e of events) assert.ok(e.wallTime > now - 600 && e.wallTime <= now + 1, `wall time ${e.wallTime}`);

    const nodes = readGraphDef(events[1]!.graphDef!);
    assert.deepEqual(nodes.get("x"), { op: "Placeholder", inputs: [], dtype: 1, shape: [-1, 2] });
    assert.deepEqual(nodes.get("w"), { op: "VariableV2", inputs: [], dtype: 1, shape: [2, 2] });
    assert.equal(nodes.get("loss")!.op, "Mean");
    const matmul = [...nodes.values()].find((n) => n.op === "MatMul")!;
    assert.deepEqual(matmul.inputs, ["x", "w"]);
    assert.equal(nodes.size, m.graph.nodes.length);

    for (let i = 0; i < 3; i++) {
      const e = events[2 + i]!;
      assert.equal(e.step, i * 10);
      assert.ok(Math.abs(e.scalars["loss"]! - expectedLoss[i]!) <= 1e-5 * expectedLoss[i]!, `loss at step ${i}: ${e.scalars["loss"]} vs ${expectedLoss[i]}`);
      assert.deepEqual(Object.keys(e.histograms), ["weights/w"]);
    }
    // The first histogram is of w's initial value [1, -2, 0.5, 3].
    const h = events[2]!.histograms["weights/w"]!;
    assert.deepEqual([h.min, h.max, h.num, h.sum, h.sumSquares], [-2, 3, 4, 2.5, 1 + 4 + 0.25 + 9]);
    assert.equal(h.counts.reduce((s, c) => s + c, 0), 4);
    assert.equal(h.limits.length, h.counts.length);
    for (let i = 1; i < h.limits.length; i++) assert.ok(h.limits[i]! > h.limits[i - 1]!, "limits increase");
    // Each value is counted in the bucket [limit[i-1], limit[i]) holding it; the limits of non-empty
    // buckets are TensorFlow's: 10 % apart, the first above the value.
    for (const v of [1, -2, 0.5, 3]) {
      const i = h.limits.findIndex((l) => l > v);
      assert.ok(h.counts[i]! >= 1, `${v} is counted`);
      const limit = h.limits[i]!;
      const below = limit > 0 ? limit / 1.1 : limit * 1.1;
      assert.ok(below <= v * (1 + 1e-9), `${v}: the bucket's limit ${limit} is the first above it`);
    }
    assert.deepEqual(h.counts.filter((c) => c > 0), [1, 1, 1, 1]);
  });

  it("keeps the same events as bytes when logdir is null (browsers)", async () => {
    const m = model();
    const session = new ts.Session(m.graph);
    const writer = new ts.summary.FileWriter(null);
    writer.addGraph(m.graph);
    writer.addSummary(session.run(m.merged, { x: [[1, 0]] }), 7);
    const events = readEvents(await writer.toBytes());
    assert.deepEqual(events.map((e) => [e.fileVersion !== undefined, e.graphDef !== undefined, e.step]), [[true, false, 0], [false, true, 0], [false, false, 7]]);
    // x·w = [1, -2]: mean of squares 2.5.
    assert.equal(events[2]!.scalars["loss"], 2.5);
  });

  it("refuses misuse, naming what is wrong", async () => {
    const m = model();
    const writer = new ts.summary.FileWriter(null);
    assert.throws(() => writer.addSummary({ scalars: { loss: m.loss }, histograms: {} } as never), /scalar 'loss' must be a Tensor \(run the summary first\)/);
    assert.throws(() => writer.addSummary(ts.zeros([2]) as never), /addSummary: summary must be what session.run gives/);
    assert.throws(() => writer.addSummary({ scalars: { a: ts.zeros([2]) }, histograms: {} }), /scalar 'a' has 2 values/);
    assert.throws(() => writer.addSummary({ scalars: {}, histograms: { h: ts.tensor([1, NaN]) } }), /histogram 'h': element 1 is NaN/);
    assert.throws(() => writer.addSummary({ scalars: {}, histograms: {} }, 1.5), /step must be an integer/);
    await writer.close();
    assert.throws(() => writer.addGraph(m.graph), /the writer is closed/);
    assert.throws(() => new ts.summary.FileWriter("" as string), /summary.FileWriter.*logdir/);
  });
});

describe("summary ops", () => {
  it("scalar refuses a value that is not one; mergeAll refuses a graph without summaries", () => {
    const graph = new ts.Graph();
    graph.asDefault(() => {
      assert.throws(() => ts.summary.mergeAll(), /no summaries/);
      const v = ts.placeholder("float32", [3]);
      assert.throws(() => ts.summary.scalar("v", v), /has shape \[3\]; a scalar summary takes one value/);
      assert.throws(() => ts.summary.scalar("v", [1, 2] as never), /summary.scalar.*tensor.*a graph node with a value/);
    });
  });

  it("tags follow name scopes and are made unique; merge and mergeAll(scope) choose summaries", () => {
    const graph = new ts.Graph();
    graph.asDefault(() => {
      const a = ts.constant(1, { name: "a" });
      const s1 = ts.summary.scalar("a", a);
      const s2 = ts.summary.scalar("a", a);
      const s3 = ts.nameScope("layer", () => ts.summary.histogram("a", a));
      assert.deepEqual(Object.keys(ts.summary.merge([s1, s2, s3]).scalars), ["a", "a_1"]);
      assert.deepEqual(Object.keys(ts.summary.mergeAll().histograms), ["layer/a"]);
      const scoped = ts.summary.mergeAll("summaries", "layer");
      assert.deepEqual([Object.keys(scoped.scalars), Object.keys(scoped.histograms)], [[], ["layer/a"]]);
      const value = new ts.Session().run(ts.summary.merge_all());
      assert.equal(value.scalars["a_1"]!.item(), 1);
    });
  });
});
