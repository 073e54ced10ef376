/**
 * TensorFlow 1.x's default session: `sess.asDefault(fn)` (Python's `with sess.as_default():`),
 * `InteractiveSession` (the default from its construction until it is closed), and what uses it:
 * `node.eval(feeds?)` (a Tensor's `eval`) and `node.run(feeds?)` (an Operation's `run`).
 */
import { GraphNode, Node, refuseAsync, type Graph } from "../graph/index.js";
import { GraphError } from "../tensor/index.js";
import type { FeedDict } from "./feeds.js";
import { Session, openSessionsOf, type SessionOptions } from "./session.js";

const stack: Session[] = [];
let interactive: InteractiveSession | undefined;

/** The session `eval` and `run` use: the innermost `asDefault`, else the open InteractiveSession. */
export function getDefaultSession(): Session | undefined {
  return stack[stack.length - 1] ?? (interactive !== undefined && !interactive.isClosed ? interactive : undefined);
}

declare module "./session.js" {
  interface Session {
    /** Runs `fn` with this session as the default one, which `node.eval()` and `node.run()` use (TensorFlow's `as_default`). */
    asDefault<T>(fn: () => T): T;
    as_default: Session["asDefault"];
  }
}

Session.prototype.asDefault = function <T>(this: Session, fn: () => T): T {
  if (typeof fn !== "function") throw new GraphError(`Session.asDefault: argument 'fn' must be a function to run with the session as the default, got ${String(fn)}`);
  stack.push(this);
  try {
    return refuseAsync(fn(), "Session.asDefault(fn)");
  } finally {
    stack.pop();
  }
};
Session.prototype.as_default = Session.prototype.asDefault;

/**
 * TensorFlow's `InteractiveSession`: a session that makes itself the default when made, so that
 * `node.eval()` and `node.run()` need no session argument (in a REPL, say). Closing it ends that.
 */
export class InteractiveSession extends Session {
  constructor(graphOrOptions: Graph | SessionOptions | null = {}) {
    super(graphOrOptions);
    interactive = this;
  }

  override close(): void {
    super.close();
    if (interactive === this) interactive = undefined;
  }
}

/**
 * The session for `node.eval()`/`node.run()`: the one given, the default one, or else the only open
 * session of the node's graph — Python's `with tf.Session() as sess:` makes `sess` the default, and
 * TypeScript's `using sess = new Session()` cannot, so a lone open session stands in for it.
 */
function sessionFor(node: GraphNode, session: Session | undefined, what: string): Session {
  let s = session ?? getDefaultSession();
  if (s === undefined) {
    const open = openSessionsOf(node.graph);
    if (open.length === 1) s = open[0]!;
    else {
      throw new GraphError(
        `${node}.${what}(): no default session${open.length > 1 ? `, and ${open.length} sessions of its graph are open` : ""}. ` +
          `Run it inside sess.asDefault(() => ...), make an InteractiveSession, or pass the session: ${what}(feeds, sess)`,
      );
    }
  }
  if (!(s instanceof Session)) throw new GraphError(`${node}.${what}(): argument 'session' must be a Session, got ${String(s)}`);
  if (s.graph !== node.graph) throw new GraphError(`${node}.${what}(): the session's graph is not the graph of ${node}; run it in a session of its own graph`);
  return s;
}

declare module "../graph/node.js" {
  interface GraphNode {
    /** Runs the node in the default session (or `session`), as TensorFlow's `Operation.run(feed_dict)`. */
    run(feeds?: FeedDict, session?: Session): void;
  }
  interface Node {
    /** The node's value in the default session (or `session`), as TensorFlow's `Tensor.eval(feed_dict)`. */
    eval(feeds?: FeedDict, session?: Session): import("../tensor/index.js").Tensor;
  }
}

GraphNode.prototype.run = function (this: GraphNode, feeds?: FeedDict, session?: Session): void {
  sessionFor(this, session, "run").run(this, feeds);
};
Node.prototype.eval = function (this: Node, feeds?: FeedDict, session?: Session) {
  return sessionFor(this, session, "eval").run(this, feeds);
};
