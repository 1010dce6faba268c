/** What a route handler is given: the host, the served models, the queues, limits, and this request's log record and abort signal. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HostClient } from '../client/hostClient';
import type { ApiError } from './apiError';
import type { ModelRegistry } from './models';
import type { ModelQueues } from './queue';

/** One access-log line's fields, filled in by the route. */
export interface AccessRecord {
  model?: string;
  promptTokens?: number;
  completionTokens?: number;
  /** Only with --log-prompts. */
  prompt?: string;
  /** An error status sent inside a stream whose headers said 200. */
  status?: number;
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  body: Record<string, unknown>;
  client: HostClient;
  models: ModelRegistry;
  queues: ModelQueues;
  maxPromptChars: number;
  logPrompts: boolean;
  /** Aborted when the client disconnects, or when a drain gives up waiting. */
  signal: AbortSignal;
  log: AccessRecord;
  /** Headers every reply carries (CORS). */
  headers: Record<string, string>;
  /** A failure as the reply's error (a drain turns cancellations into 503 shutting_down). */
  errorOf: (e: unknown) => ApiError;
}

export function sendJson(ctx: Pick<RouteContext, 'res' | 'headers'>, status: number, body: unknown, extra: Record<string, string> = {}): void {
  if (ctx.res.headersSent) return;
  const text = JSON.stringify(body);
  ctx.res.writeHead(status, { ...ctx.headers, ...extra, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  ctx.res.end(text);
}

/** Runs `fn` holding a place in the model's queue (429 when it is full). */
export async function queued<T>(ctx: RouteContext, model: string, fn: () => Promise<T>): Promise<T> {
  const leave = ctx.queues.enter(model);
  try {
    return await fn();
  } finally {
    leave();
  }
}
