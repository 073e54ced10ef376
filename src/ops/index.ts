export * from "./define.js";
// The attributes kernels read are the ops' too: exporters and users name them from here.
export type * from "../kernels/attrs.js";
export * from "./math.js";
export * from "./matmul.js";
export * from "./reduce.js";
export * from "./activation.js";
export * from "./array.js";
export * from "./state.js";
export * from "./compare.js";
export * from "./select.js";
// Array ops: shapes, joins and splits, slicing and gathering, tiles and pads, creation.
export * from "./shape-ops.js";
export * from "./join-split.js";
export * from "./indexing.js";
export * from "./tile-pad.js";
export * from "./creation.js";
// Convolution and pooling.
export * from "./conv.js";
export * from "./pool.js";
export type { WindowArg } from "./window.js";
export * from "./loss.js";
export * from "./nn.js";
export * from "./random.js";
export * from "./shape-info.js";
export * from "./in-top-k.js";
export * from "./check-numerics.js";
