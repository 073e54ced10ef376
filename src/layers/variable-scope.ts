/**
 * TensorFlow 1.x's variable sharing: `variableScope(name, fn, { reuse })` and `getVariable(name,
 * shape, dtype, initializer)`. A variable made by `getVariable` or by a layer (`layers.dense`, ...)
 * is named by the variable scopes around it; in a scope with `reuse: true` it is looked up by that
 * name, with `AUTO_REUSE` looked up or made, and otherwise made, refusing a name already taken.
 */
import { AUTO_REUSE, Node, Variable, getDefaultGraph, type Graph, type Reuse } from "../graph/index.js";
import { DTypeError, GraphError, ShapeError, check, formatShape, is, isDTypeArg, signature, storageDType, type DType, type DTypeLike } from "../tensor/index.js";
import { glorotUniform, initialValue, type InitializerLike } from "../initializers/index.js";

export { AUTO_REUSE, type Reuse };

const isReuse = check<Reuse>("true, false or AUTO_REUSE", (v) => v === true || v === false || v === AUTO_REUSE);

export interface VariableScopeOptions {
  /** true: look variables up; AUTO_REUSE: look up or make; false (default): inherit the enclosing scope's. */
  reuse?: Reuse;
}

const SCOPE = signature<{ name: string; fn: () => unknown; reuse?: Reuse }>("variableScope", [
  { name: "name", check: is.string },
  { name: "fn", check: is.function },
  { name: "reuse", check: is.optional(isReuse) },
]);

/**
 * Runs `fn` in the variable scope `name` of the default graph (TensorFlow's `with
 * tf.variable_scope(name, reuse=...)`); options may come before or after the function.
 */
export function variableScope<T>(name: string, fn: () => T, options?: VariableScopeOptions): T;
export function variableScope<T>(name: string, options: VariableScopeOptions, fn: () => T): T;
export function variableScope<T>(...args: unknown[]): T {
  // TensorFlow's `with` puts the options first; a JavaScript callback usually comes last.
  const ordered = typeof args[1] === "object" && args[1] !== null && typeof args[2] === "function" ? [args[0], args[2], args[1]] : args;
  const { name, fn, reuse } = SCOPE.parse(ordered);
  return getDefaultGraph().variableScope(name, reuse, fn as () => T);
}

/**
 * The variable `fullName` of the graph: looked up under `reuse` (checked against the shape and
 * dtype asked for), or made by `make` — how layers and `getVariable` share variables.
 */
export function sharedVariable(graph: Graph, fullName: string, shape: readonly number[], dtype: DType, reuse: Reuse, make: () => Variable): Variable {
  const existing = graph.hasNode(fullName) ? graph.getNodeByName(fullName) : undefined;
  if (reuse === true || (reuse === AUTO_REUSE && existing !== undefined)) {
    if (!(existing instanceof Variable)) {
      throw new GraphError(`Variable ${fullName} does not exist, or was not created with getVariable() or a layer: cannot reuse it. Did you mean to set reuse: AUTO_REUSE in the variable scope?`);
    }
    if (existing.dtype !== dtype || existing.fullShape.length !== shape.length || existing.fullShape.some((d, i) => d !== shape[i])) {
      throw new (existing.dtype !== dtype ? DTypeError : ShapeError)(`Trying to reuse ${fullName} of ${existing.dtype} ${formatShape(existing.shape)} as ${dtype} ${formatShape(shape)}`);
    }
    return existing;
  }
  if (existing !== undefined) {
    throw new GraphError(`Variable ${fullName} already exists, disallowed. Did you mean to set reuse: true or reuse: AUTO_REUSE in the variable scope (or to give the layer another name)?`);
  }
  return make();
}

export interface GetVariableOptions {
  shape?: readonly number[];
  dtype?: DTypeLike;
  initializer?: InitializerLike | Node;
  trainable?: boolean;
}

const isInitializer = check<InitializerLike | Node>(
  "an initializer (a function of shape and dtype), a value or a node",
  (v) => typeof v === "function" || v instanceof Node || typeof v === "number" || typeof v === "boolean" || Array.isArray(v) || ArrayBuffer.isView(v) || (typeof v === "object" && v !== null && "data" in v && "shape" in v),
);

const GET_VARIABLE = signature<{ name: string; shape?: number[]; dtype?: DTypeLike; initializer?: InitializerLike | Node; regularizer?: undefined; trainable?: boolean }>("getVariable", [
  { name: "name", check: is.string },
  { name: "shape", check: is.optional(is.shape) },
  { name: "dtype", check: is.optional(isDTypeArg) },
  { name: "initializer", check: is.optional(isInitializer) },
  { name: "regularizer", check: check("undefined (regularizers are not supported: add the penalty to the loss)", (v) => v === undefined) },
  { name: "trainable", check: is.optional(is.boolean) },
]);

/**
 * TensorFlow's `get_variable(name, shape, dtype=float32, initializer=glorot_uniform, regularizer,
 * trainable=True)`: the variable `name` under the current variable scope, made or reused as the
 * scope's `reuse` says. A node as the initializer gives the shape and dtype.
 */
export function getVariable(name: string, options?: GetVariableOptions): Variable;
export function getVariable(name: string, shape?: readonly number[], dtype?: DTypeLike, initializer?: InitializerLike | Node, regularizer?: undefined, trainable?: boolean): Variable;
export function getVariable(...args: unknown[]): Variable {
  const { name, shape: givenShape, dtype: dtypeName, initializer, trainable } = GET_VARIABLE.parse(args);
  const graph = getDefaultGraph();
  const fullName = graph.currentScope + name;
  const fromNode = initializer instanceof Node ? initializer : undefined;
  const shape = givenShape ?? (fromNode?.shape as readonly number[] | null | undefined);
  if (shape === undefined || shape === null || shape.some((d) => d === null)) {
    throw new ShapeError(`getVariable: '${fullName}' needs a shape, or a node of known shape as its initializer`);
  }
  const dtype = dtypeName !== undefined ? storageDType(dtypeName) : (fromNode?.dtype ?? "float32");
  return sharedVariable(graph, fullName, shape, dtype, graph.currentReuse, () => {
    const init = fromNode ?? initialValue((initializer as InitializerLike | undefined) ?? glorotUniform(), shape, dtype, fullName);
    return graph.rootScope(() => new Variable(init, { name: fullName, trainable: trainable ?? true }));
  });
}
