/**
 * One streamed generation request to an engine: send, turn an error status into a RemoteError,
 * read the reply in the form it came (SSE, NDJSON or one JSON document), let the engine's reader
 * turn each object into pieces, and collect them.
 */
import { collect, merge, type CollectOptions, type Piece } from './collect';
import { ENGINE_NAMES, type RemoteConfig, type RemoteResult } from './engine';
import { httpError, malformed, type ErrorScope } from './errors';
import { formatOf, objects, type StreamFormat } from './streams';
import { cancelled, readText, send } from './transport';

export function scopeOf(c: RemoteConfig): ErrorScope {
  return { engine: ENGINE_NAMES[c.backend], endpoint: c.endpoint, hints: c.hints, apiKey: c.apiKey };
}

/** `path` under the endpoint (its own path kept: a server behind a reverse-proxy prefix). */
export function urlOf(c: RemoteConfig, path: string): string {
  const base = c.endpoint.replace(/\/+$/, '');
  return `${base}${path}`;
}

export interface StreamCall {
  route: string;
  body: unknown;
  signal?: AbortSignal;
  /** The form the engine streams in, when the reply's content type does not say. */
  format: StreamFormat;
  /** What the reader expects, for the malformed-reply message. */
  expected: string;
  /** One reply object to pieces; throws a RemoteError (malformed) for an object that is not the engine's. */
  read: (o: unknown) => Piece[];
  collect: Omit<CollectOptions, 'started'>;
}

export async function streamCall(c: RemoteConfig, call: StreamCall): Promise<RemoteResult> {
  const url = urlOf(c, call.route);
  const scope = scopeOf(c);
  const started = performance.now();
  const auth = c.apiKey ? { key: c.apiKey, origin: new URL(c.endpoint).origin } : undefined;
  // The endpoint was checked when the engine was made (createEngine).
  const res = await send({ url, method: 'POST', body: call.body, signal: call.signal, timeoutMs: c.timeoutMs, scope, auth });
  if (res.status < 200 || res.status >= 300) {
    const text = await readText(res.body, 64 * 1024);
    throw httpError(scope, { status: res.status, route: call.route, body: text, retryAfter: res.headers['retry-after'], sentKey: res.sentKey });
  }
  const format = formatOf(res.headers['content-type'], call.format);
  async function* pieces(): AsyncGenerator<Piece> {
    for await (const o of objects(res.body, format, scope, call.expected)) {
      // An error reported inside a 200 stream (llama.cpp, Ollama and OpenAI all do this mid-generation).
      if (o && typeof o === 'object' && 'error' in o && (o as { error: unknown }).error) {
        throw httpError(scope, { status: 500, route: call.route, body: JSON.stringify(o), sentKey: res.sentKey });
      }
      // Objects already received in the same packet are dropped once the caller cancels.
      if (call.signal?.aborted) throw cancelled();
      yield* call.read(o);
    }
  }
  return collect(pieces(), { ...call.collect, started });
}

/** `n` sequences from an engine that returns one per request: that many requests at once, merged in order. */
export async function fanOut(n: number, one: (i: number) => Promise<RemoteResult>): Promise<RemoteResult> {
  if (n <= 1) return one(0);
  return merge(await Promise.all(Array.from({ length: n }, (_, i) => one(i))));
}

/** A field's value when it has the expected type, else a malformed-reply error naming the field. */
export function field<T>(scope: ErrorScope, o: unknown, key: string, check: (v: unknown) => v is T, expected: string): T {
  const v = o && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined;
  if (!check(v)) throw malformed(scope, expected, JSON.stringify(o) ?? String(o));
  return v;
}

export const isString = (v: unknown): v is string => typeof v === 'string';
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
export const optional = <T>(v: unknown, check: (v: unknown) => v is T): T | undefined => (check(v) ? v : undefined);
