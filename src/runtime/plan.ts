/**
 * Execution plans. A plan is compiled once per (fetches, fed nodes, backend, fusion) signature and
 * reused. It runs one of its variants (plan-variant.ts): the generic one, compiled from the graph's
 * static shapes, or one specialized on the concrete shapes of the values fed.
 *
 * Specialization: a graph built on placeholders of unknown shape (`placeholder()`, as the
 * tutorial writes it) knows no shape downstream of them, so fusion, which groups by static shapes,
 * finds nothing to fuse. When a fed node's static shape is not fully known, the plan infers every
 * node's shape from the fed shapes (specialize.ts) the first time it sees them and compiles a
 * variant with them; while the fed shapes stay the same, runs go to that variant without a lookup.
 *
 * At most MAX_SPECIALIZATIONS sets of fed shapes are remembered. A training loop sees a handful
 * (the batch, a smaller last batch, an evaluation batch or two); more distinct shapes mean shapes
 * that vary from run to run (sequence lengths, crops), where compiling a variant per shape would
 * cost more than fusion saves, and each variant's steps keep their own bound tensors. Shapes beyond
 * the bound, and shapes where inference refuses or learns nothing, run the generic variant, which
 * binds to any shape at run time (and reports shape errors naming the op). The variants share one
 * pool of buffers (buffers.ts), so memory follows the largest variant, not their number.
 */
import type { GraphNode, Node } from "../graph/index.js";
import { isFullyKnown, shapesEqual, type Tensor } from "../tensor/index.js";
import type { Backend } from "../backends/backend.js";
import { BufferPool } from "./buffers.js";
import { neededNodes, type CompileOptions } from "./compile.js";
import { PlanVariant } from "./plan-variant.js";
import type { RandomStreams } from "./random-streams.js";
import { knowsMore, specializedShapes } from "./specialize.js";
import type { VariableStore } from "./variable-store.js";

export type PlanOptions = Omit<CompileOptions, "shapes">;

/** How many sets of fed shapes a plan remembers (each a specialized variant, or the word to run the generic one). */
export const MAX_SPECIALIZATIONS = 4;

export class Plan {
  private readonly fetches: readonly GraphNode[];
  private readonly fed: ReadonlySet<Node>;
  private readonly pool: BufferPool;
  private readonly generic: PlanVariant;
  /** The fed nodes whose static shape is not fully known: their fed shapes choose the variant. */
  private readonly open: readonly Node[];
  /** Per set of fed shapes seen (key: shapesKey), its variant, or null for the generic one. */
  private readonly specialized = new Map<string, PlanVariant | null>();
  /** The open nodes' shapes in the last run, and the variant that ran them. */
  private lastShapes: (readonly number[])[] | undefined;
  private lastVariant: PlanVariant;
  /** Variants in the order they last ran (for pictures: the latest shapes win). */
  private readonly ran = new Set<PlanVariant>();
  private lastRan: PlanVariant | undefined;

  constructor(
    fetches: readonly GraphNode[],
    fed: ReadonlySet<Node>,
    private readonly backend: Backend,
    private readonly options: PlanOptions = {},
  ) {
    this.fetches = [...fetches];
    this.fed = new Set(fed);
    this.pool = new BufferPool(backend);
    this.generic = new PlanVariant(fetches, fed, backend, options, this.pool);
    this.lastVariant = this.generic;
    this.open = [...fed].filter((n) => !isFullyKnown(n.shape));
  }

  /** The number of variants specialized on fed shapes so far (at most MAX_SPECIALIZATIONS). */
  get specializations(): number {
    let n = 0;
    for (const v of this.specialized.values()) if (v !== null) n++;
    return n;
  }

  /**
   * Runs the plan and returns a copy of each fetched value (null for a Group). A fetch with a
   * tensor in `into` is copied into that tensor's storage, which is returned in its place.
   */
  execute(feeds: ReadonlyMap<Node, Tensor>, variables: VariableStore, random: RandomStreams, into?: readonly (Tensor | undefined)[]): (Tensor | null)[] {
    const variant = this.open.length === 0 ? this.generic : this.variantFor(feeds);
    if (this.lastRan !== variant) {
      this.ran.delete(variant);
      this.ran.add(variant);
      this.lastRan = variant;
    }
    return variant.execute(feeds, variables, random, into);
  }

  /** The variant for the open nodes' fed shapes: the last one while they stay the same. */
  private variantFor(feeds: ReadonlyMap<Node, Tensor>): PlanVariant {
    const open = this.open;
    const last = this.lastShapes;
    if (last !== undefined) {
      let same = true;
      for (let i = 0; same && i < open.length; i++) {
        const s = feeds.get(open[i]!)!.shape;
        same = s === last[i] || shapesEqual(s, last[i]!);
      }
      if (same) return this.lastVariant;
    }
    const shapes = open.map((n) => feeds.get(n)!.shape);
    const key = shapes.map((s) => s.join(",")).join(";");
    let variant = this.specialized.get(key);
    if (variant === undefined && this.specialized.size < MAX_SPECIALIZATIONS) {
      variant = this.specialize(feeds);
      this.specialized.set(key, variant);
    }
    this.lastShapes = shapes;
    this.lastVariant = variant ?? this.generic;
    return this.lastVariant;
  }

  /** A variant compiled for the fed shapes, or null when inference refuses them or learns nothing. */
  private specialize(feeds: ReadonlyMap<Node, Tensor>): PlanVariant | null {
    const fedShapes = new Map<Node, readonly number[]>();
    for (const n of this.fed) fedShapes.set(n, feeds.get(n)!.shape);
    const shapes = specializedShapes(neededNodes(this.fetches, this.fed), fedShapes);
    if (shapes === undefined || !knowsMore(shapes)) return null;
    return new PlanVariant(this.fetches, this.fed, this.backend, { ...this.options, shapes }, this.pool);
  }

  /** Adds the shapes this plan's values had in its last runs to `into`. */
  collectShapes(into: Map<Node, readonly number[]>): void {
    for (const v of this.ran) v.collectShapes(into);
  }

  /** Gives the plan's buffers and scratch storage back to the backend; the plan must not run afterwards. */
  dispose(): void {
    this.generic.dispose();
    for (const v of this.specialized.values()) v?.dispose();
    this.pool.dispose();
  }
}
