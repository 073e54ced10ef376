/**
 * Fuzzing the readers of untrusted bytes (safetensors checkpoints, IDX data sets) with fast-check:
 * random bytes, valid files with random mutations, and random headers. A reader may accept or refuse its input, but a refusal must be one
 * of the library's errors (never a RangeError, a TypeError or a crash), and what it accepts must be
 * consistent: it never produces more tensor elements than the input held bytes (so no header can
 * make it allocate beyond four times the input's size, an 8-bit element read as 32 bits). The test's
 * timeout catches hangs.
 */
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as ts from "tensorslow";

const RUNS = 1000;

/** Runs `read`; returns its result, or undefined after a clean refusal; fails on anything else. */
function cleanly<T>(read: () => T, input: Uint8Array): T | undefined {
  try {
    return read();
  } catch (e) {
    return refusal(e, input);
  }
}

async function cleanlyAsync<T>(read: () => Promise<T>, input: Uint8Array): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    return refusal(e, input);
  }
}

function refusal(e: unknown, input: Uint8Array): undefined {
  if (e instanceof ts.TensorSlowError) return undefined;
  assert.fail(`input of ${input.length} bytes [${[...input.subarray(0, 48)].join(",")}${input.length > 48 ? ",..." : ""}] raised ${String(e)}`);
}

/** Every dtype the safetensors format defines, and a few it does not. */
const SAFETENSORS_DTYPES = ["BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64", "F4", "F6_E2M3", "F6_E3M2", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F16", "BF16", "F32", "F64", "C64", "x", "f32"];

function checkSafetensors(bytes: Uint8Array, asBuffer = false): void {
  // An ArrayBuffer (what fetch(...).arrayBuffer() gives) is read like the Uint8Array over it.
  const input = asBuffer ? (Uint8Array.from(bytes).buffer as ArrayBuffer) : bytes;
  const result = cleanly(() => ts.io.decodeSafetensors(input, "fuzz"), bytes);
  if (result === undefined) return;
  let elements = 0;
  for (const t of result.tensors.values()) {
    elements += t.data.length;
    assert.equal(t.data.length, t.shape.reduce((a, b) => a * b, 1));
  }
  // Every element decoded was present in the input, as one byte at least (BOOL, U8, I8 and the
  // 8-bit floats; read as int32 or float32 they take 4 bytes: the most a byte of input can cost).
  assert.ok(elements <= bytes.length, `decoded ${elements} elements from ${bytes.length} bytes of input`);
}

const tensorArb = fc.oneof(
  fc.array(fc.double(), { maxLength: 6 }).map((v) => ts.tensor(new Float64Array(v))),
  fc.array(fc.float(), { maxLength: 6 }).map((v) => ts.tensor(new Float32Array(v))),
  fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 6 }).map((v) => ts.tensor(new Int32Array(v))),
  fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }).map((v) => ts.tensor(v)),
);
const fileArb = fc
  .uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s !== "__metadata__"), tensorArb), { maxLength: 4, selector: ([k]) => k })
  .map((entries) => ts.io.encodeSafetensors(entries, { format: "fuzz" }));

/** One edit of a byte array: flip, set, cut, insert or splice a random u64 header length. */
const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("length" as const), value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
);
type Mutation = typeof mutationArb extends fc.Arbitrary<infer M> ? M : never;

function mutate(bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = Uint8Array.from(bytes);
  for (const m of mutations) {
    if (m.kind === "length") {
      if (b.length >= 8) Buffer.from(b.buffer, b.byteOffset, b.length).writeBigUInt64LE(m.value, 0);
      continue;
    }
    if (b.length === 0) continue;
    const at = m.at % b.length;
    if (m.kind === "set") b[at] = m.value;
    else if (m.kind === "flip") b[at]! ^= 1 << m.bit;
    else if (m.kind === "cut") b = b.slice(0, at);
    else b = Uint8Array.from([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
  }
  return b;
}

/** Headers that are valid JSON but may lie: any dtype string, shapes and offsets of any numbers. */
const numberArb = fc.oneof(fc.integer({ min: -4, max: 64 }), fc.constantFrom(2 ** 31, 2 ** 32, 2 ** 53, 2 ** 64, 1e308, -0, 0.5), fc.double());
const headerArb = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 6 }), fc.constant("__metadata__")),
  fc.oneof(
    fc.record({
      dtype: fc.oneof(fc.constantFrom(...SAFETENSORS_DTYPES), fc.integer()),
      shape: fc.oneof(fc.array(numberArb, { maxLength: 4 }), fc.constant(null)),
      data_offsets: fc.oneof(fc.array(numberArb, { maxLength: 3 }), fc.tuple(fc.nat(64), fc.nat(64))),
    }),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ maxLength: 4 }), fc.integer())),
    fc.jsonValue({ maxDepth: 2 }),
  ),
  { maxKeys: 4 },
);

function withHeader(header: unknown, data: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const out = Buffer.alloc(8 + json.length + data.length);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  Buffer.from(data).copy(out, 8 + json.length);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

describe("fuzz: the safetensors reader", { timeout: 120_000 }, () => {
  it("refuses random bytes cleanly", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => checkSafetensors(bytes)), { numRuns: RUNS });
  });

  it("reads valid files back, and refuses or reads mutated ones cleanly", () => {
    fc.assert(
      fc.property(fileArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (bytes, mutations) => {
        const back = ts.io.decodeSafetensors(bytes);
        assert.equal(back.metadata["format"], "fuzz");
        checkSafetensors(mutate(bytes, mutations));
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses or reads lying headers cleanly, given as a Uint8Array or an ArrayBuffer", () => {
    fc.assert(
      fc.property(headerArb, fc.uint8Array({ maxLength: 64 }), fc.boolean(), (header, data, asBuffer) => checkSafetensors(withHeader(header, data), asBuffer)),
      { numRuns: RUNS },
    );
  });

  it("reads or refuses entries of every dtype the format defines, with data of the right size", () => {
    const bits: Record<string, number> = { F4: 4, F6_E2M3: 6, F6_E3M2: 6, I16: 16, U16: 16, F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32, F64: 64, I64: 64, U64: 64, C64: 64 };
    const entryArb = fc
      .tuple(fc.constantFrom(...SAFETENSORS_DTYPES.slice(0, -2)), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }))
      .chain(([dtype, shape]) => {
        const bytes = Math.ceil(((bits[dtype] ?? 8) * shape.reduce((a, b) => a * b, 1)) / 8);
        return fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((data) => ({ dtype, shape, data }));
      });
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 4 }), (entries) => {
        const header: Record<string, unknown> = {};
        let at = 0;
        entries.forEach(({ dtype, shape, data }, i) => {
          header[`t${i}`] = { dtype, shape, data_offsets: [at, at + data.length] };
          at += data.length;
        });
        checkSafetensors(withHeader(header, Uint8Array.from(entries.flatMap((e) => [...e.data]))));
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses headers nested thousands of levels deep cleanly, wherever the nesting is", () => {
    const nestedArb = fc.tuple(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom("[", "{\"k\":"), fc.constantFrom("shape", "data_offsets", "dtype", "__metadata__", "entry"));
    fc.assert(
      fc.property(nestedArb, ([depth, open, where]) => {
        const close = open === "[" ? "]" : "}";
        const deep = `${open.repeat(depth)}1${close.repeat(depth)}`;
        const text =
          where === "__metadata__" ? `{"__metadata__":${deep}}` : where === "entry" ? `{"a":${deep}}` : `{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4],"${where}":${deep}}}`;
        const json = Buffer.from(text);
        const bytes = Buffer.alloc(8 + json.length + 4);
        bytes.writeBigUInt64LE(BigInt(json.length), 0);
        json.copy(bytes, 8);
        checkSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
      }),
      { numRuns: RUNS / 10 },
    );
  });
});

/** Checks what the IDX reader accepted: a consistent array, no larger than its input, that converts. */
function checkIdx(idx: ts.data.IdxArray | undefined, inputLength: number): void {
  if (idx === undefined) return;
  assert.equal(idx.data.length, idx.shape.reduce((a, b) => a * b, 1));
  assert.ok(idx.data.byteLength <= inputLength, `parsed ${idx.data.byteLength} bytes from ${inputLength}`);
  const t = ts.data.idxToTensor(idx);
  assert.deepEqual(t.shape, idx.shape);
}

/** IDX files built here, big-endian as the format says: any type code, a small shape, random values. */
const IDX_TYPES = [
  [0x08, 1],
  [0x09, 1],
  [0x0b, 2],
  [0x0c, 4],
  [0x0d, 4],
  [0x0e, 8],
] as const;
const idxArb = fc
  .tuple(fc.constantFrom(...IDX_TYPES), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }))
  .chain(([[code, size], shape]) =>
    fc.uint8Array({ minLength: size * shape.reduce((a, b) => a * b, 1), maxLength: size * shape.reduce((a, b) => a * b, 1) }).map((data) => {
      const header = Buffer.alloc(4 + 4 * shape.length);
      header[2] = code;
      header[3] = shape.length;
      shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
      return new Uint8Array(Buffer.concat([header, data]));
    }),
  );

describe("fuzz: the IDX reader", { timeout: 120_000 }, () => {
  it("refuses random bytes cleanly, with or without a valid-looking magic number", () => {
    const magic = fc.tuple(fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x0a, 0xff), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 64 }));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 128 }), magic.map(([t, r, rest]) => Uint8Array.from([0, 0, t, r, ...rest]))), (bytes) =>
        checkIdx(cleanly(() => ts.data.parseIdx(bytes, { source: "fuzz" }), bytes), bytes.length),
      ),
      { numRuns: RUNS },
    );
  });

  it("reads valid files back, and refuses or reads mutated ones cleanly", () => {
    fc.assert(
      fc.property(idxArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (bytes, mutations) => {
        checkIdx(ts.data.parseIdx(bytes), bytes.length);
        const mutated = mutate(bytes, mutations);
        checkIdx(cleanly(() => ts.data.parseIdx(mutated, { source: "fuzz" }), mutated), mutated.length);
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses gzipped files with trailing data cleanly, given as a Uint8Array or an ArrayBuffer", async () => {
    await fc.assert(
      fc.asyncProperty(idxArb, fc.uint8Array({ minLength: 1, maxLength: 4096 }), fc.boolean(), async (bytes, trailing, asBuffer) => {
        const zipped = new Uint8Array(gzipSync(Buffer.concat([bytes, trailing])));
        const input = asBuffer ? (Uint8Array.from(zipped).buffer as ArrayBuffer) : zipped;
        await assert.rejects(ts.data.decodeIdx(input, { source: "fuzz" }), (e: unknown) => e instanceof ts.DataError && /trailing garbage/.test((e as Error).message));
      }),
      { numRuns: RUNS / 4 },
    );
  });

  it("refuses corrupt gzip and decompression bombs cleanly", async () => {
    await fc.assert(
      fc.asyncProperty(idxArb, fc.array(mutationArb, { maxLength: 3 }), async (bytes, mutations) => {
        const zipped = mutate(new Uint8Array(gzipSync(bytes)), mutations);
        const maxBytes = Math.max(1, bytes.length >> 1);
        // Half the real size as the limit: an intact stream is refused as too large, never allocated.
        const idx = await cleanlyAsync(() => ts.data.decodeIdx(zipped, { source: "fuzz", maxBytes }), zipped);
        if (idx !== undefined) assert.ok(idx.data.byteLength <= (ts.data.isGzip(zipped) ? maxBytes : zipped.length));
      }),
      { numRuns: RUNS / 4 },
    );
  });
});
