/**
 * A session's random streams: one generator per random op (OpDef.random), started from the op's
 * seeds the first time the session runs it and advanced by every run, so each session draws the
 * same sequence for the same graph and seeds (TensorFlow's rule), and each run draws anew.
 */
import type { Operation } from "../graph/index.js";
import { RandomGenerator } from "../tensor/index.js";

/** The attributes every random op has (OpDef.random), and the stream its kernel gets with them. */
interface Seeded {
  readonly seed: number;
  readonly seed2: number;
}

export class RandomStreams {
  private readonly attrs = new Map<Operation, Seeded & { generator: RandomGenerator }>();

  /** The op's attributes with its stream in this session (`generator`), as its kernel takes them. */
  attrsFor(op: Operation): Seeded & { generator: RandomGenerator } {
    let a = this.attrs.get(op);
    if (a === undefined) {
      const own = op.attrs as Seeded;
      a = { ...own, generator: RandomGenerator.fromSeeds(own.seed, own.seed2) };
      this.attrs.set(op, a);
    }
    return a;
  }

  clear(): void {
    this.attrs.clear();
  }
}
