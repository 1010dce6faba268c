/**
 * Remote backends inside VS Code: inline completions from `onnx-assist serve` (started here as a
 * child process on a free port, with an API key) through the llamacpp backend equal the local
 * backend's on the same FIM fixture model; a missing key and a server that is not there never
 * raise a dialog, they are the role's last error (status bar, Show Host Status); the key is set
 * through the command and kept in secret storage; palette/panel generation through the openai
 * backend equals the local generation.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/vscode/extension';

const EXTENSION_ID = 'onnx-assist.onnx-assist';
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const FIM_MODEL = path.join(ROOT, 'test', 'fixtures', 'models', 'tiny-gpt2-fim');
const KEY = 'remote-suite-key';
const TEXT = 'import os\n\ndef read_lines(path):\n    with open(path) as f:\n        ';

/** Starts `onnx-assist serve` on port 0 and resolves with its URL from the stderr line `listening on http://...;`. */
function startServe(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'out', 'src', 'cli', 'main.js'), 'serve', '--model', FIM_MODEL, '--port', '0', '--api-key', KEY], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      err += d;
      const m = /listening on (http:\/\/[^\s;]+)/.exec(err);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`onnx-assist serve exited (${code}): ${err}`)));
  });
}

const token = () => new vscode.CancellationTokenSource().token;

describe('remote backends (onnx-assist serve as the engine)', () => {
  let a: ExtensionApi;
  let serve: { child: ChildProcess; url: string };
  const cfg = () => vscode.workspace.getConfiguration('onnxAssist');
  const set = (key: string, value: unknown) => cfg().update(key, value, vscode.ConfigurationTarget.Global);
  const KEYS = ['generationModel', 'inline.debounceMs', 'inline.timeLimitMs', 'inline.warmCache', 'remote.completion.backend', 'remote.completion.endpoint', 'remote.completion.model', 'remote.chat.backend', 'remote.chat.endpoint', 'remote.chat.model'];

  /** A greedy inline completion at the end of a new untitled document (its own type-through cache key). */
  async function complete(): Promise<string | undefined> {
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: TEXT });
    await vscode.window.showTextDocument(doc);
    const end = doc.positionAt(TEXT.length);
    const items = await a.provider.provideInlineCompletionItems(doc, end, { triggerKind: vscode.InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: undefined }, token());
    return items?.[0] === undefined ? undefined : String(items[0].insertText);
  }

  before(async function () {
    this.timeout(120_000);
    const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(ext);
    a = await ext.activate();
    serve = await startServe();
    await set('generationModel', FIM_MODEL);
    await set('inline.debounceMs', 0);
    // Decoding is bounded by tokens, not time, so the two sides decode the same count on a busy machine.
    await set('inline.timeLimitMs', 10_000);
    await set('inline.warmCache', false);
  });

  after(async () => {
    // The key goes first: the command only takes an origin that a remote setting still names.
    await set('remote.completion.backend', 'llamacpp');
    await set('remote.completion.endpoint', serve.url);
    await vscode.commands.executeCommand('onnxAssist.setRemoteApiKey', { origin: new URL(serve.url).origin, key: '' });
    for (const k of KEYS) await set(k, undefined);
    serve.child.kill('SIGTERM');
  });

  it('remote: an inline completion through the llamacpp backend equals the local one; the key comes from secret storage', async function () {
    this.timeout(120_000);
    const local = await complete();
    assert.ok(local && local.length > 0, 'the local backend completes');

    await set('remote.completion.backend', 'llamacpp');
    await set('remote.completion.endpoint', serve.url);
    assert.equal(a.assistant.settings.remote.completion.backend, 'llamacpp');

    // No key yet: no completion, no dialog; the role's last error says where to set the key.
    assert.equal(await complete(), undefined);
    const refused = a.assistant.remote.status('completion');
    assert.ok(refused?.lastError, 'the failure is recorded');
    assert.match(refused.lastError.message, /needs an API key \(401\).*Set Remote API Key/);
    assert.ok(!refused.lastError.message.includes(KEY));

    const origin = await vscode.commands.executeCommand<string>('onnxAssist.setRemoteApiKey', { origin: new URL(serve.url).origin, key: KEY });
    assert.equal(origin, new URL(serve.url).origin);
    const remote = await complete();
    assert.equal(remote, local);
    const ok = a.assistant.remote.status('completion');
    assert.equal(ok?.lastError, undefined);
    assert.ok(ok?.lastOkAt);
  });

  it('remote: a server that is not there is the last error, never a dialog, and Show Host Status names the endpoint', async function () {
    this.timeout(60_000);
    await set('remote.completion.backend', 'openai');
    await set('remote.completion.endpoint', 'http://127.0.0.1:9');
    await set('remote.completion.model', 'tiny-gpt2-fim');
    assert.equal(await complete(), undefined);
    const s = a.assistant.remote.status('completion');
    assert.match(s?.lastError?.message ?? '', /Cannot connect to OpenAI-compatible server at http:\/\/127\.0\.0\.1:9 \(connection refused\)/);
    await vscode.commands.executeCommand('onnxAssist.showStatus', true);
    await set('remote.completion.backend', 'local');
    assert.equal(a.assistant.remote.status('completion'), undefined);
  });

  it('remote: generation through the openai backend (palette and panel path) equals the local generation', async function () {
    this.timeout(120_000);
    const options = { maxNewTokens: 10, doSample: false };
    const gen = () => a.assistant.generate({ prompt: TEXT, options, onToken: () => undefined, signal: new AbortController().signal });
    const local = await gen();
    await set('remote.chat.backend', 'openai');
    await set('remote.chat.endpoint', `${serve.url}/v1`);
    await set('remote.chat.model', 'tiny-gpt2-fim');
    let streamed = '';
    const remote = await a.assistant.generate({ prompt: TEXT, options, onToken: (e) => (streamed += e.text), signal: new AbortController().signal });
    assert.deepEqual(remote.texts, local.texts);
    assert.equal(streamed, local.texts[0]);
  });
});
