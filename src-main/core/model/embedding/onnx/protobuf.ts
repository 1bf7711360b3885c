/**
 * The few ONNX protobuf messages the exporter writes (onnx/onnx.proto3, IR version 7), encoded
 * by hand: a message is a list of fields; each field is its number, its wire type and its value.
 * Only what export.ts needs is here: varints (int64/int32/enum, non-negative), 32-bit floats,
 * length-delimited strings, bytes and sub-messages, and packed repeated int64 / float.
 *
 * Field numbers (onnx.proto3):
 *  ModelProto          ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8
 *  OperatorSetIdProto  domain 1, version 2
 *  GraphProto          node 1, name 2, initializer 5, input 11, output 12
 *  NodeProto           input 1, output 2, name 3, op_type 4, attribute 5
 *  AttributeProto      name 1, f 2, i 3, ints 8, type 20 (FLOAT 1, INT 2, INTS 7)
 *  TensorProto         dims 1, data_type 2 (FLOAT 1, INT64 7), name 8, raw_data 9 (little-endian)
 *  ValueInfoProto      name 1, type 2
 *  TypeProto           tensor_type 1;  TypeProto.Tensor elem_type 1, shape 2
 *  TensorShapeProto    dim 1;  Dimension dim_value 1, dim_param 2
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** Bytes of a message under construction; `finish()` joins them. */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`protobuf: varint ${value} is not a non-negative safe integer`);
    const out: number[] = [];
    let v = value;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** int64 / int32 / enum field (non-negative values only, which is all ONNX needs here). */
  int(field: number, value: number): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_I32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  /** Packed repeated int64 (non-negative). */
  ints(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    if (this.parts.length === 1) return this.parts[0]!;
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    this.parts.length = 0;
    this.parts.push(out);
    return out;
  }
}

// --- ONNX messages -----------------------------------------------------------------------

export const TENSOR_FLOAT = 1;
export const TENSOR_INT64 = 7;

export type AttributeValue = { f: number } | { i: number } | { ints: readonly number[] };

export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  attributes?: Record<string, AttributeValue>;
}

export interface InitializerSpec {
  name: string;
  dims: readonly number[];
  /** float32 tensors as Float32Array, int64 tensors as plain numbers. */
  data: Float32Array | { int64: readonly number[] };
}

export interface ValueInfoSpec {
  name: string;
  /** A number is a fixed size, a string a symbolic one (the batch). */
  dims: readonly (number | string)[];
}

export interface ModelSpec {
  producerName: string;
  producerVersion: string;
  opset: number;
  graphName: string;
  nodes: readonly NodeSpec[];
  initializers: readonly InitializerSpec[];
  inputs: readonly ValueInfoSpec[];
  outputs: readonly ValueInfoSpec[];
}

function attribute(name: string, value: AttributeValue): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  if ('f' in value) return a.float(2, value.f).int(20, 1);
  if ('i' in value) return a.int(3, value.i).int(20, 2);
  return a.ints(8, value.ints).int(20, 7);
}

function node(n: NodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.op);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, attribute(k, v));
  return w;
}

function littleEndianFloats(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return out;
}

function littleEndianInt64s(data: readonly number[]): Uint8Array {
  const out = new Uint8Array(data.length * 8);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return out;
}

function tensor(t: InitializerSpec): ProtoWriter {
  const size = t.dims.reduce((a, b) => a * b, 1);
  const isFloat = t.data instanceof Float32Array;
  const length = isFloat ? (t.data as Float32Array).length : (t.data as { int64: readonly number[] }).int64.length;
  if (length !== size) throw new Error(`onnx initializer '${t.name}': ${length} values for dims [${t.dims.join(', ')}]`);
  return new ProtoWriter()
    .ints(1, t.dims)
    .int(2, isFloat ? TENSOR_FLOAT : TENSOR_INT64)
    .string(8, t.name)
    .bytes(9, isFloat ? littleEndianFloats(t.data as Float32Array) : littleEndianInt64s((t.data as { int64: readonly number[] }).int64));
}

function valueInfo(v: ValueInfoSpec): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, TENSOR_FLOAT).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

/** A serialised ModelProto: one graph in the default ONNX domain at `opset`, IR version 7. */
export function encodeModel(m: ModelSpec): Uint8Array {
  const graph = new ProtoWriter();
  for (const n of m.nodes) graph.message(1, node(n));
  graph.string(2, m.graphName);
  for (const t of m.initializers) graph.message(5, tensor(t));
  for (const i of m.inputs) graph.message(11, valueInfo(i));
  for (const o of m.outputs) graph.message(12, valueInfo(o));
  return new ProtoWriter()
    .int(1, 7)
    .string(2, m.producerName)
    .string(3, m.producerVersion)
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, m.opset))
    .finish();
}
