/**
 * Download Model in a real VS Code: from the Hub emulator (a real HTTP server on 127.0.0.1)
 * into a temporary cache, then inline completions run on the downloaded model.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/vscode/extension';
import type { PulledModel } from '../../../src/core/hub/download';
import { HubEmulator } from '../../hub/emulator';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

describe('Download Model in VS Code', () => {
  let a: ExtensionApi;
  let hub: HubEmulator;
  let cache: string;
  const cfg = () => vscode.workspace.getConfiguration('onnxAssist');

  before(async () => {
    a = await vscode.extensions.getExtension<ExtensionApi>('onnx-assist.onnx-assist')!.activate();
    hub = new HubEmulator();
    hub.addRepo('onnx-assist/code-lm', path.join(ROOT, 'models', 'code-lm'));
    await hub.start();
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-assist-cache-'));
    await cfg().update('hub.endpoint', hub.url, vscode.ConfigurationTarget.Global);
    await cfg().update('hub.cacheDir', cache, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    for (const key of ['hub.endpoint', 'hub.cacheDir', 'generationModel']) await cfg().update(key, undefined, vscode.ConfigurationTarget.Global);
    await hub.stop();
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('downloads a variant from the emulator, survives a dropped connection, and completes with it', async () => {
    hub.fault('model_quantized.onnx', { kind: 'cut', at: 0.3 });
    const m = await vscode.commands.executeCommand<PulledModel>('onnxAssist.downloadModel', { repo: 'onnx-assist/code-lm', dtype: 'q8', use: 'generationModel' });
    assert.ok(m.dir.startsWith(cache));
    assert.deepEqual(fs.readdirSync(path.join(m.dir, 'onnx')), ['model_quantized.onnx']);
    assert.ok(hub.requests.some((r) => r.range), 'the dropped download resumed with Range');
    assert.equal(a.assistant.settings.generationModel, m.dir);
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'def read_lines(path):\n    ' });
    const end = doc.lineAt(1).range.end;
    const items = await a.provider.provideInlineCompletionItems(doc, end, { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined }, new vscode.CancellationTokenSource().token);
    assert.ok(items && items.length > 0 && String(items[0].insertText).trim().length > 0, 'a completion from the downloaded model');
    const status = await a.assistant.client.request('status', {});
    assert.ok(status.models.some((x) => x.modelPath === m.dir && x.onnxFile.endsWith('model_quantized.onnx')));
  });

  it('a gated repository without a token says how to add one', async () => {
    hub.addRepo('onnx-assist/gated', path.join(ROOT, 'test', 'fixtures', 'models', 'tiny-gpt2'), { gated: true });
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('onnxAssist.downloadModel', { repo: 'onnx-assist/gated', dtype: 'fp32', use: 'none' })), /needs a Hugging Face token/);
  });
});
