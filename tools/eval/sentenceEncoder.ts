/**
 * The shipped sentence encoder (models/sentence-encoder): few-shot accuracy with 8 and 32
 * examples per class against bag-of-words logistic regression on the very same examples, and
 * zero-shot accuracy with typed labels against chance, on three tasks split by origin:
 * - spam: SpamAssassin (ham or spam), a source the encoder never saw; examples from the train
 *   split, scored on the test split (the spam model's own split, tools/eval/split.ts);
 * - debian-section: Debian package one-line descriptions -> section (games, sound, graphics,
 *   science, fonts, net), from source packages held out of the encoder's training
 *   (tools/eval/encoder-tasks.jsonl, made by tools/train/encoder_corpus.py); examples and test
 *   descriptions come from different source packages;
 * - python-package: docstrings of six Python standard-library packages the encoder never read
 *   (email, xml, unittest, asyncio, http, multiprocessing) -> their package; examples and test
 *   docstrings come from different files.
 * Few-shot draws are seeded and averaged; the head is the product's own (fitLogistic on the
 * host's normalised mean-pooled embeddings, as `teach` fits it).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { fitLogistic, mulberry32, predictProba } from '../../src/host/encoders/logistic';
import { fitBagOfWords, predictBagOfWords } from './bagOfWords';
import type { Figure } from './report';
import type { EvalOptions } from './shippedModels';
import { loadSpamAssassin, quickSample } from './spamData';

export const ENCODER_TASKS_FILE = path.join('tools', 'eval', 'encoder-tasks.jsonl');
const DRAWS = 5;
const QUICK_DRAWS = 2;
const SHOTS = [8, 32] as const;

export interface Task {
  name: string;
  /** What the task is, for the report. */
  what: string;
  classes: string[];
  /** Typed zero-shot label per class, as a user would write them. */
  zeroShotLabels: string[];
  pool: { text: string; y: number }[];
  test: { text: string; y: number }[];
}

interface TaskRow {
  task: string;
  label: string;
  zeroShotLabel: string;
  text: string;
  origin: string;
  group: string;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/**
 * The file-based tasks: per class, groups (source package, source file) in md5 order go to the
 * example pool until it holds `poolSize` texts, the remaining groups to the test set (at most `testSize`).
 */
export function fileTasks(root: string, poolSize = 40, testSize = 100): Task[] {
  const rows = fs
    .readFileSync(path.join(root, ENCODER_TASKS_FILE), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TaskRow);
  const what: Record<string, string> = {
    'debian-section': 'Debian package description -> section (held-out source packages)',
    'python-package': 'Python docstring -> stdlib package (packages the encoder never read)',
  };
  return [...new Set(rows.map((r) => r.task))].map((name) => {
    const mine = rows.filter((r) => r.task === name);
    const classes = [...new Set(mine.map((r) => r.label))];
    const task: Task = { name, what: what[name] ?? name, classes, zeroShotLabels: classes.map((c) => mine.find((r) => r.label === c)!.zeroShotLabel), pool: [], test: [] };
    classes.forEach((c, y) => {
      const groups = new Map<string, TaskRow[]>();
      for (const r of mine.filter((x) => x.label === c)) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
      let inPool = 0;
      let inTest = 0;
      for (const g of [...groups.keys()].sort((a, b) => md5(a).localeCompare(md5(b)))) {
        const texts = groups.get(g)!.map((r) => ({ text: r.text, y }));
        if (inPool < poolSize) {
          task.pool.push(...texts);
          inPool += texts.length;
        } else if (inTest < testSize) {
          const take = texts.slice(0, testSize - inTest);
          task.test.push(...take);
          inTest += take.length;
        }
      }
    });
    return task;
  });
}

export function spamTask(root: string, testSize?: number): Task {
  const mails = loadSpamAssassin(root);
  const classes = ['ham', 'spam'];
  const of = (split: string) => mails.filter((m) => m.split === split);
  const test = testSize ? quickSample(of('test'), testSize) : of('test');
  return {
    name: 'spam',
    what: 'SpamAssassin mail -> ham or spam (never seen by the encoder)',
    classes,
    zeroShotLabels: ['personal or work email', 'advertising spam'],
    // The pool: the first 300 train-split mails per class in md5(id) order (quickSample's order).
    pool: classes.flatMap((c, y) => quickSample(of('train').filter((m) => m.label === c), 300).map((m) => ({ text: m.text, y }))),
    test: test.map((m) => ({ text: m.text, y: classes.indexOf(m.label) })),
  };
}

/** `shots` pool indices per class, drawn with `next`. */
export function drawExamples(pool: { y: number }[], classes: number, shots: number, next: () => number): number[] {
  const out: number[] = [];
  for (let c = 0; c < classes; c++) {
    const idx = pool.map((p, i) => (p.y === c ? i : -1)).filter((i) => i >= 0);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    out.push(...idx.slice(0, shots));
  }
  return out;
}

const argmax = (p: number[]) => p.reduce((b, v, i) => (v > p[b] ? i : b), 0);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export interface FewShotScore {
  shots: number;
  encoder: number;
  baseline: number;
  draws: number;
}

/** Few-shot accuracy of the encoder's head and of bag-of-words LR on the same drawn examples, averaged over draws. */
export async function fewShotScores(client: HostClient, model: string, task: Task, shots: readonly number[], draws: number, onnxFile?: string): Promise<FewShotScore[]> {
  const texts = [...task.pool, ...task.test].map((x) => x.text);
  const { vectors } = await client.request('embed', { modelPath: model, texts, normalize: true, onnxFile });
  const poolVec = vectors.slice(0, task.pool.length);
  const testVec = vectors.slice(task.pool.length);
  const k = task.classes.length;
  const out: FewShotScore[] = [];
  for (const n of shots) {
    const enc: number[] = [];
    const bow: number[] = [];
    for (let d = 0; d < draws; d++) {
      const pick = drawExamples(task.pool, k, n, mulberry32(1000 * n + d));
      const y = pick.map((i) => task.pool[i].y);
      const head = fitLogistic(pick.map((i) => poolVec[i]), y, k);
      enc.push(mean(task.test.map((t, i) => Number(argmax(predictProba(head, testVec[i])) === t.y))));
      const b = fitBagOfWords(pick.map((i) => task.pool[i].text), y, k);
      bow.push(mean(task.test.map((t) => Number(predictBagOfWords(b, t.text) === t.y))));
    }
    out.push({ shots: n, encoder: mean(enc), baseline: mean(bow), draws });
  }
  return out;
}

export async function zeroShotAccuracy(client: HostClient, model: string, task: Task, onnxFile?: string): Promise<number> {
  const r = await client.request('zeroShot', { modelPath: model, texts: task.test.map((t) => t.text), labels: task.zeroShotLabels, onnxFile });
  return mean(r.results.map((res, i) => Number(task.zeroShotLabels.indexOf(res[0].label) === task.test[i].y)));
}

export async function evalSentenceEncoder(client: HostClient, o: EvalOptions): Promise<Figure[]> {
  const model = path.join(o.root, 'models', 'sentence-encoder');
  const tasks = [spamTask(o.root, o.quick ? 200 : undefined), ...fileTasks(o.root, 40, o.quick ? 40 : 100)];
  const draws = o.quick ? QUICK_DRAWS : DRAWS;
  const figures: Figure[] = [];
  const t0 = performance.now();
  let embedded = 0;
  for (const task of tasks) {
    o.log(`sentence-encoder ${task.name}: ${task.what}; ${task.classes.length} classes, pool ${task.pool.length}, test ${task.test.length}`);
    const id = task.name.replace(/-/g, '_');
    for (const s of await fewShotScores(client, model, task, SHOTS, draws, o.onnxFile)) {
      figures.push({
        id: `sentence_encoder_${id}_${s.shots}_shot_accuracy`,
        name: `sentence-encoder few-shot ${task.name} (${s.shots}/class, mean of ${s.draws} draws): accuracy`,
        value: s.encoder,
        unit: 'fraction',
        peer: 'bag-of-words LR, same examples',
        peerValue: s.baseline,
        ratio: s.encoder / s.baseline,
        goal: 'above the baseline',
        met: s.encoder > s.baseline,
      });
    }
    embedded += task.pool.length + task.test.length;
    const z = await zeroShotAccuracy(client, model, task, o.onnxFile);
    const chance = 1 / task.classes.length;
    figures.push({
      id: `sentence_encoder_${id}_zero_shot_accuracy`,
      name: `sentence-encoder zero-shot ${task.name} (labels: ${task.zeroShotLabels.join(' / ')}): accuracy`,
      value: z,
      unit: 'fraction',
      peer: 'chance',
      peerValue: chance,
      ratio: z / chance,
      goal: 'above chance',
      met: z > chance,
    });
  }
  figures.push({ id: 'sentence_encoder_eval_seconds', name: `sentence-encoder evaluation time (${embedded} texts embedded, draws fitted)`, value: (performance.now() - t0) / 1000, unit: 's' });
  return figures;
}
