/**
 * What went wrong with a remote engine, in words a user can act on: one class, with a kind the
 * surfaces choose their actions by (the extension offers Set Remote API Key… for `auth`, Retry for
 * `busy`, the settings for `unreachable`). Messages name the endpoint and the setting or variable to
 * change, and never contain the API key (redacted even when a server echoes it back).
 */

export const REMOTE_ERROR_KINDS = ['unreachable', 'auth', 'not-found', 'busy', 'timeout', 'malformed', 'rejected', 'server', 'config'] as const;
export type RemoteErrorKind = (typeof REMOTE_ERROR_KINDS)[number];

export class RemoteError extends Error {
  constructor(
    readonly kind: RemoteErrorKind,
    message: string,
    readonly detail: { status?: number; retryAfterS?: number } = {},
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** Where a user changes things, as the surface calls them (settings in VS Code, flags and variables in the CLI). */
export interface RemoteHints {
  /** How the endpoint is set, e.g. `onnxAssist.remote.completion.endpoint` or `--endpoint`. */
  endpoint: string;
  /** How the API key is set, e.g. `ONNX Assist: Set Remote API Key…` or `ONNX_ASSIST_API_KEY`. */
  apiKey: string;
  /** How the per-request timeout is set. */
  timeout: string;
  /** How the FIM template is set. */
  fimTemplate: string;
}

/** Who is being spoken to, for messages: the engine's name and the endpoint (never the key). */
export interface ErrorScope {
  engine: string;
  endpoint: string;
  hints: RemoteHints;
  /** Removed from any text that goes into a message. */
  apiKey?: string;
}

export const redact = (text: string, key: string | undefined): string => (key ? text.split(key).join('***') : text);

const short = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** The message a server put in its error reply: OpenAI and llama.cpp `{error: {message}}`, Ollama `{error: "..."}`, else the text. */
export function serverMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    const e = j.error;
    if (typeof e === 'string') return e;
    if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
    if (typeof j.message === 'string') return j.message;
    if (typeof j.detail === 'string') return j.detail;
  } catch {
    // not JSON: the text itself
  }
  return body.trim();
}

/** Retry-After in seconds (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** An HTTP error status from the engine, as a RemoteError with what to do about it. */
export function httpError(s: ErrorScope, r: { status: number; route: string; body: string; retryAfter?: string | string[]; sentKey: boolean }): RemoteError {
  const said = redact(short(serverMessage(r.body)), s.apiKey).replace(/[.\s]+$/, '');
  const at = `${s.engine} at ${s.endpoint}`;
  const why = said ? `: ${said}` : '';
  const { status } = r;
  if (status === 401 || status === 403) {
    const what = r.sentKey ? 'refused the API key' : 'needs an API key';
    return new RemoteError('auth', `${at} ${what} (${status})${why}. Set the key with ${s.hints.apiKey}.`, { status });
  }
  if (status === 404) {
    if (r.route === '/infill') {
      return new RemoteError('not-found', `${at} has no /infill route (404): it is not llama.cpp's server. Ollama and LM Studio do not have /infill: use the 'ollama' backend for Ollama, 'openai' for LM Studio, vLLM and other OpenAI-compatible servers.`, { status });
    }
    const route = said === '' || /\broute\b|page not found|cannot (get|post)/i.test(said);
    if (route) return new RemoteError('not-found', `${at} has no route ${r.route} (404)${why}. Check that the backend matches the server at that address.`, { status });
    const model = /model/i.test(said);
    return new RemoteError('not-found', `${at}: ${model ? 'model not found' : `${r.route} not found`} (404)${why}.${model ? " Check the model name (the engine lists them: /v1/models, or `ollama list`)." : ''}`, { status });
  }
  if (status === 429 || status === 503) {
    const retryAfterS = retryAfterSeconds(r.retryAfter);
    const when = retryAfterS !== undefined ? `retry in ${retryAfterS} s (Retry-After)` : 'retry later';
    return new RemoteError('busy', `${at} is busy (${status})${why}; ${when}.`, { status, retryAfterS });
  }
  if (status >= 500) return new RemoteError('server', `${at} failed (${status})${why}.`, { status });
  return new RemoteError('rejected', `${at} refused the request (${status})${why}.`, { status });
}

/** A reply that is not what the engine's API documents. */
export function malformed(s: ErrorScope, expected: string, got: string): RemoteError {
  return new RemoteError('malformed', `${s.engine} at ${s.endpoint} sent a reply in a format it does not use: expected ${expected}, got ${JSON.stringify(short(redact(got, s.apiKey), 120))}. Check that the backend matches the server at that address.`);
}
