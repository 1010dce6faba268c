/** Pieces every benchmark group shares: fixed-count decoding on both sides and its checks, the peer, peak RSS. */
import * as fs from 'node:fs';
import type { HostClient } from '../../src/client/hostClient';
import type { GenerationOptions } from '../../src/protocol/types';
import type { Figure } from '../eval/report';

export type Transformers = typeof import('@huggingface/transformers');

export async function transformers(): Promise<Transformers> {
  const T = await import('@huggingface/transformers');
  T.env.allowRemoteModels = false;
  T.env.localModelPath = '/';
  return T;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A decode figure is only meaningful at the count asked for: fail loudly when a side stopped early. */
export function requireTokens(side: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${side} decoded ${got} new tokens where ${want} were requested (minNewTokens / min_new_tokens not honoured?); the figure would be meaningless`);
}

/** Speculative decoding must be lossless: its greedy tokens are exactly the plain ones. */
export function requireSameTokens(what: string, plain: number[], spec: number[]): void {
  const at = plain.findIndex((t, i) => spec[i] !== t);
  if (at >= 0 || plain.length !== spec.length) {
    const i = at >= 0 ? at : Math.min(plain.length, spec.length);
    throw new Error(`${what}: speculative decoding is not lossless: first difference at new token ${i} (plain ${plain[i]}, speculative ${spec[i]}; ${plain.length} vs ${spec.length} tokens)`);
  }
}

/** Every figure of the JSON line has a stable snake_case id, and no id twice. */
export function requireIds(figures: Figure[]): void {
  const seen = new Set<string>();
  for (const f of figures) {
    if (!f.id || !/^[a-z][a-z0-9_]*$/.test(f.id)) throw new Error(`figure "${f.name}" has no snake_case id (got ${String(f.id)})`);
    if (seen.has(f.id)) throw new Error(`figure id ${f.id} appears twice`);
    seen.add(f.id);
  }
}

/** Peak resident memory of this process in MB (the worker thread's included): VmHWM, else maxRSS. */
export function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

export interface DecodeRun {
  tokens: number[];
  promptTokens: number;
  reusedTokens: number;
  ttftMs: number;
  /** New tokens after the first, per second of decoding (the same formula on both sides). */
  decodeTps: number;
  /** Prompt tokens computed (not reused) per second until the first token. */
  prefillTps: number;
  draftTokens: number;
  acceptedDraftTokens: number;
  decodeSteps: number;
}

/**
 * One greedy generation of exactly `newTokens` tokens on our host. `default`: the product's
 * default, which drafts wherever verification is exact (not on dynamic-int8 graphs).
 */
export async function oursDecode(client: HostClient, p: { modelPath: string; prompt: string; newTokens: number; speculative: 'off' | 'default'; onnxFile?: string }): Promise<DecodeRun> {
  const options: GenerationOptions = { doSample: false, maxNewTokens: p.newTokens, minNewTokens: p.newTokens, speculative: p.speculative === 'off' ? 'off' : undefined };
  const r = await client.request('generate', { modelPath: p.modelPath, onnxFile: p.onnxFile, prompt: p.prompt, options });
  const s = r.stats;
  requireTokens(`ONNX Assist (speculative ${p.speculative})`, s.newTokens, p.newTokens);
  const decodeMs = s.totalMs - s.timeToFirstTokenMs;
  return {
    tokens: r.tokenIds[0],
    promptTokens: s.promptTokens,
    reusedTokens: s.reusedTokens,
    ttftMs: s.timeToFirstTokenMs,
    decodeTps: ((s.newTokens - 1) * 1000) / decodeMs,
    prefillTps: ((s.promptTokens - s.reusedTokens) * 1000) / s.timeToFirstTokenMs,
    draftTokens: s.draftTokens ?? 0,
    acceptedDraftTokens: s.acceptedDraftTokens ?? 0,
    decodeSteps: s.decodeSteps ?? s.newTokens,
  };
}

export type PeerDtype = 'fp32' | 'q8' | 'q4';

/** transformers.js's AutoModelForCausalLM.generate on the same folder, greedy, exactly `newTokens` new tokens. */
export async function peerDecoder(T: Transformers, modelPath: string, dtype: PeerDtype) {
  const tokenizer = await T.AutoTokenizer.from_pretrained(modelPath);
  const model = await T.AutoModelForCausalLM.from_pretrained(modelPath, { dtype });
  return {
    async run(prompt: string, newTokens: number): Promise<DecodeRun> {
      const t0 = performance.now();
      let puts = 0;
      let first = 0;
      const streamer = {
        put: () => {
          if (++puts === 2) first = performance.now(); // the first put is the prompt
        },
        end: () => undefined,
      };
      const inputs = tokenizer(prompt);
      const out = (await model.generate({ ...inputs, max_new_tokens: newTokens, min_new_tokens: newTokens, do_sample: false, streamer } as never)) as { dims: number[]; tolist(): bigint[][] };
      const end = performance.now();
      const promptTokens = inputs.input_ids.dims[1];
      const tokens = out.tolist()[0].slice(promptTokens).map(Number);
      requireTokens(`transformers.js (${dtype})`, tokens.length, newTokens);
      return { tokens, promptTokens, reusedTokens: 0, ttftMs: first - t0, decodeTps: ((tokens.length - 1) * 1000) / (end - first), prefillTps: (promptTokens * 1000) / (first - t0), draftTokens: 0, acceptedDraftTokens: 0, decodeSteps: tokens.length };
    },
    dispose: () => model.dispose(),
  };
}
