/** Inside a real VS Code extension host, against the fixture workspace and the default models. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/vscode/extension';

const EXTENSION_ID = 'onnx-assist.onnx-assist';

async function api(): Promise<ExtensionApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return ext.activate();
}

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the fixture workspace is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

const token = () => new vscode.CancellationTokenSource().token;

describe('ONNX Assist in VS Code', () => {
  let a: ExtensionApi;
  before(async () => (a = await api()));

  it('activates and starts no model until first use', () => {
    // How long activation took is measured (npm run bench reports it), never asserted: CI is busy.
    assert.ok(Number.isFinite(a.activationMs));
    assert.equal(a.assistant.client.state, 'stopped', 'the host has not started yet');
    // Recorded for npm run bench, which reports activation time from the last real VS Code run.
    const dir = path.resolve(__dirname, '..', '..', '..', '..', 'test-results', 'vscode');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify({ activationMs: a.activationMs, vscode: vscode.version }));
  });

  it('the inline provider returns completions from the default model', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('sample.py'));
    const editor = await vscode.window.showTextDocument(doc);
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    const items = await a.provider.provideInlineCompletionItems(doc, end, { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined }, token());
    assert.ok(items, 'completions');
    assert.ok(items.length >= 3, `manual trigger offers alternatives to cycle through (got ${items.length})`);
    assert.ok(String(items[0].insertText).trim().length > 0);
    assert.equal(new Set(items.map((i) => String(i.insertText))).size, items.length, 'alternatives are distinct');
  });

  it('Generate at Cursor streams text into the editor', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'def greet(name):\n    ' });
    const editor = await vscode.window.showTextDocument(doc);
    const end = doc.lineAt(1).range.end;
    editor.selection = new vscode.Selection(end, end);
    const before = doc.getText();
    await vscode.workspace.getConfiguration('onnxAssist').update('generation.maxNewTokens', 16, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('onnxAssist.generateAtCursor');
    assert.ok(doc.getText().length > before.length, 'text was inserted');
    assert.ok(doc.getText().startsWith(before));
  });

  it('turning inline completions off in settings takes effect without a reload', async () => {
    const cfg = vscode.workspace.getConfiguration('onnxAssist');
    await cfg.update('inline.enabled', false, vscode.ConfigurationTarget.Global);
    try {
      const doc = await vscode.workspace.openTextDocument(workspaceFile('sample.py'));
      const end = doc.lineAt(doc.lineCount - 1).range.end;
      const items = await a.provider.provideInlineCompletionItems(doc, end, { triggerKind: vscode.InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: undefined }, token());
      assert.equal(items, undefined);
      assert.equal(a.assistant.settings.inline.enabled, false);
    } finally {
      await cfg.update('inline.enabled', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.equal(a.assistant.settings.inline.enabled, true);
  });

  it('Classify uses the default classifier', async () => {
    const r = await a.assistant.classify(['Congratulations! You won a FREE cruise, click here now!']);
    assert.deepEqual(r.results[0].map((l) => l.label).sort(), ['ham', 'spam']);
  });

  it("VS Code's accept-word and accept-line take our inline suggestion piece by piece", async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'import os\n\n\ndef list_files(root):\n    ' });
    const editor = await vscode.window.showTextDocument(doc);
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    const accept = async (command: string): Promise<string> => {
      const before = doc.getText();
      // Ask for the suggestion (as Alt+\ does), then accept part of it, until the document changes.
      for (let i = 0; i < 240 && doc.getText() === before; i++) {
        await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
        await new Promise((r) => setTimeout(r, 500));
        await vscode.commands.executeCommand(command);
      }
      assert.notEqual(doc.getText(), before, `${command} inserted part of the suggestion`);
      return doc.getText().slice(before.length);
    };
    const word = await accept('editor.action.inlineSuggest.acceptNextWord');
    assert.ok(!word.includes('\n') || word.trim() === '', `one word at a time: ${JSON.stringify(word)}`);
    await accept('editor.action.inlineSuggest.acceptNextLine');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('every contributed command is registered', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    for (const c of ext.packageJSON.contributes.commands as { command: string }[]) assert.ok(all.has(c.command), c.command);
  });

  it('the host shuts down cleanly and a fresh one answers after a restart', async () => {
    await vscode.commands.executeCommand('onnxAssist.restartHost');
    assert.equal(a.assistant.client.state, 'ready', 'Restart Inference Host resolves once the new host is ready');
    const s = await a.assistant.client.request('status', {});
    assert.equal(s.models.length, 0);
  });
});
