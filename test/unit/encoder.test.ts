import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { scoreLabels, softmax } from '../../src/host/encoders/encoder';
import { ModelTokenizer } from '../../src/host/runtime/tokenizer';
import { readModelFolder } from '../../src/host/models/folder';
import { loadSpamAssassin } from '../../tools/eval/spamData';
import { newClient, ROOT, TINY_BERT, TINY_BERT_MULTI, TINY_EMBEDDER } from './helpers';

const TEXTS = ['The build failed again on CI', 'Great release, thanks!', 'x', 'Add a dark theme to the settings page please'];

describe('classification post-processing', () => {
  it('softmax is stable for large logits and sums to one', () => {
    const p = softmax([1000, 1001, 999]);
    assert.ok(Math.abs(p.reduce((a, b) => a + b) - 1) < 1e-12);
    assert.ok(p[1] > p[0] && p[0] > p[2]);
  });

  it('labels come back best first, cut to top-k; multi-label uses independent sigmoids', () => {
    const single = scoreLabels([0, 2, 1], ['a', 'b', 'c'], false, 2);
    assert.deepEqual(single.map((s) => s.label), ['b', 'c']);
    const multi = scoreLabels([0, 2, -2], ['a', 'b', 'c'], true);
    assert.ok(Math.abs(multi[0].score - 1 / (1 + Math.exp(-2))) < 1e-12);
    assert.ok(Math.abs(multi.find((m) => m.label === 'a')!.score - 0.5) < 1e-12);
  });
});

describe('encoders through the worker host', () => {
  let client: HostClient;
  before(() => (client = newClient()));
  after(() => client.dispose());

  it('classifies a batch with id2label names and softmax scores', async () => {
    const r = await client.request('classify', { modelPath: TINY_BERT, texts: TEXTS });
    assert.equal(r.results.length, TEXTS.length);
    for (const labels of r.results) {
      assert.deepEqual(labels.map((l) => l.label).sort(), ['negative', 'neutral', 'positive']);
      assert.ok(Math.abs(labels.reduce((a, l) => a + l.score, 0) - 1) < 1e-5);
      assert.ok(labels[0].score >= labels[1].score);
    }
    const top1 = await client.request('classify', { modelPath: TINY_BERT, texts: TEXTS, topK: 1 });
    assert.ok(top1.results.every((l) => l.length === 1));
  });

  it('batching (sorted by length, padded) gives the same scores as one text at a time', async () => {
    const batch = await client.request('classify', { modelPath: TINY_BERT, texts: TEXTS });
    for (let i = 0; i < TEXTS.length; i++) {
      const one = await client.request('classify', { modelPath: TINY_BERT, texts: [TEXTS[i]] });
      for (const l of one.results[0]) {
        const other = batch.results[i].find((x) => x.label === l.label)!;
        assert.ok(Math.abs(other.score - l.score) < 1e-5, `${TEXTS[i]} ${l.label}`);
      }
    }
  });

  it('long texts are truncated to the model maximum and counted', async () => {
    const r = await client.request('classify', { modelPath: TINY_BERT, texts: ['word '.repeat(500), 'short'] });
    assert.equal(r.stats.truncated, 1);
    assert.equal(r.results.length, 2);
  });

  it('multi-label classifiers score labels independently', async () => {
    const r = await client.request('classify', { modelPath: TINY_BERT_MULTI, texts: TEXTS });
    assert.ok(r.results.some((labels) => Math.abs(labels.reduce((a, l) => a + l.score, 0) - 1) > 1e-3));
  });

  it('embeddings are mean-pooled and optionally L2-normalised', async () => {
    const raw = await client.request('embed', { modelPath: TINY_EMBEDDER, texts: TEXTS });
    const norm = await client.request('embed', { modelPath: TINY_EMBEDDER, texts: TEXTS, normalize: true });
    assert.equal(raw.dim, 32);
    for (let i = 0; i < TEXTS.length; i++) {
      const n = Math.hypot(...norm.vectors[i]);
      assert.ok(Math.abs(n - 1) < 1e-6);
      const scale = Math.hypot(...raw.vectors[i]);
      raw.vectors[i].forEach((x, j) => assert.ok(Math.abs(x / scale - norm.vectors[i][j]) < 1e-6));
    }
  });

  it('a feature-extraction model is reported as such and refuses classification', async () => {
    const info = await client.request('load', { modelPath: TINY_EMBEDDER });
    assert.equal(info.task, 'feature-extraction');
    const clf = await client.request('load', { modelPath: TINY_BERT });
    assert.deepEqual(clf.labels, ['negative', 'neutral', 'positive']);
    assert.ok(clf.inputNames.includes('token_type_ids'));
  });
});

describe('truncating long texts', () => {
  it('tokenizing only a whitespace-cut prefix gives exactly the ids of the whole text, cut', function () {
    this.timeout(120_000);
    const mails = loadSpamAssassin(ROOT).slice(0, 150).map((m) => m.text);
    for (const name of ['spam-classifier', 'code-lm']) {
      const f = readModelFolder(path.join(ROOT, 'models', name));
      const tok = new ModelTokenizer(f.tokenizerJson, f.tokenizerConfig, f.config, f.generationConfig);
      for (const max of [16, 64, 512]) {
        for (const m of mails) {
          const full = tok.encode(m, true);
          const expected = full.length <= max ? full : full.slice(0, max);
          assert.deepEqual(tok.encodeTruncated(m, max).ids, name === 'spam-classifier' && full.length > max ? [...full.slice(0, max - 1), full[full.length - 1]] : expected);
        }
      }
    }
  });
});
