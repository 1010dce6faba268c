/**
 * End to end on our own engine: the remote clients (and the CLI's --backend) against
 * `onnx-assist serve` started in-process on port 0 give the same greedy text as the local
 * backend on the FIM fixture: llama.cpp's /infill with project context as input_extra, OpenAI's
 * /v1/completions with suffix, chat on /v1/chat/completions; and the server's errors (unknown
 * model, a missing key) reach the user as the right kind of RemoteError.
 */
import * as assert from 'node:assert/strict';
import type { HostClient } from '../../src/client/hostClient';
import { createEngine, RemoteError, type RemoteBackend, type RemoteConfig } from '../../src/core/remote';
import { ModelRegistry } from '../../src/server/models';
import { ApiServer, SERVE_DEFAULTS, type ServeOptions } from '../../src/server/server';
import type { GenerationOptions } from '../../src/protocol/types';
import { CompletionPipeline, type CompletionQuery } from '../../src/core/completion/pipeline';
import { cli, fixture, newClient, rejection, TINY_GPT2_FIM } from './helpers';

const QWEN = fixture('tiny-qwen2');
const HINTS = { endpoint: '--endpoint', apiKey: 'ONNX_ASSIST_API_KEY', timeout: 'the timeout', fimTemplate: '--fim-template' };

async function start(client: HostClient, o: Partial<ServeOptions> = {}) {
  const server = new ApiServer(client, await ModelRegistry.load(client, [`fim=${TINY_GPT2_FIM}`, `chat=${QWEN}`]), { ...SERVE_DEFAULTS, port: 0, logPrompts: false, log: () => undefined, ...o });
  const addr = await server.listen();
  return { server, url: `http://127.0.0.1:${addr.port}` };
}

const GREEDY: GenerationOptions = { maxNewTokens: 12, doSample: false };
const PREFIX = 'import os\n\ndef read(path):\n    with open(path) as f:\n        ';
const SUFFIX = '\n\nprint(read("a.txt"))\n';
const CONTEXT = [{ path: 'util.py', text: 'def helper(x):\n    return x * 2\n' }];

describe('remote backends against onnx-assist serve (end to end)', () => {
  let client: HostClient;
  let s: Awaited<ReturnType<typeof start>>;
  const config = (backend: RemoteBackend, o: Partial<RemoteConfig> = {}): RemoteConfig => ({ backend, endpoint: s.url, model: 'fim', fimTemplate: 'server', timeoutMs: 30_000, hints: HINTS, ...o });
  before(async () => {
    client = newClient();
    s = await start(client);
  });
  after(async () => {
    await s.server.drain(0);
    await client.dispose();
  });

  it('llamacpp /infill with project context: the local greedy text, streamed tokens adding up to it', async () => {
    const local = await client.request('generate', { modelPath: TINY_GPT2_FIM, prompt: PREFIX, suffix: SUFFIX, context: CONTEXT, options: GREEDY });
    let streamed = '';
    const r = await createEngine(config('llamacpp')).complete({ prefix: PREFIX, suffix: SUFFIX, context: CONTEXT, options: GREEDY, onToken: (e) => (streamed += e.text) });
    assert.deepEqual(r.texts, local.texts);
    assert.equal(streamed, local.texts[0]);
    assert.equal(r.completionTokens, local.stats.newTokens);
  });

  it('openai /v1/completions with suffix: the local greedy text and usage', async () => {
    const local = await client.request('generate', { modelPath: TINY_GPT2_FIM, prompt: PREFIX, suffix: SUFFIX, options: GREEDY });
    const r = await createEngine(config('openai', { endpoint: `${s.url}/v1` })).complete({ prefix: PREFIX, suffix: SUFFIX, options: GREEDY });
    assert.deepEqual(r.texts, local.texts);
  });

  it('line scope: the remote text is the local one up to its newline', async () => {
    const options: GenerationOptions = { ...GREEDY, maxNewTokens: 24, scope: 'line' };
    const local = await client.request('generate', { modelPath: TINY_GPT2_FIM, prompt: PREFIX, suffix: SUFFIX, options });
    for (const backend of ['llamacpp', 'openai'] as const) {
      const r = await createEngine(config(backend)).complete({ prefix: PREFIX, suffix: SUFFIX, options });
      assert.equal(r.texts[0], local.texts[0].split('\n')[0], backend);
    }
  });

  it('the completion pipeline (scope, post-processing) shows the same suggestion from the local and the remote backends', async () => {
    const limits = () => ({ maxNewTokens: 48, timeLimitMs: 60_000 });
    const local = new CompletionPipeline(async (r) => (await client.request('generate', { modelPath: TINY_GPT2_FIM, prompt: r.prefix, suffix: r.suffix, context: r.context, options: r.options }, { signal: r.signal })).texts, limits);
    const remote = (backend: RemoteBackend) => new CompletionPipeline(async (r) => (await createEngine(config(backend)).complete({ ...r })).texts, limits);
    // After a block opener (a block), mid-statement (a line), and at the end of a statement.
    const cases = [
      { prefix: PREFIX, suffix: SUFFIX, line: '        ', previous: '    with open(path) as f:' },
      { prefix: 'import os\nx = os.path.', suffix: '\n', line: 'x = os.path.', previous: 'import os' },
      { prefix: 'def f(a):\n    return a\n', suffix: '', line: '', previous: '    return a' },
    ];
    let shown = 0;
    for (const c of cases) {
      const q: CompletionQuery = { key: 'k', prefix: c.prefix, suffix: c.suffix, manual: false, ctx: { linePrefix: c.line, lineSuffix: '', nextLines: c.suffix.split('\n').slice(1, 6), previousLine: c.previous, multiline: 'auto', inComment: false, indentUnit: '    ' } };
      const want = (await local.generate(q)).texts;
      shown += want.filter((t) => t.length > 0).length;
      for (const backend of ['llamacpp', 'openai'] as const) assert.deepEqual((await remote(backend).generate(q)).texts, want, `${backend}: ${JSON.stringify(c.line)}`);
    }
    assert.ok(shown >= 2, `the model suggests something in most cases (${shown} of ${cases.length})`);
  });

  it('chat on /v1/chat/completions (openai and llamacpp backends): the local chat text', async () => {
    const messages = [{ role: 'user' as const, content: 'Say hi' }];
    const local = await client.request('generate', { modelPath: QWEN, prompt: '', messages, options: { maxNewTokens: 10, doSample: false } });
    for (const backend of ['openai', 'llamacpp'] as const) {
      const r = await createEngine(config(backend, { model: 'chat' })).chat({ messages, options: { maxNewTokens: 10, doSample: false } });
      assert.deepEqual(r.texts, local.texts, backend);
    }
  });

  it('the CLI: generate --backend llamacpp and --backend openai print the text generate --model prints', async () => {
    const common = ['--prompt', PREFIX, '--suffix', SUFFIX, '--max-new-tokens', '12', '--temperature', '0', '--json'];
    const local = await cli('generate', '--model', TINY_GPT2_FIM, ...common);
    assert.equal(local.code, 0, local.err);
    const want = (JSON.parse(local.out) as { texts: string[] }).texts;
    for (const args of [['--backend', 'llamacpp', '--endpoint', s.url, '--remote-model', 'fim'], ['--backend', 'openai', '--endpoint', s.url, '--remote-model', 'fim']]) {
      const r = await cli('generate', ...args, ...common);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual((JSON.parse(r.out) as { texts: string[] }).texts, want, args[1]);
    }
    // Streamed to stdout, the stats line naming the backend on stderr.
    const streamed = await cli('generate', '--backend', 'llamacpp', '--endpoint', s.url, '--remote-model', 'fim', ...common.slice(0, -1));
    assert.equal(streamed.out, `${want[0]}\n`);
    assert.match(streamed.err, /^\[llamacpp at http:\/\/127\.0\.0\.1:\d+: \d+ prompt tokens, \d+ new/);
  });

  it('the CLI: a wrong command line is status 2, an engine that is not there status 1 with the reason', async () => {
    assert.equal((await cli('generate', '--backend', 'openai', '--endpoint', s.url, '--prompt', 'x')).code, 2);
    assert.equal((await cli('generate', '--backend', 'llamacpp', '--prompt', 'x')).code, 2);
    assert.equal((await cli('generate', '--backend', 'vllm', '--endpoint', s.url, '--prompt', 'x')).code, 2);
    const local = await cli('generate', '--backend', 'llamacpp', '--endpoint', s.url, '--ep', 'cpu', '--prompt', 'x');
    assert.equal(local.code, 2);
    assert.match(local.err, /--ep is for a local model/);
    const missing = await cli('generate', '--backend', 'ollama', '--endpoint', s.url, '--remote-model', 'fim', '--prompt', 'x');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /Ollama at http:\S+ has no route \/api\/generate \(404\)/);
  });

  it('an unknown model is not-found; a server with a key refuses a client without it (auth)', async () => {
    const unknown = await rejection(createEngine(config('openai', { model: 'nope' })).complete({ prefix: 'x', suffix: '', options: GREEDY }));
    assert.ok(unknown instanceof RemoteError && unknown.kind === 'not-found', String(unknown));
    const keyed = await start(client, { apiKey: 'team-secret' });
    try {
      const e = await rejection(createEngine(config('llamacpp', { endpoint: keyed.url })).complete({ prefix: 'x', suffix: '', options: GREEDY }));
      assert.ok(e instanceof RemoteError && e.kind === 'auth', String(e));
      assert.match(e.message, /needs an API key \(401\).*ONNX_ASSIST_API_KEY/);
      const ok = await createEngine(config('llamacpp', { endpoint: keyed.url, apiKey: 'team-secret' })).complete({ prefix: PREFIX, suffix: SUFFIX, options: GREEDY });
      assert.ok(ok.texts[0].length > 0);
    } finally {
      await keyed.server.drain(0);
    }
  });
});
