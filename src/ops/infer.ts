/** Shape and dtype rules shared by op families. */
import type { TensorSpec } from "../graph/index.js";
import { DTypeError, broadcastStatic, formatShape, isFloatDType, type DType } from "../tensor/index.js";

/** Output like the input (elementwise unary ops). */
export function sameAsInput([x]: TensorSpec[]): TensorSpec {
  return { dtype: x!.dtype, shape: x!.shape };
}

/** Both inputs of one dtype; the output broadcasts their shapes. */
export function broadcastBinary(type: string) {
  return ([a, b]: TensorSpec[], _attrs: unknown, name: string): TensorSpec => {
    requireSameDtype(type, name, a!.dtype, b!.dtype);
    return { dtype: a!.dtype, shape: broadcastStatic(a!.shape, b!.shape, `${type} '${name}'`) };
  };
}

export function requireSameDtype(type: string, name: string, a: DType, b: DType): void {
  if (a !== b) {
    throw new DTypeError(`${type} '${name}': inputs must have the same dtype, got ${a} and ${b} (use cast to convert one)`);
  }
}

export function requireFloat(type: string, name: string, spec: TensorSpec): void {
  if (!isFloatDType(spec.dtype)) {
    throw new DTypeError(`${type} '${name}' needs a float32 or float64 input, got ${spec.dtype} of shape ${formatShape(spec.shape)}`);
  }
}

/** Elementwise unary op on floats. */
export function floatUnary(type: string) {
  return (inputs: TensorSpec[], _attrs: unknown, name: string): TensorSpec => {
    requireFloat(type, name, inputs[0]!);
    return sameAsInput(inputs);
  };
}
