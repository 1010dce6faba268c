/**
 * A minimal ONNX protobuf writer for test fixtures built at test time (slowModel.ts,
 * scriptedChatModel.ts), so the tests need no Python. Field numbers from onnx.proto.
 */
export type Field = Buffer;

export function varint(n: number | bigint): Buffer {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Buffer.from(out);
}
const key = (field: number, wire: number) => varint((field << 3) | wire);
export const int = (field: number, n: number | bigint): Field => Buffer.concat([key(field, 0), varint(n)]);
export const bytes = (field: number, b: Buffer): Field => Buffer.concat([key(field, 2), varint(b.length), b]);
export const str = (field: number, s: string): Field => bytes(field, Buffer.from(s, 'utf8'));
export const msg = (field: number, ...parts: Field[]): Field => bytes(field, Buffer.concat(parts));

export const FLOAT = 1;
export const INT64 = 7;
export const BOOL = 9;

export type Dim = number | string;
/** ValueInfoProto: name 1, type 2 (TypeProto.tensor_type 1: elem_type 1, shape 2: dim 1: value 1 | param 2). */
export function valueInfo(field: number, name: string, elemType: number, dims?: Dim[]): Field {
  const shape = dims === undefined ? [] : [msg(2, ...dims.map((d) => msg(1, typeof d === 'number' ? int(1, d) : str(2, d))))];
  return msg(field, str(1, name), msg(2, msg(1, int(1, elemType), ...shape)));
}
/** TensorProto: dims 1, data_type 2, name 8, raw_data 9. */
export function tensorBody(name: string, dataType: number, dims: number[], raw: Buffer): Field[] {
  return [...dims.map((d) => int(1, d)), int(2, dataType), str(8, name), bytes(9, raw)];
}
export const initializer = (name: string, dataType: number, dims: number[], raw: Buffer): Field => msg(5, ...tensorBody(name, dataType, dims, raw));

/** AttributeProto: name 1, f 2, i 3, t 5, g 6, type 20 (FLOAT 1, INT 2, TENSOR 4, GRAPH 5). */
export type Attr = Field;
export const attrInt = (name: string, i: number): Attr => msg(5, str(1, name), int(3, i), int(20, 2));
/** INTS (type 7) are repeated field 8. */
export const attrInts = (name: string, is: number[]): Attr => msg(5, str(1, name), ...is.map((i) => int(8, i)), int(20, 7));
export const attrTensor = (name: string, t: Field[]): Attr => msg(5, str(1, name), msg(5, ...t), int(20, 4));
export const attrGraph = (name: string, g: Field[]): Attr => msg(5, str(1, name), msg(6, ...g), int(20, 5));

/** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5. Names only need to be unique. */
let nodeCount = 0;
export function node(op: string, inputs: string[], outputs: string[], ...attrs: Attr[]): Field {
  return msg(1, ...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, `${op}_${nodeCount++}`), str(4, op), ...attrs);
}

export function f32(values: number[] | Float32Array): Buffer {
  return Buffer.from(new Float32Array(values).buffer);
}
export function i64(values: number[]): Buffer {
  return Buffer.from(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
}
