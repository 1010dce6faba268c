/**
 * Keystroke replay: a held-out source file typed character by character at human intervals
 * through the completion pipeline, against a transformers.js text-generation call per keystroke
 * on the same model. Latency is from the keystroke to the suggestion being ready.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostClient } from '../../src/client/hostClient';
import { CompletionPipeline } from '../../src/core/completion/pipeline';
import type { CompletionContext } from '../../src/core/completion/postprocess';
import { SeededRandom } from '../../src/host/generation/sampling';
import { median, percentile, type Figure } from '../eval/report';

const DEBOUNCE_MS = 120;
const OPTIONS = { maxNewTokens: 48, timeLimitMs: 500, doSample: false, stop: ['\n\n\n'] };

interface Script {
  before: string;
  typed: string;
  after: string;
  delays: number[];
}

/** A stretch of a held-out file to type, with the text around it and seeded key intervals. */
export function replayScript(root: string, model: string, keystrokes: number): Script {
  const manifestPath = path.join(model, 'corpus-manifest.json');
  let text = fs.readFileSync(path.join(root, 'src/host/generation/sampling.ts'), 'utf8');
  if (fs.existsSync(manifestPath)) {
    const held = (JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { path: string; split: string; lang: string }[]).find(
      (m) => m.split === 'test' && m.lang === 'python' && fs.existsSync(m.path) && fs.statSync(m.path).size > 4000,
    );
    if (held) text = fs.readFileSync(held.path, 'utf8');
  }
  const start = text.indexOf('\n', Math.floor(text.length / 3)) + 1;
  const rng = new SeededRandom(7);
  return {
    before: text.slice(Math.max(0, start - 3000), start),
    typed: text.slice(start, start + keystrokes),
    after: text.slice(start + keystrokes, start + keystrokes + 1000),
    delays: Array.from({ length: keystrokes }, () => 60 + Math.floor(rng.next() * 160)),
  };
}

function context(prefix: string, suffix: string): CompletionContext {
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ours: cache first, debounce, one request in flight; superseded keystrokes get no suggestion. */
async function replayOurs(client: HostClient, modelPath: string, s: Script) {
  // The bench's own OPTIONS, the same for both sides, instead of the product's settings.
  const pipeline = new CompletionPipeline(
    async (prefix, suffix, _options, signal) => (await client.request('generate', { modelPath, prompt: prefix, suffix, options: OPTIONS }, { signal })).texts,
    () => ({ maxNewTokens: OPTIONS.maxNewTokens, timeLimitMs: 60_000 }),
  );
  const latencies: number[] = [];
  let cacheHits = 0;
  let latest = -1;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < s.typed.length; i++) {
    await sleep(s.delays[i]);
    latest = i;
    const t = performance.now();
    const prefix = s.before + s.typed.slice(0, i + 1);
    const suffix = s.typed.slice(i + 1) ? '\n' + s.after : s.after; // the rest of the file after the cursor's line
    const q = { key: 'replay', prefix, suffix, ctx: context(prefix, suffix), manual: false };
    const hit = pipeline.cached(q);
    if (hit) {
      cacheHits++;
      latencies.push(performance.now() - t);
      continue;
    }
    const me = i;
    pending.push(
      (async () => {
        await sleep(DEBOUNCE_MS);
        if (latest !== me) return; // a newer keystroke arrived during the debounce
        try {
          await pipeline.generate(q);
          if (latest === me) latencies.push(performance.now() - t);
        } catch {
          // superseded: the newer keystroke aborted it
        }
      })(),
    );
  }
  await Promise.all(pending);
  pipeline.dispose();
  return { latencies, cacheHits };
}

/** Peer: one transformers.js generation per keystroke; calls cannot be cancelled, so they queue. */
async function replayPeer(modelPath: string, s: Script) {
  const T = await import('@huggingface/transformers');
  T.env.allowRemoteModels = false;
  T.env.localModelPath = '/';
  const gen = await T.pipeline('text-generation', modelPath, { dtype: 'fp32' });
  const ctx = (JSON.parse(fs.readFileSync(path.join(modelPath, 'config.json'), 'utf8')) as { n_positions: number }).n_positions;
  // transformers.js does not cut a prompt to the context: a caller must, with its tokenizer.
  const fit = (text: string) => {
    let t = text.slice(-1500);
    while (gen.tokenizer.encode(t).length > ctx - OPTIONS.maxNewTokens - 1) t = t.slice(100);
    return t;
  };
  const latencies: number[] = [];
  try {
    const start = performance.now();
    let at = 0;
    let free = start;
    for (let i = 0; i < s.typed.length; i++) {
      at += s.delays[i];
      const keyTime = start + at;
      const now = performance.now();
      if (now < keyTime) await sleep(keyTime - now);
      const prefix = s.before + s.typed.slice(0, i + 1);
      await gen(fit(prefix), { max_new_tokens: OPTIONS.maxNewTokens, do_sample: false, return_full_text: false });
      free = performance.now();
      latencies.push(free - keyTime);
    }
  } finally {
    await gen.dispose();
  }
  return { latencies };
}

export async function replayBench(root: string, modelPath: string, workerPath: string, keystrokes: number, label = 'replay'): Promise<Figure[]> {
  const s = replayScript(root, modelPath, keystrokes);
  // Cold first completion: a new host, the model loaded, one completion.
  const cold = new HostClient({ workerPath });
  const t0 = performance.now();
  await cold.request('generate', { modelPath, prompt: s.before, suffix: s.after, options: OPTIONS });
  const coldMs = performance.now() - t0;
  const ours = await replayOurs(cold, modelPath, s);
  await cold.dispose();
  const peer = await replayPeer(modelPath, s);
  const p50 = median(ours.latencies);
  const peerP50 = median(peer.latencies);
  return [
    { name: `${label}: keystroke-to-suggestion p50`, value: p50, unit: 'ms', peer: 'transformers.js per keystroke', peerValue: peerP50, ratio: peerP50 / p50, goal: '>=5x lower', met: peerP50 / p50 >= 5 },
    { name: `${label}: keystroke-to-suggestion p95`, value: percentile(ours.latencies, 95), unit: 'ms', peer: 'transformers.js per keystroke', peerValue: percentile(peer.latencies, 95), ratio: percentile(peer.latencies, 95) / percentile(ours.latencies, 95) },
    { name: `${label}: keystrokes served from the type-through cache`, value: ours.cacheHits / s.typed.length, unit: 'fraction' },
    { name: `${label}: keystrokes that got a suggestion`, value: ours.latencies.length / s.typed.length, unit: 'fraction', peer: 'transformers.js per keystroke', peerValue: 1 },
    { name: `${label}: cold first completion (host start + model load + completion)`, value: coldMs, unit: 'ms', goal: '<=1500 ms', met: coldMs <= 1500 },
  ];
}
