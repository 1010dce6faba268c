/**
 * Keystroke replay: a held-out source file typed at human pace (seeded key intervals, pauses after
 * some words and lines, typos fixed with a backspace) through the completion pipeline and the
 * real policy (scope decided before decoding), with the product's debounce. Reports how many
 * keystrokes and how many pauses got a suggestion, keystroke-to-suggestion latency, tokens decoded
 * per keystroke with scope and without (the old stop at '\n\n\n'), and the KV prefix reuse rate;
 * against a transformers.js text-generation call per keystroke on the same model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { CompletionPipeline } from '../../src/core/completion/pipeline';
import type { CompletionLimits } from '../../src/core/completion/policy';
import type { CompletionContext } from '../../src/core/completion/postprocess';
import { SeededRandom } from '../../src/host/generation/sampling';
import type { GenerationOptions } from '../../src/protocol/types';
import { median, percentile } from '../eval/report';
import { sleep, type PeerDtype, type Transformers } from './common';

/** The product's defaults (package.json onnxAssist.inline.*). */
export const DEBOUNCE_MS = 120;
export const LIMITS: CompletionLimits = { maxNewTokens: 48, timeLimitMs: 500 };
/** A pause: the typist stops at least this long, the moment a suggestion is most useful. */
export const PAUSE_MS = 400;

export interface KeyEvent {
  /** When the key is scheduled, in ms from the start of the replay: drawn from the seeded script, never measured. */
  at: number;
  /** A character typed, or undefined for a backspace. */
  ch?: string;
  /** The typist pauses after this key (the next one comes PAUSE_MS or more later). */
  pause: boolean;
}

export interface Script {
  before: string;
  after: string;
  events: KeyEvent[];
}

/**
 * Key events that type `target` with seeded human timing: 60-220 ms between keys, a 400-1500 ms
 * pause after a line (three in five) or a word (one in five), and a wrong letter fixed with a
 * backspace on about 3% of letters. Pure, so a test can check it.
 */
export function keyEvents(target: string, seed: number): KeyEvent[] {
  const rng = new SeededRandom(seed);
  const events: KeyEvent[] = [];
  let at = 0;
  const key = (ch: string | undefined, gap: number) => {
    at += gap;
    events.push({ at, ch, pause: false });
  };
  const gap = () => 60 + Math.floor(rng.next() * 160);
  const pause = () => PAUSE_MS + Math.floor(rng.next() * 1100);
  let next = 0;
  for (let i = 0; i < target.length; i++) {
    const ch = target[i];
    if (/[a-z]/.test(ch) && rng.next() < 0.03) {
      key(String.fromCharCode(97 + Math.floor(rng.next() * 26)), next || gap());
      key(undefined, 120 + Math.floor(rng.next() * 180));
      next = gap();
    }
    key(ch, next || gap());
    const endOfWord = /\w/.test(ch) && !/\w/.test(target[i + 1] ?? '');
    const p = ch === '\n' ? 0.6 : endOfWord ? 0.2 : 0;
    next = rng.next() < p ? pause() : 0;
    if (next) events[events.length - 1].pause = true;
  }
  if (events.length) events[events.length - 1].pause = true; // the typist stops at the end
  return events;
}

/** The document after the first `n` events: the typed text with backspaces applied. */
export function typedAfter(events: KeyEvent[], n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s = events[i].ch === undefined ? s.slice(0, -1) : s + events[i].ch;
  return s;
}

/** A held-out Python file of the model's corpus (or a fallback), long enough to replay in. */
export function heldOutFile(root: string, model: string, minBytes = 4000, skip = 0): string {
  const manifestPath = path.join(model, 'corpus-manifest.json');
  const fallback = ['/usr/lib/python3.11/textwrap.py', '/usr/lib/python3.11/shlex.py', '/usr/lib/python3.11/fractions.py', path.join(root, 'tools/export/quantize.py')];
  let paths = fallback.filter((p) => fs.existsSync(p));
  if (fs.existsSync(manifestPath)) {
    const held = (JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { path: string; split: string; lang: string }[]).filter(
      (m) => m.split === 'test' && m.lang === 'python' && fs.existsSync(m.path) && fs.statSync(m.path).size > minBytes,
    );
    if (held.length) paths = held.map((m) => m.path);
  }
  return fs.readFileSync(paths[skip % paths.length], 'utf8');
}

/** About `chars` characters typed from a third into `text`, ending at a line end, with `beforeChars` before it. */
export function replayScript(text: string, p: { chars: number; beforeChars: number; afterChars: number; seed: number }): Script {
  const start = text.indexOf('\n', Math.floor(text.length / 3)) + 1;
  let end = text.indexOf('\n', start + p.chars);
  if (end < 0) end = text.length;
  return {
    before: text.slice(Math.max(0, start - p.beforeChars), start),
    after: text.slice(end, end + p.afterChars),
    events: keyEvents(text.slice(start, end), p.seed),
  };
}

export function completionContext(prefix: string, suffix: string): CompletionContext {
  const linePrefix = prefix.slice(prefix.lastIndexOf('\n') + 1);
  const lineEnd = suffix.indexOf('\n');
  return {
    linePrefix,
    lineSuffix: lineEnd < 0 ? suffix : suffix.slice(0, lineEnd),
    nextLines: suffix.split('\n').slice(1, 4),
    previousLine: prefix.split('\n').slice(-2, -1)[0] ?? '',
    multiline: 'auto',
    inComment: /^\s*#/.test(linePrefix),
    indentUnit: '    ',
  };
}

export interface ReplayOutcome {
  keystrokes: number;
  pauses: number;
  /** Keystrokes whose suggestion was ready before the next keystroke, and the pauses among them. */
  suggested: number;
  pausesSuggested: number;
  /** Keystroke to suggestion ready, for every suggested keystroke (cache hits included). */
  latencies: number[];
  /** Only those the model served (not the type-through cache). */
  modelLatencies: number[];
  cacheHits: number;
  requests: number;
  /** Requests that finished (not superseded), their decoded tokens and durations. */
  finished: number;
  newTokens: number;
  requestMs: number[];
  promptTokens: number;
  reusedTokens: number;
  /** Tokens generated while the replay ran (so a lag figure is known to cover decoding). */
  wallMs: number;
}

/**
 * Ours: the product's flow per keystroke: the type-through cache first, else after the debounce
 * one request (a newer keystroke aborts the older one inside the worker). `scope: false` replays
 * the old behaviour: no scope, decoding stops only at '\n\n\n'.
 */
export async function replayOurs(client: HostClient, p: { modelPath: string; onnxFile?: string; script: Script; scope: boolean }): Promise<ReplayOutcome> {
  const s = p.script;
  const o: ReplayOutcome = { keystrokes: s.events.length, pauses: s.events.filter((e) => e.pause).length, suggested: 0, pausesSuggested: 0, latencies: [], modelLatencies: [], cacheHits: 0, requests: 0, finished: 0, newTokens: 0, requestMs: [], promptTokens: 0, reusedTokens: 0, wallMs: 0 };
  const pipeline = new CompletionPipeline(async ({ prefix, suffix, options, signal }) => {
    const opts: GenerationOptions = p.scope ? options : { ...options, scope: undefined, blockIndent: undefined, stop: ['\n\n\n'] };
    o.requests++;
    const r = await client.request('generate', { modelPath: p.modelPath, onnxFile: p.onnxFile, prompt: prefix, suffix, options: opts }, { signal });
    o.finished++;
    o.newTokens += r.stats.newTokens;
    o.requestMs.push(r.stats.totalMs);
    o.promptTokens += r.stats.promptTokens;
    o.reusedTokens += r.stats.reusedTokens;
    return r.texts;
  }, () => LIMITS);
  let latest = -1;
  const served = (i: number, ms: number, fromCache: boolean) => {
    o.suggested++;
    if (s.events[i].pause) o.pausesSuggested++;
    o.latencies.push(ms);
    if (!fromCache) o.modelLatencies.push(ms);
  };
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let doc = '';
  for (let i = 0; i < s.events.length; i++) {
    const e = s.events[i];
    const wait = start + e.at - performance.now();
    if (wait > 0) await sleep(wait);
    latest = i;
    doc = e.ch === undefined ? doc.slice(0, -1) : doc + e.ch;
    const t = performance.now();
    const prefix = s.before + doc;
    const q = { key: 'replay', prefix, suffix: s.after, ctx: completionContext(prefix, s.after), manual: false };
    const hit = pipeline.cached(q);
    if (hit) {
      if (hit.texts.length) {
        o.cacheHits++;
        served(i, performance.now() - t, true);
      }
      continue;
    }
    pending.push(
      (async () => {
        await sleep(DEBOUNCE_MS);
        if (latest !== i) return; // a newer keystroke arrived during the debounce
        try {
          const r = await pipeline.generate(q);
          if (latest === i && r.texts.length) served(i, performance.now() - t, false);
        } catch {
          // superseded: the newer keystroke aborted it in the worker
        }
      })(),
    );
  }
  await Promise.all(pending);
  o.wallMs = performance.now() - start;
  pipeline.dispose();
  return o;
}

/**
 * Peer: one transformers.js text-generation call per keystroke (no cancellation, no cache), the
 * first `limit` keystrokes; calls queue behind each other, and latency counts the queueing.
 */
export async function replayPeer(T: Transformers, p: { modelPath: string; dtype: PeerDtype; script: Script; limit: number; maxPromptTokens: number }): Promise<number[]> {
  const gen = await T.pipeline('text-generation', p.modelPath, { dtype: p.dtype });
  // transformers.js does not cut a prompt to the context: a caller must, with its tokenizer.
  const fit = (text: string) => {
    let t = text.slice(-8000);
    while (gen.tokenizer.encode(t).length > p.maxPromptTokens) t = t.slice(100);
    return t;
  };
  const events = p.script.events.slice(0, p.limit);
  const latencies: number[] = [];
  try {
    const start = performance.now();
    let doc = '';
    for (const e of events) {
      const keyTime = start + e.at;
      const now = performance.now();
      if (now < keyTime) await sleep(keyTime - now);
      doc = e.ch === undefined ? doc.slice(0, -1) : doc + e.ch;
      await gen(fit(p.script.before + doc), { max_new_tokens: LIMITS.maxNewTokens, do_sample: false, return_full_text: false });
      latencies.push(performance.now() - keyTime);
    }
  } finally {
    await gen.dispose();
  }
  return latencies;
}

/** The summary figures of a replay outcome (ids `${prefix}replay_...`). */
export function replaySummary(o: ReplayOutcome) {
  return {
    p50: o.latencies.length ? median(o.latencies) : NaN,
    p95: o.latencies.length ? percentile(o.latencies, 95) : NaN,
    modelP50: o.modelLatencies.length ? median(o.modelLatencies) : NaN,
    suggestedFraction: o.suggested / o.keystrokes,
    pauseFraction: o.pauses ? o.pausesSuggested / o.pauses : NaN,
    tokensPerKeystroke: o.newTokens / o.keystrokes,
    tokensPerRequest: o.finished ? o.newTokens / o.finished : NaN,
    requestP50: o.requestMs.length ? median(o.requestMs) : NaN,
    reuseRate: o.promptTokens ? o.reusedTokens / o.promptTokens : NaN,
    promptTokens: o.finished ? o.promptTokens / o.finished : NaN,
  };
}
