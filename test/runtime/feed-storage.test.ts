/**
 * What feeding costs (runtime/feeds.ts): Tensors and typed arrays reach the kernels as they are
 * (the very arrays); nested arrays are converted into storage the session keeps for the node from
 * run to run, and nothing of an earlier run's conversion leaks into a later one: a changed array
 * gives changed values, and values fetched earlier keep theirs.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as ts from "tensorslow";
import { withBackend } from "../helpers/recording-backend.js";

/** The JS backend with the arrays each kernel call read recorded. */
function watching(name: string): { backend: ts.Backend; seen: ts.TypedArray[][] } {
  const seen: ts.TypedArray[][] = [];
  const base = ts.jsBackend;
  const kernels: Record<string, ts.Kernel> = {};
  for (const k of Object.keys(base.kernels).concat(Object.keys(Object.getPrototypeOf(base.kernels) ?? {}))) {
    const kernel = base.kernels[k]!;
    kernels[k] = (inputs, out, attrs) => {
      seen.push((inputs as readonly ts.Tensor[]).map((t) => t.data));
      kernel(inputs, out, attrs);
    };
  }
  const backend: ts.Backend = { name, kernels, allocate: (dtype, size) => base.allocate(dtype, size) };
  return { backend, seen };
}

describe("feed storage", () => {
  test("a Tensor or a typed array fed reaches the kernel as the same array, not a copy", () => {
    const { backend, seen } = watching("feeds-direct");
    withBackend(backend, () =>
      new ts.Graph().asDefault(() => {
        const x = ts.placeholder({ name: "x" });
        const y = ts.exp(x);
        const s = new ts.Session({ fusion: false });
        const t = ts.tensor([[1, 2], [3, 4]]);
        const typed = new Float32Array([0.5, -1, 2]);
        assert.deepEqual(Array.from(s.run(y, new Map([[x, t]])).data), [1, 2, 3, 4].map((v) => Math.fround(Math.exp(v))));
        assert.equal(seen.at(-1)![0], t.data);
        assert.deepEqual(Array.from(s.run(y, new Map([[x, typed]])).data), [0.5, -1, 2].map((v) => Math.fround(Math.exp(v))));
        assert.equal(seen.at(-1)![0], typed);
      }),
    );
  });

  test("nested arrays are converted into the same storage run after run, and a change to them is seen", () => {
    const { backend, seen } = watching("feeds-nested");
    withBackend(backend, () =>
      new ts.Graph().asDefault(() => {
        const x = ts.placeholder({ name: "x", dtype: "float64" });
        const s = new ts.Session({ fusion: false });
        const rows = [[1, 2], [3, 4]];
        const first = s.run(ts.multiply(x, 3), new Map([[x, rows]]));
        const storage = seen.at(-1)![0]!;
        rows[1]![0] = 10; // the same array object, changed: the next run must see it
        const second = s.run(ts.multiply(x, 3), new Map([[x, rows]]));
        assert.equal(seen.at(-1)![0], storage);
        assert.deepEqual(second.toArray(), [[3, 6], [30, 12]]);
        assert.deepEqual(first.toArray(), [[3, 6], [9, 12]]);
        // A fed node fetched is a copy, which later runs do not overwrite.
        const fedBack = s.run(x, new Map([[x, rows]]));
        s.run(x, new Map([[x, [[7, 7], [7, 7]]]]));
        assert.deepEqual(fedBack.toArray(), [[1, 2], [10, 4]]);
        // A smaller value takes a view of the storage; a larger one new storage.
        s.run(ts.multiply(x, 3), new Map([[x, [[1, 1]]]]));
        assert.equal(seen.at(-1)![0]!.buffer, storage.buffer);
        assert.deepEqual(s.run(ts.multiply(x, 3), new Map([[x, [[1], [2], [3], [4], [5]]]])).toArray(), [[3], [6], [9], [12], [15]]);
        assert.notEqual(seen.at(-1)![0]!.buffer, storage.buffer);
      }),
    );
  });

  test("a nested array of the last run's shape is written over the last run's tensor; any other gets the checks of a first conversion", () => {
    const tensors: ts.Tensor[] = [];
    const base = ts.jsBackend;
    const backend: ts.Backend = {
      name: "feeds-tensor",
      kernels: new Proxy(base.kernels, {
        get: (kernels, k: string) => (inputs: readonly ts.Tensor[], out: ts.Tensor, attrs: unknown) => {
          tensors.push(inputs[0]!);
          (kernels[k] as (i: readonly ts.Tensor[], o: ts.Tensor, a: unknown) => void)(inputs, out, attrs);
        },
      }),
      allocate: (dtype, size) => base.allocate(dtype, size),
    };
    withBackend(backend, () =>
      new ts.Graph().asDefault(() => {
        const x = ts.placeholder({ name: "x" });
        const y = ts.multiply(x, 2);
        const s = new ts.Session({ fusion: false });
        const run = (v: ts.NestedArray): ts.NestedArray => s.run(y, new Map([[x, v]])).toArray();
        assert.deepEqual(run([[1, 2], [3, 4]]), [[2, 4], [6, 8]]);
        const first = tensors.at(-1)!;
        assert.deepEqual(run([[5, 6], [7, 8]]), [[10, 12], [14, 16]]);
        assert.equal(tensors.at(-1), first);
        assert.deepEqual(first.shape, [2, 2]);
        // Another shape, a ragged array, an element that is not a number: a first conversion's way.
        assert.deepEqual(run([[1, 2, 3]]), [[2, 4, 6]]);
        assert.throws(() => run([[1, 2, 3], [4, 5]]), (e: unknown) => e instanceof ts.FeedError && /ragged/.test((e as Error).message));
        assert.throws(() => run([[1, 2, 3], [4, "5", 6]] as unknown as ts.NestedArray), (e: unknown) => e instanceof ts.FeedError && /string/.test((e as Error).message));
        assert.deepEqual(run([[9, 8, 7]]), [[18, 16, 14]]);
        assert.deepEqual(run([[1, 2], [3, 4]]), [[2, 4], [6, 8]]);
      }),
    );
    // int32 values are range-checked at every run, the shape the same as the last run's or not.
    new ts.Graph().asDefault(() => {
      const n = ts.placeholder({ name: "n", dtype: "int32" });
      const s = new ts.Session();
      assert.deepEqual(s.run(ts.add(n, 1), new Map([[n, [[1, 2]]]])).toArray(), [[2, 3]]);
      assert.throws(() => s.run(ts.add(n, 1), new Map([[n, [[2 ** 31, 2]]]])), (e: unknown) => e instanceof ts.FeedError && /int32 cannot hold exactly/.test((e as Error).message));
      assert.throws(() => s.run(ts.add(n, 1), new Map([[n, [[0.5, 2]]]])), (e: unknown) => e instanceof ts.FeedError);
    });
  });

  test("two sessions keep their own storage: one's runs do not change the other's values", () => {
    new ts.Graph().asDefault(() => {
      const x = ts.placeholder({ name: "x" });
      const y = ts.square(x);
      const a = new ts.Session();
      const b = new ts.Session();
      const ya = a.run(y, new Map([[x, [1, 2, 3]]]));
      const yb = b.run(y, new Map([[x, [4, 5, 6]]]));
      a.run(y, new Map([[x, [0, 0, 0]]]));
      assert.deepEqual([ya.toArray(), yb.toArray()], [[1, 4, 9], [16, 25, 36]]);
    });
  });
});
