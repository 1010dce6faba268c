/**
 * llama.cpp's server (`llama-server`): `POST /infill` for fill-in-the-middle (`input_prefix`,
 * `input_suffix`, `input_extra` with the project-context chunks, which the server puts before the
 * FIM prompt with the model's repository tokens when it has them), `cache_prompt` so the server
 * reuses the shared prefix of successive keystrokes, `t_max_predict_ms` for the time limit;
 * streamed as SSE `{content, stop}` objects, the last with the counts. A plain continuation (or a
 * FIM template written on our side) and chat go to its OpenAI-compatible /v1 routes, which take
 * its own fields too: `onnx-assist serve` has those routes and /infill, not the native /completion.
 */
import type { StopReason } from '../../protocol/types';
import { fanOut, field, isNumber, isString, optional, scopeOf, streamCall } from './call';
import type { Piece } from './collect';
import type { ChatRequest, CompleteRequest, RemoteConfig, RemoteEngine, RemoteResult } from './engine';
import { fimPrompt } from './fim';
import { chatCompletions, completions } from './openai';
import { defined, sampling } from './options';

const EXPECTED = 'JSON with "content" (a string) and "stop"';

/** Why llama.cpp stopped: `stop_type` (eos, word, limit) in current servers, `stopped_*` flags in older ones. */
function stopReason(o: Record<string, unknown>): StopReason | undefined {
  const t = o.stop_type;
  if (t === 'eos' || o.stopped_eos === true) return 'eos';
  if (t === 'word' || o.stopped_word === true) return 'stop';
  if (t === 'limit' || o.stopped_limit === true) return 'length';
  return o.stop === true ? 'eos' : undefined;
}

export class LlamaCppEngine implements RemoteEngine {
  constructor(readonly config: RemoteConfig) {}

  private read(o: unknown): Piece[] {
    const text = field(scopeOf(this.config), o, 'content', isString, EXPECTED);
    const r = o as Record<string, unknown>;
    return [{ index: 0, text, finish: r.stop === true ? stopReason(r) : undefined, promptTokens: optional(r.tokens_evaluated, isNumber), completionTokens: optional(r.tokens_predicted, isNumber) }];
  }

  complete(r: CompleteRequest): Promise<RemoteResult> {
    const c = this.config;
    const fim = r.suffix !== undefined && c.fimTemplate !== 'server' ? fimPrompt(c.fimTemplate, { prefix: r.prefix, suffix: r.suffix, context: r.context, filePath: r.filePath }) : undefined;
    const s = sampling(r.options, fim?.stops);
    const own = defined({ top_k: s.topK, repeat_penalty: s.repetitionPenalty, cache_prompt: true });
    if (r.suffix === undefined || fim) {
      return completions(c, { prompt: fim ? fim.prompt : r.prefix, s, extra: own, signal: r.signal, timeLimitMs: r.options.timeLimitMs, onToken: r.onToken });
    }
    const body = {
      ...defined({ model: c.model || undefined, n_predict: s.maxTokens, temperature: s.temperature, top_p: s.topP, seed: s.seed, stop: s.stops.length ? s.stops : undefined, t_max_predict_ms: r.options.timeLimitMs }),
      ...own,
      stream: true,
      input_prefix: r.prefix,
      input_suffix: r.suffix,
      input_extra: (r.context ?? []).map((x) => ({ filename: x.path, text: x.text })),
    };
    // One sequence per /infill request: alternatives are that many requests (seeds apart when one is given).
    return fanOut(s.n, (i) =>
      streamCall(c, {
        route: '/infill',
        body: i > 0 && s.seed !== undefined ? { ...body, seed: s.seed + i } : body,
        signal: r.signal,
        format: 'sse',
        expected: EXPECTED,
        read: (o) => this.read(o),
        collect: { n: 1, stops: s.stops, timeLimitMs: r.options.timeLimitMs, onToken: r.onToken, indexOffset: i },
      }),
    );
  }

  chat(r: ChatRequest): Promise<RemoteResult> {
    return chatCompletions(this.config, r);
  }
}
