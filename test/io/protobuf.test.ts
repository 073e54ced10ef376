/**
 * The shared lazy protobufjs loader (io/protobuf.ts) that ONNX export and TensorBoard events both
 * encode through. Expected bytes worked out by hand from the protocol buffers wire format: a key
 * is (field number << 3) | wire type, varints are 7 bits a byte, low bits first.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type * as Protobuf from "../../dist/io/protobuf.js";
import { internal } from "../helpers/internals.js";

const { field, protobufEncoder } = await internal<typeof Protobuf>("io/protobuf.js");

const SCHEMA = {
  nested: {
    t: {
      nested: {
        A: { fields: { a: field("int32", 1) } },
        L: { fields: { numbers: field("int32", 1, true), names: field("string", 2, true) } },
      },
    },
  },
};

describe("io/protobuf: one lazy protobufjs loader", () => {
  const encode = protobufEncoder(SCHEMA, { a: "t.A", list: "t.L" }, (reason) => new Error(`unavailable: ${reason}`));

  it("encodes a varint field: a = 150 is key 0x08, then 150 as 0x96 0x01", async () => {
    assert.deepEqual([...(await encode("a", { a: 150 }))], [0x08, 0x96, 0x01]);
  });

  it("writes a list of numbers packed (one length-delimited run), a list of strings one field per element", async () => {
    const bytes = await encode("list", { numbers: [3, 300], names: ["hi", ""] });
    // numbers: key (1<<3)|2 = 0x0a, length 3, then 3 and 300 = 0xac 0x02;
    // names: key (2<<3)|2 = 0x12 per element, with its length and its UTF-8 bytes.
    assert.deepEqual([...bytes], [0x0a, 3, 3, 0xac, 0x02, 0x12, 2, 0x68, 0x69, 0x12, 0]);
  });

  it("hands out plain bytes of their own, not a view into a shared pool", async () => {
    const bytes = await encode("a", { a: 1 });
    assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype);
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.buffer.byteLength, bytes.length);
  });
});
