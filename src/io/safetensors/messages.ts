/**
 * How a file's names and values appear in messages: a hostile header's strings, arrays and objects
 * are cut short or shown only by kind, so that a message stays small whatever the file holds.
 */

/** Names and values quoted in messages are cut to this many characters. */
const MAX_QUOTED = 60;

/** A name or value for a message: quoted, cut to MAX_QUOTED characters; arrays and objects only by kind. */
export function quote(x: unknown): string {
  if (typeof x === "string") return x.length > MAX_QUOTED ? `'${x.slice(0, MAX_QUOTED)}...' (${x.length} characters)` : `'${x}'`;
  return preview(x);
}

/** Any value for a message, bounded: long strings cut, arrays by their first elements, objects by kind. */
export function preview(x: unknown): string {
  if (typeof x === "string") return JSON.stringify(x.length > MAX_QUOTED ? `${x.slice(0, MAX_QUOTED)}...` : x);
  if (Array.isArray(x)) {
    const shown = x.slice(0, 4).map((e) => (Array.isArray(e) ? "[...]" : isPlainObject(e) ? "{...}" : preview(e)));
    return `[${shown.join(", ")}${x.length > 4 ? `, ... (${x.length} elements)` : ""}]`;
  }
  if (isPlainObject(x)) return `a ${x.constructor?.name ?? "null-prototype"} object`;
  return typeof x === "symbol" ? x.toString() : String(x);
}

/** A JSON object (not an array, not null). */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
