/**
 * The Qwen2.5-Coder-0.5B-shape group. Each side runs in its own process (bench.ts spawns
 * `bench.js --child ours|peer ...`), so the peak RSS reported is that side's alone: ONNX Assist's
 * host (worker thread) or transformers.js, each with both quantized models loaded in turn.
 */
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { HostClient } from '../../src/client/hostClient';
import { requestOptions } from '../../src/core/completion/policy';
import { median, type Figure } from '../eval/report';
import { oursDecode, peakRssMb, peerDecoder, requireSameTokens, sleep, transformers, type DecodeRun, type PeerDtype } from './common';
import { completionContext, DEBOUNCE_MS, heldOutFile, LIMITS, replayOurs, replayPeer, replayScript, replaySummary } from './replay';

/** Prompt tokens of the replay and the prefill figure, as the issue asks. */
const CONTEXT_TOKENS = 1500;
const DECODE_TOKENS = 32;
/** The user's first keystroke this long after switching to a file. */
const SWITCH_GAP_MS = 1000;

export interface VariantResult {
  dtype: PeerDtype;
  promptTokens: number;
  prefillTps: number;
  decodeTps: number;
  specDecodeTps?: number;
  tokens: number[];
}

export interface QwenChildResult {
  side: 'ours' | 'peer';
  variants: VariantResult[];
  peakRssMb: number;
  beforeChars: number;
  lagP99Ms?: number;
  replay?: ReturnType<typeof replaySummary> & { keystrokes: number; pauses: number };
  replayNoScope?: ReturnType<typeof replaySummary>;
  peerReplay?: number[];
  switchColdMs?: number;
  switchWarmMs?: number;
  prefillPreempted?: number;
}

const textOf = (root: string) => heldOutFile(root, '/nonexistent', 20_000, 0);

/** `prompt` cut to about `tokens` tokens, measured with the model's own tokenizer through the host. */
async function calibrate(client: HostClient, modelPath: string, text: string, tokens: number): Promise<number> {
  let chars = 6000;
  for (let i = 0; i < 3; i++) {
    const r = await client.request('generate', { modelPath, prompt: text.slice(0, chars), options: { maxNewTokens: 1 } });
    chars = Math.round((chars * tokens) / r.stats.promptTokens);
  }
  return chars;
}

async function switchLatency(client: HostClient, modelPath: string, text: string, beforeChars: number, warm: boolean): Promise<{ ms: number[]; preempted: number }> {
  const ms: number[] = [];
  let preempted = 0;
  for (let k = 0; k < 2; k++) {
    // The file the user was in fills the cache; then they switch to another one.
    const at = Math.floor(text.length * (0.35 + 0.2 * k + (warm ? 0.1 : 0)));
    await client.request('generate', { modelPath, prompt: text.slice(0, 4000), options: { maxNewTokens: 4, doSample: false } });
    const start = text.indexOf('\n', at) + 1;
    const prefix = text.slice(Math.max(0, start - beforeChars), start);
    const suffix = text.slice(start, start + 600);
    let prefill: Promise<void> | undefined;
    if (warm)
      prefill = client.request('prefill', { modelPath, prompt: prefix, suffix, maxNewTokens: LIMITS.maxNewTokens }).then(
        (r) => void (preempted += r.preempted ? 1 : 0),
        () => undefined,
      );
    await sleep(SWITCH_GAP_MS);
    const t = performance.now();
    const typed = prefix + ' ';
    await sleep(DEBOUNCE_MS);
    const [options] = requestOptions(LIMITS, 1, completionContext(typed, suffix));
    await client.request('generate', { modelPath, prompt: typed, suffix, options });
    ms.push(performance.now() - t);
    await prefill;
  }
  return { ms, preempted };
}

/** One side of the group; `args`: side, q4 folder, int8 folder, quick|full[, beforeChars]. */
export async function qwenChild(root: string, workerPath: string, args: string[]): Promise<QwenChildResult> {
  const [side, q4, int8, mode, given] = args;
  const quick = mode === 'quick';
  const folders: [string, PeerDtype][] = quick ? [[q4, 'q4']] : [[q4, 'q4'], [int8, 'q8']];
  const text = textOf(root);
  const repeats = quick ? 1 : 2;
  const prompts = (beforeChars: number) => Array.from({ length: repeats }, (_, i) => `# ${i}\n${text.slice(0, beforeChars)}`);
  const variants: VariantResult[] = [];
  if (side === 'peer') {
    const beforeChars = Number(given);
    const T = await transformers();
    for (const [dir, dtype] of folders) {
      console.log(`bench: qwen05 ${dtype}: transformers.js prefill of ~${CONTEXT_TOKENS} tokens and ${DECODE_TOKENS}-token decode`);
      const peer = await peerDecoder(T, dir, dtype);
      const runs: DecodeRun[] = [];
      try {
        for (const p of prompts(beforeChars)) runs.push(await peer.run(p, DECODE_TOKENS));
      } finally {
        await peer.dispose();
      }
      variants.push({ dtype, promptTokens: runs[0].promptTokens, prefillTps: median(runs.map((r) => r.prefillTps)), decodeTps: median(runs.map((r) => r.decodeTps)), tokens: runs[0].tokens });
    }
    const script = replayScript(text, { chars: 60, beforeChars, afterChars: 600, seed: 11 });
    console.log('bench: qwen05 q4: transformers.js call per keystroke (first keystrokes only)');
    const peerReplay = await replayPeer(T, { modelPath: q4, dtype: 'q4', script, limit: quick ? 3 : 6, maxPromptTokens: CONTEXT_TOKENS + 200 });
    return { side: 'peer', variants, peakRssMb: peakRssMb(), beforeChars, peerReplay };
  }
  const client = new HostClient({ workerPath });
  try {
    const beforeChars = await calibrate(client, q4, text, CONTEXT_TOKENS);
    const lag = monitorEventLoopDelay({ resolution: 1 });
    for (const [dir, dtype] of folders) {
      console.log(`bench: qwen05 ${dtype} (${path.basename(dir)}): prefill of ~${CONTEXT_TOKENS} tokens, exactly ${DECODE_TOKENS} new tokens, plain and speculative`);
      const plain: DecodeRun[] = [];
      const spec: DecodeRun[] = [];
      for (const p of prompts(beforeChars)) {
        if (dtype === 'q4') lag.enable();
        plain.push(await oursDecode(client, { modelPath: dir, prompt: p, newTokens: DECODE_TOKENS, speculative: 'off' }));
        lag.disable();
        await client.request('generate', { modelPath: dir, prompt: 'x', options: { maxNewTokens: 1 } });
        spec.push(await oursDecode(client, { modelPath: dir, prompt: p, newTokens: DECODE_TOKENS, speculative: 'default' }));
        // Dynamic int8 quantizes activations with a scale taken over each pass, so how a prompt is
        // split into passes (chunks, a reused prefix) changes its logits: there drafting is off by
        // default and the two runs are not required to match. Everywhere else they must.
        if (dtype !== 'q8') requireSameTokens(`qwen05 ${dtype}`, plain[plain.length - 1].tokens, spec[spec.length - 1].tokens);
      }
      variants.push({ dtype, promptTokens: plain[0].promptTokens, prefillTps: median(plain.map((r) => r.prefillTps)), decodeTps: median(plain.map((r) => r.decodeTps)), specDecodeTps: median(spec.map((r) => r.decodeTps)), tokens: plain[0].tokens });
    }
    const script = replayScript(text, { chars: quick ? 40 : 60, beforeChars, afterChars: 600, seed: 11 });
    console.log(`bench: qwen05 q4 keystroke replay (${script.events.length} keystrokes, ~${CONTEXT_TOKENS} tokens of context)${quick ? '' : ', with scope, then without'}`);
    const replayRaw = await replayOurs(client, { modelPath: q4, script, scope: true });
    const replay = { ...replaySummary(replayRaw), keystrokes: replayRaw.keystrokes, pauses: replayRaw.pauses };
    const replayNoScope = quick ? undefined : replaySummary(await replayOurs(client, { modelPath: q4, script, scope: false }));
    console.log(`bench: qwen05 q4 first suggestion after a file switch (keystroke ${SWITCH_GAP_MS} ms after the switch), without and with prefill`);
    const cold = await switchLatency(client, q4, text, beforeChars, false);
    const warm = await switchLatency(client, q4, text, beforeChars, true);
    return { side: 'ours', variants, peakRssMb: peakRssMb(), beforeChars, lagP99Ms: lag.percentile(99) / 1e6, replay, replayNoScope, switchColdMs: median(cold.ms), switchWarmMs: median(warm.ms), prefillPreempted: warm.preempted };
  } finally {
    await client.dispose();
  }
}

/** The group's figures from both sides' results. */
export function qwenFigures(ours: QwenChildResult, peer: QwenChildResult): Figure[] {
  const f: Figure[] = [];
  for (const o of ours.variants) {
    const p = peer.variants.find((v) => v.dtype === o.dtype);
    const tag = o.dtype === 'q4' ? '' : '_int8';
    const label = `qwen05 ${o.dtype === 'q4' ? 'q4' : 'int8'}`;
    if (p && p.tokens.join() !== o.tokens.join()) console.log(`bench: note: ${label} greedy tokens differ from transformers.js (${o.tokens.slice(0, 8).join(',')} vs ${p.tokens.slice(0, 8).join(',')})`);
    f.push(
      { id: `qwen05${tag}_prefill_tps`, name: `${label}: prefill (${o.promptTokens} prompt tokens)`, value: o.prefillTps, unit: 'tokens/s', peer: `transformers.js ${o.dtype}`, peerValue: p?.prefillTps, ratio: p ? o.prefillTps / p.prefillTps : undefined },
      { id: `qwen05${tag}_decode_tps`, name: `${label}: decode, plain (${DECODE_TOKENS} tokens after the prompt)`, value: o.decodeTps, unit: 'tokens/s', peer: `transformers.js ${o.dtype}`, peerValue: p?.decodeTps, ratio: p ? o.decodeTps / p.decodeTps : undefined },
      { id: `qwen05${tag}_spec_decode_tps`, name: `${label}: decode, speculative (random weights: drafts rarely match)`, value: o.specDecodeTps ?? NaN, unit: 'tokens/s', peer: `transformers.js ${o.dtype}`, peerValue: p?.decodeTps, ratio: p && o.specDecodeTps ? o.specDecodeTps / p.decodeTps : undefined },
    );
  }
  const r = ours.replay;
  if (r) {
    const peerP50 = peer.peerReplay?.length ? median(peer.peerReplay) : undefined;
    f.push(
      { id: 'qwen05_replay_p50_ms', name: `qwen05 q4 replay: keystroke-to-suggestion p50 (~${Math.round(r.promptTokens)} prompt tokens)`, value: r.p50, unit: 'ms', peer: `transformers.js per keystroke (first ${peer.peerReplay?.length ?? 0})`, peerValue: peerP50, ratio: peerP50 ? peerP50 / r.p50 : undefined, goal: '<=300 ms', met: r.p50 <= 300 },
      { id: 'qwen05_replay_p95_ms', name: 'qwen05 q4 replay: keystroke-to-suggestion p95', value: r.p95, unit: 'ms' },
      { id: 'qwen05_replay_suggested_fraction', name: `qwen05 q4 replay: keystrokes that got a suggestion (of ${r.keystrokes})`, value: r.suggestedFraction, unit: 'fraction' },
      { id: 'qwen05_replay_pause_suggested_fraction', name: `qwen05 q4 replay: pauses that got a suggestion (of ${r.pauses})`, value: r.pauseFraction, unit: 'fraction', goal: '>=0.5', met: r.pauseFraction >= 0.5 },
      { id: 'qwen05_replay_tokens_per_keystroke', name: 'qwen05 q4 replay: tokens decoded per keystroke, scope before decoding', value: r.tokensPerKeystroke, unit: 'tokens', peer: ours.replayNoScope ? 'without scope' : undefined, peerValue: ours.replayNoScope?.tokensPerKeystroke, ratio: ours.replayNoScope ? ours.replayNoScope.tokensPerKeystroke / r.tokensPerKeystroke : undefined },
      { id: 'qwen05_replay_kv_reuse_rate', name: 'qwen05 q4 replay: prompt tokens reused from the KV cache', value: r.reuseRate, unit: 'fraction' },
    );
  }
  if (ours.switchColdMs !== undefined)
    f.push({ id: 'qwen05_switch_first_ms', name: `qwen05 q4: first suggestion after a file switch, prefill on switch (${ours.prefillPreempted ?? 0} of 2 prefills pre-empted)`, value: ours.switchWarmMs ?? NaN, unit: 'ms', peer: 'no prefill', peerValue: ours.switchColdMs, ratio: ours.switchColdMs / (ours.switchWarmMs ?? NaN) });
  if (ours.lagP99Ms !== undefined) f.push({ id: 'qwen05_event_loop_lag_p99_ms', name: 'qwen05 q4: editor event-loop lag p99 while the worker decodes', value: ours.lagP99Ms, unit: 'ms', goal: '<=5 ms', met: ours.lagP99Ms <= 5 });
  f.push({ id: 'qwen05_peak_rss_mb', name: `qwen05: peak RSS of the process (${ours.variants.map((v) => v.dtype).join(' and ')} loaded in turn)`, value: ours.peakRssMb, unit: 'MB', peer: 'transformers.js, same models', peerValue: peer.peakRssMb, ratio: peer.peakRssMb / ours.peakRssMb });
  return f;
}
