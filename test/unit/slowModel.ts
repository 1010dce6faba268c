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
import { attrGraph, attrInt, attrTensor, BOOL, f32, FLOAT, i64, initializer, int, INT64, msg, node, str, tensorBody, valueInfo } from './onnxProto';


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
