// Makes the tiny random-weight models the tests run on, with tools/export (Debian's torch).
// They are committed (a few hundred KB each); this rebuilds any that are missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'test', 'fixtures', 'models');
// The tokenizers are trained on a fixed slice of Python's standard library (PSF-2.0).
const corpus = ['/usr/lib/python3.11/a*.py', '/usr/lib/python3.11/b*.py', '/usr/lib/python3.11/c*.py'];
const fixtures = {
  'tiny-gpt2': ['gpt2', '--vocab-size', '512', '--layers', '2', '--heads', '2', '--hidden', '64', '--positions', '128', '--init-std', '0.3', '--seed', '1'],
  'tiny-gpt2-merged': ['gpt2', '--vocab-size', '512', '--layers', '2', '--heads', '2', '--hidden', '64', '--positions', '128', '--init-std', '0.3', '--seed', '1', '--legacy-merged', '--logits-to-keep'],
  'tiny-gpt2-fim': ['gpt2', '--vocab-size', '512', '--layers', '2', '--heads', '2', '--hidden', '64', '--positions', '128', '--init-std', '0.3', '--seed', '6', '--special-tokens', '<|endoftext|>,<fim_prefix>,<fim_middle>,<fim_suffix>'],
  // Llama family: grouped-query attention (4 query heads share 2 key-value heads), rotary embeddings.
  'tiny-llama': ['llama', '--vocab-size', '512', '--layers', '2', '--heads', '4', '--kv-heads', '2', '--hidden', '64', '--positions', '128', '--init-std', '0.3', '--seed', '7'],
  // Qwen2: as Llama with q/k/v biases; one key-value head (multi-query).
  'tiny-qwen2': ['qwen2', '--vocab-size', '512', '--layers', '2', '--heads', '4', '--kv-heads', '1', '--hidden', '64', '--positions', '128', '--init-std', '0.3', '--seed', '8', '--special-tokens', '<|endoftext|>,<|fim_prefix|>,<|fim_middle|>,<|fim_suffix|>'],
  // GPT-BigCode (StarCoder): multi-query attention with one fused past_key_values.{i}.key_value.
  'tiny-bigcode': ['gpt_bigcode', '--vocab-size', '512', '--layers', '2', '--heads', '4', '--hidden', '64', '--positions', '128', '--init-std', '0.3', '--seed', '9', '--special-tokens', '<|endoftext|>,<fim_prefix>,<fim_middle>,<fim_suffix>'],
  'tiny-bert-classifier': ['bert', '--vocab-size', '600', '--layers', '2', '--heads', '2', '--hidden', '64', '--positions', '64', '--init-std', '0.2', '--seed', '2', '--labels', 'negative,neutral,positive'],
  // DistilBERT layout: input_ids and attention_mask only (no token_type_ids).
  'tiny-distilbert': ['distilbert', '--vocab-size', '600', '--layers', '2', '--heads', '2', '--hidden', '64', '--positions', '64', '--init-std', '0.2', '--seed', '10', '--labels', 'NEGATIVE,POSITIVE'],
  // RoBERTa layout: byte-level BPE with <s> </s>, pad id 1, positions offset past the padding index.
  'tiny-roberta': ['roberta', '--vocab-size', '600', '--layers', '2', '--heads', '2', '--hidden', '64', '--positions', '62', '--init-std', '0.2', '--seed', '11', '--labels', 'negative,positive'],
  // DeBERTa-v3-style NLI (relative attention, no token types), label order as the cross-encoder NLI models.
  'tiny-deberta-nli': ['deberta-v2', '--vocab-size', '600', '--layers', '2', '--heads', '2', '--hidden', '64', '--positions', '64', '--init-std', '0.2', '--seed', '12', '--labels', 'contradiction,entailment,neutral'],
  'tiny-bert-multilabel': ['bert', '--vocab-size', '600', '--layers', '1', '--heads', '2', '--hidden', '32', '--positions', '64', '--init-std', '0.2', '--seed', '3', '--labels', 'bug,feature,docs', '--problem-type', 'multi_label_classification'],
  // NLI layout for zero-shot: label2id names entailment, neutral and contradiction.
  'tiny-bert-nli': ['bert', '--vocab-size', '600', '--layers', '2', '--heads', '2', '--hidden', '64', '--positions', '64', '--init-std', '0.2', '--seed', '5', '--labels', 'entailment,neutral,contradiction'],
  'tiny-bert-embedder': ['bert', '--vocab-size', '600', '--layers', '2', '--heads', '2', '--hidden', '32', '--positions', '64', '--init-std', '0.2', '--seed', '4', '--task', 'feature-extraction'],
};
// An onnxruntime-genai folder made from tiny-llama (same weights, genai_config.json, renamed KV tensors).
const derived = {
  'tiny-llama-genai': ['tools/export/genai_folder.py', 'tiny-llama', 'genai_config.json'],
  // float16 KV cache and logits at the graph boundary, as fp16 / q4f16 exports have.
  'tiny-llama-fp16': ['tools/export/fp16_io.py', 'tiny-llama', 'onnx/model_fp16.onnx'],
  // 4-bit block-quantized weights (MatMulNBits), what transformers.js calls dtype q4.
  'tiny-llama-q4': ['tools/export/quantize.py', 'tiny-llama', 'onnx/model_q4.onnx', ['--q4', '--min-elements', '1024', '--out']],
};
for (const [name, args] of Object.entries(fixtures)) {
  const out = join(dir, name);
  if (existsSync(join(out, 'config.json'))) continue;
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  console.log(`fixtures: building ${name}`);
  execFileSync(python, [join(root, 'tools/export/export.py'), ...args, '--out', out, '--corpus', ...corpus], { stdio: 'inherit' });
}
for (const [name, [script, source, marker, flags = []]] of Object.entries(derived)) {
  const out = join(dir, name);
  if (existsSync(join(out, marker))) continue;
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  console.log(`fixtures: building ${name}`);
  execFileSync(python, [join(root, script), join(dir, source), ...flags, out], { stdio: 'inherit' });
}
