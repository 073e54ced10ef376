import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as ts from "tensorslow";

/** The IDX type codes with test values (extremes and negatives), written here independently of the library. */
const CASES = [
  { code: 0x08, type: "uint8", bytes: 1, values: [0, 1, 127, 128, 200, 255], dtype: "int32" },
  { code: 0x09, type: "int8", bytes: 1, values: [-128, -1, 0, 1, 100, 127], dtype: "int32" },
  { code: 0x0b, type: "int16", bytes: 2, values: [-32768, -300, 0, 258, 1000, 32767], dtype: "int32" },
  { code: 0x0c, type: "int32", bytes: 4, values: [-(2 ** 31), -70000, 0, 65543, 16777217, 2 ** 31 - 1], dtype: "int32" },
  { code: 0x0d, type: "float32", bytes: 4, values: [1.5, -0.25, 0, Math.fround(0.1), -Math.fround(3.4e38), Math.fround(1e-40)], dtype: "float32" },
  { code: 0x0e, type: "float64", bytes: 8, values: [Math.PI, -1e300, 0, 0.1, 5e-324, -2.5], dtype: "float64" },
] as const;

/** An IDX file: magic 00 00 type rank, big-endian uint32 dims, big-endian values. */
function encode(code: number, shape: readonly number[], values: readonly number[], bytesPer: number): Uint8Array {
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + values.length * bytesPer);
  const v = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d));
  values.forEach((x, i) => {
    const o = header + i * bytesPer;
    switch (code) {
      case 0x08: v.setUint8(o, x); break;
      case 0x09: v.setInt8(o, x); break;
      case 0x0b: v.setInt16(o, x); break;
      case 0x0c: v.setInt32(o, x); break;
      case 0x0d: v.setFloat32(o, x); break;
      case 0x0e: v.setFloat64(o, x); break;
    }
  });
  return out;
}

/** Raw header bytes: magic, then each dim as a big-endian uint32, then `data` bytes. */
function header(typeCode: number, dims: readonly number[], dataBytes = 0): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + dataBytes);
  out[2] = typeCode;
  out[3] = dims.length;
  dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d));
  return out;
}

/** Runs `f` as if in a browser: no process.versions.node, so gunzip takes DecompressionStream. */
async function withoutNode<T>(f: () => Promise<T>): Promise<T> {
  const desc = Object.getOwnPropertyDescriptor(process, "versions")!;
  Object.defineProperty(process, "versions", { ...desc, value: { ...process.versions, node: undefined } });
  try {
    return await f();
  } finally {
    Object.defineProperty(process, "versions", desc);
  }
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "tensorslow-idx-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe("IDX files: round trips for every type code", () => {
  for (const c of CASES) {
    const bytes = encode(c.code, [2, 3], c.values, c.bytes);

    it(`${c.type} (0x${c.code.toString(16).padStart(2, "0")}): parseIdx gives the file's type, shape and values`, () => {
      const idx = ts.data.parseIdx(bytes);
      assert.equal(idx.type, c.type);
      assert.deepEqual(idx.shape, [2, 3]);
      assert.deepEqual([...idx.data], [...c.values]);
      assert.equal(ts.data.IDX_DTYPE[idx.type], c.dtype);
    });

    it(`${c.type}: gzipped and plain files, and gzipped bytes in Node and through DecompressionStream, agree`, async () => {
      const plain = await ts.data.readIdx(file(`${c.type}.idx`, bytes));
      const gz = await ts.data.readIdx(file(`${c.type}.idx.gz`, gzipSync(bytes)));
      const fromBytes = await ts.data.decodeIdx(gzipSync(bytes));
      const web = await withoutNode(() => ts.data.decodeIdx(gzipSync(bytes)));
      for (const idx of [plain, gz, fromBytes, web]) {
        assert.equal(idx.type, c.type);
        assert.deepEqual(idx.shape, [2, 3]);
        assert.deepEqual([...idx.data], [...c.values]);
      }
    });

    it(`${c.type}: idxToTensor gives a ${c.dtype} tensor with the same values`, () => {
      const t = ts.data.idxToTensor(ts.data.parseIdx(bytes));
      assert.equal(t.dtype, c.dtype);
      assert.deepEqual(t.shape, [2, 3]);
      assert.deepEqual([...t.data], [...c.values]);
    });
  }

  it("rank 1 and rank 3 shapes; the data is independent of the input bytes", () => {
    const r1 = encode(0x08, [4], [9, 8, 7, 6], 1);
    const idx = ts.data.parseIdx(r1);
    assert.deepEqual(idx.shape, [4]);
    r1[8] = 0;
    assert.deepEqual([...idx.data], [9, 8, 7, 6]);
    const r3 = ts.data.parseIdx(encode(0x0b, [2, 1, 2], [1, -2, 3, -4], 2));
    assert.deepEqual(r3.shape, [2, 1, 2]);
    assert.deepEqual([...r3.data], [1, -2, 3, -4]);
  });

  it("bytes at an offset inside a larger buffer (as Node's Buffers often are) parse alike", () => {
    const inner = encode(0x0c, [2], [-5, 70000], 4);
    const big = new Uint8Array(inner.length + 3);
    big.set(inner, 3);
    assert.deepEqual([...ts.data.parseIdx(big.subarray(3)).data], [-5, 70000]);
  });

  it("idxToTensor scales into float32 and reshapes; refuses truncating int32 and sizes that differ", () => {
    const idx = ts.data.parseIdx(encode(0x08, [1, 2, 2], [0, 51, 204, 255], 1));
    const t = ts.data.idxToTensor(idx, { dtype: "float32", scale: 1 / 255, shape: [1, 4] });
    assert.deepEqual(t.shape, [1, 4]);
    assert.deepEqual([...t.data], [0, 0.2, 0.8, 1].map(Math.fround));
    assert.throws(() => ts.data.idxToTensor(idx, { scale: 0.5 }), /int32 would truncate values scaled by 0.5/);
    const floats = ts.data.parseIdx(encode(0x0d, [1], [1.5], 4));
    assert.throws(() => ts.data.idxToTensor(floats, { dtype: "int32" }), /int32 would truncate float32 values/);
    assert.throws(() => ts.data.idxToTensor(idx, { shape: [3] }), /shape \[3\] does not hold the 4 values of an IDX array of shape \[1, 2, 2\]/);
  });
});

describe("IDX files: malformed input gives a DataError naming the file and the numbers", () => {
  const ok = encode(0x08, [2, 3], [1, 2, 3, 4, 5, 6], 1);
  const cases: [string, Uint8Array, RegExp, RegExp?][] = [
    ["too short", new Uint8Array([0, 0, 8]), /too short for an IDX header: 3 bytes/],
    ["bad magic", Uint8Array.from([0x12, 0x34, 8, 1, 0, 0, 0, 1, 0]), /not an IDX file: its magic number starts 0x12 0x34, not 0x00 0x00/],
    ["unknown type code", header(0x0a, [1], 1), /unknown type code 0x0a \(known: 0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64\)/],
    ["rank 0", header(0x08, []), /declares rank 0/],
    ["truncated header", header(0x08, [2, 3, 4]).subarray(0, 10), /truncated in its header: rank 3 needs 16 header bytes, the file holds 10/],
    ["negative (>= 2^31) dimension", header(0x08, [0x80000000], 4), /invalid size 2147483648 for dimension 0 \(dimensions must be in 0\.\.2147483647\)/],
    ["element count overflow", header(0x0e, [65536, 65536, 2], 16), /claims shape \[65536, 65536, \.\.\.\]: more than 2147483647 elements/],
    ["header claims more data than the file holds", ok.subarray(0, ok.length - 1), /truncated: shape \[2, 3\] of uint8 needs 6 data bytes, the file holds 5/],
    ["a large claim on a small file", header(0x0c, [1000000, 500], 8), /shape \[1000000, 500\] of int32 needs 2000000000 data bytes, the file holds 8/],
    // Gzipped, inflating stops as soon as the output passes the size its header declares.
    ["trailing garbage", Uint8Array.from([...ok, 0xff, 0xfe]), /2 bytes of trailing garbage after the 6 data bytes of shape \[2, 3\] of uint8/, /decompresses to more than the 18 bytes its header declares: trailing garbage/],
  ];
  for (const [what, bytes, message, gzipped = message] of cases) {
    it(`${what}: from a file (plain and gzipped), and from bytes`, async () => {
      const path = file(`${what.replace(/\W+/g, "-")}.idx`, bytes);
      await assert.rejects(ts.data.readIdx(path), (e: unknown) => {
        assert.ok(e instanceof ts.DataError, String(e));
        assert.ok(e instanceof ts.ValueError);
        assert.ok(e.message.startsWith(`IDX file '${path}' `), e.message);
        assert.match(e.message, message);
        return true;
      });
      await assert.rejects(ts.data.readIdx(file(`${what.replace(/\W+/g, "-")}.idx.gz`, gzipSync(bytes))), gzipped);
      assert.throws(() => ts.data.parseIdx(bytes), (e: unknown) => e instanceof ts.DataError && e.message.startsWith("IDX data ") && message.test(e.message));
    });
  }

  it("gzipped bytes given to the synchronous parser say how to decompress", () => {
    assert.throws(() => ts.data.parseIdx(gzipSync(ok), { source: "x.gz" }), /IDX file 'x.gz' is gzip-compressed: decompress it first \(ts.data.decodeIdx and ts.data.readIdx do\)/);
  });

  it("corrupt gzip data names the file", async () => {
    const gz = gzipSync(ok);
    gz[gz.length - 12] ^= 0xff;
    const path = file("corrupt.idx.gz", gz);
    await assert.rejects(ts.data.readIdx(path), new RegExp(`IDX file '${path}' is not valid gzip data \\(${gz.length} bytes\\)`));
    await assert.rejects(withoutNode(() => ts.data.decodeIdx(gz, { source: "web.gz" })), /IDX file 'web.gz' is not valid gzip data/);
  });

  it("data decompressing past maxBytes is refused (a gzip bomb), in Node and through DecompressionStream", async () => {
    const big = gzipSync(encode(0x08, [1000], new Array(1000).fill(0), 1));
    const message = /IDX file 'bomb.gz' decompresses to more than 100 bytes, the limit \(raise it with the maxBytes option\)/;
    await assert.rejects(ts.data.decodeIdx(big, { source: "bomb.gz", maxBytes: 100 }), message);
    await assert.rejects(withoutNode(() => ts.data.decodeIdx(big, { source: "bomb.gz", maxBytes: 100 })), message);
    assert.equal((await ts.data.decodeIdx(big, { maxBytes: 1012 })).data.length, 1000);
  });

  it("a small header followed by a bomb of trailing data stops inflating at the declared size (64 MiB of zeros after 10 bytes), in Node and through DecompressionStream", async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from(encode(0x08, [2], [7, 9], 1)), Buffer.alloc(64 * 2 ** 20)]));
    const message = /IDX file 'bomb.gz' decompresses to more than the 10 bytes its header declares: trailing garbage \(inflating stopped there\)/;
    await assert.rejects(ts.data.decodeIdx(bomb, { source: "bomb.gz" }), message);
    await assert.rejects(withoutNode(() => ts.data.decodeIdx(bomb, { source: "bomb.gz" })), message);
    // A header that is wrong is refused from the first chunk, before the rest is inflated.
    const badHeader = gzipSync(Buffer.concat([Buffer.from([0, 0, 0x0a, 1, 0, 0, 0, 1]), Buffer.alloc(2 ** 20)]));
    await assert.rejects(ts.data.decodeIdx(badHeader, { source: "bad.gz" }), /IDX file 'bad.gz' has unknown type code 0x0a/);
  });

  it("accepts an ArrayBuffer (what fetch(...).arrayBuffer() gives), and names the function for anything else", async () => {
    const bytes = encode(0x08, [2, 2], [1, 2, 3, 4], 1);
    const buffer = Uint8Array.from(bytes).buffer as ArrayBuffer;
    assert.deepEqual([...ts.data.parseIdx(buffer).data], [1, 2, 3, 4]);
    assert.deepEqual([...(await ts.data.decodeIdx(Uint8Array.from(gzipSync(bytes)).buffer as ArrayBuffer)).data], [1, 2, 3, 4]);
    for (const bad of [null, undefined, "bytes", [0, 0, 8, 1]]) {
      assert.throws(() => ts.data.parseIdx(bad as never), (e: unknown) => e instanceof ts.ValueError && /parseIdx: expected the file's bytes as a Uint8Array or an ArrayBuffer/.test((e as Error).message));
      await assert.rejects(ts.data.decodeIdx(bad as never), (e: unknown) => e instanceof ts.ValueError && /^decodeIdx: /.test((e as Error).message));
    }
  });

  it("reads a valid array with a zero-length dimension ([0, 28, 28]), as an empty tensor of that shape", () => {
    const idx = ts.data.parseIdx(header(0x08, [0, 28, 28]));
    assert.deepEqual(idx.shape, [0, 28, 28]);
    assert.equal(idx.data.length, 0);
    assert.deepEqual(ts.data.idxToTensor(idx, { dtype: "float32", scale: 1 / 255 }).shape, [0, 28, 28]);
  });

  it("a missing file is named; outside Node, reading files says to fetch and decode the bytes", async () => {
    const path = join(dir, "absent.idx");
    await assert.rejects(ts.data.readIdx(path), new RegExp(`IDX file '${path}' does not exist`));
    await assert.rejects(withoutNode(() => ts.data.readIdx(path)), /readIdx reads files and needs Node\.js; in a browser, fetch the bytes and pass them to ts\.data\.decodeIdx/);
  });
});
