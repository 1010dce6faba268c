/**
 * `onnx-assist serve`: the inference host over HTTP, on the wire formats existing tools speak
 * (OpenAI's API, llama.cpp's /infill). Safe by default: loopback only unless an API key is set,
 * body and prompt limits, CORS off unless asked, models only from the folders given at start,
 * a bounded queue per model (429 + Retry-After), a client that disconnects cancels its request
 * in the host, and drain() finishes or cancels in-flight requests (never half a reply) before
 * the server closes. One access-log line per request, without prompt text unless asked.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostClient } from '../client/hostClient';
import { ApiError, toApiError } from './apiError';
import { isLoopback, keyMatches } from './auth';
import { readJson } from './body';
import { sendJson, type AccessRecord, type RouteContext } from './context';
import { health, infill } from './llamacpp';
import type { ModelRegistry } from './models';
import { chatCompletions, completions, embeddings, listModels } from './openai';
import { ModelQueues } from './queue';

export interface ServeOptions {
  host: string;
  port: number;
  /** Required for a non-loopback host. */
  apiKey?: string;
  /** An origin allowed by CORS (`*` for any); absent: no CORS headers. */
  cors?: string;
  logPrompts: boolean;
  /** Requests per model running or waiting. */
  maxQueue: number;
  maxBodyBytes: number;
  maxPromptChars: number;
  log: (line: string) => void;
}

export const SERVE_DEFAULTS = { host: '127.0.0.1', port: 8080, maxQueue: 8, maxBodyBytes: 4 * 1024 * 1024, maxPromptChars: 200_000 } as const;

type Handler = (ctx: RouteContext) => Promise<void> | void;

const ROUTES: Record<string, Record<string, Handler>> = {
  '/v1/completions': { POST: completions },
  '/v1/chat/completions': { POST: chatCompletions },
  '/v1/embeddings': { POST: embeddings },
  '/v1/models': { GET: listModels },
  '/infill': { POST: infill },
  '/health': { GET: health },
  // Aliases clients use without the /v1 prefix (llama.cpp serves both).
  '/completions': { POST: completions },
  '/chat/completions': { POST: chatCompletions },
  '/embeddings': { POST: embeddings },
  '/models': { GET: listModels },
};

const CANONICAL = ['/v1/completions', '/v1/chat/completions', '/v1/embeddings', '/v1/models', '/infill', '/health'];

/** Routes a load balancer may probe without the key. */
const OPEN_ROUTES = new Set(['/health']);

export class ApiServer {
  private readonly server: http.Server;
  private readonly queues: ModelQueues;
  private readonly inflight = new Set<{ ac: AbortController; done: Promise<void> }>();
  private draining = false;

  constructor(
    private readonly client: HostClient,
    private readonly models: ModelRegistry,
    private readonly o: ServeOptions,
  ) {
    if (!isLoopback(o.host) && !o.apiKey) throw new ApiError(400, `Serving on ${o.host} (not loopback) needs --api-key: anyone who can reach it could use the models.`);
    this.queues = new ModelQueues(o.maxQueue);
    this.server = http.createServer((req, res) => this.track(req, res));
    // Connections idle between requests must not hold a drain open.
    this.server.keepAliveTimeout = 5000;
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port, this.o.host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** HTTP requests being handled. */
  get busy(): number {
    return this.inflight.size;
  }

  /** Model requests running or waiting in the model queues. */
  get queued(): number {
    return this.queues.size;
  }

  /**
   * Stops accepting, lets in-flight requests finish for `graceMs`, then cancels the rest (each
   * still gets a whole reply: an error, or a stream that ends properly), and closes.
   */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const all = () => Promise.all([...this.inflight].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    if ((await Promise.race([all().then(() => 'done' as const), late])) === 'late') for (const r of this.inflight) r.ac.abort();
    clearTimeout(timer);
    await all();
    this.server.closeAllConnections();
    await closed;
  }

  private track(req: http.IncomingMessage, res: http.ServerResponse): void {
    const ac = new AbortController();
    const client = { gone: false };
    // A client that goes away before its reply is complete cancels its request in the host.
    res.on('close', () => {
      if (res.writableFinished) return;
      client.gone = true;
      ac.abort();
    });
    const entry = { ac, done: this.handle(req, res, ac.signal, client) };
    this.inflight.add(entry);
    void entry.done.finally(() => this.inflight.delete(entry));
  }

  private cors(): Record<string, string> {
    if (!this.o.cors) return {};
    return { 'access-control-allow-origin': this.o.cors, 'access-control-allow-headers': 'authorization, content-type', 'access-control-allow-methods': 'GET, POST, OPTIONS', vary: 'origin' };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, signal: AbortSignal, client: { gone: boolean }): Promise<void> {
    const t0 = performance.now();
    const url = new URL(req.url ?? '/', 'http://x');
    const route = url.pathname.replace(/\/+$/, '') || '/';
    const log: AccessRecord = {};
    const headers = this.cors();
    try {
      if (req.method === 'OPTIONS' && this.o.cors) {
        res.writeHead(204, headers);
        res.end();
        return;
      }
      const methods = Object.hasOwn(ROUTES, route) ? ROUTES[route] : undefined;
      if (!methods) throw new ApiError(404, `No route ${route}. Routes: ${CANONICAL.join(', ')}.`, 'invalid_request_error', undefined, 'not_found');
      const handler = Object.hasOwn(methods, req.method ?? '') ? methods[req.method!] : undefined;
      if (!handler) throw new ApiError(405, `${route} takes ${Object.keys(methods).join(', ')}, not ${req.method}.`);
      if (this.o.apiKey && !OPEN_ROUTES.has(route) && !keyMatches(req, this.o.apiKey)) throw new ApiError(401, 'Missing or wrong API key: send "Authorization: Bearer <key>".', 'authentication_error', undefined, 'invalid_api_key');
      if (this.draining) throw new ApiError(503, 'The server is shutting down.', 'server_error', undefined, 'shutting_down', 5);
      const body = req.method === 'POST' ? await readJson(req, this.o.maxBodyBytes) : {};
      await handler({ req, res, body, client: this.client, models: this.models, queues: this.queues, maxPromptChars: this.o.maxPromptChars, logPrompts: this.o.logPrompts, signal, log, headers, errorOf: (e) => this.shutdownError(toApiError(e)) });
    } catch (e) {
      const err = this.shutdownError(toApiError(e));
      log.status = err.status;
      if (!res.headersSent) sendJson({ res, headers }, err.status, err.body(), err.retryAfter ? { 'retry-after': String(err.retryAfter) } : {});
      else if (!res.writableEnded) res.end();
    } finally {
      this.access(req.method ?? '?', route, log.status ?? res.statusCode, log, performance.now() - t0, client.gone);
    }
  }

  /** A request cancelled by a drain is told the server shut down (503, retry), not that it was cancelled. */
  shutdownError(e: ApiError): ApiError {
    return this.draining && e.code === 'cancelled' ? new ApiError(503, 'The server shut down before this request finished; retry it.', 'server_error', undefined, 'shutting_down', 5) : e;
  }

  private access(method: string, route: string, status: number, r: AccessRecord, ms: number, gone: boolean): void {
    const fields = [new Date().toISOString(), method, route, String(status)];
    if (r.model) fields.push(`model=${r.model}`);
    if (r.promptTokens !== undefined) fields.push(`prompt_tokens=${r.promptTokens}`, `completion_tokens=${r.completionTokens ?? 0}`);
    fields.push(`${ms.toFixed(0)}ms`);
    if (gone) fields.push('client-disconnected');
    if (r.prompt !== undefined) fields.push(`prompt=${JSON.stringify(r.prompt)}`);
    this.o.log(fields.join(' '));
  }
}
