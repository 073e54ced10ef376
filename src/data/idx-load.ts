/** IDX from compressed or plain bytes, and from files (Node). */
import { DataError } from "../tensor/index.js";
import { idxBytes, idxDeclaredSize, idxTooLong, idxWhat, isGzip, parseIdx, type IdxArray, type IdxParseOptions } from "./idx.js";
import { DEFAULT_MAX_BYTES, gunzip, readFileBytes } from "./platform.js";

export interface IdxDecodeOptions extends IdxParseOptions {
  /** The most bytes gzipped data may decompress to; 2^30 (1 GiB) by default. */
  maxBytes?: number;
}

/**
 * Parses IDX bytes (a Uint8Array or an ArrayBuffer), gunzipping them first when they start with the
 * gzip magic number (1f 8b). Inflating stops at `maxBytes`, or as soon as the output is longer than
 * its own header declares, whichever comes first.
 */
export async function decodeIdx(input: Uint8Array | ArrayBuffer, options: IdxDecodeOptions = {}): Promise<IdxArray> {
  const bytes = idxBytes(input, "decodeIdx");
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0)) throw new DataError(`decodeIdx: maxBytes must be a positive integer, got ${maxBytes}`);
  const { source } = options;
  const raw = isGzip(bytes)
    ? await gunzip(bytes, { what: idxWhat(source), maxBytes, declaredSize: (prefix) => idxDeclaredSize(prefix, source), tooLong: (declared) => idxTooLong(declared, source) })
    : bytes;
  return parseIdx(raw, { source });
}

/** Reads an IDX file, gzipped or not (Node only). */
export async function readIdx(path: string, options: Omit<IdxDecodeOptions, "source"> = {}): Promise<IdxArray> {
  const bytes = await readFileBytes(path, "readIdx");
  if (bytes === null) throw new DataError(`IDX file '${path}' does not exist`);
  return decodeIdx(bytes, { ...options, source: path });
}
