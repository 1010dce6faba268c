/**
 * `onnx-assist serve`: the host over OpenAI's and llama.cpp's wire formats. The official `openai`
 * npm client, as a third party, drives completions, chat and embeddings, streamed and not; the
 * greedy text over HTTP is the host's own. Limits, keys, the queue, disconnects and the drain are
 * checked on states (queue size, the access log), never on timing.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import OpenAI from 'openai';
import type { HostClient } from '../../src/client/hostClient';
import { ModelRegistry } from '../../src/server/models';
import { ApiServer, SERVE_DEFAULTS, type ServeOptions } from '../../src/server/server';
import { fixture, newClient, ROOT, TINY_EMBEDDER, TINY_GPT2_FIM } from './helpers';
import { makeSlowModel } from './slowModel';

const QWEN = fixture('tiny-qwen2');

async function start(client: HostClient, specs: string[], o: Partial<ServeOptions> = {}) {
  const lines: string[] = [];
  const server = new ApiServer(client, await ModelRegistry.load(client, specs), { ...SERVE_DEFAULTS, port: 0, logPrompts: false, log: (l) => lines.push(l), ...o });
  const addr = await server.listen();
  return { server, url: `http://127.0.0.1:${addr.port}`, lines };
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
};

describe('serve: the host over the OpenAI and llama.cpp APIs', () => {
  let client: HostClient;
  let s: Awaited<ReturnType<typeof start>>;
  let openai: OpenAI;
  before(async () => {
    client = newClient();
    s = await start(client, [`fim=${TINY_GPT2_FIM}`, `chat=${QWEN}`, `embed=${TINY_EMBEDDER}`]);
    openai = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await s.server.drain(0);
    await client.dispose();
  });

  it('the openai client lists the served models', async () => {
    const list = await openai.models.list();
    assert.deepEqual(list.data.map((m) => m.id), ['fim', 'chat', 'embed']);
  });

  it('completions with a suffix: the same greedy text as the host, with usage', async () => {
    const prompt = 'def add(a, b):\n    ';
    const r = await openai.completions.create({ model: 'fim', prompt, suffix: '\n\nprint(add(1, 2))\n', max_tokens: 12, temperature: 0 });
    const direct = await client.request('generate', { modelPath: TINY_GPT2_FIM, prompt, suffix: '\n\nprint(add(1, 2))\n', options: { maxNewTokens: 12, doSample: false } });
    assert.equal(r.choices[0].text, direct.texts[0]);
    assert.equal(r.object, 'text_completion');
    assert.equal(r.usage?.completion_tokens, direct.stats.newTokens);
    assert.ok(['stop', 'length'].includes(r.choices[0].finish_reason));
  });

  it('completions streamed: the chunks add up to the whole text, and the stream ends with a finish reason', async () => {
    const prompt = 'import os\n';
    const whole = await openai.completions.create({ model: 'fim', prompt, max_tokens: 16, temperature: 0 });
    const stream = await openai.completions.create({ model: 'fim', prompt, max_tokens: 16, temperature: 0, stream: true });
    let text = '';
    let reason: string | null = null;
    for await (const c of stream) {
      text += c.choices[0].text;
      reason = c.choices[0].finish_reason ?? reason;
    }
    assert.equal(text, whole.choices[0].text);
    assert.equal(reason, whole.choices[0].finish_reason);
    // Usage at the end of a stream, when asked (stream_options.include_usage).
    let usage: { completion_tokens: number } | undefined;
    for await (const c of await openai.completions.create({ model: 'fim', prompt, max_tokens: 16, temperature: 0, stream: true, stream_options: { include_usage: true } })) usage = c.usage ?? usage;
    assert.equal(usage?.completion_tokens, whole.usage?.completion_tokens);
  });

  it('several completions (n) with sampling and a seed', async () => {
    const r = await openai.completions.create({ model: 'fim', prompt: 'x = ', max_tokens: 8, temperature: 0.9, n: 3, seed: 4 });
    assert.equal(r.choices.length, 3);
    assert.deepEqual(r.choices.map((c) => c.index), [0, 1, 2]);
  });

  it('chat completions through the model\'s chat template, streamed and not', async () => {
    const messages = [{ role: 'user' as const, content: 'Say hi' }];
    const r = await openai.chat.completions.create({ model: 'chat', messages, max_tokens: 10, temperature: 0 });
    assert.equal(r.choices[0].message.role, 'assistant');
    const direct = await client.request('generate', { modelPath: QWEN, prompt: '', messages, options: { maxNewTokens: 10, doSample: false } });
    assert.equal(r.choices[0].message.content, direct.texts[0]);
    let text = '';
    let role: string | undefined;
    for await (const c of await openai.chat.completions.create({ model: 'chat', messages, max_tokens: 10, temperature: 0, stream: true })) {
      role ??= c.choices[0]?.delta.role;
      text += c.choices[0]?.delta.content ?? '';
    }
    assert.equal(role, 'assistant');
    assert.equal(text, direct.texts[0]);
  });

  it('chat on a model without a chat template is a 400 that says what to do', async () => {
    await assert.rejects(openai.chat.completions.create({ model: 'fim', messages: [{ role: 'user', content: 'hi' }] }), (e: { status?: number; message?: string }) => e.status === 400 && /no chat template/.test(e.message ?? ''));
  });

  it('embeddings: one normalised vector per input', async () => {
    const r = await openai.embeddings.create({ model: 'embed', input: ['hello world', 'goodbye'] });
    assert.equal(r.data.length, 2);
    const norm = Math.hypot(...r.data[0].embedding);
    assert.ok(Math.abs(norm - 1) < 1e-4, `norm ${norm}`);
  });

  it('llama.cpp /infill with input_extra, streamed, ends with stop and timings', async () => {
    const res = await fetch(`${s.url}/infill`, {
      method: 'POST',
      body: JSON.stringify({ model: 'fim', input_prefix: 'def f(x):\n', prompt: '    return ', input_suffix: '\n', input_extra: [{ filename: 'util.py', text: 'def g(y):\n    return y\n' }], n_predict: 8, stream: true }),
    });
    const events = (await res.text()).split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => JSON.parse(e.slice(6)) as { content: string; stop: boolean; timings?: { predicted_n: number } });
    const last = events.at(-1)!;
    assert.equal(last.stop, true);
    assert.ok(last.timings && last.timings.predicted_n >= 1);
    const plain = (await (await fetch(`${s.url}/infill`, { method: 'POST', body: JSON.stringify({ model: 'fim', input_prefix: 'def f(x):\n', prompt: '    return ', input_suffix: '\n', input_extra: [{ filename: 'util.py', text: 'def g(y):\n    return y\n' }], n_predict: 8 }) })).json()) as { content: string };
    assert.equal(events.map((e) => e.content).join(''), plain.content);
  });

  it('bad requests are 4xx with the field named; the server keeps serving', async () => {
    const post = async (route: string, body: string) => {
      const r = await fetch(`${s.url}${route}`, { method: 'POST', body });
      return { status: r.status, error: ((await r.json()) as { error: { message: string; param: string | null } }).error };
    };
    assert.deepEqual((await post('/v1/completions', '{"model":"fim","prompt":"x","max_tokens":-3}')).status, 400);
    assert.match((await post('/v1/completions', '{"model":"fim","prompt":"x","top_p":7}')).error.message, /top_p/);
    assert.equal((await post('/v1/completions', '{"model":"nope","prompt":"x"}')).status, 404);
    assert.equal((await post('/v1/completions', '{"prompt":"x"}')).status, 400); // several generation models: model is required
    assert.equal((await post('/v1/completions', '{not json')).status, 400);
    assert.equal((await post('/v1/embeddings', '{"model":"fim","input":"x"}')).status, 400);
    assert.equal((await post('/v1/completions', JSON.stringify({ model: 'fim', prompt: 'x'.repeat(SERVE_DEFAULTS.maxPromptChars + 1) }))).status, 413);
    assert.equal((await fetch(`${s.url}/v1/completions`)).status, 405);
    const ok = await openai.completions.create({ model: 'fim', prompt: 'x', max_tokens: 2, temperature: 0 });
    assert.equal(ok.choices.length, 1);
  });

  it('one access-log line per request, without the prompt', () => {
    const line = s.lines.find((l) => / POST \/v1\/completions 200 model=fim prompt_tokens=\d+ completion_tokens=\d+ \d+ms$/.test(l));
    assert.ok(line, s.lines.join('\n'));
    assert.ok(!s.lines.some((l) => l.includes('def add')), 'a prompt reached the log without --log-prompts');
  });
});

describe('serve: safety and load', () => {
  let client: HostClient;
  let slow: string;
  before(() => {
    client = newClient();
    slow = makeSlowModel(fs.mkdtempSync(path.join(os.tmpdir(), 'serve-slow-')), { iterations: 4000 });
  });
  after(() => client.dispose());

  it('an API key is required on every route but /health, and a wrong one is a 401', async () => {
    const s = await start(client, [TINY_GPT2_FIM], { apiKey: 'sekret' });
    try {
      assert.equal((await fetch(`${s.url}/v1/models`)).status, 401);
      assert.equal((await fetch(`${s.url}/v1/models`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
      assert.equal((await fetch(`${s.url}/v1/models`, { headers: { authorization: 'Bearer sekret' } })).status, 200);
      assert.equal((await fetch(`${s.url}/health`)).status, 200);
    } finally {
      await s.server.drain(0);
    }
  });

  it('refuses a non-loopback address without a key', async () => {
    const models = await ModelRegistry.load(client, [TINY_GPT2_FIM]);
    assert.throws(() => new ApiServer(client, models, { ...SERVE_DEFAULTS, host: '0.0.0.0', logPrompts: false, log: () => undefined }), /api-key/);
  });

  it('CORS headers only when asked', async () => {
    const off = await start(client, [TINY_GPT2_FIM]);
    const on = await start(client, [TINY_GPT2_FIM], { cors: 'https://example.org' });
    try {
      assert.equal((await fetch(`${off.url}/v1/models`)).headers.get('access-control-allow-origin'), null);
      assert.equal((await fetch(`${on.url}/v1/models`)).headers.get('access-control-allow-origin'), 'https://example.org');
      assert.equal((await fetch(`${on.url}/v1/completions`, { method: 'OPTIONS' })).status, 204);
    } finally {
      await off.server.drain(0);
      await on.server.drain(0);
    }
  });

  it('a full queue answers 429 with Retry-After; a disconnected client cancels its request in the host', async () => {
    const s = await start(client, [`slow=${slow}`], { maxQueue: 1 });
    try {
      const ac = new AbortController();
      const first = fetch(`${s.url}/v1/completions`, { method: 'POST', body: JSON.stringify({ prompt: 'x', max_tokens: 200 }), signal: ac.signal }).catch(() => undefined);
      await until(() => s.server.queued === 1);
      const second = await fetch(`${s.url}/v1/completions`, { method: 'POST', body: JSON.stringify({ prompt: 'y', max_tokens: 2 }) });
      assert.equal(second.status, 429);
      assert.equal(second.headers.get('retry-after'), '1');
      ac.abort();
      await first;
      await until(() => s.server.queued === 0);
      const line = s.lines.find((l) => l.includes('POST /v1/completions') && l.includes('client-disconnected'));
      assert.ok(line && / 499 /.test(line), `the host did not report the request cancelled:\n${s.lines.join('\n')}`);
    } finally {
      await s.server.drain(0);
    }
  });

  it('a drain cancels what is still running with whole replies: a 503 body, or a stream that ends properly', async () => {
    const s = await start(client, [`slow=${slow}`]);
    const whole = fetch(`${s.url}/v1/completions`, { method: 'POST', body: JSON.stringify({ prompt: 'x', max_tokens: 500 }) });
    await until(() => s.server.queued === 1);
    const streamed = fetch(`${s.url}/v1/completions`, { method: 'POST', body: JSON.stringify({ prompt: 'x', max_tokens: 500, stream: true }) });
    await until(() => s.server.queued === 2);
    await s.server.drain(0);
    const a = await whole;
    assert.equal(a.status, 503);
    assert.equal(((await a.json()) as { error: { code: string } }).error.code, 'shutting_down');
    const text = await (await streamed).text();
    assert.match(text, /"shutting_down"[\s\S]*data: \[DONE\]\n\n$/);
  });

  it('the CLI: SIGTERM lets a request in flight finish, then exits 0', async () => {
    // A slow model (a forward pass of many matrix products), so the request is mid-run when the signal lands.
    const child = spawn(process.execPath, [path.join(ROOT, 'out', 'src', 'cli', 'main.js'), 'serve', '--model', slow, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await until(() => /listening on (http:\/\/\S+?);/.test(err));
    const url = /listening on (http:\/\/\S+?);/.exec(err)![1];
    const res = await fetch(`${url}/v1/completions`, { method: 'POST', body: JSON.stringify({ prompt: 'import os\n', max_tokens: 6, min_tokens: 6, stream: true, temperature: 0 }) });
    const reader = res.body!.getReader();
    const first = await reader.read(); // a token has been sent: the request is in flight
    child.kill('SIGTERM');
    let text = Buffer.from(first.value!).toString();
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += Buffer.from(r.value).toString();
    assert.match(text, /"finish_reason":"(stop|length)"[\s\S]*data: \[DONE\]\n\n$/);
    assert.equal(await exited, 0, err);
    assert.match(err, /draining \d request[\s\S]*stopped/);
  });
});
