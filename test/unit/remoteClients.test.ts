/**
 * The remote clients against recorded request/reply samples of each engine's documented format
 * (test/fixtures/remote/*.json, written from the OpenAI API reference, llama.cpp's server README
 * and Ollama's API docs), replayed by a local engine on 127.0.0.1: the request each client sends,
 * the result it makes of streamed and whole replies, each error class, cancellation mid-stream
 * (the engine sees the connection close), the idle timeout, and where the API key goes.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngine, RemoteError, type FimTemplate, type RemoteConfig, type RemoteHints } from '../../src/core/remote';
import { send } from '../../src/core/remote/transport';
import { isCancelled } from '../../src/protocol/errors';
import type { GenerationOptions, TokenEvent } from '../../src/protocol/types';
import { rejection } from './helpers';
import { loadSamples, ReplayEngine, type Sample } from './remoteReplay';

const HINTS: RemoteHints = {
  endpoint: 'onnxAssist.remote.completion.endpoint',
  apiKey: 'ONNX Assist: Set Remote API Key…',
  timeout: 'onnxAssist.remote.timeoutMs',
  fimTemplate: 'onnxAssist.remote.completion.fimTemplate',
};

function configFor(s: Sample, url: string, o: Partial<RemoteConfig> = {}): RemoteConfig {
  return { backend: s.engine, endpoint: url + (s.config.endpointPath ?? ''), model: s.config.model, fimTemplate: s.config.fimTemplate as FimTemplate, apiKey: s.config.apiKey, timeoutMs: 10_000, hints: HINTS, ...o };
}

function run(s: Sample, c: RemoteConfig, extra: { signal?: AbortSignal; onToken?: (e: TokenEvent) => void } = {}) {
  const engine = createEngine(c);
  const options = s.call.options as GenerationOptions;
  if (s.call.method === 'chat') return engine.chat({ messages: s.call.messages ?? [], options, ...extra });
  return engine.complete({ prefix: s.call.prefix ?? '', suffix: s.call.suffix, context: s.call.context, filePath: s.call.filePath, options, ...extra });
}

describe('remote clients against recorded engine replies', () => {
  const engine = new ReplayEngine();
  let url: string;
  before(async () => {
    url = await engine.listen();
  });
  after(() => engine.close());

  for (const { name, sample: s } of loadSamples()) {
    it(`${name}: ${s.description}`, async () => {
      engine.reply = s.reply;
      engine.received.length = 0;
      let streamed = '';
      const p = run(s, configFor(s, url), { onToken: (e) => (streamed += e.sequence === 0 ? e.text : '') });
      if (s.expect.error) {
        const e = await rejection(p);
        assert.ok(e instanceof RemoteError, `expected a RemoteError, got ${String(e)}`);
        assert.equal(e.kind, s.expect.error.kind, e.message);
        for (const t of s.expect.error.includes) assert.ok(e.message.includes(t), `${JSON.stringify(e.message)} should include ${JSON.stringify(t)}`);
        for (const t of s.expect.error.excludes ?? []) assert.ok(!e.message.includes(t), `${JSON.stringify(e.message)} must not include ${JSON.stringify(t)}`);
        if (s.expect.error.retryAfterS !== undefined) assert.equal(e.detail.retryAfterS, s.expect.error.retryAfterS);
      } else {
        const r = await p;
        const want = s.expect.result!;
        assert.deepEqual(r.texts, want.texts);
        assert.deepEqual(r.stopReasons, want.stopReasons);
        if (want.promptTokens !== undefined) assert.equal(r.promptTokens, want.promptTokens);
        if (want.completionTokens !== undefined) assert.equal(r.completionTokens, want.completionTokens);
        if (s.expect.tokens !== undefined) assert.equal(streamed, s.expect.tokens);
      }
      assert.equal(engine.received.length, 1);
      const got = engine.received[0];
      assert.equal(got.method, 'POST');
      assert.equal(got.path, s.expect.path);
      assert.equal(got.headers.authorization !== undefined, s.expect.authorization);
      if (s.expect.authorization) assert.equal(got.headers.authorization, `Bearer ${s.config.apiKey}`);
      if (s.expect.body !== undefined) assert.deepEqual(got.body, s.expect.body);
    });
  }

  it('cancellation mid-stream: the request rejects as cancelled and the engine sees the connection close', async () => {
    const s = loadSamples().find((x) => x.name === 'llamacpp-infill-stream')!.sample;
    engine.reply = { ...s.reply, sse: s.reply.sse!.slice(0, 2), splitEvery: undefined, holdAfter: 1 };
    engine.armClosed();
    const ac = new AbortController();
    let first = '';
    const p = run(s, configFor(s, url), {
      signal: ac.signal,
      onToken: (e) => {
        first += e.text;
        ac.abort();
      },
    });
    const e = await rejection(p);
    assert.ok(isCancelled(e), String(e));
    assert.equal(first, '[util');
    await engine.clientClosed;
  });

  it('a server that ignores the stop sequence: the text is cut at it, no token event shows it, and the stream is closed', async () => {
    const s = loadSamples().find((x) => x.name === 'openai-completions-suffix-stream')!.sample;
    const chunk = (text: string) => ({ id: 'c', object: 'text_completion', created: 0, model: 'm', choices: [{ text, index: 0, logprobs: null, finish_reason: null }] });
    // "a + b" then a newline and more, and the stream stays open: only our cut can end this request.
    engine.reply = { status: 200, headers: { 'content-type': 'text/event-stream' }, sse: [chunk('a + b'), chunk('\nprint(x)'), chunk(' more')], holdAfter: 1 };
    engine.armClosed();
    let streamed = '';
    const r = await run(s, configFor(s, url), { onToken: (e) => (streamed += e.text) });
    assert.deepEqual(r.texts, ['a + b']);
    assert.deepEqual(r.stopReasons, ['stop']);
    assert.equal(streamed, 'a + b');
    await engine.clientClosed;
  });

  it('a request aborted before it is sent never reaches the engine', async () => {
    const s = loadSamples().find((x) => x.name === 'openai-chat-stream')!.sample;
    engine.received.length = 0;
    const ac = new AbortController();
    ac.abort();
    assert.ok(isCancelled(await rejection(run(s, configFor(s, url), { signal: ac.signal }))));
    assert.equal(engine.received.length, 0);
  });

  it('an engine that stops sending: the idle timeout names the endpoint and the setting', async () => {
    const s = loadSamples().find((x) => x.name === 'ollama-chat-stream')!.sample;
    engine.reply = { ...s.reply, ndjson: s.reply.ndjson!.slice(0, 1), holdAfter: 1 };
    const e = await rejection(run(s, configFor(s, url, { timeoutMs: 300 })));
    assert.ok(e instanceof RemoteError && e.kind === 'timeout', String(e));
    assert.match(e.message, /sent nothing for 300 ms/);
    assert.match(e.message, /onnxAssist\.remote\.timeoutMs/);
  });

  it('connection refused: says the server is not running at the endpoint', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const s = loadSamples().find((x) => x.name === 'llamacpp-infill-stream')!.sample;
    const e = await rejection(run(s, configFor(s, `http://127.0.0.1:${port}`)));
    assert.ok(e instanceof RemoteError && e.kind === 'unreachable', String(e));
    assert.match(e.message, new RegExp(`llama\\.cpp's server at http://127\\.0\\.0\\.1:${port} \\(connection refused\\): the server is not running`));
    assert.match(e.message, /onnxAssist\.remote\.completion\.endpoint/);
  });

  it('the API key goes only to the endpoint\'s origin', async () => {
    engine.reply = { status: 200, headers: { 'content-type': 'application/json' }, json: {} };
    engine.received.length = 0;
    const scope = { engine: 'x', endpoint: url, hints: HINTS };
    const other = url.replace('127.0.0.1', 'localhost');
    for (const target of [url, other]) {
      const r = await send({ url: `${target}/v1/models`, method: 'POST', body: {}, timeoutMs: 5000, scope, auth: { key: 'k-1', origin: new URL(url).origin } });
      for await (const _ of r.body) void _;
    }
    assert.equal(engine.received[0].headers.authorization, 'Bearer k-1');
    assert.equal(engine.received[1].headers.authorization, undefined);
  });

  it('configuration errors before any request: no endpoint, not a URL, credentials in the URL, no model', () => {
    const base: RemoteConfig = { backend: 'ollama', endpoint: '', model: 'm', fimTemplate: 'server', timeoutMs: 1000, hints: HINTS };
    const kind = (c: RemoteConfig) => {
      try {
        createEngine(c);
        return 'ok';
      } catch (e) {
        return e instanceof RemoteError ? `${e.kind}: ${e.message}` : String(e);
      }
    };
    assert.match(kind(base), /^config: No endpoint set for the ollama backend: set onnxAssist\.remote\.completion\.endpoint \(e\.g\. http:\/\/127\.0\.0\.1:11434\)/);
    assert.match(kind({ ...base, endpoint: 'localhost:11434' }), /^config: .*not an http:\/\/ or https:\/\/ URL|^config: .*is not a URL/);
    assert.match(kind({ ...base, endpoint: 'http://u:p@host' }), /^config: Put no credentials in the endpoint URL/);
    assert.match(kind({ ...base, endpoint: 'http://host', model: ' ' }), /^config: The ollama backend needs a model name/);
    assert.equal(kind({ ...base, backend: 'llamacpp', endpoint: 'http://host', model: '' }), 'ok');
  });
});
