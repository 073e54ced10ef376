export * from "./dtype.js";
export * from "./errors.js";
export * from "./shape.js";
export * from "./slicing.js";
export * from "./tensor.js";
export * as random from "./random-api.js";
export { setGlobalSeed, generatorFor, nextSeed, fillNormal, fillTruncatedNormal, fillUniform, RandomGenerator } from "./random.js";
export * from "./window.js";
export * from "./arguments.js";
