/**
 * The few-shot baseline the sentence encoder has to beat: bag-of-words logistic regression on the
 * same examples. Lowercased word unigrams, tf-idf weighted with idf from the examples alone,
 * L2-normalised rows; multinomial logistic regression with an L2 penalty (sum of losses +
 * |W|^2 / 2C, as scikit-learn's LogisticRegression), fitted by full-batch gradient descent from
 * zero. Deterministic; seeded draws are the caller's.
 */

const WORD = /[\p{L}][\p{L}\p{N}_']*|\p{N}+/gu;

export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

export interface BowModel {
  vocab: Map<string, number>;
  idf: Float64Array;
  weights: Float64Array[];
  bias: Float64Array;
}

/** Sparse tf-idf row: [feature index, value] pairs, L2-normalised. */
function features(text: string, vocab: Map<string, number>, idf: Float64Array): [number, number][] {
  const tf = new Map<number, number>();
  for (const w of words(text)) {
    const j = vocab.get(w);
    if (j !== undefined) tf.set(j, (tf.get(j) ?? 0) + 1);
  }
  const row = [...tf].map(([j, c]): [number, number] => [j, (1 + Math.log(c)) * idf[j]]);
  const norm = Math.hypot(...row.map(([, v]) => v)) || 1;
  return row.map(([j, v]) => [j, v / norm]);
}

function softmaxInPlace(z: Float64Array): void {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let s = 0;
  for (let i = 0; i < z.length; i++) s += z[i] = Math.exp(z[i] - max);
  for (let i = 0; i < z.length; i++) z[i] /= s;
}

function scores(m: BowModel, row: [number, number][]): Float64Array {
  const z = Float64Array.from(m.bias);
  for (let c = 0; c < z.length; c++) for (const [j, v] of row) z[c] += m.weights[c][j] * v;
  return z;
}

export function fitBagOfWords(texts: string[], y: number[], classes: number, { c = 10, iterations = 500, learningRate = 2 } = {}): BowModel {
  const df = new Map<string, number>();
  for (const t of texts) for (const w of new Set(words(t))) df.set(w, (df.get(w) ?? 0) + 1);
  const vocab = new Map([...df.keys()].sort().map((w, i) => [w, i]));
  const n = texts.length;
  const idf = Float64Array.from([...vocab.keys()], (w) => Math.log((1 + n) / (1 + df.get(w)!)) + 1);
  const d = vocab.size;
  const m: BowModel = { vocab, idf, weights: Array.from({ length: classes }, () => new Float64Array(d)), bias: new Float64Array(classes) };
  const rows = texts.map((t) => features(t, vocab, idf));
  for (let it = 0; it < iterations; it++) {
    const gw = Array.from({ length: classes }, () => new Float64Array(d));
    const gb = new Float64Array(classes);
    rows.forEach((row, i) => {
      const p = scores(m, row);
      softmaxInPlace(p);
      p[y[i]] -= 1;
      for (let k = 0; k < classes; k++) {
        gb[k] += p[k];
        for (const [j, v] of row) gw[k][j] += p[k] * v;
      }
    });
    // Mean gradient of sum-loss + |W|^2 / 2C, i.e. divided by n.
    for (let k = 0; k < classes; k++) {
      for (let j = 0; j < d; j++) m.weights[k][j] -= (learningRate * (gw[k][j] + m.weights[k][j] / c)) / n;
      m.bias[k] -= (learningRate * gb[k]) / n;
    }
  }
  return m;
}

export function predictBagOfWords(m: BowModel, text: string): number {
  const z = scores(m, features(text, m.vocab, m.idf));
  let best = 0;
  for (let k = 1; k < z.length; k++) if (z[k] > z[best]) best = k;
  return best;
}
