/**
 * Our generation options in the terms every engine shares: where the text stops (the line scope
 * becomes a stop at the newline, a block one at a blank line; the dedent rule of a block is left to
 * post-processing, which applies it to what comes back), and greedy as temperature 0.
 */
import type { GenerationOptions } from '../../protocol/types';

export interface Sampling {
  maxTokens?: number;
  /** 0 for greedy. */
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  repetitionPenalty?: number;
  stops: string[];
  n: number;
}

export function scopeStops(o: GenerationOptions): string[] {
  return o.scope === 'line' ? ['\n'] : o.scope === 'block' ? ['\n\n'] : [];
}

/** The sampling fields, with the scope's stop first, then the caller's, then the FIM template's; at most `maxStops`. */
export function sampling(o: GenerationOptions, extraStops: string[] = [], maxStops = 16): Sampling {
  const greedy = o.doSample === false;
  const stops = [...new Set([...scopeStops(o), ...(o.stop ?? []), ...extraStops])].slice(0, maxStops);
  return {
    maxTokens: o.maxNewTokens,
    temperature: greedy ? 0 : o.temperature,
    topK: greedy ? undefined : o.topK || undefined,
    topP: greedy ? undefined : o.topP,
    seed: o.seed,
    repetitionPenalty: o.repetitionPenalty,
    stops,
    n: o.numReturnSequences ?? 1,
  };
}

/** Drops undefined fields, so a request carries only what was asked (servers differ in what they accept). */
export function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
