/**
 * Field checks for everything that arrives over a message boundary, and the numeric ranges they
 * enforce. TypeScript types vanish at run time; a webview, a CLI argument or a corrupted message
 * must not reach the engine unchecked. Each check names the field and what was expected. The
 * per-method parsers built from these live in methods.ts.
 */
import { HostError } from './errors';
import type { GenerationOptions } from './generation';
import { EXECUTION_PROVIDERS, type ExecutionProvider, type LoadParams } from './models';

export type Obj = Record<string, unknown>;

export function fail(path: string, expected: string, got: unknown): never {
  const shown = typeof got === 'string' ? JSON.stringify(got.slice(0, 40)) : JSON.stringify(got) ?? String(got);
  throw new HostError('BAD_REQUEST', `${path} must be ${expected} (got ${shown?.slice(0, 60)})`);
}

export function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object', v);
  return v as Obj;
}

export function str(o: Obj, key: string, path: string, opts: { optional?: boolean; nonEmpty?: boolean } = {}): string | undefined {
  const v = o[key];
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== 'string') fail(`${path}.${key}`, 'a string', v);
  if (opts.nonEmpty && v.length === 0) fail(`${path}.${key}`, 'a non-empty string', v);
  return v;
}

/** A number within `range` (and whole when it says so), or undefined when absent. */
export function num(o: Obj, key: string, path: string, range: { min: number; max: number; integer?: boolean }): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  const { min, max, integer = false } = range;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    fail(`${path}.${key}`, `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`, v);
  }
  return v;
}

export function bool(o: Obj, key: string, path: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') fail(`${path}.${key}`, 'true or false', v);
  return v;
}

export function strings(o: Obj, key: string, path: string, opts: { optional?: boolean; maxItems: number }): string[] | undefined {
  const v = o[key];
  if (v === undefined && opts.optional) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) fail(`${path}.${key}`, 'an array of strings', v);
  if (v.length > opts.maxItems) fail(`${path}.${key}`, `at most ${opts.maxItems} items`, v.length);
  return v as string[];
}

export function parseExecutionProvider(v: unknown, path = 'ep'): ExecutionProvider {
  if (typeof v !== 'string' || !(EXECUTION_PROVIDERS as readonly string[]).includes(v)) {
    throw new HostError('BAD_REQUEST', `Unsupported execution provider ${JSON.stringify(v)} for ${path}. Should be one of: ${EXECUTION_PROVIDERS.join(', ')}.`);
  }
  return v as ExecutionProvider;
}

/** The fields every model request carries (a LoadParams). */
export function loadFields(o: Obj, path: string): LoadParams {
  const modelPath = str(o, 'modelPath', path, { nonEmpty: true }) as string;
  const ep = o.ep === undefined ? undefined : parseExecutionProvider(o.ep, `${path}.ep`);
  const threads = num(o, 'threads', path, LOAD_RANGES.threads);
  const onnxFile = str(o, 'onnxFile', path, { optional: true });
  return { modelPath, ep, threads, onnxFile };
}

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
} as const;

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

export function parseGenerationOptions(v: unknown, path = 'options'): GenerationOptions {
  if (v === undefined) return {};
  const o = obj(v, path);
  const known = new Set(['maxNewTokens', 'doSample', 'temperature', 'topK', 'topP', 'repetitionPenalty', 'noRepeatNgramSize', 'stop', 'numReturnSequences', 'seed', 'timeLimitMs']);
  for (const k of Object.keys(o)) if (!known.has(k)) fail(`${path}.${k}`, `one of ${[...known].join(', ')}`, k);
  const stop = strings(o, 'stop', path, { optional: true, maxItems: 16 });
  if (stop?.some((s) => s.length === 0)) fail(`${path}.stop`, 'non-empty strings', stop);
  const R = GENERATION_RANGES;
  return {
    maxNewTokens: num(o, 'maxNewTokens', path, R.maxNewTokens),
    doSample: bool(o, 'doSample', path),
    temperature: num(o, 'temperature', path, R.temperature),
    topK: num(o, 'topK', path, R.topK),
    topP: num(o, 'topP', path, R.topP),
    repetitionPenalty: num(o, 'repetitionPenalty', path, R.repetitionPenalty),
    noRepeatNgramSize: num(o, 'noRepeatNgramSize', path, R.noRepeatNgramSize),
    stop,
    numReturnSequences: num(o, 'numReturnSequences', path, R.numReturnSequences),
    seed: num(o, 'seed', path, R.seed),
    timeLimitMs: num(o, 'timeLimitMs', path, R.timeLimitMs),
  };
}
