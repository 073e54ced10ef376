/**
 * The ts.summary namespace, TF1's tf.summary: scalar and histogram summaries, merged and run like
 * any fetch, written by FileWriter as TensorBoard event files (or kept as bytes, in a browser).
 */
export { scalar, histogram, merge, mergeAll, mergeAll as merge_all, type SummaryFetches, type SummaryValues } from "./ops.js";
export { FileWriter } from "./writer.js";
