/**
 * Any OpenAI-compatible server (vLLM, TGI, LM Studio, llama.cpp's /v1, a hosted API, our own
 * `onnx-assist serve`): `POST /v1/completions` with `suffix` for fill-in-the-middle, or, with a FIM
 * template set, the model's FIM tokens written into `prompt` (vLLM ignores `suffix`); chat on
 * `POST /v1/chat/completions`. Streamed as SSE, ending with `[DONE]`; usage from the last chunk
 * (`stream_options.include_usage`).
 */
import type { StopReason } from '../../protocol/types';
import { field, isArray, isNumber, isString, optional, scopeOf, streamCall } from './call';
import type { Piece } from './collect';
import type { ChatRequest, CompleteRequest, RemoteConfig, RemoteEngine, RemoteResult } from './engine';
import { malformed, type ErrorScope } from './errors';
import { fimPrompt } from './fim';
import { defined, sampling, type Sampling } from './options';

/** OpenAI's API takes at most four stop sequences. */
const MAX_STOPS = 4;

/** The route under the endpoint, which may already end in /v1 (the usual "base URL"). */
export function openaiRoute(endpoint: string, route: '/completions' | '/chat/completions' | '/embeddings'): string {
  return /\/v1\/?$/.test(endpoint) ? route : `/v1${route}`;
}

function finishReason(v: unknown): StopReason | undefined {
  if (v === 'length') return 'length';
  if (v === 'stop' || v === 'eos' || v === 'content_filter' || v === 'tool_calls') return 'stop';
  return undefined;
}

function params(c: RemoteConfig, s: Sampling) {
  return defined({
    model: c.model || undefined,
    max_tokens: s.maxTokens,
    temperature: s.temperature,
    top_p: s.topP,
    n: s.n > 1 ? s.n : undefined,
    stop: s.stops.length ? s.stops : undefined,
    seed: s.seed,
    stream: true,
    stream_options: { include_usage: true },
  });
}

/** A completion or chat chunk, or a whole reply: choices[] (text via `text`), finish_reason, usage. */
function readChoices(scope: ErrorScope, o: unknown, text: (choice: unknown) => unknown, expected: string): Piece[] {
  const choices = field(scope, o, 'choices', isArray, 'JSON with a "choices" array');
  const pieces: Piece[] = choices.map((ch, j) => {
    const t = text(ch);
    if (t !== undefined && t !== null && !isString(t)) throw malformed(scope, expected, JSON.stringify(ch));
    return { index: optional((ch as { index?: unknown })?.index, isNumber) ?? j, text: t ?? undefined, finish: finishReason((ch as { finish_reason?: unknown })?.finish_reason) };
  });
  const usage = (o as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null }).usage;
  if (usage) pieces.push({ index: -1, promptTokens: optional(usage.prompt_tokens, isNumber), completionTokens: optional(usage.completion_tokens, isNumber) });
  return pieces;
}

/**
 * One `/v1/completions` request: `prompt` (with `suffix` when given); `extra` adds an engine's own
 * fields (llama.cpp's top_k, repeat_penalty, cache_prompt on its OpenAI route).
 */
export function completions(c: RemoteConfig, r: { prompt: string; suffix?: string; s: Sampling; extra?: Record<string, unknown>; signal?: AbortSignal; timeLimitMs?: number; onToken?: CompleteRequest['onToken'] }): Promise<RemoteResult> {
  const expected = 'JSON with choices[].text';
  return streamCall(c, {
    route: openaiRoute(c.endpoint, '/completions'),
    body: { ...params(c, r.s), ...r.extra, prompt: r.prompt, ...(r.suffix === undefined ? {} : { suffix: r.suffix }) },
    signal: r.signal,
    format: 'sse',
    expected,
    read: (o) => readChoices(scopeOf(c), o, (ch) => (ch as { text?: unknown })?.text, expected),
    collect: { n: r.s.n, stops: r.s.stops, timeLimitMs: r.timeLimitMs, onToken: r.onToken },
  });
}

export class OpenAiEngine implements RemoteEngine {
  constructor(readonly config: RemoteConfig) {}

  complete(r: CompleteRequest): Promise<RemoteResult> {
    const c = this.config;
    const fim = r.suffix !== undefined && c.fimTemplate !== 'server' ? fimPrompt(c.fimTemplate, { prefix: r.prefix, suffix: r.suffix, context: r.context, filePath: r.filePath }) : undefined;
    const s = sampling(r.options, fim?.stops, MAX_STOPS);
    // Context has no field in this API: it goes in only through a FIM template with repository tokens.
    return completions(c, { prompt: fim ? fim.prompt : r.prefix, suffix: fim ? undefined : r.suffix, s, signal: r.signal, timeLimitMs: r.options.timeLimitMs, onToken: r.onToken });
  }

  chat(r: ChatRequest): Promise<RemoteResult> {
    return chatCompletions(this.config, r);
  }
}

/** `/v1/chat/completions`; llama.cpp's server serves the same route. */
export function chatCompletions(c: RemoteConfig, r: ChatRequest): Promise<RemoteResult> {
  const s = sampling(r.options, [], MAX_STOPS);
  const expected = 'JSON with choices[].delta.content or choices[].message.content';
  const text = (ch: unknown) => {
    const o = ch as { delta?: { content?: unknown }; message?: { content?: unknown } } | undefined;
    return (o?.delta ?? o?.message)?.content;
  };
  return streamCall(c, {
    route: openaiRoute(c.endpoint, '/chat/completions'),
    body: { ...params(c, s), messages: r.messages },
    signal: r.signal,
    format: 'sse',
    expected,
    read: (o) => readChoices(scopeOf(c), o, text, expected),
    collect: { n: s.n, stops: s.stops, timeLimitMs: r.options.timeLimitMs, onToken: r.onToken },
  });
}
