/**
 * Turning one step's logits into the next token: penalties, n-gram bans, temperature, top-k,
 * top-p, and a seeded random source so the same seed gives the same text.
 * Order follows Hugging Face generate(): processors (penalties, bans) then warpers.
 */

export interface SamplingConfig {
  doSample: boolean;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  noRepeatNgramSize: number;
}

/** mulberry32: small, fast and good enough for sampling; the state is one 32-bit integer. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** HF's repetition penalty: every token already in the sequence is made less likely. */
export function applyRepetitionPenalty(logits: Float32Array, tokens: readonly number[], penalty: number): void {
  if (penalty === 1) return;
  const seen = new Set(tokens);
  for (const t of seen) {
    if (t < 0 || t >= logits.length) continue;
    const v = logits[t];
    logits[t] = v < 0 ? v * penalty : v / penalty;
  }
}

/** Tokens that would complete an n-gram already present in `tokens`. */
export function bannedNgramTokens(tokens: readonly number[], n: number): number[] {
  if (n <= 0 || tokens.length < n) return [];
  const prefix = tokens.slice(tokens.length - (n - 1));
  const banned: number[] = [];
  for (let i = 0; i + n <= tokens.length; i++) {
    let match = true;
    for (let j = 0; j < n - 1; j++) {
      if (tokens[i + j] !== prefix[j]) {
        match = false;
        break;
      }
    }
    if (match) banned.push(tokens[i + n - 1]);
  }
  return banned;
}

export function applyNoRepeatNgram(logits: Float32Array, tokens: readonly number[], n: number): void {
  for (const t of bannedNgramTokens(tokens, n)) logits[t] = -Infinity;
}

export function argmax(logits: Float32Array): number {
  let best = 0;
  let bestV = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    if (logits[i] > bestV) {
      bestV = logits[i];
      best = i;
    }
  }
  return best;
}

/**
 * Candidates after temperature, top-k and top-p, as (token, probability) sorted by probability.
 * Exported for tests; sample() draws from it.
 */
export function candidates(logits: Float32Array, cfg: SamplingConfig): { ids: number[]; probs: number[] } {
  const t = cfg.temperature > 0 ? cfg.temperature : 1;
  // Keep only the top-k indices (all when k is 0) without sorting the whole vocabulary when k is small.
  let ids: number[];
  const k = cfg.topK > 0 ? Math.min(cfg.topK, logits.length) : logits.length;
  if (k < logits.length && k <= 256) {
    ids = [];
    for (let i = 0; i < logits.length; i++) {
      const v = logits[i];
      if (v === -Infinity) continue;
      if (ids.length < k) {
        ids.push(i);
        if (ids.length === k) ids.sort((a, b) => logits[b] - logits[a]);
      } else if (v > logits[ids[k - 1]]) {
        let j = k - 1;
        while (j > 0 && logits[ids[j - 1]] < v) {
          ids[j] = ids[j - 1];
          j--;
        }
        ids[j] = i;
      }
    }
    ids.sort((a, b) => logits[b] - logits[a] || a - b);
  } else {
    ids = [];
    for (let i = 0; i < logits.length; i++) if (logits[i] !== -Infinity) ids.push(i);
    ids.sort((a, b) => logits[b] - logits[a] || a - b);
    ids = ids.slice(0, k);
  }
  if (ids.length === 0) return { ids: [argmax(logits)], probs: [1] };
  const max = logits[ids[0]] / t;
  let sum = 0;
  let probs = ids.map((i) => {
    const p = Math.exp(logits[i] / t - max);
    sum += p;
    return p;
  });
  probs = probs.map((p) => p / sum);
  if (cfg.topP > 0 && cfg.topP < 1) {
    let cum = 0;
    let keep = 0;
    while (keep < probs.length) {
      cum += probs[keep];
      keep++;
      if (cum >= cfg.topP) break;
    }
    ids = ids.slice(0, keep);
    const s = probs.slice(0, keep).reduce((a, b) => a + b, 0);
    probs = probs.slice(0, keep).map((p) => p / s);
  }
  return { ids, probs };
}

/** Picks the next token; `history` is the whole sequence so far (prompt and generated). */
export function nextToken(logits: Float32Array, history: readonly number[], cfg: SamplingConfig, rng: SeededRandom): number {
  applyRepetitionPenalty(logits, history, cfg.repetitionPenalty);
  applyNoRepeatNgram(logits, history, cfg.noRepeatNgramSize);
  if (!cfg.doSample) return argmax(logits);
  const { ids, probs } = candidates(logits, cfg);
  const r = rng.next();
  let cum = 0;
  for (let i = 0; i < ids.length; i++) {
    cum += probs[i];
    if (r < cum) return ids[i];
  }
  return ids[ids.length - 1];
}
