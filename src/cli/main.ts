/**
 * `onnx-assist`: the same inference host as the extension, from a terminal.
 *
 *   onnx-assist generate --model DIR (--prompt TEXT | --prompt-file PATH) [controls] [--ep EP] [--json]
 *   onnx-assist classify --model DIR|FILE.json (--text T | --text-file PATH | --file F) [--labels a,b] [--json]
 *   onnx-assist teach    --encoder DIR --data F --name NAME  (few-shot classifier)
 *   onnx-assist embed    --model DIR (--text T | --text-file PATH) [--normalize] [--json]
 *   onnx-assist status   [--model DIR] [--json]
 *   onnx-assist eval     --model M --data F [--labels a,b] [--markdown F]  (any classifier on labelled data)
 *   onnx-assist demo     (what `npm run demo` runs: the embedded default models)
 *
 * Exit status: 0 done, 1 failed, 2 usage error (the command line is wrong), 130 interrupted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultWorkerPath, HostClient } from '../client/hostClient';
import { HostError } from '../protocol/errors';
import type { LoadParams } from '../protocol/types';
import type { NumberRange } from '../protocol/validate';
import { classifyFile, CancelledError } from '../core/classification/batch';
import { bindClassifier } from '../core/classification/classifier';
import { evaluateFile } from '../core/classification/evaluate';
import { reportJson, reportMarkdown } from '../core/classification/reportFormat';
import { columnsOf, DataFileError, field, guessColumns, readRecords, type SkippedRecord } from '../core/classification/records';
import { writeUserFile } from '../core/classification/userFiles';
import { defaultCacheDir } from '../core/hub/cacheDir';
import { deleteCached, listCached, pullModel } from '../core/hub/download';
import { HubError, parseDtype, parseRepoRef } from '../core/hub/names';
import { classifierSpec, CliFailure, generationOptions, loadFlags, numberFlag, parseCommandLine, USAGE, UsageError, type Values } from './args';
import type { CliIO } from './context';
import { promptOf, textsOf } from './input';

export { CliFailure, UsageError } from './args';
export type { CliIO } from './context';

/** classify --top-k: how many labels to print per text (0: all). */
const CLASSIFY_TOP_K: NumberRange = { min: 0, max: 100_000, integer: true, label: 'Top-k', flag: 'top-k' };
const stdio: CliIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** Repository root (where models/ lives), from dist/ or out/src/. */
function repoRoot(): string {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'models'))) return d;
  }
  return process.cwd();
}

/**
 * What the demo asks code-lm: the rest of a line, mid-statement. A 3.4M-parameter model has
 * something to say there (its held-out figure is rest-of-line completion); after a docstring it
 * often ends at once, which made an empty demo.
 */
const DEMO_PROMPTS: { language: string; prompt: string }[] = [
  { language: 'Python', prompt: 'with open(path) as f:\n    data = f.' },
  { language: 'Python', prompt: 'import os\nimport sys\n\n\ndef main():\n    path = os.path.' },
  { language: 'TypeScript', prompt: "import * as fs from 'node:fs';\n\nconst text = fs.readFileSync(" },
];

export interface DemoResult {
  /** New tokens per demo prompt. */
  tokens: number[];
}

/** The embedded default models from a terminal. Fails (exit 1) if the code model writes nothing. */
export async function demo(client: HostClient, io: CliIO, signal?: AbortSignal): Promise<DemoResult> {
  const models = path.join(repoRoot(), 'models');
  let lm = path.join(models, 'code-lm');
  if (!fs.existsSync(path.join(lm, 'config.json'))) {
    lm = path.join(repoRoot(), 'test', 'fixtures', 'models', 'tiny-gpt2');
    io.out(`(models/code-lm is missing, so this runs on a random-weight test model: expect gibberish. Rebuild it with tools/train/train_lm.py.)\n`);
  }
  const shown = path.relative(process.cwd(), lm) || lm;
  io.out(`ONNX Assist demo: ${shown} completes the line you are typing (greedy, streamed).\n`);
  io.out(`It is a 3.4M-parameter model for short local completions, not whole functions; for more: onnx-assist pull onnx-community/Qwen2.5-Coder-0.5B-Instruct --dtype q8\n`);
  const tokens: number[] = [];
  for (const { language, prompt } of DEMO_PROMPTS) {
    io.out(`\n--- ${language}\n${prompt}`);
    const r = await client.request('generate', { modelPath: lm, prompt, options: { maxNewTokens: 24, doSample: false, stop: ['\n'] } }, { signal, onEvent: (e) => io.out(e.text) });
    const s = r.stats;
    tokens.push(s.newTokens);
    io.out(s.newTokens ? '\n' : '   <- nothing: the model ended at once\n');
    io.out(`[${s.newTokens} tokens, first token ${s.timeToFirstTokenMs.toFixed(0)} ms, ${s.tokensPerSecond.toFixed(0)} tokens/s on ${s.ep}]\n`);
  }
  for (const name of ['spam-classifier', 'code-language']) {
    const dir = path.join(models, name);
    if (!fs.existsSync(path.join(dir, 'config.json'))) continue;
    const text = name === 'spam-classifier' ? 'Congratulations! You have been selected to receive a FREE cruise. Click here now!' : 'const add = (a: number, b: number): number => a + b;';
    const c = await client.request('classify', { modelPath: dir, texts: [text], topK: 3 }, { signal });
    io.out(`\n${name}: ${JSON.stringify(text)}\n  ${c.results[0].map((l) => `${l.label} ${(l.score * 100).toFixed(1)}%`).join('  ')}\n`);
  }
  const empty = tokens.filter((n) => n === 0).length;
  if (empty) throw new CliFailure(`demo: ${shown} generated nothing for ${empty} of ${tokens.length} prompts; the model folder may be damaged (npm run eval -- --only code-lm checks it)`);
  return { tokens };
}

/** Skipped records, line by line (at most `limit`), as `classify --file`, `teach` and `eval` list them. */
function listSkipped(io: CliIO, skipped: SkippedRecord[], limit = 20): void {
  if (!skipped.length) return;
  io.out(`${skipped.length} record${skipped.length === 1 ? '' : 's'} skipped:\n`);
  for (const s of skipped.slice(0, limit)) io.out(`  line ${s.line}: ${s.reason}\n`);
  if (skipped.length > limit) io.out(`  ... and ${skipped.length - limit} more\n`);
}

/** The text column: the flag, else a guess from the header, checked against the file. */
async function textColumn(file: string, v: Values): Promise<{ text: string; label?: string; columns: string[] }> {
  if (!fs.existsSync(file)) throw new UsageError(`${file} does not exist`);
  if (fs.statSync(file).isDirectory()) throw new UsageError(`${file} is a folder; give a CSV, TSV, JSONL or text file`);
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
    fields: { label: v['label-field'], score: v['score-field'] },
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
    listSkipped(io, r.skipped);
  }
}

/** The protocol's limits on a few-shot classifier's name and examples. */
const CLASSIFIER_NAME = /^[\w.-]{1,64}$/;
const MAX_EXAMPLES = 50_000;

async function teach(client: HostClient, v: Values, io: CliIO, json: boolean, signal: AbortSignal): Promise<void> {
  const encoder = loadFlags(v, 'encoder');
  if (!v.data) throw new UsageError('--data F is required (CSV, TSV or JSONL with text and label columns)');
  if (!v.name) throw new UsageError('--name NAME is required');
  if (!CLASSIFIER_NAME.test(v.name) || v.name.startsWith('.')) {
    throw new UsageError(`--name may hold letters, digits, "_", "-" and "." (at most 64, not starting with "."; got ${JSON.stringify(v.name)})`);
  }
  const cols = await textColumn(v.data, v);
  if (!cols.label || !cols.columns.includes(cols.label)) throw new DataFileError(`${path.basename(v.data)} has no label column "${cols.label ?? ''}". Columns: ${cols.columns.join(', ')}. Choose one with --label-column.`);
  const examples: { text: string; label: string }[] = [];
  const skipped: SkippedRecord[] = [];
  for await (const r of readRecords(v.data, { onSkip: (s) => skipped.push(s) })) {
    const text = field(r, cols.text);
    const label = field(r, cols.label)?.trim();
    if (!text?.trim()) skipped.push({ line: r.line, reason: `no "${cols.text}" text` });
    else if (!label) skipped.push({ line: r.line, reason: `no "${cols.label}" label` });
    else examples.push({ text, label });
  }
  skipped.sort((a, b) => a.line - b.line);
  if (examples.length > MAX_EXAMPLES) throw new DataFileError(`${path.basename(v.data)} has ${examples.length} examples; teach takes at most ${MAX_EXAMPLES} (use a sample)`);
  if (examples.length === 0) {
    const first = skipped[0];
    throw new DataFileError(`${path.basename(v.data)} has no usable examples${first ? ` (line ${first.line}: ${first.reason}${skipped.length > 1 ? `; ${skipped.length - 1} more skipped` : ''})` : ''}`);
  }
  const r = await client.request('trainClassifier', { ...encoder, name: v.name, examples }, { signal });
  const out = v.out ?? path.join(process.cwd(), '.vscode', 'onnx-assist', 'classifiers', `${v.name}.json`);
  writeUserFile(out, `${JSON.stringify(r.classifier, null, 1)}\n`, `teaching "${v.name}"`);
  const cv = r.classifier.crossValidation;
  if (json) io.out(`${JSON.stringify({ path: out, ...r, skipped })}\n`);
  else {
    io.out(`taught "${v.name}" from ${examples.length} examples (${Object.entries(r.classifier.examples).map(([l, n]) => `${l} ${n}`).join(', ')})\n`);
    listSkipped(io, skipped);
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
  if (v.markdown) writeUserFile(v.markdown, reportMarkdown(report), `evaluating ${path.basename(v.data)}`);
  if (json) io.out(reportJson(report));
  else io.out(reportMarkdown(report));
}

function formatBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(0)} KB`;
}

/** A repository id or dtype the user typed: a malformed one is a usage error, not a failed download. */
function hubName<T>(flag: string, parseName: () => T): T {
  try {
    return parseName();
  } catch (e) {
    if (e instanceof HubError && e.code === 'BAD_NAME') throw new UsageError(`${flag}: ${e.message}`);
    throw e;
  }
}

async function hubCommand(command: 'pull' | 'models', ref: string | undefined, v: Values, io: CliIO, json: boolean, signal: AbortSignal): Promise<number> {
  const cacheDir = v.cache ?? defaultCacheDir();
  if (command === 'models') {
    if (v.delete !== undefined) {
      const { repo } = hubName('--delete', () => parseRepoRef(v.delete ?? ''));
      if (!deleteCached(cacheDir, repo)) throw new CliFailure(`${repo} is not in ${cacheDir}; nothing deleted (see onnx-assist models)`);
      io.out(`deleted ${repo} from ${cacheDir}\n`);
      return 0;
    }
    const list = listCached(cacheDir);
    if (json) io.out(`${JSON.stringify({ cacheDir, models: list })}\n`);
    else if (list.length === 0) io.out(`no models in ${cacheDir}; get one with: onnx-assist pull Xenova/distilgpt2\n`);
    else for (const m of list) io.out(`${m.repo}@${m.revision} ${m.dtype}  ${formatBytes(m.bytes)}  ${m.commit.slice(0, 10)}  ${m.dir}\n`);
    return 0;
  }
  if (!ref) throw new UsageError('pull needs REPO[@REVISION], e.g. Xenova/distilgpt2');
  const { repo, revision } = hubName('pull', () => parseRepoRef(ref));
  const dtype = hubName('--dtype', () => parseDtype(v.dtype ?? 'fp32'));
  let lastLine = 0;
  const m = await pullModel({
    repo,
    revision,
    dtype,
    endpoint: v.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co',
    cacheDir,
    token: process.env.HF_TOKEN || undefined,
    signal,
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
}

/**
 * Ctrl+C. The first asks the command to stop after the current step and says so at once: the
 * host is a worker thread, and a worker cannot be ended while onnxruntime is inside
 * session.run (the process aborts with SIGABRT). The second quits at once by re-raising SIGINT
 * with no handler: process.exit() would first wait for the worker's step and then abort the same
 * way (measured: status 134 after the step), while death by SIGINT is immediate, runs no exit
 * handlers and gives the conventional status 130 in the shell.
 */
function onInterrupt(io: CliIO, ac: AbortController): () => void {
  const handler = () => {
    if (!ac.signal.aborted) {
      io.err('\nonnx-assist: stopping after the current step; press Ctrl+C again to quit now\n');
      ac.abort();
      return;
    }
    process.removeListener('SIGINT', handler);
    process.kill(process.pid, 'SIGINT');
  };
  process.on('SIGINT', handler);
  return () => process.removeListener('SIGINT', handler);
}

/**
 * When the user asked for a provider and the model runs on another, one line saying why (the
 * engine records the reason when it falls back).
 */
async function noteFallback(client: HostClient, load: LoadParams, io: CliIO): Promise<void> {
  if (!load.ep || load.ep === 'auto' || load.ep === 'cpu') return;
  const s = await client.request('status', {});
  const m = s.models.find((x) => path.resolve(x.modelPath) === path.resolve(load.modelPath));
  if (!m || m.ep === load.ep) return;
  const reason = m.fallbacks.find((f) => f.startsWith(`${load.ep}:`)) ?? `${load.ep}: not available`;
  io.err(`onnx-assist: ${reason}; running on ${m.ep}\n`);
}

function describe(e: unknown): { message: string; code: number } {
  if (e instanceof UsageError) return { message: e.message, code: 2 };
  if (e instanceof HostError) return { message: `${e.code}: ${e.message}`, code: 1 };
  if (e instanceof DataFileError || e instanceof CancelledError || e instanceof HubError || e instanceof CliFailure) return { message: e.message, code: 1 };
  // A system error (a file that cannot be written, ...) is one line; anything else is a bug, with its stack.
  const errno = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) return { message: (e as Error).message, code: 1 };
  return { message: String((e as Error | undefined)?.stack ?? e), code: 1 };
}

export async function main(argv: string[], io: CliIO = stdio): Promise<number> {
  let client: HostClient | undefined;
  let json = false;
  const ac = new AbortController();
  const stopListening = onInterrupt(io, ac);
  const signal = ac.signal;
  try {
    const { values: v, positionals } = parseCommandLine(argv);
    json = !!v.json;
    const [command, ...rest] = positionals;
    if (v.help || !command) {
      if (v.help) io.out(`${USAGE}\n`);
      else io.err(`${USAGE}\n`);
      return v.help ? 0 : 2;
    }
    const rest0 = command === 'pull' ? rest.shift() : undefined;
    if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
    if (command === 'pull' || command === 'models') {
      // Downloads and the cache need no inference host.
      return await hubCommand(command, rest0, v, io, json, signal);
    }
    client = new HostClient({ workerPath: defaultWorkerPath(__dirname) });
    switch (command) {
      case 'generate': {
        const load = loadFlags(v);
        const options = generationOptions(v);
        const prompt = await promptOf({ v, io, signal });
        const streaming = !json && (options.numReturnSequences ?? 1) === 1;
        let tail = '';
        const r = await client.request('generate', { ...load, prompt, options }, {
          signal,
          onEvent: (e) => {
            if (streaming && e.text) {
              io.out(e.text);
              tail = e.text;
            }
          },
        });
        if (json) io.out(`${JSON.stringify(r)}\n`);
        else {
          // The text ends with a newline on stdout, before the stats line on stderr.
          if (streaming) io.out(tail.endsWith('\n') ? '' : '\n');
          else r.texts.forEach((t, i) => io.out(`${r.texts.length > 1 ? `--- ${i + 1} ---\n` : ''}${t}${t.endsWith('\n') ? '' : '\n'}`));
          await noteFallback(client, load, io);
          const s = r.stats;
          const ended = s.newTokens === 0 && r.stopReasons[0] === 'eos' ? ' (the model ended at once: its first token was end-of-text)' : '';
          io.err(`[${s.promptTokens} prompt tokens${s.truncatedTokens ? ` (${s.truncatedTokens} truncated)` : ''}, ${s.newTokens} new${ended}, first token ${s.timeToFirstTokenMs.toFixed(0)} ms, ${s.tokensPerSecond.toFixed(1)} tokens/s, ${s.ep}, seed ${s.seed}]\n`);
        }
        return 0;
      }
      case 'classify': {
        const spec = classifierSpec(v);
        const topK = numberFlag(v, CLASSIFY_TOP_K);
        const bound = bindClassifier(client, spec, signal);
        if (v.file !== undefined) {
          if (v.text !== undefined || v['text-file'] !== undefined) throw new UsageError('give --text, --text-file or --file, not several');
          await classifyDataFile(bound, v, io, json, signal);
          return 0;
        }
        if (v.text === undefined && v['text-file'] === undefined) throw new UsageError('give --text T, --text-file PATH or --file F (a text, CSV, TSV or JSONL file)');
        const texts = await textsOf({ v, io, signal }, 'classify');
        const results = (await bound.classify(texts)).map((r) => (topK ? r.slice(0, topK) : r));
        if (json) io.out(`${JSON.stringify({ method: bound.method(), results })}\n`);
        else results.forEach((labels, i) => io.out(`${texts[i].replace(/\s+/g, ' ').slice(0, 60)}\t${labels.map((l) => `${l.label}=${l.score.toFixed(4)}`).join(' ')}\n`));
        if (!spec.modelPath.toLowerCase().endsWith('.json')) await noteFallback(client, spec, io);
        return 0;
      }
      case 'teach':
        await teach(client, v, io, json, signal);
        return 0;
      case 'embed': {
        const load = loadFlags(v);
        if (v.text === undefined && v['text-file'] === undefined) throw new UsageError('give --text T or --text-file PATH');
        const texts = await textsOf({ v, io, signal }, 'embed');
        const r = await client.request('embed', { ...load, texts, normalize: !!v.normalize }, { signal });
        io.out(json ? `${JSON.stringify(r)}\n` : r.vectors.map((x) => x.map((n) => n.toFixed(5)).join(' ')).join('\n') + '\n');
        await noteFallback(client, load, io);
        return 0;
      }
      case 'status': {
        if (v.model !== undefined) await client.request('load', loadFlags(v));
        const s = await client.request('status', {});
        if (json) io.out(`${JSON.stringify(s)}\n`);
        else {
          io.out(`onnxruntime ${s.ortVersion} on ${s.platform}; default threads ${s.threads}; rss ${s.memory.rssMB} MB\n`);
          // The engine says why a provider that ships with onnxruntime cannot run (WebGPU without a driver).
          const why = (b: (typeof s.backends)[number]) => (b.installed ? '' : 'reason' in b ? ' (unavailable here)' : ' (not installed)');
          io.out(`providers: ${s.backends.map((b) => `${b.name}${why(b)}`).join(', ')}\n`);
          for (const m of s.models) {
            io.out(`${m.modelPath}: ${m.task} (${m.modelType}, ${m.onnxFile}) on ${m.ep}, ${m.threads} threads, loaded in ${m.loadMs.toFixed(0)} ms\n`);
            for (const f of m.fallbacks) io.out(`  fallback: ${f}\n`);
          }
        }
        return 0;
      }
      case 'demo':
        await demo(client, io, signal);
        return 0;
      case 'eval':
        if (v.data !== undefined || v.model !== undefined) await evaluateData(client, v, io, json, signal);
        else throw new UsageError('eval needs --model M and --data F (a labelled file); the shipped models are evaluated by `npm run eval` in a clone of the repository');
        return 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}; commands: generate, classify, teach, embed, status, eval, pull, models, demo`);
    }
  } catch (e) {
    if (signal.aborted) {
      // Ctrl+C: whatever the interrupted step threw, the user stopped it.
      if (json) io.out(`${JSON.stringify({ error: { code: 'CANCELLED', message: 'Stopped by Ctrl+C.' } })}\n`);
      io.err('onnx-assist: stopped (Ctrl+C)\n');
      return 130;
    }
    const { message, code } = describe(e);
    if (json && code !== 2) io.out(`${JSON.stringify({ error: e instanceof HostError ? e.toWire() : { code: 'INTERNAL', message: String(e) } })}\n`);
    io.err(`onnx-assist: ${message}\n`);
    return code;
  } finally {
    // Wait for the host's current step however long it takes: ending a worker inside a run aborts
    // the process, and a second Ctrl+C still quits at once.
    await client?.dispose(Infinity);
    stopListening();
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
