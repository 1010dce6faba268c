/**
 * Restart Inference Host while onnxruntime is inside a multi-second forward pass, in the real
 * extension host. Ending the worker there used to abort the whole extension host (SIGABRT), and
 * with it this test run.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/vscode/extension';
import { makeSlowModel } from '../../unit/slowModel';

const EXTENSION_ID = 'onnx-assist.onnx-assist';

describe('Restart Inference Host mid-run', () => {
  let a: ExtensionApi;
  let dir: string;
  before(async () => {
    a = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate();
    dir = makeSlowModel(fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-assist-slow-')), { iterations: 40000 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the command starts a new host at once; the old one finishes its step and exits; the editor lives on', async function () {
    this.timeout(300_000);
    const client = a.assistant.client;
    let restarted: Thenable<unknown> | undefined;
    const slow = client.request('generate', { modelPath: dir, prompt: 'hello', options: { doSample: false, maxNewTokens: 4 } }, {
      // The first token is out: the worker is now inside the next slow forward pass.
      onEvent: () => {
        restarted ??= vscode.commands.executeCommand('onnxAssist.restartHost');
      },
    });
    await assert.rejects(slow, (e: { code?: string }) => e.code === 'HOST_SHUTDOWN');
    await restarted;
    assert.equal(client.state, 'ready');
    const modelPath = a.assistant.models.generationModel(a.assistant.settings);
    const r = await client.request('generate', { modelPath, prompt: 'def add(a, b):\n    return', options: { doSample: false, maxNewTokens: 2 } });
    assert.ok(r.stats.promptTokens > 0);
    await client.whenRetired();
    assert.equal((await client.request('status', {})).ortVersion, '1.30.0');
  });
});
