/**
 * The host's methods, one table: each entry is a method's params parser (the runtime check of what
 * arrives) with its params and result types. `Method`, `ParamsOf` and `ResultOf` are read from it,
 * the envelope check accepts its names, and serve's handler map must cover it. Adding a method is
 * one entry here and one handler in host/serve.ts.
 */
import { classifierNameProblem, MAX_EXAMPLES, type ClassifyParams, type ClassifyResult, type EmbedParams, type EmbedResult, type TrainClassifierParams, type TrainClassifierResult, type ZeroShotParams, type ZeroShotResult } from './classification';
import type { ChatMessage, CountTokensParams, CountTokensResult, GenerateParams, GenerateResult, PrefillParams, PrefillResult, ScoreParams, ScoreResult } from './generation';
import type { HostStatus, LoadParams, ModelInfo } from './models';
import { bool, CONTEXT_LIMITS, fail, GENERATION_RANGES, loadFields, num, obj, parseContext, parseGenerationOptions, str, strings, type Obj } from './validate';

/** A method's params parser; `R` is its result type, declared beside it (nothing checks results at run time). */
export interface MethodSpec<P, R> {
  parse(o: Obj, path: string): P;
  /** Type only: never set. */
  readonly result?: R;
}

const method = <P, R>(parse: (o: Obj, path: string) => P): MethodSpec<P, R> => ({ parse });

const MAX_TEXTS = 10_000;

/** The encoder methods' input, a non-empty list of texts (checked before the load fields). */
function textList(o: Obj, path: string): string[] {
  const texts = strings(o, 'texts', path, { maxItems: MAX_TEXTS }) as string[];
  if (texts.length === 0) fail(`${path}.texts`, 'at least one text', texts);
  return texts;
}

function parseMessages(v: unknown, path: string): ChatMessage[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0 || v.length > 1000) fail(path, 'an array of 1 to 1000 {role, content} messages', v);
  return v.map((m, i) => {
    const o = obj(m, `${path}[${i}]`);
    if (o.role !== 'system' && o.role !== 'user' && o.role !== 'assistant') fail(`${path}[${i}].role`, '"system", "user" or "assistant"', o.role);
    return { role: o.role, content: str(o, 'content', `${path}[${i}]`) as string };
  });
}

function zeroShot(o: Obj, path: string): ZeroShotParams {
  const texts = textList(o, path);
  const labels = (strings(o, 'labels', path, { maxItems: 100 }) as string[]).map((l) => l.trim());
  if (labels.length === 0 || labels.some((l) => !l)) fail(`${path}.labels`, 'one or more non-empty labels', labels);
  if (new Set(labels).size !== labels.length) fail(`${path}.labels`, 'labels without repeats', labels);
  const template = str(o, 'template', path, { optional: true });
  if (template !== undefined && !template.includes('{}')) fail(`${path}.template`, 'a sentence containing {} where the label goes', template);
  return { ...loadFields(o, path), texts, labels, template, multiLabel: bool(o, 'multiLabel', path) };
}

function trainClassifier(o: Obj, path: string): TrainClassifierParams {
  const name = str(o, 'name', path, { nonEmpty: true }) as string;
  const nameProblem = classifierNameProblem(name);
  if (nameProblem) fail(`${path}.name`, nameProblem, name);
  const list = o.examples;
  if (!Array.isArray(list) || list.length > MAX_EXAMPLES) fail(`${path}.examples`, `an array of at most ${MAX_EXAMPLES} {text, label} objects`, list);
  const examples = list.map((e, i) => {
    const eo = obj(e, `${path}.examples[${i}]`);
    const text = str(eo, 'text', `${path}.examples[${i}]`) as string;
    const label = (str(eo, 'label', `${path}.examples[${i}]`, { nonEmpty: true }) as string).trim();
    if (!label) fail(`${path}.examples[${i}].label`, 'a non-empty label', label);
    return { text, label };
  });
  return { ...loadFields(o, path), name, examples, folds: num(o, 'folds', path, { min: 2, max: 20, integer: true }), l2: num(o, 'l2', path, { min: 0, max: 100 }) };
}

/** The current file's path or the workspace's name beside project context: short strings, never read as paths by the host. */
function shortField(o: Obj, key: 'filePath' | 'repoName', path: string): string | undefined {
  const p = str(o, key, path, { optional: true });
  if (p !== undefined && p.length > CONTEXT_LIMITS.pathChars) fail(`${path}.${key}`, `at most ${CONTEXT_LIMITS.pathChars} characters`, p.length);
  return p;
}

type Empty = Record<string, never>;
const empty = (): Empty => ({});

/** Every request the host serves, in the order error messages list them. */
export const HOST_METHODS = {
  load: method<LoadParams, ModelInfo>(loadFields),
  unload: method<{ modelPath: string }, { unloaded: boolean }>((o, path) => ({ modelPath: str(o, 'modelPath', path, { nonEmpty: true }) as string })),
  generate: method<GenerateParams, GenerateResult>((o, path) => ({
    ...loadFields(o, path),
    prompt: str(o, 'prompt', path) as string,
    suffix: str(o, 'suffix', path, { optional: true }),
    messages: parseMessages(o.messages, `${path}.messages`),
    context: parseContext(o.context, `${path}.context`),
    filePath: shortField(o, 'filePath', path),
    repoName: shortField(o, 'repoName', path),
    options: parseGenerationOptions(o.options, `${path}.options`),
  })),
  prefill: method<PrefillParams, PrefillResult>((o, path) => ({
    ...loadFields(o, path),
    prompt: str(o, 'prompt', path) as string,
    suffix: str(o, 'suffix', path, { optional: true }),
    context: parseContext(o.context, `${path}.context`),
    filePath: shortField(o, 'filePath', path),
    repoName: shortField(o, 'repoName', path),
    maxNewTokens: num(o, 'maxNewTokens', path, GENERATION_RANGES.maxNewTokens),
  })),
  classify: method<ClassifyParams, ClassifyResult>((o, path) => {
    const texts = textList(o, path);
    return { ...loadFields(o, path), texts, topK: num(o, 'topK', path, { min: 1, max: 100_000, integer: true }) };
  }),
  embed: method<EmbedParams, EmbedResult>((o, path) => {
    const texts = textList(o, path);
    return { ...loadFields(o, path), texts, normalize: bool(o, 'normalize', path) };
  }),
  zeroShot: method<ZeroShotParams, ZeroShotResult>(zeroShot),
  trainClassifier: method<TrainClassifierParams, TrainClassifierResult>(trainClassifier),
  score: method<ScoreParams, ScoreResult>((o, path) => ({ ...loadFields(o, path), text: str(o, 'text', path, { nonEmpty: true }) as string })),
  countTokens: method<CountTokensParams, CountTokensResult>((o, path) => ({
    ...loadFields(o, path),
    messages: parseMessages(o.messages, `${path}.messages`),
    texts: strings(o, 'texts', path, { maxItems: MAX_TEXTS, optional: true }),
  })),
  status: method<Empty, HostStatus>(empty),
  shutdown: method<Empty, Empty>(empty),
};

type Methods = typeof HOST_METHODS;
export type Method = keyof Methods;
export type ParamsOf<M extends Method> = Methods[M] extends MethodSpec<infer P, unknown> ? P : never;
export type ResultOf<M extends Method> = Methods[M] extends MethodSpec<unknown, infer R> ? R : never;

export function isMethod(v: unknown): v is Method {
  return typeof v === 'string' && Object.hasOwn(HOST_METHODS, v);
}

/** Checks a request's params for its method and returns them typed. */
export function parseParams<M extends Method>(method: M, params: unknown): ParamsOf<M> {
  const path = `${method}.params`;
  const o = params === undefined ? {} : obj(params, path);
  if (!isMethod(method)) return fail('method', 'a known method', method);
  return HOST_METHODS[method].parse(o, path) as ParamsOf<M>;
}
