/**
 * Fused elementwise programs (see src/backends/wasm/fused.ts, which lowers a program into the
 * step table read here). The domain is walked in chunks of CHUNK elements; each step runs over
 * one chunk with the loops of elementwise.ts, so intermediate values stay in registers of
 * CHUNK floats (in L1) instead of making a trip through memory per op.
 *
 * A step is STEP_WORDS i32 words: kind, op, layout, then three operands (a, b, out), each as
 * (base, mode): a whole-domain array read at the chunk's offset (MOVES), a register (REGISTER:
 * base is its byte offset in the calling thread's scratch, so threads running chunks of one
 * table never share registers), or a fixed address (a scalar). Gathers read `b` as the row length.
 */
import { binaryFlat, unary } from "./dispatch.generated";

export const CHUNK = 256;
const STEP_WORDS = 9;
const UNARY = 0;
const BINARY = 1;
const GATHER_ROW = 2;
const GATHER_COL = 3;

const MOVES = 1;
const REGISTER = 2;

// @ts-ignore: decorator
@inline function operand(step: usize, which: i32, offset: usize, registers: usize): usize {
  const at = step + 12 + (<usize>which << 3);
  const mode = load<i32>(at + 4);
  return <usize>load<i32>(at) + (mode == MOVES ? offset : mode == REGISTER ? registers : 0);
}

/** Runs `steps` steps of the table at `table` over elements [start, start + count), registers in `scratch`. */
export function fused(table: usize, steps: i32, start: i32, count: i32, scratch: usize): void {
  const end = start + count;
  for (let k = start; k < end; k += CHUNK) {
    const len = min(CHUNK, end - k);
    const offset = <usize>k << 2;
    for (let s = 0; s < steps; s++) {
      const step = table + <usize>(s * STEP_WORDS * 4);
      const kind = load<i32>(step);
      const op = load<i32>(step + 4);
      const o = operand(step, 2, offset, scratch);
      if (kind == UNARY) unary(op, operand(step, 0, offset, scratch), o, len);
      else if (kind == BINARY) binaryFlat(op, load<i32>(step + 8), operand(step, 0, offset, scratch), operand(step, 1, offset, scratch), o, len);
      else gather(kind, <usize>load<i32>(step + 12), load<i32>(step + 20), k, o, len);
    }
  }
}

/**
 * A row (element e of the chunk reads src[(k + e) mod inner]) or a column (src[(k + e) div inner])
 * into the register at `o`, in runs: a row is copied a run at a time, a column's value is splat
 * over its run. (Element by element, this cost more than the rest of a bias-add and relu.)
 */
function gather(kind: i32, src: usize, inner: i32, k: i32, o: usize, len: i32): void {
  let r = k / inner;
  let c = k % inner;
  let e = 0;
  while (e < len) {
    const run = min(inner - c, len - e);
    const dst = o + (<usize>e << 2);
    if (kind == GATHER_ROW) {
      memory.copy(dst, src + (<usize>c << 2), <usize>run << 2);
    } else {
      const v = f32x4.splat(load<f32>(src + (<usize>r << 2)));
      let i = 0;
      for (; i + 4 <= run; i += 4) v128.store(dst + (<usize>i << 2), v);
      for (; i < run; i++) store<f32>(dst + (<usize>i << 2), f32x4.extract_lane(v, 0));
    }
    e += run;
    c = 0;
    r++;
  }
}
