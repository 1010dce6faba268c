/**
 * The numeric ranges of the generation and load controls, and their check in words: one
 * definition that the protocol enforces (validate.ts) and the panel and the CLI check their
 * fields against before sending. No other import, so the panel script can bundle it alone.
 */

/**
 * The one definition of every numeric generation control's range: the protocol enforces it, and
 * the panel and the CLI check their fields against it before sending. `label` is what a person
 * reads beside the field; `flag` is the CLI option.
 */
export const GENERATION_RANGES = {
  maxNewTokens: { min: 1, max: 32768, integer: true, label: 'Max new tokens', flag: 'max-new-tokens' },
  temperature: { min: 0, max: 100, integer: false, label: 'Temperature', flag: 'temperature' },
  topK: { min: 0, max: 1_000_000, integer: true, label: 'Top-k', flag: 'top-k' },
  topP: { min: 0, max: 1, integer: false, label: 'Top-p', flag: 'top-p' },
  repetitionPenalty: { min: 0.01, max: 100, integer: false, label: 'Repetition penalty', flag: 'repetition-penalty' },
  noRepeatNgramSize: { min: 0, max: 64, integer: true, label: 'No-repeat n-gram size', flag: 'no-repeat-ngram-size' },
  numReturnSequences: { min: 1, max: 16, integer: true, label: 'Candidates', flag: 'num-return-sequences' },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true, label: 'Seed', flag: 'seed' },
  timeLimitMs: { min: 1, max: 3_600_000, integer: false, label: 'Time limit (ms)', flag: 'time-limit-ms' },
  minNewTokens: { min: 0, max: 32768, integer: true, label: 'Min new tokens', flag: 'min-new-tokens' },
  blockIndent: { min: 0, max: 1000, integer: true, label: 'Block indent', flag: 'block-indent' },
} as const;

/** How much project context one request may carry. */
export const CONTEXT_LIMITS = { chunks: 64, chunkChars: 16_000, pathChars: 1024 } as const;

/** Load-time numeric fields, same shape as GENERATION_RANGES. */
export const LOAD_RANGES = {
  threads: { min: 0, max: 256, integer: true, label: 'Threads', flag: 'threads' },
} as const;

export type NumberRange = { readonly min: number; readonly max: number; readonly integer: boolean; readonly label: string; readonly flag: string };

/** What is wrong with `v` for `range`, in words, or undefined when it fits. */
export function rangeProblem(range: NumberRange, v: unknown): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return `must be ${range.integer ? 'a whole number' : 'a number'} from ${range.min} to ${range.max}`;
  if (range.integer && !Number.isInteger(v)) return `must be a whole number from ${range.min} to ${range.max}`;
  if (v < range.min || v > range.max) return `must be from ${range.min} to ${range.max}`;
  return undefined;
}
