/**
 * Quality of the shipped default models, recomputed from the shipped files through the engine:
 * the spam classifier and code-language classifier on their held-out test splits (the latter
 * against VS Code's own language detector), and the code LM on held-out files against a token
 * n-gram baseline built from the same training data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { ModelTokenizer } from '../../src/host/runtime/tokenizer';
import { SeededRandom } from '../../src/host/generation/sampling';
import { CODE_LANGUAGES, type CodeLanguage } from './codeLanguageData';
import { classificationReport, rocCurve, type ClassificationReport } from '../../src/core/classification/metrics';
import { NgramModel } from './ngram';
import { median, type Figure } from './report';
import { loadSpamAssassin, quickSample } from './spamData';

export interface EvalOptions {
  root: string;
  /** Smaller samples for a fast check. */
  quick: boolean;
  log: (line: string) => void;
  /** Evaluate this file under onnx/ (e.g. model_quantized.onnx) instead of the default. */
  onnxFile?: string;
}

function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

async function classifyAll(client: HostClient, modelPath: string, texts: string[], onnxFile?: string) {
  const t0 = performance.now();
  const r = await client.request('classify', { modelPath, texts, onnxFile });
  return { results: r.results, ms: performance.now() - t0 };
}

export function confusionLines(r: ClassificationReport): string[] {
  const w = Math.max(8, ...r.labels.map((l) => l.length));
  return [
    `${'gold \\ predicted'.padEnd(w + 2)}${r.labels.map((l) => l.padStart(w)).join(' ')}`,
    ...r.confusion.map((row, i) => `${r.labels[i].padEnd(w + 2)}${row.map((c) => String(c).padStart(w)).join(' ')}`),
  ];
}

export async function evalSpam(client: HostClient, o: EvalOptions): Promise<{ figures: Figure[]; report: ClassificationReport }> {
  const model = path.join(o.root, 'models', 'spam-classifier');
  let test = loadSpamAssassin(o.root).filter((m) => m.split === 'test');
  if (o.quick) test = quickSample(test, 200);
  const { results, ms } = await classifyAll(client, model, test.map((m) => m.text), o.onnxFile);
  const predicted = results.map((r) => r[0].label);
  const labels = results[0].map((l) => l.label).sort();
  const report = classificationReport(test.map((m) => m.label), predicted, labels);
  const spamScores = results.map((r) => r.find((l) => l.label === 'spam')!.score);
  const auc = rocCurve(test.map((m) => m.label === 'spam'), spamScores).auc;
  const spam = report.perClass.find((c) => c.label === 'spam')!;
  o.log(`spam-classifier on the SpamAssassin test split (${test.length} mails):`);
  for (const line of confusionLines(report)) o.log(`  ${line}`);
  return {
    report,
    figures: [
      { name: 'spam: accuracy (test)', value: report.accuracy, unit: 'fraction' },
      { name: 'spam: precision (spam, test)', value: spam.precision, unit: 'fraction' },
      { name: 'spam: recall (spam, test)', value: spam.recall, unit: 'fraction' },
      { name: 'spam: F1 (spam, test)', value: spam.f1, unit: 'fraction', goal: '>=0.98', met: spam.f1 >= 0.98 },
      { name: 'spam: ROC AUC (test)', value: auc, unit: 'fraction' },
      { name: 'spam: throughput', value: (test.length * 1000) / ms, unit: 'mails/s' },
    ],
  };
}

interface Snippet {
  text: string;
  label: CodeLanguage;
}

export async function evalCodeLanguage(client: HostClient, o: EvalOptions): Promise<{ figures: Figure[]; report: ClassificationReport }> {
  const model = path.join(o.root, 'models', 'code-language');
  let test = readJsonl<Snippet>(path.join(model, 'test-snippets.jsonl'));
  if (o.quick) test = test.filter((_, i) => i % 10 === 0);
  const labels = Object.keys(CODE_LANGUAGES) as CodeLanguage[];
  const { results, ms } = await classifyAll(client, model, test.map((s) => s.text), o.onnxFile);
  const ours = classificationReport(test.map((s) => s.label), results.map((r) => r[0].label), labels);
  // Latency one snippet at a time, as an editor asks.
  const one: number[] = [];
  for (const s of test.slice(0, 100)) {
    const t = performance.now();
    await client.request('classify', { modelPath: model, texts: [s.text], topK: 1, onnxFile: o.onnxFile });
    one.push(performance.now() - t);
  }
  const figures: Figure[] = [];
  let peer: { report: ClassificationReport; restricted: ClassificationReport; ms: number[] } | undefined;
  try {
    // VS Code's own detector (guesslang in TF.js), on the same snippets.
    type Detector = typeof import('@vscode/vscode-languagedetection');
    const mod = (await import('@vscode/vscode-languagedetection')) as Detector & { default?: Detector };
    // A CommonJS module imported from the bundle arrives under `default`.
    const ModelOperations = mod.ModelOperations ?? mod.default!.ModelOperations;
    const ops = new ModelOperations();
    const byId = new Map(Object.entries(CODE_LANGUAGES).map(([k, v]) => [v as string, k]));
    const free: string[] = [];
    const restricted: string[] = [];
    const times: number[] = [];
    for (const s of test) {
      const t = performance.now();
      const r = await ops.runModel(s.text);
      times.push(performance.now() - t);
      free.push(byId.get(r[0]?.languageId ?? '') ?? 'other');
      restricted.push(byId.get(r.find((x) => byId.has(x.languageId))?.languageId ?? '') ?? 'other');
    }
    ops.dispose();
    peer = {
      report: classificationReport(test.map((s) => s.label), free, [...labels, 'other']),
      restricted: classificationReport(test.map((s) => s.label), restricted, [...labels, 'other']),
      ms: times,
    };
  } catch (e) {
    o.log(`code-language: VS Code's detector is not installed (${(e as Error).message.split('\n')[0]}); reporting ONNX Assist alone`);
  }
  o.log(`code-language on held-out snippets (${test.length}, whole files held out):`);
  o.log(`  ${'language'.padEnd(12)} ${'ONNX Assist'.padStart(11)} ${peer ? 'VS Code detector (its top answer / best of these 10)' : ''}`);
  for (const l of labels) {
    const c = ours.perClass.find((x) => x.label === l)!;
    const p = peer?.report.perClass.find((x) => x.label === l);
    const pr = peer?.restricted.perClass.find((x) => x.label === l);
    o.log(`  ${l.padEnd(12)} ${c.recall.toFixed(3).padStart(11)} ${p ? `${p.recall.toFixed(3)} / ${pr!.recall.toFixed(3)}` : ''}`);
    figures.push({ name: `code-language: accuracy ${l}`, value: c.recall, unit: 'fraction', ...(p ? { peer: 'VS Code detector', peerValue: p.recall, ratio: p.recall ? c.recall / p.recall : undefined } : {}) });
  }
  const oursMs = median(one);
  figures.unshift(
    {
      name: 'code-language: accuracy overall',
      value: ours.accuracy,
      unit: 'fraction',
      ...(peer ? { peer: 'VS Code detector', peerValue: peer.report.accuracy, ratio: ours.accuracy / peer.report.accuracy, goal: '>1x', met: ours.accuracy > peer.report.accuracy } : {}),
    },
    ...(peer ? [{ name: 'code-language: accuracy vs detector limited to these 10 languages', value: ours.accuracy, unit: 'fraction', peer: 'VS Code detector (10 labels)', peerValue: peer.restricted.accuracy, ratio: ours.accuracy / peer.restricted.accuracy }] : []),
    {
      name: 'code-language: time per snippet (one at a time)',
      value: oursMs,
      unit: 'ms',
      ...(peer ? { peer: 'VS Code detector', peerValue: median(peer.ms), ratio: median(peer.ms) / oursMs, goal: 'faster', met: oursMs < median(peer.ms) } : {}),
    },
    { name: 'code-language: batch throughput', value: (test.length * 1000) / ms, unit: 'snippets/s' },
  );
  return { figures, report: ours };
}

interface ManifestEntry {
  path: string;
  lang: string;
  split: string;
}

function readFolderJson(dir: string, f: string): Record<string, unknown> {
  const p = path.join(dir, f);
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>) : {};
}

export async function evalCodeLm(client: HostClient, o: EvalOptions): Promise<Figure[]> {
  const model = path.join(o.root, 'models', 'code-lm');
  const manifest = JSON.parse(fs.readFileSync(path.join(model, 'corpus-manifest.json'), 'utf8')) as ManifestEntry[];
  const resolve = (p: string) => (path.isAbsolute(p) ? p : path.join(o.root, p));
  const exists = (m: ManifestEntry) => fs.existsSync(resolve(m.path));
  const testFiles = manifest.filter((m) => m.split === 'test' && exists(m));
  const trainFiles = manifest.filter((m) => m.split === 'train' && exists(m));
  const missing = manifest.filter((m) => m.split === 'train').length - trainFiles.length;
  const tok = new ModelTokenizer(readFolderJson(model, 'tokenizer.json'), readFolderJson(model, 'tokenizer_config.json'), readFolderJson(model, 'config.json'), readFolderJson(model, 'generation_config.json'));
  const config = readFolderJson(model, 'config.json');
  const eos = typeof config.eos_token_id === 'number' ? config.eos_token_id : 0;

  o.log(`code-lm: building the n-gram baseline from ${trainFiles.length} training files${missing ? ` (${missing} not on this machine)` : ''} ...`);
  const ngram = new NgramModel(4, tok.vocabSize);
  const limit = o.quick ? 300 : Infinity;
  ngram.train(
    (function* () {
      for (const f of trainFiles.slice(0, limit)) yield [...tok.encode(fs.readFileSync(resolve(f.path), 'utf8'), false), eos];
    })(),
  );

  const rng = new SeededRandom(2024);
  const texts = new Map<string, string>();
  const read = (p: string) => {
    let t = texts.get(p);
    if (t === undefined) texts.set(p, (t = fs.readFileSync(resolve(p), 'utf8')));
    return t;
  };
  const files = testFiles.slice(0, o.quick ? 15 : 60);
  // Next-token top-1 accuracy over a window from a random line of each held-out file (file heads
  // are licence headers and imports, easier than the code people type).
  let total = 0;
  let oursHit = 0;
  let baseHit = 0;
  for (const f of files) {
    const full = read(f.path);
    const starts = [0, ...[...full.matchAll(/\n/g)].map((m) => m.index! + 1)].filter((i) => i < Math.max(1, full.length - 1000));
    const text = full.slice(starts[Math.floor(rng.next() * starts.length)]).slice(0, 1000);
    const s = await client.request('score', { modelPath: model, text, onnxFile: o.onnxFile });
    for (let i = 0; i < s.predicted.length; i++) {
      total++;
      if (s.predicted[i] === s.tokenIds[i + 1]) oursHit++;
      if (ngram.predict(s.tokenIds, i + 1) === s.tokenIds[i + 1]) baseHit++;
    }
  }
  // Rest-of-line exact match: cut a sampled line at a random point, greedy-complete to the line end.
  const samples = o.quick ? 60 : 300;
  let lines = 0;
  let oursEm = 0;
  let baseEm = 0;
  for (let k = 0; k < samples * 5 && lines < samples; k++) {
    const f = files[Math.floor(rng.next() * files.length)];
    const all = read(f.path).split('\n');
    const li = Math.floor(rng.next() * all.length);
    const line = all[li];
    const indent = line.length - line.trimStart().length;
    if (line.trim().length < 8) continue;
    const cut = indent + 1 + Math.floor(rng.next() * (line.length - indent - 1));
    const prefix = all.slice(0, li).join('\n') + (li > 0 ? '\n' : '') + line.slice(0, cut);
    // Up to 4,000 characters before the cursor (about 1,000 tokens of code): what a model with a
    // longer context can use; a shorter one is cut to its context by the host.
    const prompt = prefix.slice(-4000);
    const want = line.slice(cut).trimEnd();
    lines++;
    // Plain greedy, like the baseline: generation_config's repetition penalty (an inline-completion
    // default against loops) is not part of "greedy-complete".
    const r = await client.request('generate', { modelPath: model, prompt, onnxFile: o.onnxFile, options: { doSample: false, repetitionPenalty: 1, maxNewTokens: 48, stop: ['\n'] } });
    if (r.texts[0].trimEnd() === want) oursEm++;
    const ids = tok.encode(prompt, false);
    const start = ids.length;
    let out = '';
    for (let t = 0; t < 48; t++) {
      ids.push(ngram.predict(ids));
      out = tok.decode(ids.slice(start));
      if (out.includes('\n')) break;
    }
    if (out.split('\n')[0].trimEnd() === want) baseEm++;
  }
  o.log(`code-lm: ${total} held-out tokens from ${files.length} files, ${lines} lines`);
  return [
    { name: 'code-lm: next-token top-1 accuracy (held-out files)', value: oursHit / total, unit: 'fraction', peer: '4-gram baseline', peerValue: baseHit / total, ratio: oursHit / baseHit },
    { name: 'code-lm: rest-of-line exact match (held-out files)', value: oursEm / lines, unit: 'fraction', peer: '4-gram baseline', peerValue: baseEm / lines, ratio: baseEm ? oursEm / baseEm : undefined },
  ];
}
