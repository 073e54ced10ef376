/**
 * A fusion group: elementwise ops of one float dtype that a plan runs as one step. The grouping
 * pass (fusion.ts) builds it and it is frozen from then on: the passes after grouping (in-place
 * selection, binding to shapes) keep their decisions beside it, so a group means the same thing
 * to every reader, however many plans or shapes it serves.
 */
import type { Node, Operation, Variable } from "../graph/index.js";

/** Where a member reads one of its inputs: a node outside the group, or an earlier member. */
export type Source =
  /** `group.inputs[index]` */
  | { readonly from: "input"; readonly index: number }
  /** the value of `group.members[index]` */
  | { readonly from: "member"; readonly index: number };

export class FusionGroup {
  /** Members in topological order; the last is the root. */
  readonly members: readonly Operation[];
  /** Members whose values are needed outside the group (fetched, read by other steps, or variable updates). */
  readonly outputs: readonly Operation[];
  /** For each output, its index in `members`. */
  readonly outputMembers: readonly number[];
  /** Nodes outside the group that members read (values or only shapes), in first-use order. */
  readonly inputs: readonly Node[];
  /** Per member, per input of it: where the value comes from. */
  readonly sources: readonly (readonly Source[])[];
  readonly dtype: "float32" | "float64";

  /** `observed` says which members are outputs. */
  constructor(members: readonly Operation[], observed: (op: Operation) => boolean) {
    const memberIndex = new Map<Node, number>(members.map((m, i) => [m, i]));
    const inputIndex = new Map<Node, number>();
    const inputs: Node[] = [];
    this.sources = Object.freeze(
      members.map((m) =>
        Object.freeze(
          m.inputs.map((x): Source => {
            const member = memberIndex.get(x);
            if (member !== undefined) return Object.freeze({ from: "member", index: member });
            let index = inputIndex.get(x);
            if (index === undefined) {
              index = inputs.push(x) - 1;
              inputIndex.set(x, index);
            }
            return Object.freeze({ from: "input", index });
          }),
        ),
      ),
    );
    this.members = Object.freeze([...members]);
    this.inputs = Object.freeze(inputs);
    this.outputs = Object.freeze(members.filter(observed));
    this.outputMembers = Object.freeze(this.outputs.map((o) => memberIndex.get(o)!));
    this.dtype = members[0]!.dtype as "float32" | "float64";
    Object.freeze(this);
  }

  /** The variable output `i` updates, or undefined. */
  variableOf(i: number): Variable | undefined {
    const o = this.outputs[i]!;
    return o.def.writesVariable === undefined ? undefined : (o.inputs[o.def.writesVariable] as Variable);
  }

  get root(): Operation {
    return this.members[this.members.length - 1]!;
  }
}
