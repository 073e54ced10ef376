/**
 * The library's internal modules, for tests of its parts that the public API does not show (the
 * runtime's passes). They are loaded from the built package (dist/), so they are the very module
 * instances "tensorslow" uses: nodes built through the public API are theirs. Types come from the
 * same files' declarations: `import type * as M from "../../dist/<path>"`.
 */
export function internal<T>(path: string): Promise<T> {
  return import(new URL(`../../../dist/${path}`, import.meta.url).href) as Promise<T>;
}
