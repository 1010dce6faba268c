/**
 * Lossless speculative decoding by prompt lookup: on every causal-LM fixture (GPT-2, merged
 * decoder, FIM, Llama and Qwen2 with GQA, GPT-BigCode with MQA, an onnxruntime-genai folder,
 * fp16, q4, and the shipped code model), greedy output with drafting on is token for token the
 * output with it off, and the drafts were really verified (some proposed, some accepted).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { DraftLength, draftByLookup } from '../../src/host/generation/promptLookup';
import type { GenerationOptions } from '../../src/protocol/types';
import { fixture, newClient, ROOT } from './helpers';

const MODELS = ['tiny-gpt2', 'tiny-gpt2-merged', 'tiny-gpt2-fim', 'tiny-llama', 'tiny-qwen2', 'tiny-bigcode', 'tiny-llama-genai', 'tiny-llama-fp16', 'tiny-llama-q4'].map(fixture).concat(path.join(ROOT, 'models', 'code-lm'));

// Code whose continuation repeats what is above it: the case prompt lookup is for.
const PROMPT = `def area(w, h):
    return w * h

def perimeter(w, h):
    return 2 * (w + h)

def area(w, h):
    return w * h

def perimeter(w, h):
    return`;

describe('speculative decoding (prompt lookup)', () => {
  let client: HostClient;
  before(() => (client = newClient()));
  after(() => client.dispose());

  for (const modelPath of MODELS) {
    it(`is lossless on ${path.basename(modelPath)}: greedy tokens identical with drafting on and off`, async () => {
      const greedy: GenerationOptions = { doSample: false, maxNewTokens: 40, minNewTokens: 40 };
      let drafted = 0;
      let accepted = 0;
      for (const extra of [{}, { repetitionPenalty: 1.3 }, { noRepeatNgramSize: 3 }] as GenerationOptions[]) {
        const options = { ...greedy, ...extra };
        // First the draft sources are the prompt and an output of the same prompt under a strong
        // repetition penalty (it parts from greedy output: the roll back is exercised); then the
        // greedy output itself (the model agrees with it).
        await client.request('unload', { modelPath });
        const plain = await client.request('generate', { modelPath, prompt: PROMPT, options: { ...options, speculative: 'off' } });
        await client.request('unload', { modelPath });
        await client.request('generate', { modelPath, prompt: PROMPT, options: { ...options, repetitionPenalty: 10, speculative: 'off' } });
        for (const when of ['after a penalised output', 'after the greedy output']) {
          let streamed = '';
          const spec = await client.request('generate', { modelPath, prompt: PROMPT, options: { ...options, speculative: 'prompt-lookup' } }, { onEvent: (e) => (streamed += e.text) });
          const what = `options ${JSON.stringify(extra)}, ${when}`;
          assert.deepEqual(spec.tokenIds, plain.tokenIds, what);
          assert.equal(spec.texts[0], plain.texts[0], what);
          assert.equal(streamed, spec.texts[0], what);
          assert.equal(spec.stats.decodeSteps, spec.stats.newTokens - 1 - spec.stats.acceptedDraftTokens);
          drafted += spec.stats.draftTokens;
          accepted += spec.stats.acceptedDraftTokens;
        }
        assert.equal(plain.stats.draftTokens, 0);
        assert.equal(plain.stats.decodeSteps, plain.stats.newTokens - 1);
      }
      assert.ok(drafted > 0, 'no draft was proposed, so nothing was verified');
      assert.ok(accepted > 0, `no draft token was accepted (${drafted} proposed)`);
      assert.ok(accepted < drafted, 'every draft token was accepted: the roll back past rejected ones was not exercised');
    });
  }

  it('by default drafting is off where a pass over several positions is not exact (dynamic int8), on elsewhere', async () => {
    const modelPath = path.join(ROOT, 'models', 'code-lm');
    const options: GenerationOptions = { doSample: false, maxNewTokens: 30, minNewTokens: 30 };
    const int8 = await client.request('generate', { modelPath, onnxFile: 'model_quantized.onnx', prompt: PROMPT, options });
    assert.equal(int8.stats.draftTokens, 0);
    // Twice, so the first output is a draft source for the second.
    await client.request('generate', { modelPath, onnxFile: 'model.onnx', prompt: PROMPT, options });
    const fp32 = await client.request('generate', { modelPath, onnxFile: 'model.onnx', prompt: PROMPT, options });
    assert.ok(fp32.stats.draftTokens > 0, 'the fp32 graph drafts by default');
    const again = await client.request('generate', { modelPath, onnxFile: 'model_quantized.onnx', prompt: PROMPT, options: { ...options, speculative: 'prompt-lookup' } });
    assert.ok(again.stats.draftTokens > 0, 'asked for, drafting runs on the int8 graph too');
  });

  it('sampled requests decode plainly (drafting stays off: the distribution is untouched)', async () => {
    const r = await client.request('generate', { modelPath: MODELS[0], prompt: PROMPT, options: { doSample: true, seed: 3, maxNewTokens: 20, speculative: 'prompt-lookup' } });
    assert.equal(r.stats.draftTokens, 0);
  });

  it('minNewTokens keeps EOS away until that many tokens are decoded', async () => {
    const r = await client.request('generate', { modelPath: path.join(ROOT, 'models', 'code-lm'), prompt: 'x = 1\n', options: { doSample: false, maxNewTokens: 30, minNewTokens: 30 } });
    assert.equal(r.stats.newTokens, 30);
    assert.equal(r.stopReasons[0], 'length');
  });
});

describe('prompt lookup drafts', () => {
  it('drafts what followed the nearest earlier occurrence of the last tokens', () => {
    assert.deepEqual(draftByLookup([1, 2, 3, 9, 1, 2, 3, 4, 5, 1, 2, 3], 3), [4, 5, 1]);
    assert.deepEqual(draftByLookup([7, 8, 1, 2], 4), []);
    assert.deepEqual(draftByLookup([7, 8, 1, 2], 4, [[5, 1, 2, 6, 6]]), [6, 6]);
    assert.deepEqual(draftByLookup([1, 2, 1, 2], 0), []);
  });

  it('draft length grows after full acceptance and shrinks after a rejection', () => {
    const d = new DraftLength();
    const start = d.value;
    d.update(start, start);
    assert.equal(d.value, start + 2);
    d.update(8, 1);
    assert.equal(d.value, 2);
  });
});
