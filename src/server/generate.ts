/**
 * One generation on the host for any route: streamed as server-sent events in the route's own
 * chunk shape, or returned whole; an error after the headers went out ends the stream properly.
 */
import type { GenerateParams, GenerateResult } from '../protocol/types';
import { queued, sendJson, type RouteContext } from './context';
import { sendEvent, startSse } from './sse';

/** Streams or returns one generation; `chunk` shapes a streamed delta, `reply` the whole answer. */
export async function runGeneration(
  ctx: RouteContext,
  r: { modelId: string; params: GenerateParams; stream: boolean; /** OpenAI ends a stream with [DONE]; llama.cpp does not. */ done?: boolean; chunk: (index: number, text: string) => unknown; last: (result: GenerateResult) => unknown[]; reply: (result: GenerateResult) => unknown },
): Promise<void> {
  if (r.stream) startSse(ctx.res, ctx.headers);
  try {
    const result = await queued(ctx, r.modelId, () =>
      ctx.client.request('generate', r.params, { signal: ctx.signal, onEvent: r.stream ? (e) => sendEvent(ctx.res, r.chunk(e.sequence, e.text)) : undefined }),
    );
    ctx.log.promptTokens = result.stats.promptTokens;
    ctx.log.completionTokens = result.stats.newTokens;
    if (!r.stream) return sendJson(ctx, 200, r.reply(result));
    for (const c of r.last(result)) sendEvent(ctx.res, c);
    if (r.done !== false) sendEvent(ctx.res, '[DONE]');
    ctx.res.end();
  } catch (e) {
    if (!r.stream) throw e;
    // Headers are sent: the error goes in the stream, which still ends properly.
    const err = ctx.errorOf(e);
    ctx.log.status = err.status;
    sendEvent(ctx.res, err.body());
    if (r.done !== false) sendEvent(ctx.res, '[DONE]');
    ctx.res.end();
  }
}
