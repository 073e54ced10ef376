/**
 * The safetensors reader and writer. Files are built byte by byte here (as another tool would
 * write them), independently of the writer, and every malformed header is refused with a
 * DataError that names the source.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";

/** A safetensors file from a header object (or raw header text) and raw data bytes. */
function file(header: unknown, data: number[] | Uint8Array = [], options: { headerLength?: bigint; pad?: number } = {}): Uint8Array {
  const text = typeof header === "string" ? header : JSON.stringify(header);
  const json = Buffer.concat([Buffer.from(text, "utf8"), Buffer.alloc(options.pad ?? 0, 0x20)]);
  const out = Buffer.alloc(8 + json.length + data.length);
  out.writeBigUInt64LE(options.headerLength ?? BigInt(json.length), 0);
  json.copy(out, 8);
  Buffer.from(data).copy(out, 8 + json.length);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

function f64le(...values: number[]): number[] {
  const b = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => b.writeDoubleLE(v, 8 * i));
  return [...b];
}

function refuses(bytes: Uint8Array, pattern: RegExp, errorClass: typeof ts.TensorSlowError = ts.DataError): void {
  assert.throws(
    () => ts.io.decodeSafetensors(bytes, "'model.safetensors'"),
    (e: unknown) => {
      assert.ok(e instanceof errorClass, `expected ${errorClass.name}, got ${String(e)}`);
      assert.match((e as Error).message, /'model\.safetensors'|TensorSlow cannot hold/);
      assert.match((e as Error).message, pattern);
      return true;
    },
  );
}

describe("safetensors: writing", () => {
  it("lays out the header length, the JSON header and little-endian data as the format says", () => {
    const bytes = ts.io.encodeSafetensors({ a: ts.tensor([1.5, -2]) });
    const view = Buffer.from(bytes);
    const n = Number(view.readBigUInt64LE(0));
    // Data starts on an 8-byte boundary; the padding is spaces after the JSON.
    assert.equal((8 + n) % 8, 0);
    const header = JSON.parse(view.subarray(8, 8 + n).toString("utf8"));
    assert.deepEqual(header, { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } });
    // 1.5f is 0x3FC00000 and -2f is 0xC0000000, least significant byte first.
    assert.deepEqual([...view.subarray(8 + n)], [0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
  });

  it("puts wider dtypes first so each tensor is aligned to its element size, and keeps metadata", () => {
    const bytes = ts.io.encodeSafetensors(
      [
        ["flag", ts.tensor([true, false, true])],
        ["count", ts.tensor([7], { dtype: "int32" })],
        ["w", ts.tensor([[0.25]], { dtype: "float64" })],
      ],
      { format: "test" },
    );
    const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
    const header = JSON.parse(Buffer.from(bytes).subarray(8, 8 + n).toString("utf8"));
    assert.deepEqual(header.__metadata__, { format: "test" });
    assert.deepEqual(header.w.data_offsets, [0, 8]);
    assert.deepEqual(header.count.data_offsets, [8, 12]);
    assert.deepEqual(header.flag.data_offsets, [12, 15]);
    assert.deepEqual(header.flag, { dtype: "BOOL", shape: [3], data_offsets: [12, 15] });
    assert.equal(bytes.length, 8 + n + 15);
  });

  it("round-trips every dtype exactly, including NaN, infinities, -0 and int32 extremes", () => {
    const tensors = new Map<string, ts.Tensor>([
      ["f32", ts.tensor(new Float32Array([NaN, Infinity, -Infinity, -0, 3.4028234663852886e38, 1e-45]))],
      ["f64", ts.tensor(new Float64Array([Math.PI, -Number.MAX_VALUE, 5e-324]), { shape: [3, 1] })],
      ["i32", ts.tensor(new Int32Array([-2147483648, 2147483647, 0]))],
      ["b", ts.tensor([[true], [false]])],
      ["empty", ts.zeros([0, 3])],
      ["scalar", ts.scalar(2.5, "float64")],
    ]);
    const back = ts.io.decodeSafetensors(ts.io.encodeSafetensors(tensors, { k: "v" }));
    assert.deepEqual(back.metadata, { k: "v" });
    assert.deepEqual([...back.tensors.keys()].sort(), [...tensors.keys()].sort());
    for (const [name, t] of tensors) {
      const u = back.tensors.get(name)!;
      assert.equal(u.dtype, t.dtype, name);
      assert.deepEqual(u.shape, t.shape, name);
      assert.deepEqual(Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), name);
    }
  });

  it("refuses names it cannot write", () => {
    assert.throws(() => ts.io.encodeSafetensors({ __metadata__: ts.scalar(1) }), ts.ValueError);
    assert.throws(() => ts.io.encodeSafetensors([["a", ts.scalar(1)], ["a", ts.scalar(2)]]), /appears twice/);
    assert.throws(() => ts.io.encodeSafetensors({ a: ts.scalar(1) }, { n: 1 as unknown as string }), /must be strings/);
  });
});

describe("safetensors: reading files written elsewhere", () => {
  it("reads a file built by hand, whatever the order of the header's keys", () => {
    const header = {
      second: { dtype: "F64", shape: [1], data_offsets: [16, 24] },
      __metadata__: { format: "pt" },
      first: { dtype: "F64", shape: [2], data_offsets: [0, 16] },
    };
    const { tensors, metadata } = ts.io.decodeSafetensors(file(header, f64le(1, -2, 0.5), { pad: 3 }));
    assert.deepEqual(metadata, { format: "pt" });
    assert.deepEqual(tensors.get("first")!.toArray(), [1, -2]);
    assert.deepEqual(tensors.get("second")!.toArray(), [0.5]);
  });

  it("reads an empty file ({} and no data) as no tensors", () => {
    assert.equal(ts.io.decodeSafetensors(file({})).tensors.size, 0);
  });

  it("reads tensors from a Uint8Array that is a window on a larger buffer", () => {
    const inner = file({ x: { dtype: "I32", shape: [], data_offsets: [0, 4] } }, [0xff, 0xff, 0xff, 0xff]);
    const big = new Uint8Array(inner.length + 3);
    big.set(inner, 3);
    assert.equal(ts.io.decodeSafetensors(big.subarray(3)).tensors.get("x")!.item(), -1);
  });
});

/** Little-endian bytes of 16-bit words. */
function u16le(...words: number[]): number[] {
  return words.flatMap((w) => [w & 0xff, w >> 8]);
}

describe("safetensors: the format's other dtypes", () => {
  it("reads F16, BF16, F8 values exactly as float32 (values from the IEEE/OCP bit layouts, worked by hand)", () => {
    // F16: 0x3c00 = 1, 0xc100 = -2.5, 0x7bff = 65504 (largest), 0x0001 = 2^-24 (smallest subnormal), 0x7c00 = inf, 0x7e00 = NaN.
    const f16 = ts.io.decodeSafetensors(file({ h: { dtype: "F16", shape: [6], data_offsets: [0, 12] } }, u16le(0x3c00, 0xc100, 0x7bff, 0x0001, 0x7c00, 0x7e00)));
    const h = f16.tensors.get("h")!;
    assert.equal(h.dtype, "float32");
    assert.deepEqual(h.toArray(), [1, -2.5, 65504, 2 ** -24, Infinity, NaN]);
    // BF16: the top half of a float32: 0x3f80 = 1, 0xc000 = -2, 0x4049 = 0x40490000 = 3.140625.
    const bf16 = ts.io.decodeSafetensors(file({ b: { dtype: "BF16", shape: [3], data_offsets: [0, 6] } }, u16le(0x3f80, 0xc000, 0x4049)));
    assert.deepEqual(bf16.tensors.get("b")!.toArray(), [1, -2, 3.140625]);
    // F8_E5M2 is the top byte of an F16 (0x3c = 1, 0xc1 = -2.5); F8_E4M3 has bias 7: 0x38 = 1, 0x7e = 1.75 * 2^8 = 448, 0x01 = 2^-9, 0x7f = NaN.
    const f8 = ts.io.decodeSafetensors(file({ e5: { dtype: "F8_E5M2", shape: [2], data_offsets: [0, 2] }, e4: { dtype: "F8_E4M3", shape: [4], data_offsets: [2, 6] } }, [0x3c, 0xc1, 0x38, 0x7e, 0x01, 0x7f]));
    assert.deepEqual(f8.tensors.get("e5")!.toArray(), [1, -2.5]);
    assert.deepEqual(f8.tensors.get("e4")!.toArray(), [1, 448, 2 ** -9, NaN]);
  });

  it("reads integer dtypes as int32 when every value fits, and names the first value that does not", () => {
    const ints = ts.io.decodeSafetensors(
      file(
        {
          i64: { dtype: "I64", shape: [2], data_offsets: [0, 16] },
          u8: { dtype: "U8", shape: [2], data_offsets: [16, 18] },
          i8: { dtype: "I8", shape: [1], data_offsets: [18, 19] },
          pad: { dtype: "BOOL", shape: [1], data_offsets: [19, 20] },
        },
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 0, 255, 0x80, 1],
      ),
    );
    assert.deepEqual(ints.tensors.get("i64")!.toArray(), [-1, 2 ** 31 - 1]);
    assert.equal(ints.tensors.get("i64")!.dtype, "int32");
    assert.deepEqual(ints.tensors.get("u8")!.toArray(), [0, 255]);
    assert.deepEqual(ints.tensors.get("i8")!.toArray(), [-128]);
    // 2^31 as I64 (bytes 00 00 00 80 00 00 00 00) is no int32.
    refuses(file({ big: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0]), /'big' of 'model\.safetensors' is I64, and its element 1 \(2147483648\) is not exactly representable as int32/, ts.DTypeError);
  });

  it("accepts an ArrayBuffer (what fetch(...).arrayBuffer() gives)", () => {
    const bytes = file({ x: { dtype: "F64", shape: [1], data_offsets: [0, 8] } }, f64le(0.25));
    const buffer = new Uint8Array(bytes).buffer as ArrayBuffer;
    assert.equal(ts.io.decodeSafetensors(buffer).tensors.get("x")!.item(), 0.25);
    assert.throws(() => ts.io.decodeSafetensors(null as never), (e: unknown) => e instanceof ts.ValueError && /decodeSafetensors/.test((e as Error).message));
  });
});

describe("safetensors: refusing malformed input", () => {
  const ok = { dtype: "F64", shape: [2], data_offsets: [0, 16] };
  const data = f64le(1, 2);

  it("refuses files too short for the header length, and header lengths past the end", () => {
    refuses(new Uint8Array(5), /5 bytes, fewer than the 8/);
    refuses(file({ a: ok }, data, { headerLength: 1000n }), /header length 1000 is more than the \d+ bytes that follow/);
    refuses(file({ a: ok }, data).subarray(0, 20), /is more than the 12 bytes that follow/);
  });

  it("refuses absurd header lengths (2^63, just over the limit) without allocating them", () => {
    refuses(file({}, [], { headerLength: 2n ** 63n }), /beyond the limit/);
    refuses(file({}, [], { headerLength: BigInt(ts.io.MAX_HEADER_BYTES + 1) }), /beyond the limit/);
  });

  it("refuses headers that are not a JSON object", () => {
    refuses(file("x"), /too small/);
    refuses(file("[1, 2]"), /does not start with '\{'/);
    refuses(file('{"a": '), /not valid JSON/);
    // '{', a lone UTF-8 lead byte, '}'
    refuses(new Uint8Array([3, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0xc3, 0x7d]), /not valid UTF-8/);
    refuses(file({ a: 5 }), /tensor 'a': its entry is not an object/);
    refuses(file({ __metadata__: { n: 1 } }), /values must be strings, 'n' is number/);
    refuses(file({ __metadata__: [] }), /'__metadata__' is not an object/);
  });

  it("refuses unknown dtypes, and names the format's dtypes TensorSlow cannot hold", () => {
    refuses(file({ a: { ...ok, dtype: "F99" } }, data), /unknown dtype "F99"/);
    refuses(file({ a: { ...ok, dtype: 32 } }, data), /'dtype' is missing or not a string/);
    refuses(file({ a: { ...ok, dtype: "toString" } }, data), /unknown dtype/);
    refuses(file({ a: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }, [0, 0, 0, 0, 0, 0, 0, 0]), /'a' of 'model\.safetensors' has dtype C64, which TensorSlow cannot read/, ts.DTypeError);
    refuses(file({ a: { dtype: "F4", shape: [3], data_offsets: [0, 2] } }, [0, 0]), /12 bits, not a whole number of bytes/);
  });

  it("refuses headers nested deeper than the format's three levels before parsing them (20,000 arrays deep)", () => {
    const deep = `{"a":{"dtype":"F64","shape":${"[".repeat(20000)}${"]".repeat(20000)},"data_offsets":[0,0]}}`;
    refuses(file(deep), /nests JSON more than 3 levels deep/);
    // Brackets inside strings are not nesting.
    assert.equal(ts.io.decodeSafetensors(file({ __metadata__: { "[[[[": "{{{{" } })).metadata["[[[["], "{{{{");
  });

  it("keeps messages short whatever the header holds (a 100,000-character name, a 100,000-element offset list)", () => {
    const long = "n".repeat(100_000);
    assert.throws(() => ts.io.decodeSafetensors(file({ [long]: { ...ok, data_offsets: [0, 24] } }, data)), (e: unknown) => e instanceof ts.DataError && e.message.length < 400 && /100000 characters/.test(e.message));
    const offsets = Array.from({ length: 100_000 }, () => -1);
    assert.throws(() => ts.io.decodeSafetensors(file({ a: { ...ok, data_offsets: offsets } }, data)), (e: unknown) => e instanceof ts.DataError && e.message.length < 400);
  });

  it("refuses negative, fractional, overflowing and oversized shapes and offsets", () => {
    refuses(file({ a: { ...ok, shape: [-2] } }, data), /dimension 0 of its shape is -2/);
    refuses(file({ a: { ...ok, shape: [2.5] } }, data), /dimension 0 of its shape is 2.5/);
    refuses(file({ a: { ...ok, shape: "2" } }, data), /'shape' is missing/);
    refuses(file({ a: { ...ok, shape: [2 ** 40, 2 ** 40, 2 ** 40] } }, data), /needs more bytes than the 16/);
    refuses(file({ a: { ...ok, shape: [1e300] } }, data), /not a non-negative integer/);
    refuses(file({ a: { ...ok, data_offsets: [-8, 16] } }, data), /must be non-negative integers/);
    refuses(file({ a: { ...ok, data_offsets: [0, 2 ** 53] } }, data), /must be non-negative integers/);
    refuses(file({ a: { ...ok, data_offsets: [0] } }, data), /must be an array \[begin, end\]/);
    refuses(file({ a: { ...ok, data_offsets: [16, 0] } }, data), /end before they begin/);
    refuses(file({ a: { ...ok, data_offsets: [0, 24] } }, data), /reach past the 16 bytes/);
    refuses(file({ a: { ...ok, shape: [3] } }, data), /needs 24 bytes|more bytes than the 16/);
    refuses(file({ a: { ...ok, shape: [1] } }, data), /needs 8 bytes, but data_offsets \[0, 16\] give 16/);
  });

  it("refuses overlapping tensors, gaps, and data the header does not describe", () => {
    const half = { dtype: "F64", shape: [1] };
    refuses(file({ a: { ...half, data_offsets: [0, 8] }, b: { ...half, data_offsets: [0, 8] } }, data), /overlaps/);
    refuses(file({ a: { ...ok }, b: { dtype: "F64", shape: [1], data_offsets: [8, 16] } }, data), /overlaps/);
    refuses(file({ a: { ...half, data_offsets: [8, 16] } }, data), /starts at byte 8, leaving a gap/);
    refuses(file({ a: { ...half, data_offsets: [0, 8] } }, data), /describe 8 bytes of data but 16 follow/);
  });

  it("refuses BOOL bytes other than 0 and 1", () => {
    refuses(file({ b: { dtype: "BOOL", shape: [3], data_offsets: [0, 3] } }, [1, 0, 7]), /tensor 'b' is BOOL but element 2 holds the byte 7/);
  });
});
