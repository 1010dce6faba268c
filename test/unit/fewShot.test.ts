/**
 * Few-shot heads: the logistic regression itself (optimality, determinism, folds) and the host's
 * teach / save / classify round trip on a real encoder.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { crossValidate, fitLogistic, predictProba, stratifiedFolds } from '../../src/host/encoders/logistic';
import { newClient, rejection, TINY_BERT, TINY_EMBEDDER } from './helpers';

/** Mean cross-entropy + l2/2 |W|^2 on standardised features, as fitLogistic defines it. */
function objective(x: number[][], y: number[], m: ReturnType<typeof fitLogistic>, l2: number): number {
  let loss = 0;
  x.forEach((row, i) => (loss -= Math.log(predictProba(m, row)[y[i]]) / x.length));
  return loss + (l2 / 2) * m.weights.flat().reduce((a, w) => a + w * w, 0);
}

describe('logistic regression head', () => {
  const x = [[0, 1], [1, 1], [2, 0], [3, 1], [4, 0], [5, 1], [1.5, 0.5], [3.5, 0.2]];
  const y = [0, 0, 0, 1, 1, 1, 1, 0];

  it('reaches the optimum: moving any weight makes the objective worse', () => {
    const l2 = 0.1;
    const m = fitLogistic(x, y, 2, { l2, iterations: 20000 });
    const best = objective(x, y, m, l2);
    for (let c = 0; c < 2; c++) {
      for (let j = 0; j < 2; j++) {
        for (const step of [1e-2, -1e-2]) {
          const w = m.weights.map((r) => [...r]);
          w[c][j] += step;
          assert.ok(objective(x, y, { ...m, weights: w }, l2) >= best - 1e-6, `w[${c}][${j}] ${step}`);
        }
      }
    }
  });

  it('gives probabilities that sum to one, and the same model every run', () => {
    const a = fitLogistic(x, y, 2);
    const b = fitLogistic(x, y, 2);
    assert.deepEqual(a, b);
    const p = predictProba(a, [2.5, 0.5]);
    assert.ok(Math.abs(p[0] + p[1] - 1) < 1e-12);
    assert.ok(predictProba(a, [0, 1])[0] > 0.5 && predictProba(a, [5, 1])[1] > 0.5);
  });

  it('separates three linearly separable classes and cross-validates them perfectly', () => {
    const pts: number[][] = [];
    const ys: number[] = [];
    for (let c = 0; c < 3; c++) for (let i = 0; i < 6; i++) { pts.push([c * 10 + i * 0.1, (i % 2) * 0.1]); ys.push(c); }
    const cv = crossValidate(pts, ys, 3, 3);
    assert.equal(cv.accuracy, 1);
    assert.equal(cv.foldAccuracy.length, 3);
    assert.ok(cv.predicted.every((p, i) => p === ys[i]));
  });

  it('deals every class evenly over the folds', () => {
    const ys = [...new Array<number>(10).fill(0), ...new Array<number>(5).fill(1)];
    const folds = stratifiedFolds(ys, 5);
    for (let f = 0; f < 5; f++) {
      assert.equal(ys.filter((c, i) => c === 0 && folds[i] === f).length, 2);
      assert.equal(ys.filter((c, i) => c === 1 && folds[i] === f).length, 1);
    }
    assert.deepEqual(stratifiedFolds(ys, 5), folds);
  });
});

describe('few-shot classifiers in the host', () => {
  let client: HostClient;
  let dir: string;
  before(() => {
    client = newClient();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'few-shot-'));
  });
  after(async () => {
    await client.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const code = ['def add(a, b): return a + b', 'import os\nprint(os.getcwd())', 'for i in range(10): pass', 'class A:\n    pass', 'x = [i * i for i in y]', 'return None if x else y'];
  const prose = ['The weather is lovely today.', 'Thanks for the meeting notes.', 'We will arrive on Friday morning.', 'Please send the invoice soon.', 'I enjoyed the book a lot.', 'Our team won the match.'];
  const examples = [...code.map((text) => ({ text, label: 'code' })), ...prose.map((text) => ({ text, label: 'prose' }))];

  it('teaches, cross-validates, saves and classifies by the saved file', async () => {
    const r = await client.request('trainClassifier', { modelPath: TINY_EMBEDDER, name: 'code-or-prose', examples });
    const clf = r.classifier;
    assert.deepEqual(clf.labels, ['code', 'prose']);
    assert.deepEqual(clf.examples, { code: 6, prose: 6 });
    assert.equal(clf.crossValidation.folds, 5);
    assert.equal(clf.crossValidation.confusion.matrix.flat().reduce((a, b) => a + b, 0), 12);
    const cv = clf.crossValidation;
    const mean = cv.foldAccuracy.reduce((a, b) => a + b, 0) / cv.folds;
    assert.ok(Math.abs(cv.accuracy - mean) < 1e-12);
    const file = path.join(dir, 'code-or-prose.json');
    fs.writeFileSync(file, JSON.stringify(clf));
    // The fixture encoder has random weights, so held-out accuracy means little; but 12 examples
    // in 32 dimensions are separable, so the saved head must give every taught example its label.
    const out = await client.request('classify', { modelPath: file, texts: examples.map((e) => e.text) });
    assert.deepEqual(out.results.map((r) => r[0].label), examples.map((e) => e.label));
    assert.ok(Math.abs(out.results[0][0].score + out.results[0][1].score - 1) < 1e-9);
  });

  it('says what is wrong with unusable examples', async () => {
    const one = await rejection(client.request('trainClassifier', { modelPath: TINY_EMBEDDER, name: 'x', examples: examples.map((e) => ({ ...e, label: 'same' })) }));
    assert.match(one.message, /at least two labels/);
    const lonely = await rejection(client.request('trainClassifier', { modelPath: TINY_EMBEDDER, name: 'x', examples: [...examples, { text: 'hm', label: 'other' }] }));
    assert.match(lonely.message, /"other" has only one example/);
    const notEncoder = await rejection(client.request('trainClassifier', { modelPath: TINY_BERT, name: 'x', examples }));
    assert.match(notEncoder.message, /embeddings need an encoder/);
    const badName = await rejection(client.request('trainClassifier', { modelPath: TINY_EMBEDDER, name: '../evil', examples }));
    assert.equal(badName.code, 'BAD_REQUEST');
  });

  it('refuses damaged or orphaned classifier files with a clear reason', async () => {
    const damaged = path.join(dir, 'damaged.json');
    fs.writeFileSync(damaged, '{"format": "something else"}');
    assert.match((await rejection(client.request('classify', { modelPath: damaged, texts: ['a'] }))).message, /not a few-shot classifier/);
    const r = await client.request('trainClassifier', { modelPath: TINY_EMBEDDER, name: 'orphan', examples });
    const orphan = path.join(dir, 'orphan.json');
    fs.writeFileSync(orphan, JSON.stringify({ ...r.classifier, encoder: { ...r.classifier.encoder, modelPath: path.join(dir, 'gone') } }));
    const err = await rejection(client.request('classify', { modelPath: orphan, texts: ['a'] }));
    assert.equal(err.code, 'MODEL_NOT_FOUND');
    assert.match(err.message, /needs its encoder/);
  });
});

describe('zero-shot in the host', () => {
  let client: HostClient;
  before(() => (client = newClient()));
  after(() => client.dispose());

  it('falls back to embedding similarity with an encoder that is not NLI', async () => {
    const r = await client.request('zeroShot', { modelPath: TINY_EMBEDDER, texts: ['fix the crash', 'add a button'], labels: ['bug', 'feature'] });
    assert.equal(r.mode, 'similarity');
    for (const row of r.results) assert.ok(Math.abs(row.reduce((a, s) => a + s.score, 0) - 1) < 1e-9);
  });

  it('refuses a fixed-label classifier and bad labels with the reason', async () => {
    assert.match((await rejection(client.request('zeroShot', { modelPath: TINY_BERT, texts: ['a'], labels: ['x', 'y'] }))).message, /NLI model/);
    assert.match((await rejection(client.request('zeroShot', { modelPath: TINY_EMBEDDER, texts: ['a'], labels: ['x', 'x'] }))).message, /without repeats/);
    assert.match((await rejection(client.request('zeroShot', { modelPath: TINY_EMBEDDER, texts: ['a'], labels: ['x'], template: 'no slot' }))).message, /\{\}/);
  });
});
