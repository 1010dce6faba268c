/**
 * `onnx-assist`: the same inference host as the extension, from a terminal.
 *
 *   onnx-assist generate --model DIR --prompt TEXT [controls] [--ep EP] [--json]
 *   onnx-assist classify --model DIR|FILE.json (--text T | --file F) [--labels a,b] [--json]
 *   onnx-assist teach    --encoder DIR --data F --name NAME  (few-shot classifier)
 *   onnx-assist embed    --model DIR --text T [--normalize] [--json]
 *   onnx-assist status   [--model DIR] [--json]
 *   onnx-assist eval     [--quick] [--only NAME,...]  (quality of the shipped models)
 *   onnx-assist eval     --model M --data F [--labels a,b] [--markdown F]  (any classifier on labelled data)
 *   onnx-assist demo     (what `npm start` runs: the embedded default models)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultWorkerPath, HostClient } from './client/hostClient';
import { HostError } from './protocol/errors';
import type { GenerationOptions } from './protocol/types';
import { parseExecutionProvider, parseGenerationOptions } from './protocol/validate';
import { classifyFile, CancelledError } from './classification/batch';
import { bindClassifier, parseLabels, type ClassifierSpec } from './classification/classifier';
import { evaluateFile } from './classification/evaluate';
import { reportJson, reportMarkdown } from './classification/reportFormat';
import { columnsOf, DataFileError, field, guessColumns, readRecords } from './classification/records';
import { evalFewShotSpam } from './eval/fewShotSpam';
import { defaultCacheDir } from './hub/cacheDir';
import { deleteCached, listCached, pullModel } from './hub/download';
import { HubError, parseDtype, parseRepoRef } from './hub/names';
import { printReport, type Figure } from './eval/report';
import { evalCodeLanguage, evalCodeLm, evalSpam, type EvalOptions } from './eval/shippedModels';

const USAGE = `usage:
  onnx-assist generate --model DIR --prompt TEXT [--max-new-tokens N] [--temperature T] [--top-k K]
                       [--top-p P] [--repetition-penalty R] [--no-repeat-ngram-size N]
                       [--num-return-sequences N] [--seed S] [--stop STR]... [--ep EP] [--threads N] [--json]
  onnx-assist classify --model DIR|CLASSIFIER.json (--text T | --file F) [--text-column C] [--top-k K]
                       [--labels a,b,c [--template "This example is {}."] [--multi-label]] [--ep EP] [--json]
                       (--file: every line of a text file or record of a CSV/TSV/JSONL file; results go to
                        a new file beside it, the input is never changed)
  onnx-assist teach    --encoder DIR --data F --name NAME [--text-column C] [--label-column C] [--out FILE]
  onnx-assist embed    --model DIR --text T [--normalize] [--json]
  onnx-assist status   [--model DIR] [--json]
  onnx-assist eval     [--quick] [--only spam-classifier,code-language,code-lm] [--onnx-file model_quantized.onnx]
                       [--encoder DIR]  (also: a spam classifier taught from 20 mails per class with DIR)
  onnx-assist eval     --model DIR|CLASSIFIER.json --data F [--labels a,b,c] [--text-column C] [--label-column C]
                       [--positive LABEL] [--markdown FILE] [--json]
  onnx-assist pull     REPO[@REVISION] [--dtype fp32|fp16|q8|q4|q4f16|...] [--endpoint URL] [--cache DIR] [--json]
                       (token for gated repos: HF_TOKEN; endpoint also from HF_ENDPOINT)
  onnx-assist models   [--cache DIR] [--delete REPO] [--json]
  onnx-assist demo
EP is one of auto, cpu, cuda, dml, webgpu.`;

export class UsageError extends Error {}

const OPTIONS = {
  model: { type: 'string' },
  prompt: { type: 'string' },
  text: { type: 'string', multiple: true },
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
  ep: { type: 'string' },
  threads: { type: 'string' },
  normalize: { type: 'boolean' },
  quick: { type: 'boolean' },
  'onnx-file': { type: 'string' },
  labels: { type: 'string' },
  template: { type: 'string' },
  'multi-label': { type: 'boolean' },
  'text-column': { type: 'string' },
  'label-column': { type: 'string' },
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
  only: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function number(v: Values, key: keyof Values): number | undefined {
  const raw = v[key];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${key} must be a number (got ${JSON.stringify(raw)})`);
  return n;
}

function generationOptions(v: Values): GenerationOptions {
  const o: Record<string, unknown> = {
    maxNewTokens: number(v, 'max-new-tokens'),
    temperature: number(v, 'temperature'),
    topK: number(v, 'top-k'),
    topP: number(v, 'top-p'),
    repetitionPenalty: number(v, 'repetition-penalty'),
    noRepeatNgramSize: number(v, 'no-repeat-ngram-size'),
    numReturnSequences: number(v, 'num-return-sequences'),
    seed: number(v, 'seed'),
    stop: v.stop,
  };
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  if ((o.numReturnSequences as number) > 1 && o.temperature === undefined) o.doSample = true;
  try {
    return parseGenerationOptions(o, 'options');
  } catch (e) {
    // Name the flag, not the internal field.
    const flag = (e as Error).message.replace(/options\.(\w+)/, (_, f: string) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw new UsageError(flag);
  }
}

function requireModel(v: Values): string {
  if (!v.model) throw new UsageError('--model DIR is required (a folder with config.json, tokenizer.json and onnx/model.onnx)');
  return v.model;
}

function loadFlags(v: Values) {
  return {
    modelPath: requireModel(v),
    ep: v.ep === undefined ? undefined : parseExecutionProvider(v.ep, '--ep'),
    threads: number(v, 'threads'),
  };
}

export interface CliIO {
  out(s: string): void;
  err(s: string): void;
}

const stdio: CliIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** Repository root (where models/ lives), from dist/ or out/src/. */
function repoRoot(): string {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'models'))) return d;
  }
  return process.cwd();
}

async function demo(client: HostClient, io: CliIO): Promise<void> {
  const models = path.join(repoRoot(), 'models');
  let lm = path.join(models, 'code-lm');
  if (!fs.existsSync(path.join(lm, 'config.json'))) {
    lm = path.join(repoRoot(), 'test', 'fixtures', 'models', 'tiny-gpt2');
    io.out(`(models/code-lm is missing, so this runs on a random-weight test model: expect gibberish. Rebuild it with tools/train/train_lm.py.)\n`);
  }
  const prompt = 'def fibonacci(n):\n    """Return the n-th Fibonacci number."""\n';
  io.out(`ONNX Assist demo: ${path.relative(process.cwd(), lm)} completes a Python function.\n\n`);
  io.out(prompt);
  const r = await client.request('generate', { modelPath: lm, prompt, options: { maxNewTokens: 60, doSample: false, stop: ['\ndef ', '\nclass '] } }, {
    onEvent: (e) => io.out(e.text),
  });
  const s = r.stats;
  io.out(`\n\n[${s.newTokens} tokens, first token ${s.timeToFirstTokenMs.toFixed(0)} ms, ${s.tokensPerSecond.toFixed(0)} tokens/s on ${s.ep}]\n`);
  for (const name of ['spam-classifier', 'code-language']) {
    const dir = path.join(models, name);
    if (!fs.existsSync(path.join(dir, 'config.json'))) continue;
    const text = name === 'spam-classifier' ? 'Congratulations! You have been selected to receive a FREE cruise. Click here now!' : 'const add = (a: number, b: number): number => a + b;';
    const c = await client.request('classify', { modelPath: dir, texts: [text], topK: 3 });
    io.out(`\n${name}: ${JSON.stringify(text)}\n  ${c.results[0].map((l) => `${l.label} ${(l.score * 100).toFixed(1)}%`).join('  ')}\n`);
  }
}

const EVALS = {
  'code-lm': evalCodeLm,
  'spam-classifier': async (c: HostClient, o: EvalOptions) => (await evalSpam(c, o)).figures,
  'code-language': async (c: HostClient, o: EvalOptions) => (await evalCodeLanguage(c, o)).figures,
} as const;

async function evaluate(client: HostClient, io: CliIO, quick: boolean, only?: string[], onnxFile?: string, fewShotEncoder?: string): Promise<void> {
  const root = repoRoot();
  const names = Object.keys(EVALS) as (keyof typeof EVALS)[];
  for (const n of only ?? []) if (!names.includes(n as keyof typeof EVALS)) throw new UsageError(`--only: unknown model ${JSON.stringify(n)}; shipped models: ${names.join(', ')}`);
  const figures: Figure[] = [];
  const o: EvalOptions = { root, quick, onnxFile, log: (l) => io.out(`${l}\n`) };
  for (const name of names) {
    if (only && !only.includes(name)) continue;
    if (!fs.existsSync(path.join(root, 'models', name, 'config.json'))) {
      io.out(`${name}: not in models/, skipped\n`);
      continue;
    }
    figures.push(...(await EVALS[name](client, o)));
  }
  if (fewShotEncoder) figures.push(...(await evalFewShotSpam(client, o, fewShotEncoder)));
  printReport('ONNX Assist shipped-model quality', figures, { date: new Date().toISOString(), quick, onnxFile: onnxFile ?? 'default' }, (l) => io.out(`${l}\n`));
}

function classifierSpec(v: Values): ClassifierSpec {
  const spec: ClassifierSpec = { ...loadFlags(v) };
  if (v.labels !== undefined) {
    spec.labels = parseLabels(v.labels);
    if (spec.labels.length < 2) throw new UsageError('--labels needs at least two comma-separated labels');
    spec.template = v.template;
    spec.multiLabel = !!v['multi-label'];
  } else if (v.template || v['multi-label']) throw new UsageError('--template and --multi-label are for zero-shot; give --labels too');
  return spec;
}

/** The text column: the flag, else a guess from the header, checked against the file. */
async function textColumn(file: string, v: Values): Promise<{ text: string; label?: string; columns: string[] }> {
  if (!fs.existsSync(file)) throw new UsageError(`${file} does not exist`);
  const columns = await columnsOf(file);
  const guess = guessColumns(columns);
  const text = v['text-column'] ?? guess.text;
  if (!text || !columns.includes(text)) throw new DataFileError(`${path.basename(file)} has no column "${text ?? ''}". Columns: ${columns.join(', ')}. Choose one with --text-column.`);
  return { text, label: v['label-column'] ?? guess.label, columns };
}

async function classifyDataFile(bound: ReturnType<typeof bindClassifier>, v: Values, io: CliIO, json: boolean, signal: AbortSignal): Promise<void> {
  const file = v.file!;
  const { text } = await textColumn(file, v);
  let last = 0;
  const r = await classifyFile({
    input: file,
    textColumn: text,
    classify: bound.classify,
    isCancelled: () => signal.aborted,
    onProgress: (p) => {
      if (json || Date.now() - last < 250) return;
      last = Date.now();
      io.err(`\r${p.records} records, ${Math.round((100 * p.bytes) / Math.max(1, p.totalBytes))}%`);
    },
  });
  if (json) io.out(`${JSON.stringify({ ...r, method: bound.method() })}\n`);
  else {
    io.err('\n');
    io.out(`${r.records} records classified (${bound.method()}) -> ${r.output}\n`);
    io.out(`labels: ${Object.entries(r.counts).map(([l, n]) => `${l} ${n}`).join(', ')}\n`);
    if (r.skipped.length) {
      io.out(`${r.skipped.length} records skipped:\n`);
      for (const s of r.skipped.slice(0, 20)) io.out(`  line ${s.line}: ${s.reason}\n`);
    }
  }
}

async function teach(client: HostClient, v: Values, io: CliIO, json: boolean, signal: AbortSignal): Promise<void> {
  if (!v.encoder) throw new UsageError('--encoder DIR is required (an embedding model folder)');
  if (!v.data) throw new UsageError('--data F is required (CSV, TSV or JSONL with text and label columns)');
  if (!v.name) throw new UsageError('--name NAME is required');
  const cols = await textColumn(v.data, v);
  if (!cols.label || !cols.columns.includes(cols.label)) throw new DataFileError(`${path.basename(v.data)} has no label column "${cols.label ?? ''}". Columns: ${cols.columns.join(', ')}. Choose one with --label-column.`);
  const examples: { text: string; label: string }[] = [];
  let skipped = 0;
  for await (const r of readRecords(v.data, { onSkip: () => skipped++ })) {
    const text = field(r, cols.text);
    const label = field(r, cols.label)?.trim();
    if (text?.trim() && label) examples.push({ text, label });
    else skipped++;
  }
  const r = await client.request('trainClassifier', { modelPath: v.encoder, ep: v.ep === undefined ? undefined : parseExecutionProvider(v.ep, '--ep'), name: v.name, examples }, { signal });
  const out = v.out ?? path.join(process.cwd(), '.vscode', 'onnx-assist', 'classifiers', `${v.name}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(r.classifier, null, 1)}\n`);
  const cv = r.classifier.crossValidation;
  if (json) io.out(`${JSON.stringify({ path: out, ...r, skipped })}\n`);
  else {
    io.out(`taught "${v.name}" from ${examples.length} examples (${Object.entries(r.classifier.examples).map(([l, n]) => `${l} ${n}`).join(', ')}); ${skipped} skipped\n`);
    io.out(`${cv.folds}-fold cross-validated accuracy ${(cv.accuracy * 100).toFixed(1)}% (folds: ${cv.foldAccuracy.map((a) => (a * 100).toFixed(0)).join(', ')})\n`);
    io.out(`embedding ${(r.stats.embedMs / 1000).toFixed(1)} s, training ${(r.stats.trainMs / 1000).toFixed(1)} s -> ${out}\n`);
  }
}

async function evaluateData(client: HostClient, v: Values, io: CliIO, json: boolean, signal: AbortSignal): Promise<void> {
  if (!v.data) throw new UsageError('--data F is required with --model (a labelled CSV, TSV or JSONL file)');
  const spec = classifierSpec(v);
  const cols = await textColumn(v.data, v);
  if (!cols.label) throw new DataFileError(`${path.basename(v.data)}: which column holds the correct labels? Columns: ${cols.columns.join(', ')}. Choose one with --label-column.`);
  const bound = bindClassifier(client, spec, signal);
  const report = await evaluateFile({
    input: v.data,
    textColumn: cols.text,
    labelColumn: cols.label,
    classify: bound.classify,
    model: spec.modelPath,
    method: spec.labels ? 'zero-shot' : 'classifier',
    positive: v.positive,
    isCancelled: () => signal.aborted,
  });
  report.method = bound.method();
  if (v.markdown) fs.writeFileSync(v.markdown, reportMarkdown(report));
  if (json) io.out(reportJson(report));
  else io.out(reportMarkdown(report));
}

function formatBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(0)} KB`;
}

async function hubCommand(command: 'pull' | 'models', ref: string | undefined, v: Values, io: CliIO, json: boolean): Promise<number> {
  const cacheDir = v.cache ?? defaultCacheDir();
  if (command === 'models') {
    if (v.delete) {
      const { repo } = parseRepoRef(v.delete);
      io.out(deleteCached(cacheDir, repo) ? `deleted ${repo} from ${cacheDir}\n` : `${repo} is not in ${cacheDir}\n`);
      return 0;
    }
    const list = listCached(cacheDir);
    if (json) io.out(`${JSON.stringify({ cacheDir, models: list })}\n`);
    else if (list.length === 0) io.out(`no models in ${cacheDir}; get one with: onnx-assist pull Xenova/distilgpt2\n`);
    else for (const m of list) io.out(`${m.repo}@${m.revision} ${m.dtype}  ${formatBytes(m.bytes)}  ${m.commit.slice(0, 10)}  ${m.dir}\n`);
    return 0;
  }
  if (!ref) throw new UsageError('pull needs REPO[@REVISION], e.g. Xenova/distilgpt2');
  const { repo, revision } = parseRepoRef(ref);
  const dtype = parseDtype(v.dtype ?? 'fp32');
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  let lastLine = 0;
  try {
    const m = await pullModel({
      repo,
      revision,
      dtype,
      endpoint: v.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co',
      cacheDir,
      token: process.env.HF_TOKEN || undefined,
      signal: ac.signal,
      onProgress: (p) => {
        if (json || Date.now() - lastLine < 200) return;
        lastLine = Date.now();
        const width = 30;
        const done = Math.round((width * p.bytes) / Math.max(1, p.totalBytes));
        const eta = p.secondsLeft === undefined ? '' : ` ${Math.ceil(p.secondsLeft)} s left`;
        io.err(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${formatBytes(p.bytes)} / ${formatBytes(p.totalBytes)} ${formatBytes(p.bytesPerSecond)}/s${eta}   `);
      },
    });
    if (json) io.out(`${JSON.stringify(m)}\n`);
    else {
      io.err('\n');
      io.out(`${m.offline ? 'offline: using the cached ' : ''}${repo}@${revision} (${dtype}, commit ${m.commit.slice(0, 10)}) -> ${m.dir}\n`);
      io.out(`use it: onnx-assist generate --model ${JSON.stringify(m.dir)} --prompt ...  (or set onnxAssist.generationModel to that folder)\n`);
    }
    return 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

export async function main(argv: string[], io: CliIO = stdio): Promise<number> {
  let client: HostClient | undefined;
  let json = false;
  try {
    const { values: v, positionals } = parse(argv);
    json = !!v.json;
    const [command, ...rest] = positionals;
    if (v.help || !command) {
      io.out(`${USAGE}\n`);
      return v.help ? 0 : 2;
    }
    const rest0 = command === 'pull' ? rest.shift() : undefined;
    if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
    if (command === 'pull' || command === 'models') {
      // Downloads and the cache need no inference host.
      const code = await hubCommand(command, rest0, v, io, json);
      return code;
    }
    client = new HostClient({ workerPath: defaultWorkerPath(__dirname) });
    const ac = new AbortController();
    const onSigint = () => ac.abort();
    process.once('SIGINT', onSigint);
    try {
      switch (command) {
        case 'generate': {
          if (v.prompt === undefined) throw new UsageError('--prompt TEXT is required');
          const options = generationOptions(v);
          let streamed = 0;
          const r = await client.request('generate', { ...loadFlags(v), prompt: v.prompt, options }, {
            signal: ac.signal,
            onEvent: (e) => {
              if (!json && (options.numReturnSequences ?? 1) === 1) {
                io.out(e.text);
                streamed++;
              }
            },
          });
          if (json) io.out(`${JSON.stringify(r)}\n`);
          else {
            if (!streamed) r.texts.forEach((t, i) => io.out(`${r.texts.length > 1 ? `--- ${i + 1} ---\n` : ''}${t}\n`));
            const s = r.stats;
            io.err(`\n[${s.promptTokens} prompt tokens${s.truncatedTokens ? ` (${s.truncatedTokens} truncated)` : ''}, ${s.newTokens} new, first token ${s.timeToFirstTokenMs.toFixed(0)} ms, ${s.tokensPerSecond.toFixed(1)} tokens/s, ${s.ep}, seed ${s.seed}]\n`);
          }
          return 0;
        }
        case 'classify': {
          const spec = classifierSpec(v);
          const bound = bindClassifier(client, spec, ac.signal);
          if (v.file) {
            await classifyDataFile(bound, v, io, json, ac.signal);
            return 0;
          }
          const texts = v.text ?? [];
          if (texts.length === 0) throw new UsageError('give --text T or --file F (a text, CSV, TSV or JSONL file)');
          const topK = number(v, 'top-k');
          const results = (await bound.classify(texts)).map((r) => (topK ? r.slice(0, topK) : r));
          if (json) io.out(`${JSON.stringify({ method: bound.method(), results })}\n`);
          else results.forEach((labels, i) => io.out(`${texts[i].slice(0, 60)}\t${labels.map((l) => `${l.label}=${l.score.toFixed(4)}`).join(' ')}\n`));
          return 0;
        }
        case 'teach':
          await teach(client, v, io, json, ac.signal);
          return 0;
        case 'embed': {
          if (!v.text?.length) throw new UsageError('--text T is required');
          const r = await client.request('embed', { ...loadFlags(v), texts: v.text, normalize: !!v.normalize }, { signal: ac.signal });
          io.out(json ? `${JSON.stringify(r)}\n` : r.vectors.map((x) => x.map((n) => n.toFixed(5)).join(' ')).join('\n') + '\n');
          return 0;
        }
        case 'status': {
          if (v.model) await client.request('load', loadFlags(v));
          const s = await client.request('status', {});
          if (json) io.out(`${JSON.stringify(s)}\n`);
          else {
            io.out(`onnxruntime ${s.ortVersion} on ${s.platform}; default threads ${s.threads}; rss ${s.memory.rssMB} MB\n`);
            io.out(`providers: ${s.backends.map((b) => `${b.name}${b.installed ? '' : ' (not installed)'}`).join(', ')}\n`);
            for (const m of s.models) {
              io.out(`${m.modelPath}: ${m.task} (${m.modelType}, ${m.onnxFile}) on ${m.ep}, ${m.threads} threads, loaded in ${m.loadMs.toFixed(0)} ms\n`);
              for (const f of m.fallbacks) io.out(`  fallback: ${f}\n`);
            }
          }
          return 0;
        }
        case 'demo':
          await demo(client, io);
          return 0;

        case 'eval':
          if (v.data || v.model) await evaluateData(client, v, io, json, ac.signal);
          else await evaluate(client, io, !!v.quick, v.only?.split(','), v['onnx-file'], v.encoder);
          return 0;
        default:
          throw new UsageError(`unknown command ${JSON.stringify(command)}; commands: generate, classify, teach, embed, status, eval, demo`);
      }
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  } catch (e) {
    const plain = e instanceof DataFileError || e instanceof CancelledError || e instanceof HubError;
    const msg = e instanceof UsageError ? `${e.message}\n${USAGE}` : e instanceof HostError ? `${e.code}: ${e.message}` : plain ? (e as Error).message : String((e as Error).stack ?? e);
    if (json && !(e instanceof UsageError)) io.out(`${JSON.stringify({ error: e instanceof HostError ? e.toWire() : { code: 'INTERNAL', message: String(e) } })}\n`);
    io.err(`onnx-assist: ${e instanceof UsageError ? msg.split('\n')[0] : msg}\n`);
    return e instanceof UsageError ? 2 : 1;
  } finally {
    await client?.dispose();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`onnx-assist: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
