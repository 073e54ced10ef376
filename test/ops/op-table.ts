/**
 * OP_TABLE: one entry per registered op type (keyed by the `type` of the defs `ts.registeredOps()`
 * returns), in the manner of PyTorch's OpInfo. Each entry has
 *
 * - `build(inputs, attrs)`: makes one node of this type from input nodes;
 * - `ref(inputs, attrs)`: a plain-JS reference over Float64Arrays, written from the math and
 *   numpy's rules, not from the library's code;
 * - `cases`: small sample inputs (broadcast pairs, size-1 dimensions, rank 0, vectors and batches
 *   for MatMul, transposes, negative axes and keepDims, ...), each with attributes;
 * - `differentiable: true`, or `{ notDifferentiable: reason }` (the same choice the registry makes);
 * - tolerances, the dtypes the forward test runs, and inputs of a fixed dtype (indices, conditions).
 *
 * The entries live in one file per op family under test/ops/table/ (the shared kit is
 * table/kit.ts). ops.test.ts iterates this table; an op type without an entry fails the suite.
 */
import type { OpEntry } from "./table/kit.js";
// One file per op file of src/ops/ (compare.ts also holds select's SelectV2, shape-info.ts InTopK).
import { MATH_OPS } from "./table/math.js";
import { ACTIVATION_OPS } from "./table/activation.js";
import { MATMUL_OPS } from "./table/matmul.js";
import { REDUCE_OPS } from "./table/reduce.js";
import { ARRAY_OPS } from "./table/array.js";
import { STATE_OPS } from "./table/state.js";
import { CHECK_NUMERICS_OPS } from "./table/check-numerics.js";
import { COMPARE_OPS } from "./table/compare.js";
import { SHAPE_OPS } from "./table/shape-ops.js";
import { JOIN_SPLIT_OPS } from "./table/join-split.js";
import { INDEXING_OPS } from "./table/indexing.js";
import { TILE_PAD_OPS } from "./table/tile-pad.js";
import { CREATION_OPS } from "./table/creation.js";
import { SHAPE_INFO_OPS } from "./table/shape-info.js";
import { CONV_OPS } from "./table/conv.js";
import { POOL_OPS } from "./table/pool.js";
import { LOSS_OPS } from "./table/loss.js";
import { NN_OPS } from "./table/nn.js";

export type { InputKind, OpCase, OpEntry, R64, Tolerance } from "./table/kit.js";
export { TOLERANCES, broadcastShapesRef } from "./table/kit.js";

/** Every family's entries; a type defined in two families is an error. */
function merge(...families: Record<string, OpEntry<any>>[]): Record<string, OpEntry<any>> {
  const all: Record<string, OpEntry<any>> = {};
  for (const family of families) {
    for (const [type, entry] of Object.entries(family)) {
      if (type in all) throw new Error(`op-table: '${type}' has entries in two families`);
      all[type] = entry;
    }
  }
  return all;
}

export const OP_TABLE: Record<string, OpEntry<any>> = merge(
  MATH_OPS,
  ACTIVATION_OPS,
  MATMUL_OPS,
  REDUCE_OPS,
  ARRAY_OPS,
  STATE_OPS,
  CHECK_NUMERICS_OPS,
  COMPARE_OPS,
  SHAPE_OPS,
  JOIN_SPLIT_OPS,
  INDEXING_OPS,
  TILE_PAD_OPS,
  CREATION_OPS,
  SHAPE_INFO_OPS,
  CONV_OPS,
  POOL_OPS,
  LOSS_OPS,
  NN_OPS,
);
