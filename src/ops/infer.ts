/** Shape and dtype rules shared by op families. */
import type { TensorSpec } from "../graph/index.js";
import { DTypeError, broadcastStatic, formatShape, isFloatDType, type DType } from "../tensor/index.js";

/** Output like the input (elementwise unary ops). */
export function sameAsInput([x]: TensorSpec[]): TensorSpec {
  return { dtype: x!.dtype, shape: x!.shape };
}

/**
 * Arithmetic: both inputs of one numeric dtype (float only when `floatOnly`); the output
 * broadcasts their shapes.
 */
export function broadcastBinary(type: string, floatOnly = false) {
  return ([a, b]: TensorSpec[], _attrs: unknown, name: string): TensorSpec => {
    requireSameDtype(type, name, a!.dtype, b!.dtype);
    if (floatOnly) requireFloat(type, name, a!);
    else requireNumeric(type, name, a!);
    return { dtype: a!.dtype, shape: broadcastStatic(a!.shape, b!.shape, `${type} '${name}'`) };
  };
}

/** Arithmetic on bool is refused, as TensorFlow does (cast to a number type first). */
export function requireNumeric(type: string, name: string, spec: TensorSpec): void {
  if (spec.dtype === "bool") {
    throw new DTypeError(`${type} '${name}' does arithmetic and does not take bool values (shape ${formatShape(spec.shape)})`);
  }
}

/** Elementwise unary arithmetic on numbers (not bool). */
export function numericUnary(type: string) {
  return (inputs: TensorSpec[], _attrs: unknown, name: string): TensorSpec => {
    requireNumeric(type, name, inputs[0]!);
    return sameAsInput(inputs);
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
