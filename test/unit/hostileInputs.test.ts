/**
 * The bad inputs and faults of issue 10's sweep, kept as a table: each gets a clear error (code
 * and words that say what to change) or a sane result, and the same host keeps serving.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import type { HostError } from '../../src/protocol/errors';
import type { GenerationOptions } from '../../src/protocol/types';
import { newClient, rejection, TINY_BERT, TINY_EMBEDDER, TINY_GPT2 } from './helpers';
import { makeSlowModel } from './slowModel';

const BIG = 'def f(x):\n    return x + 1\n'.repeat(4500); // about 120 KB
const HUGE = 'x = [1, 2, 3]\n'.repeat(13500); // about 189 KB

describe('hostile input to the host', () => {
  let client: HostClient;
  let tmp: string;
  before(() => {
    client = newClient();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-'));
  });
  after(async () => {
    await client.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  afterEach(async () => assert.equal((await client.request('status', {})).ortVersion, '1.30.0', 'the host still serves'));

  const generate = (options: unknown, prompt = 'def main():\n', modelPath = TINY_GPT2) =>
    client.request('generate', { modelPath, prompt, options: options as GenerationOptions });

  const badOptions: [string, Record<string, unknown>, RegExp][] = [
    ['max new tokens 0', { maxNewTokens: 0 }, /maxNewTokens must be an integer in \[1, 32768\] \(got 0\)/],
    ['max new tokens -1', { maxNewTokens: -1 }, /maxNewTokens must be an integer in \[1, 32768\]/],
    ['max new tokens 1e9', { maxNewTokens: 1e9 }, /maxNewTokens must be an integer in \[1, 32768\]/],
    ['max new tokens as text', { maxNewTokens: 'ten' }, /maxNewTokens must be an integer/],
    ['top-p 2', { topP: 2 }, /topP must be a number in \[0, 1\]/],
    ['temperature -1', { temperature: -1 }, /temperature must be a number in \[0, 100\]/],
    ['temperature NaN', { temperature: NaN }, /temperature must be a number/],
    ['temperature Infinity', { temperature: Infinity }, /temperature must be a number/],
    ['temperature 1e308', { temperature: 1e308 }, /temperature must be a number in \[0, 100\]/],
    ['repetition penalty 0', { repetitionPenalty: 0 }, /repetitionPenalty must be a number in \[0.01, 100\]/],
    ['an empty stop string', { stop: [''] }, /stop must be non-empty strings/],
    ['1,000 return sequences', { numReturnSequences: 1000, doSample: true }, /numReturnSequences must be an integer in \[1, 16\]/],
  ];
  for (const [name, options, message] of badOptions) {
    it(`generation with ${name} is refused with the range`, async () => {
      const e = await rejection(generate(options));
      assert.equal(e.code, 'BAD_REQUEST');
      assert.match(e.message, message);
    });
  }

  it('threads 1,000 is refused with the range', async () => {
    const e = await rejection(client.request('generate', { modelPath: TINY_GPT2, prompt: 'x', threads: 1000 }));
    assert.match(e.message, /threads must be an integer in \[0, 256\]/);
  });

  it('an empty prompt starts from BOS; max new tokens beyond the context is clamped', async () => {
    assert.ok((await generate({ doSample: false, maxNewTokens: 3 }, '')).stats.newTokens > 0);
    assert.ok((await generate({ doSample: false, maxNewTokens: 5000 }, 'x')).stats.newTokens <= 127);
  });

  for (const [name, prompt] of [
    ['120 KB', BIG],
    ['189 KB', HUGE],
  ] as const) {
    it(`a ${name} prompt is cut from the left to the context, and says so`, async () => {
      const r = await generate({ doSample: false, maxNewTokens: 4 }, prompt);
      assert.ok(r.stats.truncatedTokens > 1000, `${r.stats.truncatedTokens} truncated`);
      assert.equal(r.stats.newTokens, 4);
    });
  }

  it('control bytes and invalid UTF-16 in prompts and texts are taken as text', async () => {
    const odd = 'a\u0000b\u0007c\u001b[31m\ud800\udfff\ud83d end \ufffe';
    assert.equal((await generate({ doSample: false, maxNewTokens: 3 }, odd)).stats.newTokens, 3);
    const c = await client.request('classify', { modelPath: TINY_BERT, texts: [odd, '\u0000'] });
    assert.equal(c.results.length, 2);
    const v = await client.request('embed', { modelPath: TINY_EMBEDDER, texts: [odd] });
    assert.ok(v.vectors[0].every(Number.isFinite));
  });

  it('a model that gives NaN logits is an error that says so', async () => {
    const dir = makeSlowModel(path.join(tmp, 'nan'), { iterations: 1, nanLogits: true });
    const e = await rejection(generate({ doSample: false, maxNewTokens: 3 }, 'x', dir));
    assert.equal(e.code, 'INFERENCE_FAILED');
    assert.match(e.message, /NaN logits/);
  });

  it('a model of the wrong kind for the request names what each request needs', async () => {
    assert.match((await rejection(client.request('classify', { modelPath: TINY_GPT2, texts: ['x'] }))).message, /classification needs a sequence classifier/);
    assert.match((await rejection(generate({ maxNewTokens: 2 }, 'x', TINY_BERT))).message, /generation needs a causal language model/);
    assert.match((await rejection(client.request('embed', { modelPath: TINY_BERT, texts: ['x'] }))).message, /embeddings need an encoder with a hidden-state output/);
    assert.match((await rejection(client.request('zeroShot', { modelPath: TINY_BERT, texts: ['x'], labels: ['a', 'b'] }))).message, /classifier with fixed labels/);
  });

  describe('broken model folders', () => {
    const copy = (name: string): string => {
      const d = path.join(tmp, name);
      fs.cpSync(TINY_GPT2, d, { recursive: true });
      return d;
    };
    const onnx = (d: string) => path.join(d, 'onnx', 'model.onnx');
    const cases: [string, () => string, string, RegExp][] = [
      ['no tokenizer.json', () => { const d = copy('no-tok'); fs.rmSync(path.join(d, 'tokenizer.json')); return d; }, 'MODEL_INVALID', /tokenizer\.json/],
      ['an invalid tokenizer.json', () => { const d = copy('bad-tok'); fs.writeFileSync(path.join(d, 'tokenizer.json'), '{"model": 7}'); return d; }, 'MODEL_INVALID', /tokenizer\.json/],
      ['a config.json that is not JSON', () => { const d = copy('bad-config'); fs.writeFileSync(path.join(d, 'config.json'), '{oops'); return d; }, 'MODEL_INVALID', /config\.json: is not valid JSON/],
      ['an .onnx cut to 100 KB', () => { const d = copy('cut-100k'); fs.truncateSync(onnx(d), 100_000); return d; }, 'MODEL_INVALID', /model\.onnx/],
      ['an .onnx cut to 99.99%', () => { const d = copy('cut-9999'); fs.truncateSync(onnx(d), Math.floor(fs.statSync(onnx(d)).size * 0.9999)); return d; }, 'MODEL_INVALID', /model\.onnx/],
      ['an empty .onnx', () => { const d = copy('empty-onnx'); fs.writeFileSync(onnx(d), ''); return d; }, 'MODEL_INVALID', /model\.onnx/],
      ['a random-bytes .onnx', () => { const d = copy('random-onnx'); fs.writeFileSync(onnx(d), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))); return d; }, 'MODEL_INVALID', /model\.onnx/],
      ['an empty folder', () => { const d = path.join(tmp, 'empty'); fs.mkdirSync(d); return d; }, 'MODEL_INVALID', /config\.json/],
      ['a file instead of a folder', () => { const f = path.join(tmp, 'file.txt'); fs.writeFileSync(f, 'x'); return f; }, 'BAD_REQUEST', /file\.txt is a file; give the model's folder/],
      ['a missing path', () => path.join(tmp, 'nowhere'), 'MODEL_NOT_FOUND', /nowhere/],
    ];
    for (const [name, make, code, message] of cases) {
      it(`${name}: ${code}, naming the file`, async () => {
        const e = (await rejection(generate({ maxNewTokens: 2 }, 'x', make()))) as HostError;
        assert.equal(e.code, code, e.message);
        assert.match(e.message, message);
      });
    }

    it('spaces and non-ASCII in the path work', async () => {
      const d = path.join(tmp, 'my models', 'modèle 模型');
      fs.mkdirSync(path.dirname(d), { recursive: true });
      fs.cpSync(TINY_GPT2, d, { recursive: true });
      assert.equal((await generate({ doSample: false, maxNewTokens: 2 }, 'x', d)).stats.newTokens, 2);
    });
  });

  it('30 concurrent requests all succeed', async () => {
    const all = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2 ? generate({ doSample: false, maxNewTokens: 3 }, `def f${i}(`) : client.request('classify', { modelPath: TINY_BERT, texts: [`text ${i}`] }),
      ),
    );
    assert.equal(all.length, 30);
  });

  it('500 completions, every fifth cancelled, keep memory flat', async function () {
    this.timeout(300_000);
    const rss = async () => (await client.request('status', {})).memory.rssMB;
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const ac = new AbortController();
        const p = client.request('generate', { modelPath: TINY_GPT2, prompt: `def handler_${i}(event):\n    `, options: { doSample: false, maxNewTokens: 8 } }, {
          signal: ac.signal,
          onEvent: () => (i % 5 === 4 ? ac.abort() : undefined),
        });
        await p.catch((e: HostError) => assert.equal(e.code, 'CANCELLED'));
      }
    };
    await run(100); // warm: allocator pools and caches reach their size
    const before = await rss();
    await run(400);
    const after = await rss();
    assert.ok(after - before < 64, `RSS grew from ${before} MB to ${after} MB over 400 completions`);
  });
});
