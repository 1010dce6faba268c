/**
 * The shipped default models load through the engine and pass a quality check on a small fixed
 * sample. (npm run eval reports the full numbers; these catch a broken or swapped model.)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { SHORT_HAM } from '../../tools/eval/shortMessages';
import { loadSpamAssassin, spamAssassinRecords } from '../../tools/eval/spamData';
import { newClient, ROOT } from './helpers';

const MODELS = path.join(ROOT, 'models');

describe('shipped default models', () => {
  let client: HostClient;
  before(() => (client = newClient()));
  after(() => client.dispose());

  it('models/ stays within its 80 MB budget (models/README.md says why)', () => {
    let total = 0;
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else total += fs.statSync(p).size;
      }
    };
    walk(MODELS);
    assert.ok(total <= 80 * 1024 * 1024, `${(total / 1048576).toFixed(1)} MB`);
  });

  it('code-lm completes code and beats chance by far on a held-out snippet', async () => {
    const model = path.join(MODELS, 'code-lm');
    const info = await client.request('load', { modelPath: model });
    assert.equal(info.task, 'text-generation');
    // Held out: the manifest marks this file as test (never trained on).
    const manifest = JSON.parse(fs.readFileSync(path.join(model, 'corpus-manifest.json'), 'utf8')) as { path: string; split: string; lang: string }[];
    const held = manifest.filter((m) => m.split === 'test' && m.lang === 'python' && fs.existsSync(m.path)).slice(0, 5);
    assert.equal(held.length, 5, 'held-out Python files are on this machine');
    let hits = 0;
    let total = 0;
    for (const h of held) {
      const full = fs.readFileSync(h.path, 'utf8');
      const text = full.slice(Math.floor(full.length / 3), Math.floor(full.length / 3) + 1500);
      const s = await client.request('score', { modelPath: model, text });
      hits += s.predicted.filter((p, i) => p === s.tokenIds[i + 1]).length;
      total += s.predicted.length;
    }
    // Chance is 1/8192; a broken or swapped model scores near 0. (Python mid-file windows score
    // about 0.27; npm run eval reports 0.49 over held-out files of all three languages.)
    assert.ok(hits / total > 0.2, `next-token accuracy ${(hits / total).toFixed(3)} over ${total} tokens`);
    const r = await client.request('generate', { modelPath: model, prompt: 'import os\n\n\ndef main():\n    ', options: { doSample: false, maxNewTokens: 20 } });
    assert.ok(r.texts[0].trim().length > 0);
  });

  it('spam-classifier separates spam from ham on 100 test-split mails', async () => {
    const model = path.join(MODELS, 'spam-classifier');
    const test = loadSpamAssassin(ROOT).filter((m) => m.split === 'test').slice(0, 100);
    const r = await client.request('classify', { modelPath: model, texts: test.map((m) => m.text), topK: 1 });
    const acc = r.results.filter((l, i) => l[0].label === test[i].label).length / test.length;
    assert.ok(acc >= 0.95, `accuracy ${acc}`);
  });

  it('spam-classifier holds up on raw, unparsed mails and on short ordinary messages', async () => {
    const model = path.join(MODELS, 'spam-classifier');
    const test = spamAssassinRecords(ROOT).filter((m) => m.split === 'test').slice(0, 100);
    const r = await client.request('classify', { modelPath: model, texts: test.map((m) => m.raw), topK: 1 });
    const acc = r.results.filter((l, i) => l[0].label === test[i].label).length / test.length;
    assert.ok(acc >= 0.9, `accuracy on raw messages ${acc}`);
    const short = await client.request('classify', { modelPath: model, texts: [...SHORT_HAM], topK: 1 });
    const ham = short.results.filter((l) => l[0].label === 'ham').length;
    assert.ok(ham >= 20, `${ham} of ${SHORT_HAM.length} short messages ham`);
  });

  it('code-language labels 10 languages on held-out snippets', async () => {
    const model = path.join(MODELS, 'code-language');
    const rows = fs
      .readFileSync(path.join(model, 'test-snippets.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { text: string; label: string })
      .filter((_, i) => i % 10 === 0);
    const r = await client.request('classify', { modelPath: model, texts: rows.map((x) => x.text), topK: 1 });
    const acc = r.results.filter((l, i) => l[0].label === rows[i].label).length / rows.length;
    assert.ok(acc >= 0.85, `accuracy ${acc}`);
    assert.equal(new Set(rows.map((x) => x.label)).size, 10);
  });

  describe('sentence-encoder', () => {
    const dir = path.join(MODELS, 'sentence-encoder');

    it('stays within its 12.5 MB share of models/', () => {
      let total = 0;
      for (const f of ['', 'onnx'].flatMap((d) => fs.readdirSync(path.join(dir, d), { withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(dir, d, e.name)))) total += fs.statSync(f).size;
      assert.ok(total <= 12.5 * 1024 * 1024, `${(total / 1048576).toFixed(1)} MB`);
    });

    it('loads unchanged in the transformers.js feature-extraction pipeline, same vectors within 1e-4 (fp32 and int8)', async () => {
      const T = await import('@huggingface/transformers');
      T.env.allowRemoteModels = false;
      T.env.localModelPath = '/';
      const texts = ['Real-time strategy game of ancient warfare', 'Return the size of the terminal window.', 'x'];
      for (const [dtype, onnxFile] of [['fp32', 'model.onnx'], ['q8', 'model_quantized.onnx']] as const) {
        const fe = await T.pipeline('feature-extraction', dir, { dtype });
        try {
          const theirs = (await fe(texts, { pooling: 'mean', normalize: true })).tolist() as number[][];
          const ours = await client.request('embed', { modelPath: dir, texts, normalize: true, onnxFile });
          texts.forEach((t, i) => theirs[i].forEach((v, j) => assert.ok(Math.abs(v - ours.vectors[i][j]) < 1e-4, `${dtype} ${t} [${j}]: ${ours.vectors[i][j]} vs ${v}`)));
        } finally {
          await fe.dispose();
        }
      }
    });

    it('ranks a matching description above unrelated ones (a check that the weights are trained)', async () => {
      const r = await client.request('embed', {
        modelPath: dir,
        normalize: true,
        texts: ['sound', 'audio player for music files', 'monospaced font for programming', 'library for parsing XML documents'],
      });
      const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
      const [q, ...docs] = r.vectors;
      const sims = docs.map((d) => cos(q, d));
      assert.equal(sims.indexOf(Math.max(...sims)), 0, sims.map((x) => x.toFixed(3)).join(' '));
    });
  });
});
