/**
 * Few-shot classifiers: a logistic-regression head over an encoder's normalised embeddings,
 * taught from labelled examples and saved as one JSON file that names its encoder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostError } from '../../protocol/errors';
import { FEW_SHOT_FORMAT, type CrossValidation, type FewShotClassifier, type LabelScore, type LabelledText } from '../../protocol/types';
import { crossValidate, fitLogistic, predictProba } from './logistic';

export { isFewShotPath } from '../../protocol/classification';

export interface Embedded {
  vectors: number[][];
  dim: number;
}

export interface EncoderRef {
  modelPath: string;
  onnxFile: string;
  modelType: string;
}

/** Checks the examples, cross-validates, then fits the head on all of them. */
export function teach(
  { name, examples, folds: askedFolds, l2 }: { name: string; examples: LabelledText[]; folds?: number; l2?: number },
  embedded: Embedded,
  encoder: EncoderRef,
): FewShotClassifier {
  const labels: string[] = [];
  const counts: Record<string, number> = {};
  for (const e of examples) {
    if (!(e.label in counts)) labels.push(e.label);
    counts[e.label] = (counts[e.label] ?? 0) + 1;
  }
  if (labels.length < 2) {
    throw new HostError('BAD_REQUEST', `A classifier needs examples of at least two labels; these examples all have the label "${labels[0] ?? ''}".`);
  }
  const smallest = labels.reduce((a, l) => (counts[l] < counts[a] ? l : a), labels[0]);
  if (counts[smallest] < 2) {
    throw new HostError('BAD_REQUEST', `The label "${smallest}" has only one example; give every label at least two (five or more works better).`);
  }
  const y = examples.map((e) => labels.indexOf(e.label));
  const folds = Math.min(askedFolds ?? 5, counts[smallest]);
  const fit = { l2 };
  const cv = crossValidate(embedded.vectors, y, labels.length, { folds, ...fit });
  const matrix = labels.map(() => labels.map(() => 0));
  cv.predicted.forEach((p, i) => matrix[y[i]][p]++);
  const crossValidation: CrossValidation = { folds, accuracy: cv.accuracy, foldAccuracy: cv.foldAccuracy, confusion: { labels, matrix } };
  const head = fitLogistic(embedded.vectors, y, labels.length, fit);
  return {
    format: FEW_SHOT_FORMAT,
    name,
    encoder: { ...encoder, dim: embedded.dim },
    labels,
    mean: head.mean,
    scale: head.scale,
    weights: head.weights,
    bias: head.bias,
    examples: counts,
    crossValidation,
    createdAt: new Date().toISOString(),
  };
}

export function scoreWith(clf: FewShotClassifier, vectors: number[][], topK?: number): LabelScore[][] {
  return vectors.map((v) => {
    const p = predictProba(clf, v);
    const out = clf.labels.map((label, k) => ({ label, score: p[k] })).sort((a, b) => b.score - a.score);
    return topK ? out.slice(0, topK) : out;
  });
}

const isNumbers = (v: unknown, len?: number): v is number[] =>
  Array.isArray(v) && (len === undefined || v.length === len) && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Reads and checks a saved classifier; a relative encoder path is taken from the file's folder. */
export function readFewShot(file: string): FewShotClassifier {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new HostError('MODEL_NOT_FOUND', `No classifier at ${file}.`);
    throw new HostError('MODEL_INVALID', `${file} is not readable JSON: ${err.message}`);
  }
  const c = raw as Partial<FewShotClassifier>;
  const bad = (what: string) => new HostError('MODEL_INVALID', `${file} is not a few-shot classifier (${what}); teach it again with "Teach Classifier from File".`);
  if (c?.format !== FEW_SHOT_FORMAT) throw bad(`format is ${JSON.stringify(c?.format)}, expected "${FEW_SHOT_FORMAT}"`);
  if (!c.encoder || typeof c.encoder.modelPath !== 'string' || typeof c.encoder.dim !== 'number') throw bad('no encoder');
  const dim = c.encoder.dim;
  const labels = c.labels;
  if (!Array.isArray(labels) || labels.length < 2 || labels.some((l) => typeof l !== 'string')) throw bad('labels');
  if (!isNumbers(c.mean, dim) || !isNumbers(c.scale, dim) || !isNumbers(c.bias, labels.length)) throw bad('mean, scale or bias');
  if (!Array.isArray(c.weights) || c.weights.length !== labels.length || !c.weights.every((w) => isNumbers(w, dim))) throw bad('weights');
  const modelPath = path.resolve(path.dirname(file), c.encoder.modelPath);
  return { ...(c as FewShotClassifier), encoder: { ...c.encoder, modelPath } as FewShotClassifier['encoder'] };
}

/** Parsed classifiers by path, read again only when the file changes (re-taught under the same name). */
export class FewShotCache {
  private readonly entries = new Map<string, { stamp: string; clf: FewShotClassifier }>();

  get(file: string): FewShotClassifier {
    const key = path.resolve(file);
    let stamp = '';
    try {
      const st = fs.statSync(key);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      this.entries.delete(key);
      return readFewShot(key); // reports the missing file
    }
    const hit = this.entries.get(key);
    if (hit?.stamp === stamp) return hit.clf;
    const clf = readFewShot(key);
    this.entries.set(key, { stamp, clf });
    return clf;
  }
}
