/**
 * Ops that change variables, and grouping. An update op's output is the variable's new value; the
 * session writes it into the variable once every op of the run has executed, so all reads within
 * one run see the values the run started with, while several updates of one variable compose in
 * plan order (see runtime/op-step.ts; the updates land in plan.ts after the run).
 */
import { Constant, Group, GraphNode, Variable, getDefaultGraph, type Node, type Operation, type TensorSpec } from "../graph/index.js";
import { is, requireArg, GraphError, ShapeError, Tensor, formatShape, staticCompatible } from "../tensor/index.js";
import { apply, defineOp, graphOf, type NodeLike, type NameArg } from "./define.js";
import { requireSameDtype } from "./infer.js";

type NoAttrs = Record<string, never>;

function updateInfer(type: string) {
  return ([ref, value]: TensorSpec[], _attrs: NoAttrs, name: string): TensorSpec => {
    requireSameDtype(type, name, ref!.dtype, value!.dtype);
    // An unknown value shape is checked again when the op runs, with the concrete shape.
    if (!staticCompatible(ref!.shape, value!.shape)) {
      throw new ShapeError(
        `${type} '${name}': the value's shape ${formatShape(value!.shape)} must equal the variable's shape ${formatShape(ref!.shape)}`,
      );
    }
    return { dtype: ref!.dtype, shape: ref!.shape };
  };
}

const stateful = { notDifferentiable: "it updates a variable's state" } as const;

// Elementwise too: an optimizer's update fuses with the arithmetic that computes it.
export const Assign = defineOp<NoAttrs>({ type: "Assign", infer: updateInfer("Assign"), gradient: stateful, writesVariable: 0, elementwise: { formula: "Identity", args: [1] } });
export const AssignAdd = defineOp<NoAttrs>({ type: "AssignAdd", kernel: "Add", infer: updateInfer("AssignAdd"), gradient: stateful, writesVariable: 0, elementwise: { formula: "Add" } });
export const AssignSub = defineOp<NoAttrs>({ type: "AssignSub", kernel: "Sub", infer: updateInfer("AssignSub"), gradient: stateful, writesVariable: 0, elementwise: { formula: "Sub" } });

function update(def: typeof Assign, ref: Variable, value: NodeLike, name: NameArg | undefined): Operation<NoAttrs> {
  if (!(ref instanceof Variable)) {
    throw new GraphError(`${def.type} needs a Variable to update, got ${String(ref)}`);
  }
  return apply(def, [ref, value], {}, name);
}

/** Sets `ref` to `value`; the op's value is the new value. */
export function assign(ref: Variable, value: NodeLike, name?: NameArg): Node {
  return update(Assign, ref, value, name);
}
/** Adds `value` to `ref`. */
export function assignAdd(ref: Variable, value: NodeLike, name?: NameArg): Node {
  return update(AssignAdd, ref, value, name);
}
/** Subtracts `value` from `ref`. */
export function assignSub(ref: Variable, value: NodeLike, name?: NameArg): Node {
  return update(AssignSub, ref, value, name);
}

/** One node that runs all of `inputs` (TensorFlow's `tf.group`); it has no value. */
export function group(inputs: readonly GraphNode[], name = "group_deps"): Group {
  requireArg("group", "inputs", inputs, is.list(is.instance(GraphNode, "a node")));
  return new Group(graphOf(inputs), [...inputs], name);
}

/** A node that resets the given variables to their initial values when run. */
export function variablesInitializer(variables: readonly Variable[], name = "init"): Group {
  requireArg("variablesInitializer", "variables", variables, is.list(is.instance(Variable, "a Variable")));
  const graph = variables[0]?.graph ?? getDefaultGraph();
  const assigns = graph.nameScope(name, () =>
    variables.map((v) =>
      assign(v, v.initialValue instanceof Tensor ? new Constant(v.initialValue, { name: `${v.name.replace(/\//g, "_")}/initial_value` }, graph) : v.initialValue),
    ),
  );
  return new Group(graph, assigns, name);
}

/** Resets every variable of the default graph (those that exist now) to its initial value. */
export function globalVariablesInitializer(): Group {
  return variablesInitializer(getDefaultGraph().globalVariables());
}
