/**
 * Reads just enough of an ONNX protobuf to find the external-data files it references, so a
 * model cannot make onnxruntime open a path outside its own folder, and the operator types it
 * uses (some change what decoding can promise). Raw tensor bytes are skipped, not copied.
 */

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

// Field numbers from onnx.proto.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_SPARSE_INITIALIZER = 15;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const ATTR_T = 5;
const ATTR_G = 6;
const ATTR_TENSORS = 10;
const ATTR_GRAPHS = 11;
const SPARSE_VALUES = 1;
const SPARSE_INDICES = 2;
const TENSOR_EXTERNAL_DATA = 13;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

export class CorruptOnnxError extends Error {}

interface Field {
  no: number;
  wire: number;
  start: number;
  end: number;
}

function* fields(buf: Uint8Array, start: number, end: number): Generator<Field> {
  let p = start;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (p >= end) throw new CorruptOnnxError('truncated varint');
      const b = buf[p++];
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
      if (shift > 63) throw new CorruptOnnxError('varint too long');
    }
  };
  while (p < end) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (no === 0) throw new CorruptOnnxError('field number 0');
    const fieldStart = p;
    switch (wire) {
      case WIRE_VARINT:
        varint();
        break;
      case WIRE_I64:
        p += 8;
        break;
      case WIRE_I32:
        p += 4;
        break;
      case WIRE_LEN: {
        const len = varint();
        if (p + len > end) throw new CorruptOnnxError('length past end of message');
        yield { no, wire, start: p, end: p + len };
        p += len;
        continue;
      }
      default:
        throw new CorruptOnnxError(`unknown wire type ${wire}`);
    }
    if (p > end) throw new CorruptOnnxError('field past end of message');
    yield { no, wire, start: fieldStart, end: p };
  }
}

const decoder = new TextDecoder();

function tensorLocations(buf: Uint8Array, f: Field, out: Set<string>): void {
  for (const t of fields(buf, f.start, f.end)) {
    if (t.no !== TENSOR_EXTERNAL_DATA || t.wire !== WIRE_LEN) continue;
    let key = '';
    let value = '';
    for (const e of fields(buf, t.start, t.end)) {
      if (e.wire !== WIRE_LEN) continue;
      if (e.no === ENTRY_KEY) key = decoder.decode(buf.subarray(e.start, e.end));
      if (e.no === ENTRY_VALUE) value = decoder.decode(buf.subarray(e.start, e.end));
    }
    if (key === 'location') out.add(value);
  }
}

function graphLocations(buf: Uint8Array, g: Field, out: Set<string>, ops: Set<string>): void {
  for (const f of fields(buf, g.start, g.end)) {
    if (f.wire !== WIRE_LEN) continue;
    if (f.no === GRAPH_INITIALIZER) tensorLocations(buf, f, out);
    else if (f.no === GRAPH_SPARSE_INITIALIZER) {
      for (const s of fields(buf, f.start, f.end)) {
        if (s.wire === WIRE_LEN && (s.no === SPARSE_VALUES || s.no === SPARSE_INDICES)) tensorLocations(buf, s, out);
      }
    } else if (f.no === GRAPH_NODE) {
      for (const a of fields(buf, f.start, f.end)) {
        if (a.no === NODE_OP_TYPE && a.wire === WIRE_LEN) ops.add(decoder.decode(buf.subarray(a.start, a.end)));
        if (a.no !== NODE_ATTRIBUTE || a.wire !== WIRE_LEN) continue;
        for (const v of fields(buf, a.start, a.end)) {
          if (v.wire !== WIRE_LEN) continue;
          if (v.no === ATTR_T || v.no === ATTR_TENSORS) tensorLocations(buf, v, out);
          if (v.no === ATTR_G || v.no === ATTR_GRAPHS) graphLocations(buf, v, out, ops);
        }
      }
    }
  }
}

export interface OnnxScan {
  /** External-data locations named anywhere in the model (graph, subgraphs, constants). */
  externalData: string[];
  /** Operator types of every node, subgraphs included. */
  opTypes: Set<string>;
}

export function scanOnnx(buf: Uint8Array): OnnxScan {
  const out = new Set<string>();
  const ops = new Set<string>();
  let sawGraph = false;
  for (const f of fields(buf, 0, buf.length)) {
    if (f.no === MODEL_GRAPH && f.wire === WIRE_LEN) {
      sawGraph = true;
      graphLocations(buf, f, out, ops);
    }
  }
  if (!sawGraph) throw new CorruptOnnxError('no graph in the model');
  return { externalData: [...out], opTypes: ops };
}

/**
 * Operators that quantize activations with a scale computed from the whole input tensor: a
 * token's result then depends on which other positions ran in the same pass, so verifying a
 * draft of several positions at once can differ from decoding them one by one.
 */
export const DYNAMIC_ACTIVATION_QUANTIZATION = ['DynamicQuantizeLinear', 'MatMulInteger', 'DynamicQuantizeMatMul', 'DynamicQuantizeLSTM'];
