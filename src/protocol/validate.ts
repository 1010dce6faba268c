/**
 * Runtime checks for everything that arrives over a message boundary. TypeScript types vanish
 * at run time; a webview, a CLI argument or a corrupted message must not reach the engine
 * unchecked. Each check names the field and what was expected.
 */
import { HostError } from './errors';
import {
  EXECUTION_PROVIDERS,
  type ClientMessage,
  type ExecutionProvider,
  type GenerationOptions,
  type Method,
  type ParamsOf,
} from './types';

type Obj = Record<string, unknown>;

function fail(path: string, expected: string, got: unknown): never {
  const shown = typeof got === 'string' ? JSON.stringify(got.slice(0, 40)) : JSON.stringify(got) ?? String(got);
  throw new HostError('BAD_REQUEST', `${path} must be ${expected} (got ${shown?.slice(0, 60)})`);
}

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object', v);
  return v as Obj;
}

function str(o: Obj, key: string, path: string, opts: { optional?: boolean; nonEmpty?: boolean } = {}): string | undefined {
  const v = o[key];
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== 'string') fail(`${path}.${key}`, 'a string', v);
  if (opts.nonEmpty && v.length === 0) fail(`${path}.${key}`, 'a non-empty string', v);
  return v;
}

function num(o: Obj, key: string, path: string, min: number, max: number, integer = false): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    fail(`${path}.${key}`, `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`, v);
  }
  return v;
}

function bool(o: Obj, key: string, path: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') fail(`${path}.${key}`, 'true or false', v);
  return v;
}

function strings(o: Obj, key: string, path: string, opts: { optional?: boolean; maxItems: number }): string[] | undefined {
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

function loadFields(o: Obj, path: string) {
  const modelPath = str(o, 'modelPath', path, { nonEmpty: true }) as string;
  const ep = o.ep === undefined ? undefined : parseExecutionProvider(o.ep, `${path}.ep`);
  const threads = ranged(o, 'threads', path, LOAD_RANGES.threads);
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

function ranged(o: Obj, key: string, path: string, range: NumberRange): number | undefined {
  return num(o, key, path, range.min, range.max, range.integer);
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
    maxNewTokens: ranged(o, 'maxNewTokens', path, R.maxNewTokens),
    doSample: bool(o, 'doSample', path),
    temperature: ranged(o, 'temperature', path, R.temperature),
    topK: ranged(o, 'topK', path, R.topK),
    topP: ranged(o, 'topP', path, R.topP),
    repetitionPenalty: ranged(o, 'repetitionPenalty', path, R.repetitionPenalty),
    noRepeatNgramSize: ranged(o, 'noRepeatNgramSize', path, R.noRepeatNgramSize),
    stop,
    numReturnSequences: ranged(o, 'numReturnSequences', path, R.numReturnSequences),
    seed: ranged(o, 'seed', path, R.seed),
    timeLimitMs: ranged(o, 'timeLimitMs', path, R.timeLimitMs),
  };
}

const MAX_TEXTS = 10_000;

function parseMessages(v: unknown, path: string) {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0 || v.length > 1000) fail(path, 'an array of 1 to 1000 {role, content} messages', v);
  return v.map((m, i) => {
    const o = obj(m, `${path}[${i}]`);
    if (o.role !== 'system' && o.role !== 'user' && o.role !== 'assistant') fail(`${path}[${i}].role`, '"system", "user" or "assistant"', o.role);
    return { role: o.role, content: str(o, 'content', `${path}[${i}]`) as string };
  });
}

/** Checks a request's params for its method and returns them typed. */
export function parseParams<M extends Method>(method: M, params: unknown): ParamsOf<M> {
  const path = `${method}.params`;
  const o = params === undefined ? {} : obj(params, path);
  switch (method) {
    case 'load':
      return loadFields(o, path) as ParamsOf<M>;
    case 'unload':
      return { modelPath: str(o, 'modelPath', path, { nonEmpty: true }) } as ParamsOf<M>;
    case 'generate':
      return {
        ...loadFields(o, path),
        prompt: str(o, 'prompt', path) as string,
        suffix: str(o, 'suffix', path, { optional: true }),
        messages: parseMessages(o.messages, `${path}.messages`),
        options: parseGenerationOptions(o.options, `${path}.options`),
      } as ParamsOf<M>;
    case 'classify': {
      const texts = strings(o, 'texts', path, { maxItems: MAX_TEXTS }) as string[];
      if (texts.length === 0) fail(`${path}.texts`, 'at least one text', texts);
      return { ...loadFields(o, path), texts, topK: num(o, 'topK', path, 1, 100_000, true) } as ParamsOf<M>;
    }
    case 'embed': {
      const texts = strings(o, 'texts', path, { maxItems: MAX_TEXTS }) as string[];
      if (texts.length === 0) fail(`${path}.texts`, 'at least one text', texts);
      return { ...loadFields(o, path), texts, normalize: bool(o, 'normalize', path) } as ParamsOf<M>;
    }
    case 'zeroShot': {
      const texts = strings(o, 'texts', path, { maxItems: MAX_TEXTS }) as string[];
      if (texts.length === 0) fail(`${path}.texts`, 'at least one text', texts);
      const labels = (strings(o, 'labels', path, { maxItems: 100 }) as string[]).map((l) => l.trim());
      if (labels.length === 0 || labels.some((l) => !l)) fail(`${path}.labels`, 'one or more non-empty labels', labels);
      if (new Set(labels).size !== labels.length) fail(`${path}.labels`, 'labels without repeats', labels);
      const template = str(o, 'template', path, { optional: true });
      if (template !== undefined && !template.includes('{}')) fail(`${path}.template`, 'a sentence containing {} where the label goes', template);
      return { ...loadFields(o, path), texts, labels, template, multiLabel: bool(o, 'multiLabel', path) } as ParamsOf<M>;
    }
    case 'trainClassifier': {
      const name = str(o, 'name', path, { nonEmpty: true }) as string;
      if (!/^[\w.-]{1,64}$/.test(name) || name.startsWith('.')) fail(`${path}.name`, 'letters, digits, "_", "-" or "." (at most 64, not starting with ".")', name);
      const list = o.examples;
      if (!Array.isArray(list) || list.length > 50_000) fail(`${path}.examples`, 'an array of at most 50000 {text, label} objects', list);
      const examples = list.map((e, i) => {
        const eo = obj(e, `${path}.examples[${i}]`);
        const text = str(eo, 'text', `${path}.examples[${i}]`) as string;
        const label = (str(eo, 'label', `${path}.examples[${i}]`, { nonEmpty: true }) as string).trim();
        if (!label) fail(`${path}.examples[${i}].label`, 'a non-empty label', label);
        return { text, label };
      });
      return {
        ...loadFields(o, path),
        name,
        examples,
        folds: num(o, 'folds', path, 2, 20, true),
        l2: num(o, 'l2', path, 0, 100),
      } as ParamsOf<M>;
    }
    case 'score':
      return { ...loadFields(o, path), text: str(o, 'text', path, { nonEmpty: true }) } as ParamsOf<M>;
    case 'status':
    case 'shutdown':
      return {} as ParamsOf<M>;
    default:
      return fail('method', 'a known method', method);
  }
}

const METHODS: ReadonlySet<string> = new Set<Method>(['load', 'unload', 'generate', 'classify', 'embed', 'zeroShot', 'trainClassifier', 'score', 'status', 'shutdown']);

/** Checks the envelope of a client message; params are checked by parseParams when served. */
export function parseClientMessage(v: unknown): ClientMessage {
  const o = obj(v, 'message');
  const id = o.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) fail('message.id', 'a non-negative integer', id);
  if (o.kind === 'cancel') return { kind: 'cancel', id };
  if (o.kind !== 'request') fail('message.kind', '"request" or "cancel"', o.kind);
  if (typeof o.method !== 'string' || !METHODS.has(o.method)) fail('message.method', `one of ${[...METHODS].join(', ')}`, o.method);
  return { kind: 'request', id, method: o.method as Method, params: o.params };
}
