/**
 * The command line, read once: the options table, values attached the way users type them, and
 * every flag that carries a number or a path checked here, so that a wrong command line is exit
 * status 2 with a message that names the flag, before any model loads.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { EXECUTION_PROVIDERS, type ExecutionProvider, type GenerationOptions, type LoadParams } from '../protocol/types';
import { GENERATION_RANGES, LOAD_RANGES, parseGenerationOptions, rangeProblem, type NumberRange } from '../protocol/validate';
import { parseLabels, type ClassifierSpec } from '../core/classification/classifier';
import { isFewShotPath } from '../protocol/classification';
import { defaultEncoder } from './defaultModels';
import { COMPLETION_SCOPES, SPECULATIVE_MODES } from '../protocol/generation';
import { EMBEDDING_BACKENDS, FIM_TEMPLATES, REMOTE_BACKENDS, type EmbeddingBackend, type EmbeddingConfig, type FimTemplate, type RemoteBackend, type RemoteConfig } from '../core/remote';

/** The help: --help prints it (status 0), a missing command shows it on stderr (status 2). A new flag needs a line here and one in OPTIONS. */
export const USAGE = `usage:
  onnx-assist generate --model DIR (--prompt TEXT | --prompt-file PATH) [--suffix TEXT | --suffix-file PATH]
                       [--context-file PATH]... [--file-path NAME] [--repo-name NAME] [--max-new-tokens N] [--temperature T]
                       [--top-k K] [--top-p P] [--repetition-penalty R] [--no-repeat-ngram-size N]
                       [--num-return-sequences N] [--seed S] [--stop STR]... [--time-limit-ms MS]
                       [--min-new-tokens N] [--scope line|block [--block-indent N]]
                       [--speculative off|prompt-lookup] [--ep EP] [--threads N] [--json]
                       (--speculative: lossless prompt-lookup drafting, on by default for greedy decoding)
  onnx-assist generate --backend openai|llamacpp|ollama --endpoint URL [--remote-model NAME]
                       [--fim-template starcoder|qwen|codellama|deepseek] and the prompt, suffix, context and
                       sampling flags above (a remote engine instead of a local model: vLLM, llama.cpp's server,
                       Ollama, onnx-assist serve; the API key from ONNX_ASSIST_API_KEY; --remote-model is
                       required for openai and ollama)
  onnx-assist chat     (--model DIR | --backend openai|llamacpp|ollama --endpoint URL [--remote-model NAME])
                       [--max-new-tokens N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--stop STR]...
                       (an instruct model's chat template; on a terminal an interactive conversation, Ctrl+C stops
                        a reply; otherwise JSON lines: {"role":"user","content":"..."} in, one reply object out)
  onnx-assist classify --model DIR|CLASSIFIER.json (--text T... | --text-file PATH... | --eml PATH... | --file F) [--text-column C] [--top-k K]
                       [--labels a,b,c [--template "This example is {}."] [--multi-label]] [--ep EP] [--json]
                       (with --labels, --model defaults to the embedded models/sentence-encoder)
                       [--label-field NAME] [--score-field NAME]
                       [--backend tei|openai --endpoint URL [--remote-model NAME]] (a remote engine instead
                        of --model: TEI /predict, or with --labels similarity on its embeddings)
                       (--file: every line of a text file or record of a CSV/TSV/JSONL file; results go to
                        a new file beside it in new fields, predicted_label and score by default; the input
                        is never changed; --eml: a mail file parsed as a message, headers, MIME parts and HTML;
                        a spam classifier parses raw messages given any way)
  onnx-assist teach    [--encoder DIR] --data F --name NAME [--text-column C] [--label-column C] [--out FILE]
                       (--encoder and embed's --model default to the embedded models/sentence-encoder)
  onnx-assist embed    ([--model DIR] | --backend tei|openai --endpoint URL [--remote-model NAME])
                       (--text T... | --text-file PATH...) [--normalize] [--json]
  onnx-assist status   [--model DIR] [--json]
  onnx-assist eval     --model DIR|CLASSIFIER.json --data F [--labels a,b,c] [--text-column C] [--label-column C]
                       [--positive LABEL] [--markdown FILE] [--json]
  onnx-assist pull     REPO[@REVISION] [--dtype fp32|fp16|q8|q4|q4f16|...] [--endpoint URL] [--cache DIR] [--json]
                       (token for gated repos: HF_TOKEN; endpoint also from HF_ENDPOINT)
  onnx-assist models   [--cache DIR] [--delete REPO] [--json]
  onnx-assist serve    --model [NAME=]DIR [--add-model [NAME=]DIR]... [--embedding-model [NAME=]DIR]
                       [--host 127.0.0.1] [--port 8080] [--api-key KEY] [--cors ORIGIN] [--log-prompts]
                       [--max-queue N] [--max-body-bytes N] [--max-prompt-chars N] [--drain-ms MS]
                       (OpenAI /v1/completions, /v1/chat/completions, /v1/embeddings, /v1/models;
                        llama.cpp /infill, /health; a host other than loopback needs --api-key or
                        ONNX_ASSIST_API_KEY)
  onnx-assist demo
EP is one of auto, cpu, cuda, dml, webgpu. PATH - reads standard input.
Exit status: 0 done, 1 failed, 2 usage error, 130 interrupted (Ctrl+C).`;

/** The command line is wrong: exit status 2. */
export class UsageError extends Error {}

/** The command was understood but could not be done, with a one-line reason: exit status 1. */
export class CliFailure extends Error {}

const OPTIONS = {
  model: { type: 'string' },
  prompt: { type: 'string' },
  'prompt-file': { type: 'string' },
  suffix: { type: 'string' },
  'suffix-file': { type: 'string' },
  'context-file': { type: 'string', multiple: true },
  'file-path': { type: 'string' },
  'repo-name': { type: 'string' },
  text: { type: 'string', multiple: true },
  'text-file': { type: 'string', multiple: true },
  eml: { type: 'string', multiple: true },
  file: { type: 'string' },
  'max-new-tokens': { type: 'string' },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  'repetition-penalty': { type: 'string' },
  'no-repeat-ngram-size': { type: 'string' },
  'num-return-sequences': { type: 'string' },
  seed: { type: 'string' },
  stop: { type: 'string', multiple: true },
  'time-limit-ms': { type: 'string' },
  backend: { type: 'string' },
  'remote-model': { type: 'string' },
  'fim-template': { type: 'string' },
  'add-model': { type: 'string', multiple: true },
  'embedding-model': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'api-key': { type: 'string' },
  cors: { type: 'string' },
  'log-prompts': { type: 'boolean' },
  'max-queue': { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'max-prompt-chars': { type: 'string' },
  'drain-ms': { type: 'string' },
  'min-new-tokens': { type: 'string' },
  'block-indent': { type: 'string' },
  scope: { type: 'string' },
  speculative: { type: 'string' },
  ep: { type: 'string' },
  threads: { type: 'string' },
  normalize: { type: 'boolean' },
  labels: { type: 'string' },
  template: { type: 'string' },
  'multi-label': { type: 'boolean' },
  'text-column': { type: 'string' },
  'label-column': { type: 'string' },
  'label-field': { type: 'string' },
  'score-field': { type: 'string' },
  data: { type: 'string' },
  encoder: { type: 'string' },
  name: { type: 'string' },
  out: { type: 'string' },
  markdown: { type: 'string' },
  positive: { type: 'string' },
  dtype: { type: 'string' },
  endpoint: { type: 'string' },
  cache: { type: 'string' },
  delete: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type Values = ReturnType<typeof parseCommandLine>['values'];

const isOption = (name: string): name is keyof typeof OPTIONS => Object.hasOwn(OPTIONS, name);

/**
 * parseArgs refuses an option value that starts with "-" as ambiguous, so `--top-k -5` never
 * reached the range check and `--prompt-file -` needed an "=". Here a string option takes the
 * next argument as its value whatever it looks like, unless that is one of our own options
 * (then the value was forgotten).
 */
function attachValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = /^--([^=]+)$/.exec(a)?.[1];
    const next = argv[i + 1];
    if (name !== undefined && isOption(name) && OPTIONS[name].type === 'string' && next !== undefined) {
      const nextName = /^--([^=]+)/.exec(next)?.[1];
      if (next === '-h' || (nextName !== undefined && isOption(nextName))) throw new UsageError(`--${name} needs a value (the next argument, ${next}, is an option)`);
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export function parseCommandLine(argv: string[]) {
  const args = attachValues(argv);
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
}

/** A numeric flag, checked against the shared range table; the message names the flag. */
export function numberFlag(v: Values, range: NumberRange): number | undefined {
  const raw = v[range.flag as keyof Values];
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const n = text === '' ? NaN : Number(text);
  const problem = rangeProblem(range, n);
  if (problem) throw new UsageError(`--${range.flag} ${problem} (got ${Number.isNaN(n) ? JSON.stringify(raw) : text})`);
  return n;
}

const MAX_STOPS = 16;

export function generationOptions(v: Values): GenerationOptions {
  const o: Record<string, unknown> = {};
  for (const [field, range] of Object.entries(GENERATION_RANGES)) {
    const n = numberFlag(v, range);
    if (n !== undefined) o[field] = n;
  }
  if (v.stop) {
    if (v.stop.some((s) => s === '')) throw new UsageError('--stop must not be empty (an empty stop string would end generation before it starts)');
    if (v.stop.length > MAX_STOPS) throw new UsageError(`--stop may be given at most ${MAX_STOPS} times (got ${v.stop.length})`);
    o.stop = v.stop;
  }
  o.scope = choiceFlag(v, 'scope', COMPLETION_SCOPES);
  o.speculative = choiceFlag(v, 'speculative', SPECULATIVE_MODES);
  // Every field was checked above against the same table; this only types the object.
  return parseGenerationOptions(o, 'options');
}

function choiceFlag<T extends string>(v: Values, flag: 'scope' | 'speculative' | 'backend' | 'fim-template', values: readonly T[]): T | undefined {
  // --backend takes the generation engines on generate and the embedding engines on classify and embed.
  const raw = v[flag];
  if (raw === undefined) return undefined;
  if (!(values as readonly string[]).includes(raw)) throw new UsageError(`--${flag} must be one of ${values.join(', ')} (got ${JSON.stringify(raw)})`);
  return raw as T;
}

function epFlag(v: Values): ExecutionProvider | undefined {
  if (v.ep === undefined) return undefined;
  if (!(EXECUTION_PROVIDERS as readonly string[]).includes(v.ep)) throw new UsageError(`--ep must be one of ${EXECUTION_PROVIDERS.join(', ')} (got ${JSON.stringify(v.ep)})`);
  return v.ep as ExecutionProvider;
}

/** A path flag that must name something that exists (a model folder, a classifier file). */
function existingPath(flag: string, p: string | undefined, what: string): string {
  if (p === undefined || p.trim() === '') throw new UsageError(`--${flag} is required (${what})`);
  if (!fs.existsSync(p)) throw new UsageError(`--${flag}: ${p} does not exist (${what})`);
  return p;
}

const MODEL_WHAT = 'a model folder with config.json, tokenizer.json and onnx/model.onnx';

/**
 * --model (or --encoder) and the load flags. `fallback`: the model to use when the flag is absent
 * (the embedded sentence encoder, for the commands that need an embedding model).
 */
export function loadFlags(v: Values, flag: 'model' | 'encoder' = 'model', fallback?: string): LoadParams {
  const what = flag === 'encoder' ? 'an embedding model folder' : (v.model !== undefined && isFewShotPath(v.model)) ? "a classifier .json made by 'onnx-assist teach'" : MODEL_WHAT;
  return {
    modelPath: existingPath(flag, v[flag] ?? fallback, what),
    ep: epFlag(v),
    threads: numberFlag(v, LOAD_RANGES.threads),
  };
}

/** The protocol's limit on zero-shot labels. */
const MAX_LABELS = 100;

/** The classifier of classify and eval: --model, or with --labels and no --model the embedded sentence encoder (zero-shot by similarity). */
export function classifierSpec(v: Values): ClassifierSpec {
  const labels = labelFlags(v);
  return { ...loadFlags(v, 'model', labels.labels ? defaultEncoder() : undefined), ...labels };
}

/** --labels (zero-shot), with --template and --multi-label. */
export function labelFlags(v: Values): Pick<ClassifierSpec, 'labels' | 'template' | 'multiLabel'> {
  const spec: Pick<ClassifierSpec, 'labels' | 'template' | 'multiLabel'> = {};
  if (v.labels !== undefined) {
    spec.labels = parseLabels(v.labels);
    if (spec.labels.length < 2) throw new UsageError('--labels needs at least two comma-separated labels');
    if (spec.labels.length > MAX_LABELS) throw new UsageError(`--labels takes at most ${MAX_LABELS} labels (got ${spec.labels.length})`);
    if (v.template !== undefined && !v.template.includes('{}')) throw new UsageError(`--template must contain {} where the label goes (got ${JSON.stringify(v.template)})`);
    spec.template = v.template;
    spec.multiLabel = !!v['multi-label'];
  } else if (v.template !== undefined || v['multi-label']) throw new UsageError('--template and --multi-label are for zero-shot; give --labels too');
  return spec;
}

/** How long a remote engine may send nothing before the CLI gives up on it. */
const REMOTE_TIMEOUT_MS = 60_000;

/**
 * `--backend` and its flags: a remote engine instead of a local model (undefined without
 * --backend). The API key comes from ONNX_ASSIST_API_KEY, never from the command line, where
 * other users see it in the process list. No proxy variables are read: the CLI connects directly.
 */
export function remoteFlags(v: Values, env: NodeJS.ProcessEnv = process.env): RemoteConfig | undefined {
  const backend = choiceFlag<RemoteBackend>(v, 'backend', REMOTE_BACKENDS);
  if (backend === undefined) {
    for (const f of ['remote-model', 'fim-template'] as const) if (v[f] !== undefined) throw new UsageError(`--${f} is for a remote engine; give --backend too`);
    return undefined;
  }
  if (v.model !== undefined) throw new UsageError('--model and --backend cannot be used together (--remote-model names the engine\'s model)');
  // What only our own decode loop does: refused rather than silently dropped.
  for (const f of ['ep', 'threads', 'speculative', 'no-repeat-ngram-size', 'min-new-tokens', 'block-indent'] as const) {
    if (v[f] !== undefined) throw new UsageError(`--${f} is for a local model; a remote engine does not take it`);
  }
  if (v.endpoint === undefined || v.endpoint.trim() === '') throw new UsageError(`--backend ${backend} needs --endpoint URL (the engine's address)`);
  if (!/^https?:\/\/[^\s]+$/.test(v.endpoint)) throw new UsageError(`--endpoint must be an http:// or https:// URL (got ${JSON.stringify(v.endpoint)})`);
  const model = v['remote-model'] ?? '';
  if (backend !== 'llamacpp' && model.trim() === '') throw new UsageError(`--backend ${backend} needs --remote-model NAME (the engine's own model name)`);
  const fimTemplate: FimTemplate = choiceFlag(v, 'fim-template', FIM_TEMPLATES) ?? 'server';
  return {
    backend,
    endpoint: v.endpoint,
    model,
    fimTemplate,
    apiKey: env.ONNX_ASSIST_API_KEY || undefined,
    timeoutMs: REMOTE_TIMEOUT_MS,
    hints: { endpoint: '--endpoint', apiKey: 'the ONNX_ASSIST_API_KEY environment variable', timeout: `${REMOTE_TIMEOUT_MS} ms in the CLI`, fimTemplate: '--fim-template' },
  };
}

/**
 * classify/embed on a remote engine: `--backend tei|openai --endpoint URL [--remote-model NAME]`
 * (Text Embeddings Inference, or any OpenAI-compatible /v1/embeddings), the key from
 * ONNX_ASSIST_API_KEY; undefined without --backend.
 */
export function embeddingFlags(v: Values, env: NodeJS.ProcessEnv = process.env): EmbeddingConfig | undefined {
  const backend = choiceFlag<EmbeddingBackend>(v, 'backend', EMBEDDING_BACKENDS);
  if (backend === undefined) {
    if (v['remote-model'] !== undefined || v.endpoint !== undefined) throw new UsageError('--endpoint and --remote-model are for a remote engine; give --backend tei or --backend openai too');
    return undefined;
  }
  if (v.model !== undefined) throw new UsageError('--model and --backend cannot be used together (the engine serves the model)');
  for (const f of ['ep', 'threads'] as const) if (v[f] !== undefined) throw new UsageError(`--${f} is for a local model; a remote engine does not take it`);
  if (v.endpoint === undefined || !/^https?:\/\/[^\s]+$/.test(v.endpoint)) throw new UsageError(`--backend ${backend} needs --endpoint URL, an http:// or https:// address (got ${JSON.stringify(v.endpoint ?? '')})`);
  const model = v['remote-model'] ?? '';
  if (backend === 'openai' && model.trim() === '') throw new UsageError('--backend openai needs --remote-model NAME (the embedding model the server serves)');
  return {
    backend,
    endpoint: v.endpoint,
    model,
    apiKey: env.ONNX_ASSIST_API_KEY || undefined,
    timeoutMs: REMOTE_TIMEOUT_MS,
    hints: { endpoint: '--endpoint', apiKey: 'the ONNX_ASSIST_API_KEY environment variable', timeout: `${REMOTE_TIMEOUT_MS} ms in the CLI`, fimTemplate: '--fim-template' },
  };
}
