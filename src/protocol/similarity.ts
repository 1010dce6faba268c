/**
 * Zero-shot by embedding similarity, the one scoring rule for the host's own embedding models
 * and for a remote engine's vectors (TEI /embed, /v1/embeddings), so both score alike: each
 * text's cosine to each label, sharpened into a distribution (one label) or mapped to [0, 1]
 * per label (multi-label). Part of the protocol because it defines what `mode: similarity`
 * scores mean; pure, no imports beyond types.
 */
import type { LabelScore } from './classification';

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
