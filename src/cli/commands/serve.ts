/**
 * `serve`: the host over HTTP (src/server/) until SIGTERM or Ctrl+C, which drain it: requests in
 * flight finish (or, after --drain-ms, are cancelled with a whole error reply) before it exits.
 */
import * as fs from 'node:fs';
import { ModelRegistry, parseModelSpec } from '../../server/models';
import { isLoopback } from '../../server/auth';
import { ApiServer, SERVE_DEFAULTS } from '../../server/server';
import { UsageError } from '../args';
import type { HostContext } from '../context';

function count(v: string | undefined, flag: string, d: number, min: number, max: number): number {
  if (v === undefined) return d;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return n;
}

export async function serve({ client, v, io, json, signal }: HostContext): Promise<void> {
  const specs = [v.model, ...(v['add-model'] ?? []), v['embedding-model']].filter((s): s is string => s !== undefined);
  if (specs.length === 0) throw new UsageError('serve needs at least one --model [NAME=]DIR (and --embedding-model DIR for /v1/embeddings)');
  for (const s of specs) if (!fs.existsSync(parseModelSpec(s).path)) throw new UsageError(`${parseModelSpec(s).path} does not exist (a model folder)`);
  const host = v.host ?? SERVE_DEFAULTS.host;
  const apiKey = v['api-key'] ?? process.env.ONNX_ASSIST_API_KEY;
  const o = {
    host,
    port: count(v.port, 'port', SERVE_DEFAULTS.port, 0, 65535),
    apiKey: apiKey || undefined,
    cors: v.cors,
    logPrompts: !!v['log-prompts'],
    maxQueue: count(v['max-queue'], 'max-queue', SERVE_DEFAULTS.maxQueue, 1, 10_000),
    maxBodyBytes: count(v['max-body-bytes'], 'max-body-bytes', SERVE_DEFAULTS.maxBodyBytes, 1024, 1024 ** 3),
    maxPromptChars: count(v['max-prompt-chars'], 'max-prompt-chars', SERVE_DEFAULTS.maxPromptChars, 1, 100_000_000),
    log: (line: string) => io.err(`${line}\n`),
  };
  const drainMs = count(v['drain-ms'], 'drain-ms', 10_000, 0, 3_600_000);
  if (!isLoopback(host) && !o.apiKey) throw new UsageError(`serving on ${host} (not loopback) needs --api-key KEY or ONNX_ASSIST_API_KEY: anyone who can reach it could use the models`);
  const ids = specs.map((s) => parseModelSpec(s).id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new UsageError(`two models would be served as ${JSON.stringify(dup)}: name one with NAME=DIR`);
  const server = new ApiServer(client, await ModelRegistry.load(client, specs), o);
  const addr = await server.listen();
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  if (json) io.out(`${JSON.stringify({ listening: url })}\n`);
  io.err(`onnx-assist serve: listening on ${url}${o.apiKey ? ' (API key required)' : ''}; stop with Ctrl+C or SIGTERM\n`);
  // Either signal drains; main's Ctrl+C handler has already aborted `signal` on the first Ctrl+C.
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    if (signal.aborted) resolve();
    signal.addEventListener('abort', stop, { once: true });
  });
  io.err(`onnx-assist serve: draining ${server.busy} request(s)\n`);
  await server.drain(drainMs);
  io.err('onnx-assist serve: stopped\n');
}
