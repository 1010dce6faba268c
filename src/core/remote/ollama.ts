/**
 * Ollama: `POST /api/generate` with `suffix` (the model's template inserts it, when the template
 * has `.Suffix`), or `raw: true` with a FIM template written on our side for models whose template
 * lacks it (Ollama then answers 400 "does not support insert"); `POST /api/chat` for chat. Streamed
 * as NDJSON; the last object (`done: true`) carries `done_reason` and the counts.
 */
import type { StopReason } from '../../protocol/types';
import { fanOut, isNumber, isString, optional, scopeOf, streamCall } from './call';
import type { Piece } from './collect';
import type { ChatRequest, CompleteRequest, RemoteConfig, RemoteEngine, RemoteResult } from './engine';
import { malformed, RemoteError } from './errors';
import { fimPrompt } from './fim';
import { defined, sampling, type Sampling } from './options';

function options(s: Sampling) {
  return defined({
    num_predict: s.maxTokens,
    temperature: s.temperature,
    top_k: s.topK,
    top_p: s.topP,
    seed: s.seed,
    repeat_penalty: s.repetitionPenalty,
    stop: s.stops.length ? s.stops : undefined,
  });
}

function finish(o: Record<string, unknown>): StopReason | undefined {
  if (o.done !== true) return undefined;
  return o.done_reason === 'length' ? 'length' : 'stop';
}

export class OllamaEngine implements RemoteEngine {
  constructor(readonly config: RemoteConfig) {}

  private read(o: unknown, text: (o: Record<string, unknown>) => unknown, expected: string): Piece[] {
    const r = o as Record<string, unknown>;
    const t = text(r ?? {});
    // Every object but the last carries text; the last may carry none.
    if ((r?.done !== true || t !== undefined) && !isString(t)) throw malformed(scopeOf(this.config), expected, JSON.stringify(o));
    return [{ index: 0, text: isString(t) ? t : undefined, finish: finish(r), promptTokens: optional(r.prompt_eval_count, isNumber), completionTokens: optional(r.eval_count, isNumber) }];
  }

  private async run(route: '/api/generate' | '/api/chat', r: { body: Record<string, unknown>; s: Sampling; signal?: AbortSignal; timeLimitMs?: number; onToken?: CompleteRequest['onToken'] }): Promise<RemoteResult> {
    const c = this.config;
    const chat = route === '/api/chat';
    const expected = chat ? 'NDJSON objects with message.content' : 'NDJSON objects with "response" (a string)';
    const text = chat ? (o: Record<string, unknown>) => (o.message as { content?: unknown } | undefined)?.content : (o: Record<string, unknown>) => o.response;
    try {
      return await fanOut(r.s.n, (i) =>
        streamCall(c, {
          route,
          body: { model: c.model, ...r.body, stream: true, options: options(i > 0 && r.s.seed !== undefined ? { ...r.s, seed: r.s.seed + i } : r.s) },
          signal: r.signal,
          format: 'ndjson',
          expected,
          read: (o) => this.read(o, text, expected),
          collect: { n: 1, stops: r.s.stops, timeLimitMs: r.timeLimitMs, onToken: r.onToken, indexOffset: i },
        }),
      );
    } catch (e) {
      // The model's template has no .Suffix: say which setting writes the FIM prompt instead.
      if (e instanceof RemoteError && e.kind === 'rejected' && /does not support insert/i.test(e.message)) {
        throw new RemoteError('rejected', `${e.message} Its template has no .Suffix: set the FIM template (${c.hints.fimTemplate}) to the model's family, and ONNX Assist sends a raw FIM prompt.`, e.detail);
      }
      throw e;
    }
  }

  complete(r: CompleteRequest): Promise<RemoteResult> {
    const c = this.config;
    const fim = r.suffix !== undefined && c.fimTemplate !== 'server' ? fimPrompt(c.fimTemplate, { prefix: r.prefix, suffix: r.suffix, context: r.context, filePath: r.filePath }) : undefined;
    const s = sampling(r.options, fim?.stops);
    // A plain continuation is raw too: the model's chat template would turn code into a conversation.
    const body = fim ? { prompt: fim.prompt, raw: true } : r.suffix !== undefined ? { prompt: r.prefix, suffix: r.suffix } : { prompt: r.prefix, raw: true };
    return this.run('/api/generate', { body, s, signal: r.signal, timeLimitMs: r.options.timeLimitMs, onToken: r.onToken });
  }

  chat(r: ChatRequest): Promise<RemoteResult> {
    return this.run('/api/chat', { body: { messages: r.messages }, s: sampling(r.options), signal: r.signal, timeLimitMs: r.options.timeLimitMs, onToken: r.onToken });
  }
}
