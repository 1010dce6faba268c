/**
 * Zero-shot by embedding similarity, for vectors that come from anywhere (a remote engine's
 * /embed or /v1/embeddings): each text's cosine to each label, sharpened into a distribution
 * (one label) or mapped to [0, 1] per label (multi-label). The same rule the host applies to
 * its own embedding models, so a remote run and a local one score alike.
 */
import type { LabelScore } from '../../protocol/types';

/** Cosine similarities are multiplied by this before the softmax (cosines of sentence vectors differ by little). */
export const SIMILARITY_SHARPNESS = 20;

const unit = (v: number[]) => {
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
};

export function scoreBySimilarity(r: { texts: number[][]; labels: number[][]; names: string[]; multiLabel: boolean }): LabelScore[][] {
  const labels = r.labels.map(unit);
  return r.texts.map(unit).map((t) => {
    const cos = labels.map((l) => l.reduce((a, x, j) => a + x * t[j], 0));
    let scores: number[];
    if (r.multiLabel) scores = cos.map((c) => (c + 1) / 2);
    else {
      const z = cos.map((c) => c * SIMILARITY_SHARPNESS);
      const max = Math.max(...z);
      const e = z.map((x) => Math.exp(x - max));
      const sum = e.reduce((a, b) => a + b, 0);
      scores = e.map((x) => x / sum);
    }
    return r.names.map((label, k) => ({ label, score: scores[k] })).sort((a, b) => b.score - a.score);
  });
}
