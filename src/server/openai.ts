/**
 * The OpenAI-compatible routes: `/v1/completions` (with `suffix` for fill-in-the-middle),
 * `/v1/chat/completions` (the model's chat template), `/v1/embeddings`, `/v1/models`, streamed
 * as server-sent events when asked. Field names and reply shapes follow OpenAI's API reference,
 * so the official client and tools like Continue work unchanged.
 */
import { randomUUID } from 'node:crypto';
import type { ChatMessage, GenerateResult, StopReason } from '../protocol/types';
import { ApiError, badParam } from './apiError';
import { queued, sendJson, type RouteContext } from './context';
import { runGeneration } from './generate';
import { checkPromptSize, optBool, optString, samplingOptions } from './params';

const now = () => Math.floor(Date.now() / 1000);
const finish = (r: StopReason): 'stop' | 'length' => (r === 'eos' || r === 'stop' ? 'stop' : 'length');

function usage(r: GenerateResult) {
  return { prompt_tokens: r.stats.promptTokens, completion_tokens: r.stats.newTokens, total_tokens: r.stats.promptTokens + r.stats.newTokens };
}

/** With `stream_options: {include_usage: true}`, OpenAI ends a stream with a chunk of no choices and the usage. */
function usageChunk(body: Record<string, unknown>, base: Record<string, unknown>, r: GenerateResult): unknown[] {
  const o = body.stream_options as { include_usage?: unknown } | undefined;
  return o?.include_usage === true ? [{ ...base, choices: [], usage: usage(r) }] : [];
}

/** `prompt`: a string, or an array holding one string (token arrays are not accepted). */
function onePrompt(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
  if (Array.isArray(v) && v.length > 1) throw badParam('prompt', 'one prompt per request (send several requests, or use n for several completions)');
  throw badParam('prompt', 'must be a string (token arrays are not supported)');
}

function messages(v: unknown): ChatMessage[] {
  if (!Array.isArray(v) || v.length === 0) throw badParam('messages', 'must be a non-empty array of {role, content}');
  return v.map((m, i) => {
    const o = m as { role?: unknown; content?: unknown };
    if (o?.role !== 'system' && o?.role !== 'user' && o?.role !== 'assistant') throw badParam(`messages[${i}].role`, 'must be system, user or assistant');
    let content = o.content;
    // Content parts: only text parts are understood.
    if (Array.isArray(content)) {
      if (content.some((p: { type?: unknown; text?: unknown }) => p?.type !== 'text' || typeof p.text !== 'string')) throw badParam(`messages[${i}].content`, 'only text content parts are supported');
      content = content.map((p: { text: string }) => p.text).join('');
    }
    if (typeof content !== 'string') throw badParam(`messages[${i}].content`, 'must be a string');
    return { role: o.role, content };
  });
}

function refuseUnsupported(body: Record<string, unknown>): void {
  if (body.echo === true) throw badParam('echo', 'is not supported');
  if (body.logprobs !== undefined && body.logprobs !== null && body.logprobs !== false) throw badParam('logprobs', 'is not supported');
  if (body.tools !== undefined && body.tools !== null) throw badParam('tools', 'tool calls are not supported');
}

export async function completions(ctx: RouteContext): Promise<void> {
  const b = ctx.body;
  refuseUnsupported(b);
  const model = ctx.models.pick(b.model, 'generation');
  const prompt = onePrompt(b.prompt);
  const suffix = optString(b, 'suffix');
  checkPromptSize(prompt.length + (suffix?.length ?? 0), ctx.maxPromptChars);
  const options = { maxNewTokens: 16, ...samplingOptions(b, 'max_tokens') };
  if (ctx.logPrompts) ctx.log.prompt = prompt;
  ctx.log.model = model.id;
  const id = `cmpl-${randomUUID()}`;
  const created = now();
  const base = { id, object: 'text_completion', created, model: model.id };
  await runGeneration(ctx, {
    modelId: model.id,
    params: { modelPath: model.path, prompt, suffix, options },
    stream: optBool(b, 'stream'),
    chunk: (index, text) => ({ ...base, choices: [{ text, index, logprobs: null, finish_reason: null }] }),
    last: (res) => [...res.stopReasons.map((s, index) => ({ ...base, choices: [{ text: '', index, logprobs: null, finish_reason: finish(s) }] })), ...usageChunk(b, base, res)],
    reply: (res) => ({ ...base, choices: res.texts.map((text, index) => ({ text, index, logprobs: null, finish_reason: finish(res.stopReasons[index]) })), usage: usage(res) }),
  });
}

export async function chatCompletions(ctx: RouteContext): Promise<void> {
  const b = ctx.body;
  refuseUnsupported(b);
  const model = ctx.models.pick(b.model, 'generation');
  if (!model.info.chat) throw new ApiError(400, `${model.id} has no chat template (tokenizer_config.json chat_template): use /v1/completions with it, or serve an instruct model.`, 'invalid_request_error', 'model');
  const msgs = messages(b.messages);
  checkPromptSize(msgs.reduce((a, m) => a + m.content.length, 0), ctx.maxPromptChars);
  const maxKey = b.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
  const options = samplingOptions(b, maxKey);
  if (ctx.logPrompts) ctx.log.prompt = msgs.at(-1)?.content;
  ctx.log.model = model.id;
  const id = `chatcmpl-${randomUUID()}`;
  const created = now();
  const base = { id, object: 'chat.completion.chunk', created, model: model.id };
  const started = new Set<number>();
  await runGeneration(ctx, {
    modelId: model.id,
    params: { modelPath: model.path, prompt: '', messages: msgs, options },
    stream: optBool(b, 'stream'),
    chunk: (index, text) => {
      // The first chunk of each choice carries the role, as OpenAI's do.
      const delta = started.has(index) ? { content: text } : { role: 'assistant', content: text };
      started.add(index);
      return { ...base, choices: [{ index, delta, logprobs: null, finish_reason: null }] };
    },
    last: (res) => [...res.stopReasons.map((s, index) => ({ ...base, choices: [{ index, delta: {}, logprobs: null, finish_reason: finish(s) }] })), ...usageChunk(b, base, res)],
    reply: (res) => ({
      id,
      object: 'chat.completion',
      created,
      model: model.id,
      choices: res.texts.map((content, index) => ({ index, message: { role: 'assistant', content }, logprobs: null, finish_reason: finish(res.stopReasons[index]) })),
      usage: usage(res),
    }),
  });
}

export async function embeddings(ctx: RouteContext): Promise<void> {
  const b = ctx.body;
  const model = ctx.models.pick(b.model, 'embedding');
  const input = typeof b.input === 'string' ? [b.input] : b.input;
  if (!Array.isArray(input) || input.length === 0 || input.some((t) => typeof t !== 'string' || t === '')) throw badParam('input', 'must be a non-empty string or an array of them (token arrays are not supported)');
  if (input.length > 2048) throw badParam('input', 'at most 2048 texts per request');
  checkPromptSize((input as string[]).reduce((a, t) => a + t.length, 0), ctx.maxPromptChars);
  const format = b.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') throw badParam('encoding_format', 'must be "float" or "base64"');
  ctx.log.model = model.id;
  const r = await queued(ctx, model.id, () => ctx.client.request('embed', { modelPath: model.path, texts: input as string[], normalize: true }, { signal: ctx.signal }));
  sendJson(ctx, 200, {
    object: 'list',
    // base64: the float32 little-endian bytes, which the official clients ask for and decode.
    data: r.vectors.map((v, index) => ({ object: 'embedding', index, embedding: format === 'float' ? v : Buffer.from(new Float32Array(v).buffer).toString('base64') })),
    model: model.id,
    usage: { prompt_tokens: 0, total_tokens: 0 },
  });
}

export function listModels(ctx: RouteContext): void {
  sendJson(ctx, 200, { object: 'list', data: ctx.models.models.map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: 'onnx-assist' })) });
}
