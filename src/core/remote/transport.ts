/**
 * One HTTP request to a remote engine over node:http/https (not the global fetch: VS Code patches
 * node's http and https modules in the extension host to apply its proxy settings, `http.proxy`
 * and the system's, so these requests follow them; the CLI connects directly). No redirects are
 * followed, so the API key never leaves the endpoint's origin, and it is sent only to that origin.
 *
 * The timeout is an idle limit: no reply, or no byte of a streamed reply, for `timeoutMs` ends
 * the request. Aborting the signal (a newer keystroke) destroys the socket at once, so the engine
 * sees the connection close and can stop generating.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { HostError } from '../../protocol/errors';
import { RemoteError, type ErrorScope } from './errors';

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
  /** JSON-encoded as the body. */
  body?: unknown;
  signal?: AbortSignal;
  timeoutMs: number;
  scope: ErrorScope;
  /** Sent as a bearer token when the request's origin is this one. */
  auth?: { key: string; origin: string };
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Whether an Authorization header went with the request. */
  sentKey: boolean;
  /** The body as it arrives; breaking out of the loop closes the connection. */
  body: AsyncIterable<Buffer>;
}

export const cancelled = () => new HostError('CANCELLED', 'Cancelled.');

function timeoutError(s: ErrorScope, timeoutMs: number): RemoteError {
  return new RemoteError('timeout', `${s.engine} at ${s.endpoint} sent nothing for ${timeoutMs} ms; is it overloaded or is the model still loading? (timeout: ${s.hints.timeout})`);
}

/** A socket-level failure as the user sees it: the endpoint and what to check. */
function networkError(s: ErrorScope, e: NodeJS.ErrnoException): RemoteError {
  const at = `${s.engine} at ${s.endpoint}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new RemoteError('unreachable', `Cannot connect to ${at} (connection refused): the server is not running there, or listens on another port. Start it, or change ${s.hints.endpoint}.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new RemoteError('unreachable', `Cannot find the host of ${s.endpoint} (${e.code}): check ${s.hints.endpoint}.`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new RemoteError('unreachable', `${at} closed the connection before the reply was complete.`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new RemoteError('unreachable', `Cannot reach ${at} (${e.code}): check the network and ${s.hints.endpoint}.`);
    default:
      return new RemoteError('unreachable', `${at}: ${e.message}`);
  }
}

export function send(r: HttpRequest): Promise<HttpResponse> {
  const url = new URL(r.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new RemoteError('config', `${r.scope.endpoint} is not an http:// or https:// URL (${r.scope.hints.endpoint}).`));
  if (r.signal?.aborted) return Promise.reject(cancelled());
  const payload = r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body));
  const headers: Record<string, string> = { accept: 'application/json, text/event-stream, application/x-ndjson' };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  const sentKey = !!r.auth && r.auth.key !== '' && url.origin === r.auth.origin;
  if (sentKey) headers.authorization = `Bearer ${r.auth!.key}`;
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<HttpResponse>((resolve, reject) => {
    // What ended the request early, so a failure inside the body reads as the user's cancel or the timeout.
    let ended: 'abort' | 'timeout' | undefined;
    const req = lib.request(url, { method: r.method, headers });
    const onAbort = () => {
      ended ??= 'abort';
      req.destroy();
    };
    r.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => r.signal?.removeEventListener('abort', onAbort);
    const failure = (e: unknown): Error => {
      if (ended === 'abort') return cancelled();
      if (ended === 'timeout') return timeoutError(r.scope, r.timeoutMs);
      if (e instanceof RemoteError || e instanceof HostError) return e;
      return networkError(r.scope, e as NodeJS.ErrnoException);
    };
    req.setTimeout(r.timeoutMs, () => {
      ended ??= 'timeout';
      req.destroy();
    });
    req.on('error', (e) => {
      done();
      reject(failure(e));
    });
    req.on('response', (res) => {
      async function* body(): AsyncGenerator<Buffer> {
        let complete = false;
        try {
          for await (const chunk of res) yield chunk as Buffer;
          // A socket destroyed mid-body (abort, timeout) can end the stream without an error.
          if (ended) throw failure(undefined);
          complete = true;
        } catch (e) {
          throw failure(e);
        } finally {
          done();
          // The caller stopped reading (a stop sequence, the time limit, an error): close the connection.
          if (!complete) req.destroy();
        }
      }
      resolve({ status: res.statusCode ?? 0, headers: res.headers, sentKey, body: body() });
    });
    req.end(payload);
  });
}

/** The whole body as text (error replies, non-streamed replies), under the same timeout and signal. */
export async function readText(body: AsyncIterable<Buffer>, limit = 8 * 1024 * 1024): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += c.length;
    if (size > limit) break;
    parts.push(c);
  }
  return Buffer.concat(parts).toString('utf8');
}
