/**
 * Classification throughput against @huggingface/transformers on the same folders: texts per
 * second at batch 32 (ours: one request, run 32 at a time in length order; theirs: the
 * text-classification pipeline called with 32 texts at a time), and
 * zero-shot with 5 labels (their zero-shot pipeline). Medians of several passes, warm sessions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostClient } from '../../src/client/hostClient';
import { median, type Figure } from '../eval/report';
import { loadSpamAssassin } from '../eval/spamData';

type Transformers = typeof import('@huggingface/transformers');

async function transformers(): Promise<Transformers> {
  const T = await import('@huggingface/transformers');
  T.env.allowRemoteModels = false;
  T.env.localModelPath = '/';
  return T;
}

const chunks = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

async function timed(passes: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < passes; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

async function throughput(T: Transformers, client: HostClient, label: string, dir: string, texts: string[], passes: number): Promise<Figure> {
  // One request: the engine sorts all texts by length and runs them 32 at a time, as Classify File
  // does with its 256-record chunks. The pipeline gets the same texts 32 at a time, in file order.
  const ours = await timed(passes, () => client.request('classify', { modelPath: dir, texts }));
  const clf = await T.pipeline('text-classification', dir, { dtype: 'fp32' });
  let theirs: number;
  try {
    theirs = await timed(passes, async () => {
      for (const c of chunks(texts, 32)) await clf(c, { top_k: null });
    });
  } finally {
    await clf.dispose();
  }
  const o = (texts.length * 1000) / ours;
  const p = (texts.length * 1000) / theirs;
  return { id: `classify_${label.split(' ')[0]}_tps`, name: `classify ${label}: throughput at batch 32`, value: o, unit: 'texts/s', peer: 'transformers.js pipeline', peerValue: p, ratio: o / p, goal: '>=2.0x', met: o / p >= 2 };
}

export async function classificationBench(root: string, workerPath: string, quick: boolean): Promise<Figure[]> {
  const T = await transformers();
  const client = new HostClient({ workerPath });
  const figures: Figure[] = [];
  const passes = quick ? 2 : 5;
  try {
    const spam = path.join(root, 'models', 'spam-classifier');
    if (fs.existsSync(path.join(spam, 'config.json'))) {
      const mails = loadSpamAssassin(root).filter((m) => m.split === 'test').slice(0, quick ? 64 : 256).map((m) => m.text);
      console.log(`bench: classification of ${mails.length} mails (up to 512 tokens) with spam-classifier`);
      figures.push(await throughput(T, client, 'mails (spam-classifier)', spam, mails, passes));
    }
    const lang = path.join(root, 'models', 'code-language');
    if (fs.existsSync(path.join(lang, 'config.json'))) {
      const snippets = fs.readFileSync(path.join(lang, 'test-snippets.jsonl'), 'utf8').trim().split('\n').slice(0, quick ? 128 : 512).map((l) => (JSON.parse(l) as { text: string }).text);
      console.log(`bench: classification of ${snippets.length} code snippets with code-language`);
      figures.push(await throughput(T, client, 'snippets (code-language)', lang, snippets, passes));
    }
    // Zero-shot: only a random-weight NLI fixture can be made here, so this measures the
    // machinery (pairs, batching, scoring) on a small model, not a real NLI model's compute.
    const nli = path.join(root, 'test', 'fixtures', 'models', 'tiny-bert-nli');
    const labels = ['bug', 'feature request', 'question', 'documentation', 'praise'];
    const texts = Array.from({ length: 32 }, (_, i) => `Issue ${i}: the editor ${i % 2 ? 'crashes when saving a large file' : 'could support a dark theme for the panel'}`);
    console.log(`bench: zero-shot, ${texts.length} texts x ${labels.length} labels on the NLI fixture`);
    const ours = await timed(passes, () => client.request('zeroShot', { modelPath: nli, texts, labels }));
    const zs = await T.pipeline('zero-shot-classification', nli, { dtype: 'fp32' });
    let theirs: number;
    try {
      theirs = await timed(passes, async () => {
        for (const t of texts) await zs(t, labels);
      });
    } finally {
      await zs.dispose();
    }
    const o = (texts.length * 1000) / ours;
    const p = (texts.length * 1000) / theirs;
    figures.push({ id: 'zero_shot_tps', name: 'zero-shot, 5 labels (NLI fixture): throughput', value: o, unit: 'texts/s', peer: 'transformers.js zero-shot pipeline', peerValue: p, ratio: o / p });
  } finally {
    await client.dispose();
  }
  return figures;
}
