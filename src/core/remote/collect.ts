/**
 * Turns an engine's streamed pieces into the local path's result: text per sequence, each cut at
 * the first stop sequence even if the server did not (text that may still become a stop sequence
 * is held back from the token events, as the local host does), the time limit counted from the
 * first token (the connection closes when it is reached), token counts where the engine gave them.
 */
import type { StopReason, TokenEvent } from '../../protocol/types';
import type { RemoteResult } from './engine';

/** What one streamed object (or a whole reply) said about one sequence. */
export interface Piece {
  index: number;
  text?: string;
  /** Set when the engine says this sequence ended. */
  finish?: StopReason;
  /** Counts for the whole reply (the last that says wins); index may be -1 when a piece only carries counts. */
  promptTokens?: number;
  completionTokens?: number;
}

export interface CollectOptions {
  n: number;
  stops: string[];
  timeLimitMs?: number;
  onToken?: (e: TokenEvent) => void;
  /** Added to each piece's index in token events (one of several requests standing for `n`). */
  indexOffset?: number;
  /** When the request was sent (performance.now()). */
  started: number;
}

export async function collect(pieces: AsyncIterable<Piece>, o: CollectOptions): Promise<RemoteResult> {
  const texts = Array.from({ length: o.n }, () => '');
  const emitted = new Array<number>(o.n).fill(0);
  const reasons: (StopReason | undefined)[] = new Array(o.n).fill(undefined);
  const hold = Math.max(0, ...o.stops.map((s) => s.length - 1));
  let promptTokens: number | undefined;
  let completionTokens: number | undefined;
  let firstAt: number | undefined;
  let timedOut = false;
  /** A stop sequence found here, not by the engine: the engine is still generating, so stop reading. */
  let cutHere = false;
  const emit = (i: number) => {
    const upTo = reasons[i] ? texts[i].length : Math.max(emitted[i], texts[i].length - hold);
    if (upTo > emitted[i]) o.onToken?.({ type: 'token', sequence: i + (o.indexOffset ?? 0), text: texts[i].slice(emitted[i], upTo) });
    emitted[i] = upTo;
  };
  for await (const p of pieces) {
    if (p.promptTokens !== undefined) promptTokens = p.promptTokens;
    if (p.completionTokens !== undefined) completionTokens = p.completionTokens;
    const i = p.index;
    if (i < 0 || i >= o.n || reasons[i]) continue;
    if (p.text) {
      firstAt ??= performance.now();
      texts[i] += p.text;
      const cut = Math.min(...o.stops.map((s) => texts[i].indexOf(s)).filter((x) => x >= 0));
      if (Number.isFinite(cut)) {
        texts[i] = texts[i].slice(0, cut);
        reasons[i] = 'stop';
        cutHere = true;
      }
    }
    if (p.finish) reasons[i] ??= p.finish;
    emit(i);
    // Engines finish on their own and send the counts after; read on unless the cut was ours.
    if (cutHere && reasons.every((r) => r)) break;
    if (o.timeLimitMs !== undefined && firstAt !== undefined && performance.now() - firstAt >= o.timeLimitMs) {
      timedOut = true;
      break;
    }
  }
  // Sequences the engine never finished: the time limit, or a stream that ended without saying why.
  const stopReasons = reasons.map((r) => r ?? (timedOut ? 'time' : 'length'));
  stopReasons.forEach((r, i) => {
    reasons[i] = r;
    emit(i);
  });
  const now = performance.now();
  return { texts, stopReasons, promptTokens, completionTokens, timeToFirstTokenMs: (firstAt ?? now) - o.started, totalMs: now - o.started };
}

/** Several single-sequence requests standing for `n` (engines without an `n` field), merged in order. */
export function merge(results: RemoteResult[]): RemoteResult {
  const sum = (k: 'promptTokens' | 'completionTokens') => (results.every((r) => r[k] !== undefined) ? results.reduce((a, r) => a + r[k]!, 0) : undefined);
  return {
    texts: results.flatMap((r) => r.texts),
    stopReasons: results.flatMap((r) => r.stopReasons),
    promptTokens: results[0]?.promptTokens,
    completionTokens: sum('completionTokens'),
    timeToFirstTokenMs: Math.min(...results.map((r) => r.timeToFirstTokenMs)),
    totalMs: Math.max(...results.map((r) => r.totalMs)),
  };
}
