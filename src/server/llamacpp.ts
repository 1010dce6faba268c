/**
 * llama.cpp server's routes, so llama.vscode (and anything else written for llama-server) can
 * use ONNX Assist's engine: `POST /infill` (fill-in-the-middle with `input_extra` project
 * context, its reply with `timings`) and `GET /health`. `prompt` (text after the FIM middle token
 * in llama.cpp) is appended to `input_prefix`: the same text, one prefix.
 */
import { GENERATION_RANGES } from '../protocol/ranges';
import type { ContextChunk, GenerateResult } from '../protocol/types';
import { badParam } from './apiError';
import { sendJson, type RouteContext } from './context';
import { runGeneration } from './generate';
import { checkPromptSize, optBool, optNumber, optString, samplingOptions } from './params';

function extra(v: unknown): ContextChunk[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw badParam('input_extra', 'must be an array of {filename, text}');
  if (v.length > 64) throw badParam('input_extra', 'at most 64 chunks');
  return v.map((c, i) => {
    const o = c as { filename?: unknown; text?: unknown };
    if (typeof o?.text !== 'string') throw badParam(`input_extra[${i}].text`, 'must be a string');
    if (o.text.length > 16_000) throw badParam(`input_extra[${i}].text`, 'at most 16000 characters');
    const filename = typeof o.filename === 'string' && o.filename !== '' ? o.filename.slice(0, 1024) : `chunk-${i}`;
    return { path: filename, text: o.text };
  });
}

/** llama.cpp's reply fields for a finished generation. */
function summary(r: GenerateResult, modelId: string) {
  const s = r.stats;
  const promptMs = s.timeToFirstTokenMs;
  const predictedMs = Math.max(0, s.totalMs - promptMs);
  const evaluated = s.promptTokens - s.reusedTokens;
  const reason = r.stopReasons[0];
  return {
    model: modelId,
    tokens_predicted: s.newTokens,
    tokens_evaluated: s.promptTokens,
    tokens_cached: s.reusedTokens,
    truncated: s.truncatedTokens > 0,
    stopped_eos: reason === 'eos',
    stopped_word: reason === 'stop',
    stopped_limit: reason === 'length' || reason === 'time',
    stopping_word: '',
    timings: {
      prompt_n: evaluated,
      prompt_ms: promptMs,
      prompt_per_token_ms: evaluated > 0 ? promptMs / evaluated : 0,
      prompt_per_second: promptMs > 0 ? (evaluated * 1000) / promptMs : 0,
      predicted_n: s.newTokens,
      predicted_ms: predictedMs,
      predicted_per_token_ms: s.newTokens > 0 ? predictedMs / s.newTokens : 0,
      predicted_per_second: predictedMs > 0 ? (s.newTokens * 1000) / predictedMs : 0,
      draft_n: s.draftTokens,
      draft_n_accepted: s.acceptedDraftTokens,
    },
  };
}

export async function infill(ctx: RouteContext): Promise<void> {
  const b = ctx.body;
  const model = ctx.models.pick(b.model, 'generation');
  const prefix = (optString(b, 'input_prefix') ?? '') + (optString(b, 'prompt') ?? '');
  const suffix = optString(b, 'input_suffix') ?? '';
  const context = extra(b.input_extra);
  checkPromptSize(prefix.length + suffix.length + (context ?? []).reduce((a, c) => a + c.text.length, 0), ctx.maxPromptChars);
  // n_predict -1 (llama.cpp's "until the end") is the model's own limit here.
  const nPredict = b.n_predict === -1 ? undefined : b.n_predict;
  const options = { ...samplingOptions({ ...b, n_predict: nPredict, n: undefined }, 'n_predict') };
  const timeLimit = optNumber(b, 't_max_predict_ms', { ...GENERATION_RANGES.timeLimitMs, flag: 't_max_predict_ms' });
  if (timeLimit !== undefined) options.timeLimitMs = timeLimit;
  if (ctx.logPrompts) ctx.log.prompt = prefix.slice(-200);
  ctx.log.model = model.id;
  await runGeneration(ctx, {
    modelId: model.id,
    params: { modelPath: model.path, prompt: prefix, suffix, context, options },
    stream: optBool(b, 'stream'),
    done: false,
    chunk: (_i, content) => ({ content, stop: false }),
    last: (r) => [{ content: '', stop: true, ...summary(r, model.id) }],
    reply: (r) => ({ content: r.texts[0], stop: true, ...summary(r, model.id) }),
  });
}

export function health(ctx: RouteContext): void {
  sendJson(ctx, 200, { status: 'ok' });
}
