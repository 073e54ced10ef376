/**
 * Argument checking for the public API, in one place: JavaScript callers get no type checker, so a
 * wrong kind of argument must be a TensorSlowError naming the function, the argument and what was
 * expected, never a silent default or a TypeError from deep inside.
 *
 * `signature(fn, params)` describes a TensorFlow 1.x function: its positional parameters in TF1's
 * order, each with a check, and the keyword names (camelCase, snake_case and TF1's older aliases)
 * it also answers to in a trailing options object. `parse(args)` turns the arguments of a call into
 * one record by camelCase name, refusing unknown keywords, a value given twice and wrong kinds.
 */
import { DTYPE_EXPECTED, isDTypeLike, type DTypeLike } from "./dtype.js";
import { TensorSlowError } from "./errors.js";

/** A check of one argument: the predicate and what it expects, in words. */
export interface Check<T = unknown> {
  readonly test: (v: unknown) => v is T;
  /** "an integer", "an array of integers", ... */
  readonly expected: string;
  /** Whether a plain object may be this argument's value (then it is never taken for options). */
  readonly takesObject?: boolean;
}

export function check<T>(expected: string, test: (v: unknown) => boolean, takesObject = false): Check<T> {
  return { test: test as (v: unknown) => v is T, expected, takesObject };
}

/** A short description of a value for a message: its kind and, when small, itself. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return `${typeof v} ${String(v)}`;
  if (typeof v === "function") return `a function${v.name ? ` (${v.name})` : ""}`;
  if (typeof v === "symbol") return String(v);
  if (Array.isArray(v)) {
    const text = safeJson(v);
    return `an array ${text.startsWith("[") && text.length <= 60 ? text : `of length ${v.length}`}`;
  }
  const ctor = (v as object).constructor?.name;
  if (ctor !== undefined && ctor !== "Object") {
    const shown = String(v);
    return shown.startsWith("[object") || shown.length > 80 ? `a ${ctor}` : `${shown} (a ${ctor})`;
  }
  const text = safeJson(v);
  return `an object ${text.length <= 60 ? text : `with keys ${Object.keys(v as object).join(", ")}`}`;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    // Circular values (nodes hold their graph), and arrays holding a Symbol, which String refuses.
    try {
      return String(v);
    } catch {
      return Object.prototype.toString.call(v);
    }
  }
}

/** Throws a TensorSlowError naming `fn`, `arg` and `expected`, unless `check` passes. */
export function requireArg<T>(fn: string, arg: string, value: unknown, c: Check<T>): asserts value is T {
  if (!c.test(value)) throw new ArgumentError(fn, arg, c.expected, value);
}

/** A wrong kind of argument to a public function. */
export class ArgumentError extends TensorSlowError {
  constructor(
    readonly fn: string,
    readonly arg: string,
    readonly expected: string,
    value: unknown,
    hint = "",
  ) {
    super(`${fn}: argument '${arg}' must be ${expected}, got ${describe(value)}${hint ? `; ${hint}` : ""}`);
  }
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

const isInt = (v: unknown): v is number => Number.isInteger(v);

/** The checks the API uses; each reads as what it expects. */
export const is = {
  any: check<unknown>("anything", () => true, true),
  /** Any value but an options object: one the op's own inference checks (and names the op in its message). */
  opChecked: check<never>("a value", () => true),
  number: check<number>("a number", (v) => typeof v === "number" && !Number.isNaN(v)),
  finite: check<number>("a finite number", (v) => typeof v === "number" && Number.isFinite(v)),
  integer: check<number>("an integer", isInt),
  positiveInteger: check<number>("an integer > 0", (v) => isInt(v) && v > 0),
  boolean: check<boolean>("true or false", (v) => typeof v === "boolean"),
  string: check<string>("a string", (v) => typeof v === "string"),
  function: check<(...a: never[]) => unknown>("a function", (v) => typeof v === "function"),
  /** A concrete shape: an array of integers >= 0. */
  shape: check<number[]>("a shape (an array of integers >= 0)", (v) => Array.isArray(v) && v.every((d) => isInt(d) && d >= 0)),
  /** A static shape: integers >= 0, with null, undefined or -1 for an unknown dimension; an integer alone is a rank-1 shape. */
  staticShape: check<(number | null | undefined)[] | number>(
    "a shape (an array of integers >= 0, null or -1 where unknown, or one integer)",
    (v) => (isInt(v) && v >= 0) || (Array.isArray(v) && v.every((d) => d === null || d === undefined || (isInt(d) && d >= -1))),
  ),
  /** One axis or several (TensorFlow's `axis`/`reduction_indices`); null means all. */
  axes: check<number | number[] | null>("an integer, an array of integers, or null (all axes)", (v) => v === null || isInt(v) || (Array.isArray(v) && v.every(isInt))),
  plainObject: check<Record<string, unknown>>("an options object", isPlainObject, true),
  list<T>(c: Check<T>): Check<T[]> {
    return check<T[]>(`an array, each element ${c.expected}`, (v) => Array.isArray(v) && v.every((x) => c.test(x)));
  },
  optional<T>(c: Check<T>): Check<T | undefined> {
    return check<T | undefined>(`${c.expected} (or undefined)`, (v) => v === undefined || c.test(v), c.takesObject);
  },
  oneOf<T extends string>(values: readonly T[]): Check<T> {
    return check<T>(`one of ${values.map((x) => JSON.stringify(x)).join(", ")}`, (v) => (values as readonly unknown[]).includes(v));
  },
  either<A, B>(a: Check<A>, b: Check<B>): Check<A | B> {
    return check<A | B>(`${a.expected} or ${b.expected}`, (v) => a.test(v) || b.test(v), a.takesObject === true || b.takesObject === true);
  },
  instance<T>(ctor: { prototype: T }, expected: string): Check<T> {
    return check<T>(expected, (v) => v instanceof (ctor as unknown as new () => T));
  },
};

/** A dtype argument: ours or one of TensorFlow's other names (see dtype.ts). */
export const isDTypeArg: Check<DTypeLike> = check<DTypeLike>(DTYPE_EXPECTED, isDTypeLike);

export interface Param {
  /** The camelCase name, the key of the parsed record. */
  readonly name: string;
  readonly check: Check;
  /** Further keyword names: snake_case is derived from `name`; these are TF1's older names (`reduction_indices`). */
  readonly aliases?: readonly string[];
  /** Given only by keyword, in the options object (TF1's parameters after `*`, or ones too far down TF1's list to give by position). */
  readonly keywordOnly?: boolean;
}

/** `keepDims` → `keep_dims`; names without capitals stay as they are. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export interface Signature<R> {
  readonly fn: string;
  readonly params: readonly Param[];
  /** The arguments of one call as one record by camelCase name (absent ones undefined). */
  parse(args: ArrayLike<unknown>): R;
}

/**
 * A TF1 signature: `params` in TF1's positional order. The last argument of a call is read as the
 * options object when it is a plain object in a position whose parameter does not take objects;
 * its keys may be any parameter's camelCase name, snake_case name or alias.
 */
export function signature<R = Record<string, unknown>>(fn: string, allParams: readonly Param[]): Signature<R> {
  const params = allParams.filter((p) => p.keywordOnly !== true);
  const byKey = new Map<string, Param>();
  for (const p of allParams) {
    for (const key of [p.name, snakeCase(p.name), ...(p.aliases ?? [])]) byKey.set(key, p);
  }
  const keys = [...byKey.keys()];
  return {
    fn,
    params: allParams,
    parse(args: ArrayLike<unknown>): R {
      let n = args.length;
      while (n > 0 && args[n - 1] === undefined) n--;
      let options: Record<string, unknown> | undefined;
      const last = args[n - 1];
      if (n > 0 && isPlainObject(last) && !(n <= params.length && params[n - 1]!.check.takesObject === true)) {
        options = last;
        n--;
      }
      if (n > params.length) {
        throw new TensorSlowError(
          `${fn}: takes at most ${params.length} positional arguments (${params.map((p) => p.name).join(", ")}) and an options object, got ${args.length} arguments`,
        );
      }
      const out: Record<string, unknown> = {};
      const given = new Map<string, string>();
      for (let i = 0; i < n; i++) {
        out[params[i]!.name] = args[i];
        if (args[i] !== undefined) given.set(params[i]!.name, `positional argument ${i + 1}`);
      }
      if (options !== undefined) {
        for (const [key, value] of Object.entries(options)) {
          const p = byKey.get(key);
          if (p === undefined) {
            throw new TensorSlowError(`${fn}: unknown option '${key}' (it takes ${keys.join(", ")})`);
          }
          if (value === undefined) continue;
          const before = given.get(p.name);
          if (before !== undefined) throw new TensorSlowError(`${fn}: '${p.name}' is given twice (as ${before} and as option '${key}')`);
          given.set(p.name, `option '${key}'`);
          out[p.name] = value;
        }
      }
      for (const p of allParams) {
        const v = out[p.name];
        if (!p.check.test(v)) {
          const source = given.get(p.name);
          throw new ArgumentError(fn, source?.startsWith("option") === true ? source.slice(8, -1) : p.name, p.check.expected, v);
        }
      }
      return out as R;
    },
  };
}

/** An array of integers (a shape with -1 allowed, begin indices, multiples). */
export const isIntegerList = check<number[]>("an array of integers", (v) => Array.isArray(v) && v.every(isInt));
/** An array of anything (the elements are checked where they are used). */
export const isList = check<unknown[]>("an array", (v) => Array.isArray(v));
