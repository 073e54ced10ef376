/**
 * Binding a fusion group to concrete input shapes: each member's output shape, and either the
 * one program (backends/fused.ts) that computes the group's outputs in a single pass, or — for
 * shapes no program covers (a broadcast seen only at run time, a SumToShape that sums) — the word
 * to run the members one by one with their own kernels. Pure: the fused step (fused-step.ts)
 * binds again whenever its input shapes change.
 */
import { ShapeError, formatShape, isFullyKnown, shapesEqual, sizeOf } from "../tensor/index.js";
import type { FusedAccess, FusedInstruction, FusedProgram } from "../backends/fused.js";
import type { FusionGroup, Source } from "./fusion-group.js";
import { formulaArgs } from "./fusion.js";

/** The group as one program over a domain of [outer, inner] elements. */
export interface ProgramBinding {
  readonly kind: "program";
  /** Each member's output shape. */
  readonly shapes: readonly (readonly number[])[];
  readonly program: FusedProgram;
  /** For each program input, the group input it reads. */
  readonly programInputs: readonly number[];
  readonly outer: number;
  readonly inner: number;
}

/** The group's members run one by one, each with its own kernel. */
export interface MembersBinding {
  readonly kind: "members";
  /** Each member's output shape. */
  readonly shapes: readonly (readonly number[])[];
}

export type Binding = ProgramBinding | MembersBinding;

/** `shape` padded with leading 1s to `rank`. */
function padded(shape: readonly number[], rank: number): number[] {
  return [...new Array<number>(rank - shape.length).fill(1), ...shape];
}

/** Each member's output shape from the inputs' concrete shapes (a ShapeError names the member). */
function memberShapes(group: FusionGroup, inputShapes: readonly (readonly number[])[]): (readonly number[])[] {
  const shapes: (readonly number[])[] = [];
  const shapeOf = (s: Source): readonly number[] => (s.from === "input" ? inputShapes[s.index]! : shapes[s.index]!);
  group.members.forEach((m, i) => {
    const specs = m.inputs.map((x, j) => ({ dtype: x.dtype, shape: [...shapeOf(group.sources[i]![j]!)] }));
    const spec = m.def.infer(specs, m.attrs, m.name);
    if (!isFullyKnown(spec.shape)) {
      throw new ShapeError(`${m}: could not determine the output shape from input shapes ${specs.map((s) => formatShape(s.shape)).join(", ")}`);
    }
    shapes.push(spec.shape);
  });
  return shapes;
}

/** Infers member shapes from the inputs' concrete shapes, then fits the group to one program. */
export function bind(group: FusionGroup, inputShapes: readonly (readonly number[])[]): Binding {
  const { members, sources } = group;
  const shapes = memberShapes(group, inputShapes);
  const unfused: MembersBinding = { kind: "members", shapes };
  const domain = shapes[shapes.length - 1]!;
  const n = sizeOf(domain);
  // A member of one element in a larger domain is a scalar, computed once.
  if (shapes.some((s) => !shapesEqual(s, domain) && sizeOf(s) !== 1)) return unfused;
  const scalar = shapes.map((s) => n !== 1 && !shapesEqual(s, domain));

  // Values needed: the outputs and what they read, transitively.
  const needed = new Array<boolean>(members.length).fill(false);
  for (const o of group.outputMembers) needed[o] = true;
  for (let i = members.length - 1; i >= 0; i--) {
    if (!needed[i]) continue;
    for (const a of formulaArgs(members[i]!)) {
      const s = sources[i]![a]!;
      if (s.from === "member") needed[s.index] = true;
    }
  }

  // Each external argument's shape as lined up with its consumer, then the split [outer, inner]
  // under which every one of them is full, a scalar, a row or a column.
  interface Use {
    input: number;
    shape: number[];
  }
  const uses: Use[] = [];
  /** Per member, per formula argument read from a group input: its index in `uses`. */
  const useOf: number[][] = members.map(() => []);
  for (let i = 0; i < members.length; i++) {
    if (!needed[i]) continue;
    const m = members[i]!;
    const ew = m.def.elementwise!;
    for (const a of formulaArgs(m)) {
      const s = sources[i]![a]!;
      if (s.from === "member") {
        if (scalar[i] && !scalar[s.index]) return unfused;
        continue;
      }
      const shape = ew.argShape === undefined ? inputShapes[s.index]! : ew.argShape(inputShapes[s.index]!, a, shapes[i]!, m.attrs);
      if (shape === null) return unfused;
      const one = sizeOf(shape) === 1;
      if (scalar[i] ? !one : shape.length > domain.length) return unfused;
      useOf[i]![a] = uses.push({ input: s.index, shape: one ? [] : padded(shape, domain.length) }) - 1;
    }
  }
  const rank = domain.length;
  const accessAt = (shape: readonly number[], split: number): FusedAccess | null => {
    if (sizeOf(shape) === 1 && n !== 1) return "scalar";
    if (shape.length === 0 || shapesEqual(shape, domain)) return "full";
    const ones = (from: number, to: number): boolean => shape.slice(from, to).every((d) => d === 1);
    const same = (from: number, to: number): boolean => shape.slice(from, to).every((d, i) => d === domain[from + i]);
    if (ones(0, split) && same(split, rank)) return "row";
    if (same(0, split) && ones(split, rank)) return "col";
    return null;
  };
  let split = -1;
  for (let s = 0; s <= rank && split < 0; s++) if (uses.every((u) => accessAt(u.shape, s) !== null)) split = s;
  if (split < 0) return unfused;
  const outer = sizeOf(domain.slice(0, split));
  const inner = sizeOf(domain.slice(split));

  // Program inputs: one per (group input, access) pair in use.
  const inputs: FusedAccess[] = [];
  const programInputs: number[] = [];
  const inputRef = new Map<string, number>();
  const refOfUse = uses.map((u) => {
    const access = accessAt(u.shape, split)!;
    const k = `${u.input}:${access}`;
    let ref = inputRef.get(k);
    if (ref === undefined) {
      ref = inputs.push(access) - 1;
      programInputs.push(u.input);
      inputRef.set(k, ref);
    }
    return ref;
  });
  const code: FusedInstruction[] = [];
  const refOfMember = new Array<number>(members.length).fill(-1);
  for (let i = 0; i < members.length; i++) {
    if (!needed[i]) continue;
    const m = members[i]!;
    const ew = m.def.elementwise!;
    const args = formulaArgs(m).map((a) => {
      const s = sources[i]![a]!;
      return s.from === "member" ? refOfMember[s.index]! : refOfUse[useOf[i]![a]!]!;
    });
    refOfMember[i] = inputs.length + code.push({ formula: ew.formula, args, params: ew.params?.(m.attrs) ?? [] }) - 1;
  }
  const program: FusedProgram = {
    dtype: group.dtype,
    inputs,
    code,
    outputs: group.outputMembers.map((i) => ({ ref: refOfMember[i]!, scalar: scalar[i]! })),
  };
  return { kind: "program", shapes, program, programInputs, outer, inner };
}
