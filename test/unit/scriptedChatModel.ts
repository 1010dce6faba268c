/**
 * TEST FIXTURE, not a model: builds, at test time, an "instruct model" folder whose ONNX graph
 * writes a scripted reply, so the chat's tests can check what only a real reply exercises (a
 * fenced ```python block through Markdown, Insert and Apply; Stop in the middle of a reply)
 * through the real tokenizer, chat template, host, decode loop and streaming path. A
 * random-weight fixture never writes a fenced block.
 *
 * How it works: the tokenizer is tiny-qwen2's (byte-level BPE) plus one added token per piece of
 * the scripted replies, so each piece is one token id and decodes to its exact text. The graph
 * is a bigram table: the next token is a function of the current one (the chat template's last
 * token starts the reply, each piece names the next, the last names end-of-text). A second,
 * endless script (for Stop) runs when the conversation contains the token `<|forever|>`: a
 * one-channel KV cache carries "seen <|forever|>" from the prompt into every later step
 * (ReduceMax over the cache), which picks between the two tables. The graph is written as
 * protobuf by hand (onnxProto.ts), as test/unit/slowModel.ts does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { attrInt, attrInts, f32, FLOAT, i64, initializer, int, INT64, msg, node, str, valueInfo } from './onnxProto';

const QWEN = path.resolve(__dirname, '../../../test/fixtures/models/tiny-qwen2');

/** The reply to any question: a sentence, a fenced Python block, a sentence. One token per piece. */
export const CODE_REPLY = ['Here is a function that adds two numbers:', '\n\n```python\n', 'def add(a, b):\n', '    return a + b\n', '```\n\n', 'Call it as add(2, 3).'];
/** The code in CODE_REPLY's block, as Copy, Insert and Apply take it. */
export const CODE_BLOCK = 'def add(a, b):\n    return a + b\n';
/** The endless reply (conversations containing FOREVER): these pieces, round and round. */
export const ENDLESS_PIECES = ['tick ', 'tock '];
/** Put this in a question to get the endless reply. */
export const FOREVER = '<|forever|>';

/** Writes the fixture into `dir` (a fresh folder) and returns it. `positions`: the model's context window. */
export function makeScriptedChatModel(dir: string, positions = 65_536): string {
  const tok = JSON.parse(fs.readFileSync(path.join(QWEN, 'tokenizer.json'), 'utf8')) as { added_tokens: { id: number; content: string; special: boolean }[]; model: { vocab: Record<string, number> } };
  let next = Math.max(...Object.values(tok.model.vocab), ...tok.added_tokens.map((t) => t.id)) + 1;
  const add = (content: string, special: boolean) => {
    const id = next++;
    tok.added_tokens.push({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special } as never);
    return id;
  };
  add('<|im_start|>', true);
  add('<|im_end|>', true);
  const forever = add(FOREVER, true);
  const codeIds = CODE_REPLY.map((p) => add(p, false));
  const endlessIds = ENDLESS_PIECES.map((p) => add(p, false));
  const vocab = next;
  const eos = 0;
  // The generation prompt ends "<|im_start|>assistant\n"; its last token is the byte-level "\n" (Ċ).
  const newline = tok.model.vocab['Ċ'];
  if (newline === undefined) throw new Error('tiny-qwen2 has no newline token');

  // Two bigram tables, vocab x vocab logits: table[current][next] = 10 for the scripted next token.
  const code = new Float32Array(vocab * vocab);
  const endless = new Float32Array(vocab * vocab);
  for (let t = 0; t < vocab; t++) {
    code[t * vocab + eos] = 1; // anything unscripted ends the reply
    endless[t * vocab + eos] = 1;
  }
  const chain = (table: Float32Array, from: number, to: number) => (table[from * vocab + to] = 10);
  chain(code, newline, codeIds[0]);
  codeIds.forEach((id, i) => chain(code, id, codeIds[i + 1] ?? eos));
  chain(endless, newline, endlessIds[0]);
  endlessIds.forEach((id, i) => chain(endless, id, endlessIds[(i + 1) % endlessIds.length]));
  // The one cache channel: 1 for <|forever|>, else 0.
  const flag = new Float32Array(vocab);
  flag[forever] = 1;

  const nodes = [
    node('Gather', ['flag', 'input_ids'], ['flag_rows'], attrInt('axis', 0)), // [b, s]
    node('Unsqueeze', ['flag_rows', 'axes13'], ['kv_new']), // [b, 1, s, 1]
    node('Concat', ['past_key_values.0.key', 'kv_new'], ['present.0.key'], attrInt('axis', 2)),
    node('Concat', ['past_key_values.0.value', 'kv_new'], ['present.0.value'], attrInt('axis', 2)),
    // Seen <|forever|> anywhere so far (prompt included): 1, else 0; shape [b, 1, 1, 1] -> [b, 1, 1].
    node('ReduceMax', ['present.0.key'], ['seen4'], attrInts('axes', [1, 2, 3]), attrInt('keepdims', 1)),
    node('Squeeze', ['seen4', 'axis3'], ['seen']),
    node('Sub', ['one', 'seen'], ['unseen']),
    node('Gather', ['code_table', 'input_ids'], ['code_logits'], attrInt('axis', 0)), // [b, s, vocab]
    node('Gather', ['endless_table', 'input_ids'], ['endless_logits'], attrInt('axis', 0)),
    node('Mul', ['code_logits', 'unseen'], ['a']),
    node('Mul', ['endless_logits', 'seen'], ['b']),
    node('Add', ['a', 'b'], ['logits']),
  ];
  const inits = [
    initializer('flag', FLOAT, [vocab], f32(flag)),
    initializer('code_table', FLOAT, [vocab, vocab], f32(code)),
    initializer('endless_table', FLOAT, [vocab, vocab], f32(endless)),
    initializer('axes13', INT64, [2], i64([1, 3])),
    initializer('axis3', INT64, [1], i64([3])),
    initializer('one', FLOAT, [], f32([1])),
  ];
  const inputs = [
    valueInfo(11, 'input_ids', INT64, ['batch_size', 'sequence_length']),
    valueInfo(11, 'attention_mask', INT64, ['batch_size', 'total_sequence_length']),
    valueInfo(11, 'position_ids', INT64, ['batch_size', 'sequence_length']),
    valueInfo(11, 'past_key_values.0.key', FLOAT, ['batch_size', 1, 'past_sequence_length', 1]),
    valueInfo(11, 'past_key_values.0.value', FLOAT, ['batch_size', 1, 'past_sequence_length', 1]),
  ];
  const outputs = [
    valueInfo(12, 'logits', FLOAT, ['batch_size', 'sequence_length', vocab]),
    valueInfo(12, 'present.0.key', FLOAT, ['batch_size', 1, 'total_sequence_length', 1]),
    valueInfo(12, 'present.0.value', FLOAT, ['batch_size', 1, 'total_sequence_length', 1]),
  ];
  const graph = msg(7, ...nodes, str(2, 'scripted_chat'), ...inits, ...inputs, ...outputs);
  // ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8 (opset 13: ReduceMax takes axes as an attribute).
  const model = Buffer.concat([int(1, 8), str(2, 'onnx-assist tests (scripted chat fixture)'), graph, msg(8, str(1, ''), int(2, 13))]);

  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), model);
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tok));
  const tc = JSON.parse(fs.readFileSync(path.join(QWEN, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  tc.model_max_length = positions;
  tc.eos_token = '<|endoftext|>';
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tc, null, 1));
  const config = { architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: vocab, n_positions: positions, n_embd: 1, n_layer: 1, n_head: 1, bos_token_id: eos, eos_token_id: eos };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 1));
  fs.writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify({ bos_token_id: eos, eos_token_id: eos, do_sample: false }));
  fs.writeFileSync(path.join(dir, 'README.md'), '# Scripted chat (TEST FIXTURE)\n\nNot a language model: a bigram table that writes a scripted reply, built by test/unit/scriptedChatModel.ts for the chat tests.\n');
  return dir;
}
