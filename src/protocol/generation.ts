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
  /** EOS is not taken before this many new tokens (benchmarks that must decode a fixed count). */
  minNewTokens?: number;
  /**
   * Where a completion's text ends, decided by the caller before decoding: `line` stops at the
   * first newline; `block` stops at a blank line or before a line indented less than
   * `blockIndent` columns (a tab counts as TAB_COLUMNS). Absent: only `stop` and the limits.
   */
  scope?: CompletionScope;
  blockIndent?: number;
  /**
   * Lossless speculative decoding: `prompt-lookup` drafts tokens by matching the sequence's last
   * tokens against the prompt and recent outputs and verifies them in one forward pass. Greedy
   * output is token-for-token the same; sampled requests decode plainly. Default: on where it is
   * exact (off for graphs with dynamic activation quantization, where asking for it is allowed
   * but may change greedy output).
   */
  speculative?: SpeculativeMode;
}

export const COMPLETION_SCOPES = ['line', 'block'] as const;
export type CompletionScope = (typeof COMPLETION_SCOPES)[number];
export const SPECULATIVE_MODES = ['off', 'prompt-lookup'] as const;
export type SpeculativeMode = (typeof SPECULATIVE_MODES)[number];
/** Columns a tab counts for in `blockIndent`. */
export const TAB_COLUMNS = 4;

/** A piece of another file of the user's project, put before the prompt as repository context. */
export interface ContextChunk {
  /** Workspace-relative path, shown to the model as the file's name. */
  path: string;
  text: string;
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
  /**
   * Chunks of other project files, in the order they go into the prompt (before the prompt,
   * with the model's repository-level tokens when it has them, else file-path comments).
   */
  context?: ContextChunk[];
  /** The current file's workspace-relative path, named after the context (repository-level prompts). */
  filePath?: string;
  /** The workspace's name, put before the context by models with a repository-name token. */
  repoName?: string;
  options?: GenerationOptions;
}

/** Warms the KV cache with a prompt's prefix so that the next completion reuses it (`generate` pre-empts it). */
export interface PrefillParams extends LoadParams {
  prompt: string;
  suffix?: string;
  context?: ContextChunk[];
  filePath?: string;
  repoName?: string;
  /** The coming completion's maxNewTokens, so the prompt is cut to the context exactly as it will be. */
  maxNewTokens?: number;
}

export interface PrefillResult {
  promptTokens: number;
  /** Prompt tokens already cached before this request. */
  reusedTokens: number;
  /** Prompt tokens whose keys and values are now cached. */
  cachedTokens: number;
  /** True when a generate request or a cancel stopped it early (what was done stays cached). */
  preempted: boolean;
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
  /** Tokens proposed by speculative decoding, and how many of them the model agreed with. */
  draftTokens: number;
  acceptedDraftTokens: number;
  /** Forward passes after the prefill (fewer than new tokens when drafts were accepted). */
  decodeSteps: number;
  /** Context chunks that made it into the prompt (the first ones, in request order), and their tokens. */
  contextChunks: number;
  contextTokens: number;
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

/**
 * Counts tokens with the model's own tokenizer, running nothing (chat prompt fitting, attachment
 * sizes). `messages` is rendered with the chat template as generate renders it, ending with the
 * assistant's turn; each of `texts` is counted on its own, without special tokens.
 */
export interface CountTokensParams extends LoadParams {
  messages?: ChatMessage[];
  texts?: string[];
}

export interface CountTokensResult {
  /** The rendered conversation's tokens (absent without `messages`). */
  messages?: number;
  texts: number[];
  /** The model's context window, and whether it has a chat template. */
  contextLength: number;
  chat: boolean;
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
