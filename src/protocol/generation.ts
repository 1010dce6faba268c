/**
 * Text generation over the wire: the `generate` and `score` methods' params and results, and the
 * token events a generation streams back.
 */
import type { LoadParams, ConcreteProvider } from './models';

export interface GenerationOptions {
  maxNewTokens?: number;
  /** false = greedy; defaults to generation_config.json's do_sample, or true when a temperature > 0 is given. */
  doSample?: boolean;
  temperature?: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  noRepeatNgramSize?: number;
  stop?: string[];
  numReturnSequences?: number;
  /** Same seed and inputs give the same output. */
  seed?: number;
  /** Stop after this many milliseconds of decoding (inline completions cap their latency this way). */
  timeLimitMs?: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateParams extends LoadParams {
  /** The text to continue; with `suffix`, the text before the cursor. Ignored when `messages` is given. */
  prompt: string;
  /** A conversation for an instruct model: rendered with its chat template, ending with the assistant's turn. */
  messages?: ChatMessage[];
  /**
   * Text after the cursor. With a model that has fill-in-the-middle tokens the engine builds a
   * FIM prompt; otherwise the suffix is ignored (prefix-only completion).
   */
  suffix?: string;
  options?: GenerationOptions;
}

/** Why a sequence ended. A cancelled generation has none: it fails with the CANCELLED error. */
export type StopReason = 'eos' | 'stop' | 'length' | 'time';

export interface GenerateStats {
  promptTokens: number;
  /** Prompt tokens whose KV cache was reused from the previous request on this model. */
  reusedTokens: number;
  /** Prompt tokens dropped from the left because the prompt did not fit the context. */
  truncatedTokens: number;
  newTokens: number;
  timeToFirstTokenMs: number;
  tokensPerSecond: number;
  totalMs: number;
  ep: ConcreteProvider;
  seed: number;
  /** True when the prompt was built as fill-in-the-middle. */
  fim: boolean;
}

export interface GenerateResult {
  texts: string[];
  /** The generated token ids per sequence (before any stop-sequence cut), EOS excluded. */
  tokenIds: number[][];
  stopReasons: StopReason[];
  stats: GenerateStats;
}

export interface TokenEvent {
  type: 'token';
  /** Which of numReturnSequences this text belongs to. */
  sequence: number;
  /** Newly decoded text (complete characters only, never part of a stop sequence). */
  text: string;
}

export interface ScoreParams extends LoadParams {
  text: string;
}

/** Teacher-forced scoring of a text in one forward pass (evaluation, ranking candidates). */
export interface ScoreResult {
  tokenIds: number[];
  /** predicted[i]: the model's top-1 token after tokenIds[0..i], i.e. its guess for tokenIds[i+1]. */
  predicted: number[];
  /** logprobs[i]: log-probability of tokenIds[i+1] after tokenIds[0..i]. */
  logprobs: number[];
  /** Tokens cut from the left to fit the context. */
  truncatedTokens: number;
}
