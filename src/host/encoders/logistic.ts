/**
 * Multinomial logistic regression for few-shot heads: standardised features, L2 penalty on the
 * weights, full-batch Adam. Small data (tens to thousands of embeddings) trains in well under a
 * second per fit, so k-fold cross-validation is affordable in the worker.
 */

export interface LogisticModel {
  mean: number[];
  scale: number[];
  /** weights[k][j] for class k, feature j. */
  weights: number[][];
  bias: number[];
}

export interface FitOptions {
  /** L2 strength on the weights (mean loss + l2/2 * |W|^2). */
  l2?: number;
  iterations?: number;
  learningRate?: number;
}

/** Per-feature mean and standard deviation (1 where a feature is constant). */
function standardiser(x: number[][]): { mean: number[]; scale: number[] } {
  const d = x[0].length;
  const mean = new Array<number>(d).fill(0);
  const sq = new Array<number>(d).fill(0);
  for (const row of x) for (let j = 0; j < d; j++) mean[j] += row[j];
  for (let j = 0; j < d; j++) mean[j] /= x.length;
  for (const row of x) for (let j = 0; j < d; j++) sq[j] += (row[j] - mean[j]) ** 2;
  const scale = sq.map((s) => Math.sqrt(s / x.length) || 1);
  return { mean, scale };
}

/** Class probabilities for one (raw, unstandardised) feature vector. */
export function predictProba(m: LogisticModel, x: ArrayLike<number>): number[] {
  const k = m.weights.length;
  const z = new Array<number>(k);
  for (let c = 0; c < k; c++) {
    const w = m.weights[c];
    let s = m.bias[c];
    for (let j = 0; j < w.length; j++) s += w[j] * ((x[j] - m.mean[j]) / m.scale[j]);
    z[c] = s;
  }
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

/** Fits y (class indices 0..classes-1) from x. Deterministic: zero init, no sampling. */
export function fitLogistic(x: number[][], y: number[], classes: number, opts: FitOptions = {}): LogisticModel {
  if (x.length === 0) throw new Error('no training examples');
  if (x.length !== y.length) throw new Error('x and y differ in length');
  const n = x.length;
  const d = x[0].length;
  const l2 = opts.l2 ?? 1e-3;
  const iterations = opts.iterations ?? 500;
  const lr = opts.learningRate ?? 0.05;
  const { mean, scale } = standardiser(x);
  const xs = x.map((row) => Float64Array.from(row, (v, j) => (v - mean[j]) / scale[j]));
  const W = new Float64Array(classes * d);
  const b = new Float64Array(classes);
  const gW = new Float64Array(classes * d);
  const gb = new Float64Array(classes);
  // Adam state.
  const mW = new Float64Array(classes * d);
  const vW = new Float64Array(classes * d);
  const mb = new Float64Array(classes);
  const vb = new Float64Array(classes);
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const p = new Float64Array(classes);
  for (let it = 1; it <= iterations; it++) {
    gW.fill(0);
    gb.fill(0);
    for (let i = 0; i < n; i++) {
      const xi = xs[i];
      let max = -Infinity;
      for (let c = 0; c < classes; c++) {
        let s = b[c];
        const off = c * d;
        for (let j = 0; j < d; j++) s += W[off + j] * xi[j];
        p[c] = s;
        if (s > max) max = s;
      }
      let total = 0;
      for (let c = 0; c < classes; c++) total += (p[c] = Math.exp(p[c] - max));
      for (let c = 0; c < classes; c++) {
        p[c] /= total;
        const g = (p[c] - (y[i] === c ? 1 : 0)) / n;
        gb[c] += g;
        const off = c * d;
        for (let j = 0; j < d; j++) gW[off + j] += g * xi[j];
      }
    }
    let largest = 0;
    for (let q = 0; q < W.length; q++) {
      gW[q] += l2 * W[q];
      largest = Math.max(largest, Math.abs(gW[q]));
    }
    for (let c = 0; c < classes; c++) largest = Math.max(largest, Math.abs(gb[c]));
    // Converged: the gradient is flat (a changing-loss test stops too early under Adam).
    if (largest < 1e-6) break;
    const c1 = 1 - b1 ** it;
    const c2 = 1 - b2 ** it;
    for (let q = 0; q < W.length; q++) {
      mW[q] = b1 * mW[q] + (1 - b1) * gW[q];
      vW[q] = b2 * vW[q] + (1 - b2) * gW[q] * gW[q];
      W[q] -= (lr * (mW[q] / c1)) / (Math.sqrt(vW[q] / c2) + eps);
    }
    for (let c = 0; c < classes; c++) {
      mb[c] = b1 * mb[c] + (1 - b1) * gb[c];
      vb[c] = b2 * vb[c] + (1 - b2) * gb[c] * gb[c];
      b[c] -= (lr * (mb[c] / c1)) / (Math.sqrt(vb[c] / c2) + eps);
    }
  }
  return {
    mean,
    scale,
    weights: Array.from({ length: classes }, (_, c) => Array.from(W.subarray(c * d, (c + 1) * d))),
    bias: Array.from(b),
  };
}

/** Seeded PRNG (mulberry32) so folds, and the evaluation's draws, are the same on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Stratified fold index per example: each class is shuffled and dealt round-robin. */
export function stratifiedFolds(y: number[], folds: number, seed = 0): number[] {
  const rand = mulberry32(seed);
  const out = new Array<number>(y.length);
  const byClass = new Map<number, number[]>();
  y.forEach((c, i) => byClass.set(c, [...(byClass.get(c) ?? []), i]));
  let next = 0;
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = byClass.get(c)!;
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    // Continue the rotation across classes so small classes do not all land in fold 0.
    for (const i of idx) out[i] = next++ % folds;
  }
  return out;
}

export interface CrossValidated {
  foldAccuracy: number[];
  accuracy: number;
  /** predicted[i]: the class a head that never saw example i gave it. */
  predicted: number[];
}

/** `cv`: the number of folds, or the folds with the fit options (defaults when only a number). */
export function crossValidate(x: number[][], y: number[], classes: number, cv: number | (FitOptions & { folds: number })): CrossValidated {
  const { folds, ...opts } = typeof cv === 'number' ? { folds: cv } : cv;
  const fold = stratifiedFolds(y, folds);
  const predicted = new Array<number>(y.length).fill(-1);
  const foldAccuracy: number[] = [];
  for (let f = 0; f < folds; f++) {
    const train = y.map((_, i) => i).filter((i) => fold[i] !== f);
    const test = y.map((_, i) => i).filter((i) => fold[i] === f);
    if (test.length === 0) continue;
    const m = fitLogistic(train.map((i) => x[i]), train.map((i) => y[i]), classes, opts);
    let correct = 0;
    for (const i of test) {
      const p = predictProba(m, x[i]);
      predicted[i] = p.indexOf(Math.max(...p));
      if (predicted[i] === y[i]) correct++;
    }
    foldAccuracy.push(correct / test.length);
  }
  return { foldAccuracy, accuracy: foldAccuracy.reduce((a, b) => a + b, 0) / foldAccuracy.length, predicted };
}
