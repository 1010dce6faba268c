/**
 * Encoder requests over the wire: the `classify`, `embed`, `zeroShot` and `trainClassifier`
 * methods' params and results, and the few-shot classifier file `trainClassifier` returns.
 */
import type { ConcreteProvider, LoadParams } from './models';

/** A few-shot classifier is a .json file where a model folder would go (the host, CLI and editor agree). */
export const isFewShotPath = (p: string): boolean => p.toLowerCase().endsWith('.json');

/** The most examples one trainClassifier request takes. */
export const MAX_EXAMPLES = 50_000;

/** The rule for a few-shot classifier's name (it becomes NAME.json): what is wrong with it, or undefined. */
export function classifierNameProblem(name: string): string | undefined {
  if (!/^[\w.-]{1,64}$/.test(name) || name.startsWith('.')) return 'letters, digits, "_", "-" or "." (at most 64, not starting with ".")';
  return undefined;
}

/** modelPath: a classifier's folder, or a few-shot classifier's .json file. */
export interface ClassifyParams extends LoadParams {
  texts: string[];
  /** How many labels per text, best first; absent = all. */
  topK?: number;
}

export interface LabelScore {
  label: string;
  score: number;
}

export interface ClassifyResult {
  results: LabelScore[][];
  stats: { texts: number; totalMs: number; ep: ConcreteProvider; truncated: number };
}

export interface EmbedParams extends LoadParams {
  texts: string[];
  normalize?: boolean;
}

export interface EmbedResult {
  vectors: number[][];
  dim: number;
  stats: { texts: number; totalMs: number; ep: ConcreteProvider };
}

export interface ZeroShotParams extends LoadParams {
  texts: string[];
  /** The user's labels, in their order. */
  labels: string[];
  /** NLI hypothesis with {} for the label; default "This example is {}.". */
  template?: string;
  /** Score each label on its own (entailment vs contradiction) instead of one softmax over labels. */
  multiLabel?: boolean;
}

export interface ZeroShotResult {
  /** Per text, every label best first. */
  results: LabelScore[][];
  /** 'nli' with an entailment model, 'similarity' (embedding cosine) with any other encoder. */
  mode: 'nli' | 'similarity';
  stats: { texts: number; labels: number; totalMs: number; ep: ConcreteProvider; truncated: number };
}

export interface LabelledText {
  text: string;
  label: string;
}

export const FEW_SHOT_FORMAT = 'onnx-assist/few-shot-classifier@1';

/**
 * A classifier taught from examples: a logistic-regression head over an encoder's mean-pooled,
 * L2-normalised embeddings. Saved as JSON; `classify` takes its path like a model folder.
 */
export interface FewShotClassifier {
  format: typeof FEW_SHOT_FORMAT;
  name: string;
  /** The encoder whose embeddings the head was trained on. */
  encoder: { modelPath: string; onnxFile: string; modelType: string; dim: number };
  labels: string[];
  /** Per-feature standardisation applied before the head. */
  mean: number[];
  scale: number[];
  /** weights[k]: the weight vector of labels[k]. */
  weights: number[][];
  bias: number[];
  examples: Record<string, number>;
  crossValidation: CrossValidation;
  createdAt: string;
}

export interface CrossValidation {
  folds: number;
  /** Mean accuracy over folds (each example predicted by a head that never saw it). */
  accuracy: number;
  foldAccuracy: number[];
  /** Counted over all held-out predictions. */
  confusion: { labels: string[]; matrix: number[][] };
}

export interface TrainClassifierParams extends LoadParams {
  /** Used as the classifier's name. */
  name: string;
  examples: LabelledText[];
  /** k for k-fold cross-validation; default min(5, smallest class count). */
  folds?: number;
  /** L2 regularisation strength; default 1e-3. */
  l2?: number;
}

export interface TrainClassifierResult {
  classifier: FewShotClassifier;
  stats: { examples: number; embedMs: number; trainMs: number; ep: ConcreteProvider };
}
