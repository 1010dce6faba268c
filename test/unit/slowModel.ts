/**
 * Builds, at test time, a causal LM whose every forward pass is deliberately slow: a long ONNX
 * `Loop` of matrix products whose result is added, times zero, to the logits. It exercises what
 * a real multi-second model does to the host (restart or Ctrl+C while onnxruntime is inside
 * `session.run`) without shipping a large file. The graph is written as protobuf by hand
 * (field numbers from onnx.proto), so the test needs no Python.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES } from './helpers';

// --- a minimal protobuf writer -------------------------------------------------------------
type Field = Buffer;

function varint(n: number | bigint): Buffer {
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
const int = (field: number, n: number | bigint): Field => Buffer.concat([key(field, 0), varint(n)]);
const bytes = (field: number, b: Buffer): Field => Buffer.concat([key(field, 2), varint(b.length), b]);
const str = (field: number, s: string): Field => bytes(field, Buffer.from(s, 'utf8'));
const msg = (field: number, ...parts: Field[]): Field => bytes(field, Buffer.concat(parts));

// --- ONNX messages ----------------------------------------------------------------------------
const FLOAT = 1;
const INT64 = 7;
const BOOL = 9;

type Dim = number | string;
/** ValueInfoProto: name 1, type 2 (TypeProto.tensor_type 1: elem_type 1, shape 2: dim 1: value 1 | param 2). */
function valueInfo(field: number, name: string, elemType: number, dims?: Dim[]): Field {
  const shape = dims === undefined ? [] : [msg(2, ...dims.map((d) => msg(1, typeof d === 'number' ? int(1, d) : str(2, d))))];
  return msg(field, str(1, name), msg(2, msg(1, int(1, elemType), ...shape)));
}
/** TensorProto: dims 1, data_type 2, name 8, raw_data 9. */
function tensorBody(name: string, dataType: number, dims: number[], raw: Buffer): Field[] {
  return [...dims.map((d) => int(1, d)), int(2, dataType), str(8, name), bytes(9, raw)];
}
const initializer = (name: string, dataType: number, dims: number[], raw: Buffer): Field => msg(5, ...tensorBody(name, dataType, dims, raw));

/** AttributeProto: name 1, f 2, i 3, t 5, g 6, type 20 (FLOAT 1, INT 2, TENSOR 4, GRAPH 5). */
type Attr = Field;
const attrInt = (name: string, i: number): Attr => msg(5, str(1, name), int(3, i), int(20, 2));
const attrTensor = (name: string, t: Field[]): Attr => msg(5, str(1, name), msg(5, ...t), int(20, 4));
const attrGraph = (name: string, g: Field[]): Attr => msg(5, str(1, name), msg(6, ...g), int(20, 5));

/** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5. */
let nodeCount = 0;
function node(op: string, inputs: string[], outputs: string[], ...attrs: Attr[]): Field {
  return msg(1, ...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, `${op}_${nodeCount++}`), str(4, op), ...attrs);
}

function f32(values: number[] | Float32Array): Buffer {
  return Buffer.from(new Float32Array(values).buffer);
}
function i64(values: number[]): Buffer {
  return Buffer.from(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
}

export interface SlowModelOptions {
  /** Matrix products per forward pass; each is n x n by n x n. */
  iterations?: number;
  n?: number;
  /** The token every step prefers (greedy decoding then never ends early on EOS). */
  favourite?: number;
  /** Every logit NaN, as a damaged or overflowing model gives. */
  nanLogits?: boolean;
}

/**
 * Writes a model folder (config.json, tokenizer files copied from the tiny-gpt2 fixture,
 * onnx/model.onnx) that the engine loads as a GPT-2-style causal LM with a one-layer KV cache.
 */
export function makeSlowModel(dir: string, o: SlowModelOptions = {}): string {
  const vocab = 512;
  const headDim = 8;
  const n = o.n ?? 256;
  const iterations = o.iterations ?? 200;
  const favourite = o.favourite ?? 72;

  const table = new Float32Array(vocab * vocab);
  if (o.nanLogits) table.fill(NaN);
  else for (let t = 0; t < vocab; t++) table[t * vocab + favourite] = 10;
  const kvTable = new Float32Array(vocab * headDim).map((_, i) => ((i % 7) - 3) / 10);
  const inputs = [
    valueInfo(11, 'input_ids', INT64, ['batch_size', 'sequence_length']),
    valueInfo(11, 'attention_mask', INT64, ['batch_size', 'total_sequence_length']),
    valueInfo(11, 'position_ids', INT64, ['batch_size', 'sequence_length']),
    valueInfo(11, 'past_key_values.0.key', FLOAT, ['batch_size', 1, 'past_sequence_length', headDim]),
    valueInfo(11, 'past_key_values.0.value', FLOAT, ['batch_size', 1, 'past_sequence_length', headDim]),
  ];
  const outputs = [
    valueInfo(12, 'logits', FLOAT, ['batch_size', 'sequence_length', vocab]),
    valueInfo(12, 'present.0.key', FLOAT, ['batch_size', 1, 'total_sequence_length', headDim]),
    valueInfo(12, 'present.0.value', FLOAT, ['batch_size', 1, 'total_sequence_length', headDim]),
  ];
  const inits = [
    initializer('table', FLOAT, [vocab, vocab], f32(table)),
    initializer('kv_table', FLOAT, [vocab, headDim], f32(kvTable)),
    initializer('axis1', INT64, [1], i64([1])),
    initializer('square', INT64, [2], i64([n, n])),
    initializer('trips', INT64, [], i64([iterations])),
    initializer('keep_going', BOOL, [], Buffer.from([1])),
    initializer('zero', FLOAT, [], f32([0])),
  ];
  // Loop body: (iteration, condition, x) -> (condition, tanh(x @ x)); tanh keeps it finite.
  const body = [
    node('Identity', ['cond_in'], ['cond_out']),
    node('MatMul', ['x_in', 'x_in'], ['x_sq']),
    node('Tanh', ['x_sq'], ['x_out']),
    str(2, 'slow_body'),
    valueInfo(11, 'iteration', INT64, []),
    valueInfo(11, 'cond_in', BOOL, []),
    valueInfo(11, 'x_in', FLOAT, [n, n]),
    valueInfo(12, 'cond_out', BOOL, []),
    valueInfo(12, 'x_out', FLOAT, [n, n]),
  ];
  const nodes = [
    // The loop's start depends on the input, so onnxruntime cannot fold it away at load time.
    node('Cast', ['input_ids'], ['ids_float'], attrInt('to', FLOAT)),
    node('ReduceSum', ['ids_float'], ['ids_sum'], attrInt('keepdims', 0)),
    node('Mul', ['ids_sum', 'zero'], ['ids_zero']),
    node('ConstantOfShape', ['square'], ['x_base'], attrTensor('value', tensorBody('v', FLOAT, [1], f32([0.01])))),
    node('Add', ['x_base', 'ids_zero'], ['x0']),
    node('Loop', ['trips', 'keep_going', 'x0'], ['x_final'], attrGraph('body', body)),
    node('ReduceSum', ['x_final'], ['slow_sum'], attrInt('keepdims', 0)),
    node('Mul', ['slow_sum', 'zero'], ['slow_zero']),
    node('Gather', ['table', 'input_ids'], ['raw_logits'], attrInt('axis', 0)),
    node('Add', ['raw_logits', 'slow_zero'], ['logits']),
    node('Gather', ['kv_table', 'input_ids'], ['kv_rows'], attrInt('axis', 0)),
    node('Unsqueeze', ['kv_rows', 'axis1'], ['kv_new']),
    node('Concat', ['past_key_values.0.key', 'kv_new'], ['present.0.key'], attrInt('axis', 2)),
    node('Concat', ['past_key_values.0.value', 'kv_new'], ['present.0.value'], attrInt('axis', 2)),
  ];
  const graph = msg(7, ...nodes, str(2, 'slow_lm'), ...inits, ...inputs, ...outputs);
  // ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8 (domain 1, version 2).
  const model = Buffer.concat([int(1, 8), str(2, 'onnx-assist tests'), graph, msg(8, str(1, ''), int(2, 14))]);

  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), model);
  const config = {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: vocab,
    n_positions: 1024,
    n_embd: headDim,
    n_layer: 1,
    n_head: 1,
    bos_token_id: 0,
    eos_token_id: 0,
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 1));
  fs.writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify({ bos_token_id: 0, eos_token_id: 0, do_sample: false }));
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(FIXTURES, 'tiny-gpt2', f), path.join(dir, f));
  return dir;
}
