export * from "./define.js";
export * from "./math.js";
export * from "./matmul.js";
export * from "./reduce.js";
export * from "./activation.js";
export * from "./array.js";
export * from "./broadcast.js";
export * from "./state.js";
