/**
 * Field checks for everything that arrives over a message boundary (the numeric ranges they
 * enforce are in ranges.ts, re-exported here). TypeScript types vanish at run time; a webview, a CLI argument or a corrupted message
 * must not reach the engine unchecked. Each check names the field and what was expected. The
 * per-method parsers built from these live in methods.ts.
 */
import { HostError } from './errors';
import { COMPLETION_SCOPES, SPECULATIVE_MODES, type ContextChunk, type GenerationOptions } from './generation';
import { EXECUTION_PROVIDERS, type ExecutionProvider, type LoadParams } from './models';
import { CONTEXT_LIMITS, GENERATION_RANGES, LOAD_RANGES } from './ranges';

export { CONTEXT_LIMITS, GENERATION_RANGES, LOAD_RANGES, rangeProblem, type NumberRange } from './ranges';

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

export function parseGenerationOptions(v: unknown, path = 'options'): GenerationOptions {
  if (v === undefined) return {};
  const o = obj(v, path);
  const known = new Set(['maxNewTokens', 'doSample', 'temperature', 'topK', 'topP', 'repetitionPenalty', 'noRepeatNgramSize', 'stop', 'numReturnSequences', 'seed', 'timeLimitMs', 'minNewTokens', 'scope', 'blockIndent', 'speculative']);
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
    minNewTokens: num(o, 'minNewTokens', path, R.minNewTokens),
    scope: oneOf(o, 'scope', path, COMPLETION_SCOPES),
    blockIndent: num(o, 'blockIndent', path, R.blockIndent),
    speculative: oneOf(o, 'speculative', path, SPECULATIVE_MODES),
  };
}

/** One of `values`, or undefined when absent. */
export function oneOf<T extends string>(o: Obj, key: string, path: string, values: readonly T[]): T | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(`${path}.${key}`, `one of ${values.join(', ')}`, v);
  return v as T;
}

/** Project-context chunks: at most CONTEXT_LIMITS.chunks, each a path and a text within the limits. */
export function parseContext(v: unknown, path: string): ContextChunk[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) fail(path, 'an array of {path, text} chunks', v);
  if (v.length > CONTEXT_LIMITS.chunks) fail(path, `at most ${CONTEXT_LIMITS.chunks} chunks`, v.length);
  return v.map((c, i) => {
    const o = obj(c, `${path}[${i}]`);
    const p = str(o, 'path', `${path}[${i}]`, { nonEmpty: true }) as string;
    const text = str(o, 'text', `${path}[${i}]`) as string;
    if (p.length > CONTEXT_LIMITS.pathChars) fail(`${path}[${i}].path`, `at most ${CONTEXT_LIMITS.pathChars} characters`, p.length);
    if (text.length > CONTEXT_LIMITS.chunkChars) fail(`${path}[${i}].text`, `at most ${CONTEXT_LIMITS.chunkChars} characters`, text.length);
    return { path: p, text };
  });
}
