/**
 * Building an ONNX graph: the context an export-table entry writes its nodes through, constants
 * as initializers, and the dtype and tensor encodings.
 */
import type { Graph, Operation } from "../../graph/index.js";
import type { DType, Tensor, TypedArray } from "../../tensor/index.js";
import { NameTable, notProduced, opContext, type OpContext } from "../export/context.js";
import { ATTR, type AttributeProto, type NodeProto, type TensorProto } from "./proto.js";

/** TensorProto.DataType codes. */
const ONNX_DTYPE: Readonly<Record<DType, number>> = { float32: 1, int32: 6, bool: 9, float64: 11 };
const INT64 = 7;

export function onnxDtype(dtype: DType): number {
  return ONNX_DTYPE[dtype];
}

/** An attribute value, tagged with its ONNX attribute type. */
export type OnnxAttr =
  | { int: number }
  | { float: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { string: string }
  | { tensor: Tensor }
  /** An int64 tensor (our dtypes have no int64; ONNX's shapes and indices are int64). */
  | { int64Tensor: { dims: readonly number[]; values: readonly number[] } };

/** What an ONNX export-table entry sees of the op it writes, and how it adds nodes and initializers. */
export interface OnnxContext extends OpContext {
  /** Adds an ONNX node and returns its output's name (a fresh one unless given). */
  add(opType: string, inputs: readonly string[], attrs?: Readonly<Record<string, OnnxAttr>>, output?: string): string;
  /** Adds an ONNX node with `count` outputs (fresh names, returned). */
  addOutputs(opType: string, inputs: readonly string[], count: number, attrs?: Readonly<Record<string, OnnxAttr>>): string[];
  /** An int64 constant (shapes, axes, indices) as an initializer: a vector, or a scalar when `scalar`. */
  int64s(values: readonly number[], hint: string, scalar?: boolean): string;
  /** A constant of one of our dtypes, as an initializer. */
  constant(value: Tensor, hint: string): string;
}

export type OnnxEmitter = (cx: OnnxContext) => void;

/** Little-endian bytes of a typed array, as TensorProto.raw_data stores them. */
function rawData(data: TypedArray | BigInt64Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  const width = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < data.length; i++) {
    const at = i * width;
    if (data instanceof Float32Array) view.setFloat32(at, data[i]!, true);
    else if (data instanceof Float64Array) view.setFloat64(at, data[i]!, true);
    else if (data instanceof Int32Array) view.setInt32(at, data[i]!, true);
    else if (data instanceof BigInt64Array) view.setBigInt64(at, data[i]!, true);
    else view.setUint8(at, data[i]! === 0 ? 0 : 1);
  }
  return out;
}

export function tensorProto(name: string, value: Tensor): TensorProto {
  return { name, dims: [...value.shape], dataType: onnxDtype(value.dtype), rawData: rawData(value.data) };
}

function int64Proto(name: string, values: readonly number[], scalar: boolean): TensorProto {
  return { name, dims: scalar ? [] : [values.length], dataType: INT64, rawData: rawData(BigInt64Array.from(values, (v) => BigInt(v))) };
}

declare const TextEncoder: new () => { encode(input: string): Uint8Array };

function attributeProto(name: string, attr: OnnxAttr): AttributeProto {
  if ("int" in attr) return { name, type: ATTR.INT, i: attr.int };
  if ("float" in attr) return { name, type: ATTR.FLOAT, f: attr.float };
  if ("ints" in attr) return { name, type: ATTR.INTS, ints: [...attr.ints] };
  if ("floats" in attr) return { name, type: ATTR.FLOATS, floats: [...attr.floats] };
  if ("string" in attr) return { name, type: ATTR.STRING, s: new TextEncoder().encode(attr.string) };
  if ("int64Tensor" in attr) return { name, type: ATTR.TENSOR, t: int64Proto("", attr.int64Tensor.values, attr.int64Tensor.dims.length === 0) };
  return { name, type: ATTR.TENSOR, t: tensorProto("", attr.tensor) };
}

/** The nodes and initializers of an ONNX graph under construction, and the names taken. */
export class OnnxGraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly names: NameTable;

  constructor(graph: Graph) {
    this.names = new NameTable(graph);
  }

  addNode(opType: string, name: string, inputs: readonly string[], outputs: readonly string[], attrs: Readonly<Record<string, OnnxAttr>> = {}): void {
    const attribute = Object.entries(attrs).map(([k, v]) => attributeProto(k, v));
    this.nodes.push({ name, opType, input: [...inputs], output: [...outputs], attribute });
  }

  addInitializer(name: string, value: Tensor): void {
    this.initializers.push(tensorProto(name, value));
  }

  /**
   * Writes `op` through its table entry; the entry must produce the op's own value name. The op's
   * inputs are the values named after its input nodes, or `inputNames` where given (a session
   * engine chains a variable's updates through the names of its successive values).
   */
  emit(op: Operation, emitter: OnnxEmitter, inputNames?: readonly string[]): void {
    const before = this.nodes.length;
    const fresh = (hint: string): string => this.names.fresh(`${op.name}/${hint}`);
    const base = opContext(op, "ONNX");
    const cx: OnnxContext = {
      ...base,
      input: inputNames === undefined ? base.input : (i) => inputNames[i]!,
      add: (opType, inputs, attrs, out) => {
        const result = out ?? fresh(opType);
        // A node is named after its output: node and value names live in separate namespaces.
        this.addNode(opType, result, inputs, [result], attrs);
        return result;
      },
      addOutputs: (opType, inputs, count, attrs) => {
        const outputs = Array.from({ length: count }, (_, i) => fresh(`${opType}_${i}`));
        this.addNode(opType, outputs[0]!, inputs, outputs, attrs);
        return outputs;
      },
      int64s: (values, hint, scalar = false) => {
        const name = fresh(hint);
        this.initializers.push(int64Proto(name, values, scalar));
        return name;
      },
      constant: (value, hint) => {
        const name = fresh(hint);
        this.addInitializer(name, value);
        return name;
      },
    };
    emitter(cx);
    if (!this.nodes.slice(before).some((n) => n.output.includes(cx.output))) throw notProduced(op, "ONNX");
  }
}
