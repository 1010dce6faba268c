/**
 * A token n-gram model with backoff: the non-neural baseline for the code LM. It predicts the
 * most frequent next token after the longest context it has seen.
 */

export class NgramModel {
  /** best[k]: context of k tokens (encoded as a number) -> most frequent next token. */
  private readonly best: Map<number, number>[] = [];

  constructor(
    private readonly order: number,
    private readonly vocab: number,
  ) {
    if (vocab ** order > Number.MAX_SAFE_INTEGER) throw new Error(`vocabulary ${vocab} is too large for order ${order}`);
  }

  private key(tokens: readonly number[], end: number, k: number): number {
    let key = 0;
    for (let i = end - k; i < end; i++) key = key * this.vocab + tokens[i];
    return key;
  }

  /** Counts every n-gram up to `order` in the sequences, then keeps the argmax per context. */
  train(sequences: Iterable<readonly number[]>): void {
    const counts: Map<number, number>[] = Array.from({ length: this.order }, () => new Map());
    for (const seq of sequences) {
      for (let t = 0; t < seq.length; t++) {
        for (let k = 0; k < this.order && k <= t; k++) {
          const ck = this.key(seq, t, k) * this.vocab + seq[t];
          counts[k].set(ck, (counts[k].get(ck) ?? 0) + 1);
        }
      }
    }
    for (let k = 0; k < this.order; k++) {
      const bestCount = new Map<number, number>();
      const best = new Map<number, number>();
      for (const [ck, c] of counts[k]) {
        const ctx = Math.floor(ck / this.vocab);
        const next = ck - ctx * this.vocab;
        if (c > (bestCount.get(ctx) ?? 0)) {
          bestCount.set(ctx, c);
          best.set(ctx, next);
        }
      }
      counts[k].clear();
      this.best[k] = best;
    }
  }

  /** Top-1 next token after tokens[0..end). */
  predict(tokens: readonly number[], end = tokens.length): number {
    for (let k = Math.min(this.order - 1, end); k >= 0; k--) {
      const hit = this.best[k].get(this.key(tokens, end, k));
      if (hit !== undefined) return hit;
    }
    return 0;
  }
}
