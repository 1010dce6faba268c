/** Runs last (see runner.ts): deactivation ends the host for good. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/vscode/extension';

const EXTENSION_ID = 'onnx-assist.onnx-assist';

describe('ONNX Assist shutdown', () => {
  let a: ExtensionApi;
  before(async () => (a = await vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID)!.activate()));

  it('deactivate shuts the host down and nothing keeps serving', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    // The module VS Code loaded (same require cache): its deactivate() is what VS Code calls.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(ext.extensionPath, 'dist', 'extension.js')) as { deactivate(): Promise<void> | undefined };
    await a.assistant.client.request('status', {});
    assert.equal(a.assistant.client.state, 'ready');
    await mod.deactivate();
    assert.equal(a.assistant.client.state, 'stopped');
    await assert.rejects(a.assistant.client.request('status', {}), (e: { code?: string }) => e.code === 'HOST_SHUTDOWN');
  });
});
