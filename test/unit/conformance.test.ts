/**
 * The engine against @huggingface/transformers on the same model folders: greedy generation must
 * produce the same tokens, classification and embeddings the same numbers within 1e-4.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { HostClient } from '../../src/client/hostClient';
import { fixture, newClient, ROOT, TINY_BERT, TINY_BERT_MULTI, TINY_EMBEDDER, TINY_GPT2, TINY_NLI } from './helpers';

type Transformers = typeof import('@huggingface/transformers');

async function transformers(): Promise<Transformers> {
  const t = await import('@huggingface/transformers');
  t.env.allowRemoteModels = false;
  t.env.localModelPath = '/';
  return t;
}

const PROMPTS = ['def add(a, b):\n    return', 'class Config:\n    def __init__(self', 'import sys\n', 'The quick brown'];

/** Logits for every position of `ids` in one forward pass with zero-length past tensors. */
async function fullRecompute(dir: string, ids: number[]): Promise<Float32Array> {
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, number | boolean>;
  const session = await ort.InferenceSession.create(path.join(dir, 'onnx', 'model.onnx'));
  try {
    const n = ids.length;
    const i64 = (xs: number[]) => new ort.Tensor('int64', BigInt64Array.from(xs.map(BigInt)), [1, xs.length]);
    const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids), attention_mask: i64(new Array<number>(n).fill(1)), position_ids: i64(ids.map((_, i) => i)) };
    const heads = Number(cfg.num_attention_heads ?? cfg.n_head);
    const headDim = Number(cfg.hidden_size ?? cfg.n_embd) / heads;
    for (const name of session.inputNames.filter((x) => x.startsWith('past_key_values.'))) {
      feeds[name] = name.endsWith('key_value') ? new ort.Tensor('float32', new Float32Array(0), [1, 0, 2 * headDim]) : new ort.Tensor('float32', new Float32Array(0), [1, Number(cfg.num_key_value_heads), 0, headDim]);
    }
    return (await session.run(feeds)).logits.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('conformance with @huggingface/transformers', () => {
  let client: HostClient;
  let T: Transformers;
  before(async () => {
    client = newClient();
    T = await transformers();
  });
  after(() => client.dispose());

  it('greedy generation gives the same tokens', async () => {
    const tokenizer = await T.AutoTokenizer.from_pretrained(TINY_GPT2);
    const model = await T.AutoModelForCausalLM.from_pretrained(TINY_GPT2, { dtype: 'fp32' });
    try {
      for (const prompt of PROMPTS) {
        const inputs = tokenizer(prompt);
        const out = (await model.generate({ ...inputs, max_new_tokens: 30, do_sample: false })) as { tolist(): bigint[][] };
        const theirs = out.tolist()[0].slice(inputs.input_ids.dims[1]).map(Number);
        const ours = await client.request('generate', { modelPath: TINY_GPT2, prompt, options: { doSample: false, maxNewTokens: 30 } });
        const eos = theirs.indexOf(0);
        assert.deepEqual(ours.tokenIds[0], eos >= 0 ? theirs.slice(0, eos) : theirs, prompt);
        assert.equal(ours.texts[0], tokenizer.decode(ours.tokenIds[0], { skip_special_tokens: true }), prompt);
      }
    } finally {
      await model.dispose();
    }
  });

  for (const name of ['tiny-llama', 'tiny-qwen2', 'tiny-bigcode']) {
    it(`${name}: greedy tokens equal transformers.js, and the KV-cached decode equals a full recompute`, async () => {
      const dir = fixture(name);
      const tokenizer = await T.AutoTokenizer.from_pretrained(dir);
      const model = await T.AutoModelForCausalLM.from_pretrained(dir, { dtype: 'fp32' });
      let recomputed = 0;
      try {
        for (const prompt of PROMPTS) {
          const inputs = tokenizer(prompt);
          const out = (await model.generate({ ...inputs, max_new_tokens: 20, do_sample: false })) as { tolist(): bigint[][] };
          const theirs = out.tolist()[0].slice(inputs.input_ids.dims[1]).map(Number);
          const ours = await client.request('generate', { modelPath: dir, prompt, options: { doSample: false, maxNewTokens: 20 } });
          const eos = theirs.indexOf(0);
          assert.deepEqual(ours.tokenIds[0], eos >= 0 ? theirs.slice(0, eos) : theirs, `${name}: ${prompt}`);
          // One pass over prompt + generated ids with an empty cache: every cached greedy pick is its argmax.
          const ids = [...Array.from(inputs.input_ids.data as BigInt64Array, Number), ...ours.tokenIds[0]];
          const logits = await fullRecompute(dir, ids);
          const vocab = logits.length / ids.length;
          const promptLen = inputs.input_ids.dims[1];
          ours.tokenIds[0].forEach((tok, i) => {
            const row = logits.subarray((promptLen - 1 + i) * vocab, (promptLen + i) * vocab);
            assert.equal(row.indexOf(Math.max(...row)), tok, `${name}: cached vs recomputed at step ${i}`);
          });
          recomputed++;
        }
        assert.equal(recomputed, PROMPTS.length);
        const info = await client.request('load', { modelPath: dir });
        assert.equal(info.fim, name !== 'tiny-llama', `${name}: fill-in-the-middle tokens detected`);
      } finally {
        await model.dispose();
      }
    });
  }

  for (const [name, dtype, file, what] of [
    ['tiny-llama-fp16', 'fp16', 'model_fp16.onnx', 'float16 KV cache and logits'],
    ['tiny-llama-q4', 'q4', 'model_q4.onnx', '4-bit MatMulNBits weights'],
  ] as const) {
    it(`${name} (${what}): same greedy tokens as transformers.js with dtype ${dtype}`, async () => {
      const dir = fixture(name);
      const tokenizer = await T.AutoTokenizer.from_pretrained(dir);
      const model = await T.AutoModelForCausalLM.from_pretrained(dir, { dtype });
      try {
        const info = await client.request('load', { modelPath: dir });
        assert.equal(info.onnxFile, path.join('onnx', file));
        for (const prompt of PROMPTS) {
          const inputs = tokenizer(prompt);
          const out = (await model.generate({ ...inputs, max_new_tokens: 16, do_sample: false })) as { tolist(): bigint[][] };
          const theirs = out.tolist()[0].slice(inputs.input_ids.dims[1]).map(Number);
          const ours = await client.request('generate', { modelPath: dir, prompt, options: { doSample: false, maxNewTokens: 16 } });
          const eos = theirs.indexOf(0);
          assert.deepEqual(ours.tokenIds[0], eos >= 0 ? theirs.slice(0, eos) : theirs, prompt);
        }
      } finally {
        await model.dispose();
      }
    });
  }

  it('chat messages render with the model\'s template as transformers.js does, and generate the same tokens', async () => {
    const dir = fixture('tiny-qwen2');
    const tokenizer = await T.AutoTokenizer.from_pretrained(dir);
    const model = await T.AutoModelForCausalLM.from_pretrained(dir, { dtype: 'fp32' });
    try {
      const messages = [
        { role: 'system' as const, content: 'You write Python.' },
        { role: 'user' as const, content: 'Add two numbers.' },
      ];
      const text = tokenizer.apply_chat_template(messages, { add_generation_prompt: true, tokenize: false }) as string;
      assert.match(text, /<\|im_start\|>assistant\n$/);
      const inputs = tokenizer(text, { add_special_tokens: false });
      const out = (await model.generate({ ...inputs, max_new_tokens: 16, do_sample: false })) as { tolist(): bigint[][] };
      const theirs = out.tolist()[0].slice(inputs.input_ids.dims[1]).map(Number);
      const ours = await client.request('generate', { modelPath: dir, prompt: '', messages, options: { doSample: false, maxNewTokens: 16 } });
      const eos = theirs.indexOf(0);
      assert.deepEqual(ours.tokenIds[0], eos >= 0 ? theirs.slice(0, eos) : theirs);
      assert.equal(ours.stats.promptTokens, inputs.input_ids.dims[1]);
      assert.equal((await client.request('load', { modelPath: dir })).chat, true);
      await assert.rejects(client.request('generate', { modelPath: TINY_GPT2, prompt: '', messages }), /has no chat template/);
    } finally {
      await model.dispose();
    }
  });

  for (const [name, dir] of [['single-label', TINY_BERT], ['multi-label', TINY_BERT_MULTI], ['DistilBERT (no token_type_ids)', fixture('tiny-distilbert')], ['RoBERTa (offset positions, <s> </s>)', fixture('tiny-roberta')]] as const) {
    it(`${name} classification scores match within 1e-4`, async () => {
      const clf = await T.pipeline('text-classification', dir, { dtype: 'fp32' });
      try {
        // Texts within the limit: on longer ones transformers.js cuts the final [SEP] / </s> off, while
        // ONNX Assist (like Python transformers) cuts the text and keeps the special tokens.
        const texts = ['The build failed again', 'Great release, thanks!', 'add dark mode'];
        const theirs = (await clf(texts, { top_k: null })) as { label: string; score: number }[][];
        const ours = await client.request('classify', { modelPath: dir, texts });
        texts.forEach((_, i) => {
          for (const t of theirs[i]) {
            const o = ours.results[i].find((x) => x.label === t.label);
            assert.ok(o, `label ${t.label}`);
            assert.ok(Math.abs(o.score - t.score) < 1e-4, `${t.label}: ours ${o.score} theirs ${t.score}`);
          }
        });
      } finally {
        await clf.dispose();
      }
    });
  }

  it('mean-pooled normalised embeddings match within 1e-4', async () => {
    const fe = await T.pipeline('feature-extraction', TINY_EMBEDDER, { dtype: 'fp32' });
    try {
      const texts = ['hello world', 'a longer sentence about code completion'];
      const theirs = (await fe(texts, { pooling: 'mean', normalize: true })).tolist() as number[][];
      const ours = await client.request('embed', { modelPath: TINY_EMBEDDER, texts, normalize: true });
      texts.forEach((_, i) => theirs[i].forEach((v, j) => assert.ok(Math.abs(v - ours.vectors[i][j]) < 1e-4)));
    } finally {
      await fe.dispose();
    }
  });

  for (const [arch, nliDir, multiLabel] of [['BERT', TINY_NLI, false], ['BERT', TINY_NLI, true], ['DeBERTa-v2', fixture('tiny-deberta-nli'), false], ['DeBERTa-v2', fixture('tiny-deberta-nli'), true]] as const) {
    it(`zero-shot NLI with ${arch} (${multiLabel ? 'multi' : 'single'}-label) scores match the zero-shot pipeline within 1e-4`, async () => {
      const zs = await T.pipeline('zero-shot-classification', nliDir, { dtype: 'fp32' });
      try {
        const texts = ['The build failed again after the update', 'Please add a dark theme', 'x'];
        const labels = ['bug', 'feature request', 'question', 'documentation', 'praise'];
        const template = 'This text is about {}.';
        const ours = await client.request('zeroShot', { modelPath: nliDir, texts, labels, template, multiLabel });
        assert.equal(ours.mode, 'nli');
        for (const [i, text] of texts.entries()) {
          const theirs = (await zs(text, labels, { hypothesis_template: template, multi_label: multiLabel })) as { labels: string[]; scores: number[] };
          assert.deepEqual(ours.results[i].map((r) => r.label), theirs.labels, text);
          theirs.scores.forEach((s, k) => assert.ok(Math.abs(s - ours.results[i][k].score) < 1e-4, `${text} ${theirs.labels[k]}: ${ours.results[i][k].score} vs ${s}`));
        }
      } finally {
        await zs.dispose();
      }
    });
  }

  describe('shipped models load unchanged in pipelines', () => {
    const models = path.join(ROOT, 'models');

    it('code-lm: text-generation pipeline, same greedy text', async () => {
      const dir = path.join(models, 'code-lm');
      const gen = await T.pipeline('text-generation', dir, { dtype: 'fp32' });
      try {
        for (const prompt of ['def read_lines(path):\n    ', 'export function add(a: number, b: number) {\n  ']) {
          const theirs = (await gen(prompt, { max_new_tokens: 24, do_sample: false, return_full_text: false })) as { generated_text: string }[];
          const ours = await client.request('generate', { modelPath: dir, prompt, options: { doSample: false, maxNewTokens: 24 } });
          assert.equal(ours.texts[0], theirs[0].generated_text, prompt);
        }
      } finally {
        await gen.dispose();
      }
    });

    for (const name of ['spam-classifier', 'code-language']) {
      it(`${name}: text-classification pipeline, same scores within 1e-4`, async () => {
        const dir = path.join(models, name);
        const clf = await T.pipeline('text-classification', dir, { dtype: 'fp32' });
        try {
          const texts = ['Subject: WIN a FREE iPhone now!!!\n\nClick here', 'import numpy as np\nx = np.zeros(3)\n', '{\n  "a": 1\n}'];
          const theirs = (await clf(texts, { top_k: null })) as { label: string; score: number }[][];
          const ours = await client.request('classify', { modelPath: dir, texts });
          texts.forEach((_, i) => {
            for (const t of theirs[i]) {
              const o = ours.results[i].find((x) => x.label === t.label)!;
              assert.ok(Math.abs(o.score - t.score) < 1e-4, `${name} ${t.label}: ${o.score} vs ${t.score}`);
            }
          });
        } finally {
          await clf.dispose();
        }
      });
    }
  });
});
