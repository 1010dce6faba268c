/**
 * A request's generation options resolved against the model's generation_config.json: the one
 * place the host decides doSample and fills defaults, so every caller (extension, CLI, panel)
 * gets the same settings for the same request.
 */
import { HostError } from '../../protocol/errors';
import type { CompletionScope, GenerationOptions, SpeculativeMode } from '../../protocol/types';
import { num, type Json } from '../models/config';
import type { SamplingConfig } from './sampling';

export interface ResolvedOptions extends SamplingConfig {
  maxNewTokens: number;
  numReturnSequences: number;
  stop: string[];
  seed: number;
  timeLimitMs: number;
  minNewTokens: number;
  scope?: CompletionScope;
  blockIndent?: number;
  /** `auto` (not asked): drafting where it is lossless for this model. */
  speculative: SpeculativeMode | 'auto';
}

/** The request's options, then generation_config.json, then transformers' defaults. */
export function resolveOptions(o: GenerationOptions, generationConfig: Json): ResolvedOptions {
  const g = generationConfig;
  const numReturnSequences = o.numReturnSequences ?? 1;
  // Asked for, else implied by a temperature, else several candidates (greedy gives one), else the model's default.
  const doSample = o.doSample ?? (o.temperature !== undefined ? o.temperature > 0 : numReturnSequences > 1 || g.do_sample === true);
  if (numReturnSequences > 1 && !doSample) {
    throw new HostError('BAD_REQUEST', `numReturnSequences ${numReturnSequences} needs sampling (greedy decoding gives one answer): set doSample or a temperature > 0.`);
  }
  return {
    doSample,
    temperature: o.temperature ?? num(g.temperature) ?? 1,
    topK: o.topK ?? num(g.top_k) ?? 50,
    topP: o.topP ?? num(g.top_p) ?? 1,
    repetitionPenalty: o.repetitionPenalty ?? num(g.repetition_penalty) ?? 1,
    noRepeatNgramSize: o.noRepeatNgramSize ?? num(g.no_repeat_ngram_size) ?? 0,
    maxNewTokens: o.maxNewTokens ?? num(g.max_new_tokens) ?? 64,
    numReturnSequences,
    stop: o.stop ?? [],
    seed: o.seed ?? Math.floor(Math.random() * 2 ** 32),
    timeLimitMs: o.timeLimitMs ?? Infinity,
    minNewTokens: o.minNewTokens ?? num(g.min_new_tokens) ?? 0,
    scope: o.scope,
    blockIndent: o.blockIndent,
    speculative: o.speculative ?? 'auto',
  };
}
