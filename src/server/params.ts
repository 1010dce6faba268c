/**
 * Request fields shared by the OpenAI and llama.cpp routes, checked against the protocol's own
 * ranges, each refused with its field name. OpenAI's `temperature: 0` means greedy; a missing
 * temperature leaves the model's generation_config.json in charge.
 */
import { GENERATION_RANGES, rangeProblem, type NumberRange } from '../protocol/ranges';
import type { GenerationOptions } from '../protocol/types';
import { ApiError, badParam } from './apiError';

export type Body = Record<string, unknown>;

export function optNumber(body: Body, key: string, range: NumberRange): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  const problem = rangeProblem(range, v);
  if (problem) throw badParam(key, `${problem} (got ${JSON.stringify(v)})`);
  return v as number;
}

export function optString(body: Body, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badParam(key, `must be a string (got ${typeof v})`);
  return v;
}

export function optBool(body: Body, key: string): boolean {
  const v = body[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw badParam(key, 'must be true or false');
  return v;
}

/** `stop`: a string or up to 16 non-empty strings. */
export function stops(body: Body, key = 'stop'): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || s === '')) throw badParam(key, 'must be a non-empty string or an array of them');
  if (list.length > 16) throw badParam(key, 'at most 16 stop sequences');
  return list as string[];
}

/** The sampling fields every route shares; `maxKey` names the route's max-tokens field. */
export function samplingOptions(body: Body, maxKey: string): GenerationOptions {
  const R = GENERATION_RANGES;
  const temperature = optNumber(body, 'temperature', R.temperature);
  const n = optNumber(body, 'n', R.numReturnSequences);
  const o: GenerationOptions = {
    maxNewTokens: optNumber(body, maxKey, { ...R.maxNewTokens, flag: maxKey }),
    temperature: temperature === undefined || temperature === 0 ? undefined : temperature,
    doSample: temperature === undefined ? undefined : temperature > 0,
    topP: optNumber(body, 'top_p', R.topP),
    topK: optNumber(body, 'top_k', R.topK),
    seed: optNumber(body, 'seed', R.seed),
    stop: stops(body),
    numReturnSequences: n,
  };
  if (n !== undefined && n > 1 && temperature === 0) throw new ApiError(400, `n ${n} needs sampling: greedy decoding (temperature 0) gives one answer.`, 'invalid_request_error', 'n');
  if (n !== undefined && n > 1 && o.doSample === undefined) o.doSample = true;
  for (const k of Object.keys(o) as (keyof GenerationOptions)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** The prompt size limit (characters), so one request cannot hold the model for minutes. */
export function checkPromptSize(chars: number, limit: number): void {
  if (chars > limit) throw new ApiError(413, `The prompt has ${chars} characters; this server accepts at most ${limit} (--max-prompt-chars).`);
}
