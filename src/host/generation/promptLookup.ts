/**
 * Drafts for lossless speculative decoding by prompt lookup: the sequence's last few tokens are
 * looked up in the sequence itself (prompt, project context, what was generated so far) and in
 * recent outputs; the tokens that followed the nearest earlier occurrence are the draft. Code
 * completion copies long runs that are already in the prompt (names, repeated statements, an
 * edited copy of a file), so one forward pass often verifies many tokens at once.
 */

/** Longest and shortest n-gram looked up; longer matches are tried first (fewer wrong drafts). */
const NGRAM = { max: 4, min: 2 } as const;

/** Where `tail` occurs in `src` at or before `from`, searching backwards (the nearest occurrence first). */
function lastIndexOf(src: readonly number[], tail: readonly number[], from: number): number {
  const n = tail.length;
  for (let i = Math.min(from, src.length - n); i >= 0; i--) {
    let j = 0;
    while (j < n && src[i + j] === tail[j]) j++;
    if (j === n) return i;
  }
  return -1;
}

/**
 * Up to `k` draft tokens to follow `seq`, or none. The sequence is searched before other
 * sources; a match must have at least one token after it.
 */
export function draftByLookup(seq: readonly number[], k: number, others: readonly (readonly number[])[] = []): number[] {
  if (k <= 0) return [];
  for (let n = Math.min(NGRAM.max, seq.length - 1); n >= NGRAM.min; n--) {
    const tail = seq.slice(seq.length - n);
    // In the sequence itself, excluding the tail's own position.
    const at = lastIndexOf(seq, tail, seq.length - n - 1);
    if (at >= 0) return seq.slice(at + n, at + n + k);
    for (const src of others) {
      const i = lastIndexOf(src, tail, src.length - n - 1);
      if (i >= 0) return src.slice(i + n, i + n + k);
    }
  }
  return [];
}

/** How many tokens to draft next: more after a fully accepted draft, fewer after a rejection. */
export class DraftLength {
  static readonly MAX = 12;
  static readonly START = 6;
  private k = DraftLength.START;

  get value(): number {
    return this.k;
  }

  update(drafted: number, accepted: number): void {
    if (drafted === 0) return;
    this.k = accepted === drafted ? Math.min(DraftLength.MAX, this.k + 2) : Math.max(2, accepted + 1);
  }
}
