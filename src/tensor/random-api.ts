/** The public `ts.random` namespace. */
export { normal, uniform, permutation } from "./random.js";
