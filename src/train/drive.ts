/**
 * Driving a loop of runs on a session. A training or evaluation loop is written once, as a
 * generator that yields each run it needs (fetches and feeds) and receives that run's values; it is
 * then driven by `session.run` (fit, evaluate) or by `await session.runAsync` (fitAsync,
 * evaluateAsync, on any engine). An error of a run is thrown into the loop, so its `finally` blocks
 * (closing a reporter) run before the error reaches the caller.
 */
import type { Fetches, Session } from "../runtime/session.js";
import type { FeedDict } from "../runtime/feeds.js";
import { ValueError } from "../tensor/index.js";

/** A loop's runs: yields what to run, receives the values, returns the loop's result. */
export type Steps<T> = Generator<{ readonly fetches: Fetches; readonly feeds: FeedDict }, T, unknown>;

/** Drives `steps` with `session.run`; a session that answers only asynchronously is refused, naming `fn`'s async form. */
export function driveSync<T>(session: Session, fn: string, steps: Steps<T>): T {
  if (session.isAsync) {
    throw new ValueError(`${fn}: this session runs on the ${session.engineName} engine, which answers asynchronously: use \`await train.${fn}Async(...)\``);
  }
  let r = steps.next();
  while (r.done !== true) {
    let values: unknown;
    try {
      values = session.run(r.value.fetches, r.value.feeds);
    } catch (e) {
      r = steps.throw(e);
      continue;
    }
    r = steps.next(values);
  }
  return r.value;
}

/** Drives `steps` with `await session.runAsync` (any engine). */
export async function driveAsync<T>(session: Session, steps: Steps<T>): Promise<T> {
  let r = steps.next();
  while (r.done !== true) {
    let values: unknown;
    try {
      values = await session.runAsync(r.value.fetches, r.value.feeds);
    } catch (e) {
      r = steps.throw(e);
      continue;
    }
    r = steps.next(values);
  }
  return r.value;
}
