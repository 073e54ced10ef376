/**
 * The OpDef flags that let a plan skip a kernel (runtime/view.ts, runtime/fold.ts) say what the
 * op table's plain-JS references (written from the math, not from the library) show:
 *
 * - `relabels`: wherever a case's output has as many elements as input 0, the output is input 0's
 *   elements in row-major order;
 * - `shapeOnly`: the output is the same for the case's inputs and for zeros of their shapes.
 *
 * Every flagged op has cases where the flag applies (a flag no case exercises is not checked).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { OP_TABLE, type R64 } from "./op-table.js";

const r64 = (x: { shape: readonly number[]; data: ArrayLike<number> }): R64 => ({ shape: [...x.shape], data: Float64Array.from(x.data) });

describe("op flags against the references", () => {
  const defs = ts.registeredOps();

  test("relabels: the output is input 0's elements whenever the element counts agree", () => {
    const flagged = defs.filter((d) => d.relabels === true);
    assert.ok(flagged.length >= 8, flagged.map((d) => d.type).join(","));
    for (const def of flagged) {
      const entry = OP_TABLE[def.type]!;
      let applied = 0;
      for (const c of entry.cases) {
        const inputs = c.inputs.map(r64);
        const out = entry.ref(inputs, c.attrs);
        if (out.data.length !== inputs[0]!.data.length) continue;
        applied++;
        assert.deepEqual(Array.from(out.data), Array.from(inputs[0]!.data), `${def.type} ${c.name}`);
      }
      assert.ok(applied > 0, `${def.type}: no case where the output has input 0's element count`);
    }
  });

  test("shapeOnly: the output does not change when the inputs' values do", () => {
    const flagged = defs.filter((d) => d.shapeOnly === true);
    assert.ok(flagged.length >= 5, flagged.map((d) => d.type).join(","));
    for (const def of flagged) {
      const entry = OP_TABLE[def.type]!;
      assert.ok(entry.cases.length > 0, def.type);
      for (const c of entry.cases) {
        const inputs = c.inputs.map(r64);
        const zeros = inputs.map((x) => ({ shape: x.shape, data: new Float64Array(x.data.length) }));
        const a = entry.ref(inputs, c.attrs);
        const b = entry.ref(zeros, c.attrs);
        assert.deepEqual(a.shape, b.shape, `${def.type} ${c.name}`);
        assert.deepEqual(Array.from(a.data), Array.from(b.data), `${def.type} ${c.name}`);
      }
    }
  });
});
