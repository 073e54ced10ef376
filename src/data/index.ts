/** Data sets: the tutorial's 2-D point sets (`ts.data.blobs`, `ts.data.xorClusters`). */
export { blobs, xorClusters, concatRows, BLOBS_SEED, XOR_SEED, type PointSet, type PointSetOptions } from "./points.js";
