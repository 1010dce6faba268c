/**
 * A small engine on 127.0.0.1 that replays a recorded reply (test/fixtures/remote/*.json): the
 * status, headers and body as the engine's documentation gives them, streamed bodies written in
 * pieces split at fixed byte counts (so parsers meet events cut anywhere). It records what the
 * client sent and whether the client closed the connection.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ROOT } from './helpers';

export const REMOTE_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'remote');

export interface RecordedReply {
  status: number;
  headers: Record<string, string>;
  /** One of: SSE events (objects, or the literal "[DONE]"), NDJSON objects, a JSON document, plain text. */
  sse?: unknown[];
  ndjson?: unknown[];
  json?: unknown;
  text?: string;
  /** Write the body in pieces of this many bytes. */
  splitEvery?: number;
  /** Write this many pieces, then keep the connection open without ending it (cancellation tests). */
  holdAfter?: number;
}

export interface Sample {
  engine: 'openai' | 'llamacpp' | 'ollama';
  source: string;
  description: string;
  config: { model: string; fimTemplate: string; apiKey?: string; endpointPath?: string };
  call: { method: 'complete' | 'chat'; prefix?: string; suffix?: string; context?: { path: string; text: string }[]; filePath?: string; messages?: { role: 'system' | 'user' | 'assistant'; content: string }[]; options: Record<string, unknown> };
  expect: {
    path: string;
    authorization: boolean;
    body?: unknown;
    result?: { texts: string[]; stopReasons: string[]; promptTokens?: number; completionTokens?: number };
    tokens?: string;
    error?: { kind: string; includes: string[]; excludes?: string[]; retryAfterS?: number };
  };
  reply: RecordedReply;
}

export function loadSamples(): { name: string; sample: Sample }[] {
  return fs
    .readdirSync(REMOTE_FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), sample: JSON.parse(fs.readFileSync(path.join(REMOTE_FIXTURES, f), 'utf8')) as Sample }));
}

export function bodyOf(r: RecordedReply): string {
  if (r.sse) return r.sse.map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`).join('');
  if (r.ndjson) return r.ndjson.map((o) => `${JSON.stringify(o)}\n`).join('');
  if (r.json !== undefined) return JSON.stringify(r.json);
  return r.text ?? '';
}

/** A recorded request and the reply it got; a run replays each once, matched by path and body. */
export interface Exchange {
  path: string;
  body: unknown;
  reply: RecordedReply;
}

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export class ReplayEngine {
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  reply: RecordedReply = { status: 500, headers: {} };
  /** When set, each request gets the first unused exchange with its path and body (else a 500 saying so). */
  exchanges: Exchange[] | undefined;
  readonly received: Received[] = [];
  /** Resolves when the client closes a connection whose reply was not finished. */
  clientClosed!: Promise<void>;
  private closedResolve!: () => void;

  constructor() {
    this.armClosed();
  }

  armClosed(): void {
    this.clientClosed = new Promise((r) => (this.closedResolve = r));
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  private replyFor(url: string, body: unknown): RecordedReply {
    if (!this.exchanges) return this.reply;
    const i = this.exchanges.findIndex((x) => x.path === url && isDeepStrictEqual(x.body, body));
    if (i < 0) return { status: 500, headers: { 'content-type': 'application/json' }, json: { error: `no recorded exchange for ${url} ${JSON.stringify(body)}` } };
    return this.exchanges.splice(i, 1)[0].reply;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    this.received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined });
    res.on('close', () => {
      if (!res.writableFinished) this.closedResolve();
    });
    const r = this.replyFor(req.url ?? '', text ? (JSON.parse(text) as unknown) : undefined);
    res.writeHead(r.status, r.headers);
    const body = Buffer.from(bodyOf(r));
    const step = r.splitEvery ?? (body.length || 1);
    let pieces = 0;
    for (let i = 0; i < body.length; i += step) {
      res.write(body.subarray(i, i + step));
      if (r.holdAfter !== undefined && ++pieces >= r.holdAfter) return; // never ends: the client must close it
      // Give each piece its own write on the wire.
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.end();
  }
}
