/**
 * The global step: the graph's int32 scalar variable `global_step` that counts training steps
 * (TensorFlow's is int64, which TensorSlow stores as int32). Optimizers increment it when given it as
 * `minimize(loss, { globalStep })`; learning-rate schedules read it.
 */
import { Graph, Variable, getDefaultGraph } from "../graph/index.js";
import { GraphError, is, signature } from "../tensor/index.js";

const NAME = "global_step";

/** TF1's `(graph=None)`: the graph positionally or as `{ graph }`; the default graph when omitted. */
function graphArgument(fn: string) {
  const sig = signature<{ graph?: Graph }>(fn, [{ name: "graph", check: is.optional(is.instance(Graph, "a Graph")) }]);
  return (args: unknown[]): Graph => sig.parse(args).graph ?? getDefaultGraph();
}
const GET = graphArgument("getGlobalStep");
const CREATE = graphArgument("createGlobalStep");
const GET_OR_CREATE = graphArgument("getOrCreateGlobalStep");

/** The graph's global step, or null when it has none. */
export function getGlobalStep(graph?: Graph | { graph?: Graph }): Variable | null;
export function getGlobalStep(...args: unknown[]): Variable | null {
  return globalStepOf(GET(args));
}

function globalStepOf(graph: Graph): Variable | null {
  if (!graph.hasNode(NAME)) return null;
  const node = graph.getNodeByName(NAME);
  if (!(node instanceof Variable) || node.dtype !== "int32" || node.shape?.length !== 0) {
    throw new GraphError(`${node} cannot be the global step: it must be an int32 scalar Variable`);
  }
  return node;
}

/** Makes the graph's global step (0, not trainable); an error if it already has one. */
export function createGlobalStep(graph?: Graph | { graph?: Graph }): Variable;
export function createGlobalStep(...args: unknown[]): Variable {
  return create(CREATE(args));
}

function create(graph: Graph): Variable {
  if (globalStepOf(graph) !== null) throw new GraphError(`the graph already has a global step '${NAME}'`);
  // Named from the root whatever scope it is made in, as TensorFlow does.
  return graph.rootScope(() => graph.asDefault(() => new Variable(0, { dtype: "int32", name: NAME, trainable: false })));
}

/** The graph's global step, made if it does not exist yet. */
export function getOrCreateGlobalStep(graph?: Graph | { graph?: Graph }): Variable;
export function getOrCreateGlobalStep(...args: unknown[]): Variable {
  const graph = GET_OR_CREATE(args);
  return globalStepOf(graph) ?? create(graph);
}
