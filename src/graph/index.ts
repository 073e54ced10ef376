export * from "./graph.js";
export * from "./node.js";
export type * from "./op-def.js";
export * from "./tensor-shape.js";
