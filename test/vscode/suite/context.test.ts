/**
 * Project context inside VS Code: files opened and edited feed the chunks a completion request
 * carries in another file; files excluded by files.exclude or .gitignore never do. Runs on the
 * launcher's copy of the fixture workspace (files are written there, not in the repository).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/vscode/extension';

const EXTENSION_ID = 'onnx-assist.onnx-assist';
const SHARED = 'def parse_invoice_total(invoice_lines):\n    return sum(line.amount for line in invoice_lines)\n';

function file(rel: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the fixture workspace is open');
  return vscode.Uri.joinPath(folder.uri, rel);
}

async function write(rel: string, text: string): Promise<vscode.Uri> {
  const uri = file(rel);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

/** Resolves once `pred` holds, checked now and on each change of the context ring (no timer). */
function until(a: ExtensionApi, pred: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (pred()) return resolve();
    const sub = a.provider.context.onDidChange(() => {
      if (!pred()) return;
      sub.dispose();
      resolve();
    });
  });
}

describe('project context', () => {
  let a: ExtensionApi;
  const files = vscode.workspace.getConfiguration('files');
  before(async () => {
    const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(ext);
    a = await ext.activate();
    await files.update('exclude', { '**/excluded_*.py': true }, vscode.ConfigurationTarget.Workspace);
  });
  after(async () => {
    await files.update('exclude', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.fs.delete(file('ctx'), { recursive: true });
  });

  it('in an untrusted workspace nothing is ever context', async function () {
    if (vscode.workspace.isTrusted) this.skip();
    const other = await write('ctx/other.py', SHARED);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(other));
    const doc = await vscode.workspace.openTextDocument(await write('ctx/here.py', 'total = parse_invoice_total(invoice_lines)\n'));
    await vscode.window.showTextDocument(doc);
    assert.deepEqual(a.provider.context.ring.all, []);
    assert.deepEqual(a.provider.context.contextFor(doc, new vscode.Position(1, 0)), []);
  });

  it('a completion request carries chunks of an edited file, never of excluded or ignored files (trusted workspace)', async function () {
    // Runs in tools/vscode-test's second, trusted pass (the first opens the folder in Restricted Mode).
    if (!vscode.workspace.isTrusted) this.skip();
    await write('ctx/.gitignore', 'ignored_*.py\n');
    const helpers = await write('ctx/helpers.py', `import math\n\n${SHARED}`);
    const ignored = await write('ctx/ignored_secret.py', `SECRET = 1\n${SHARED}`);
    const excluded = await write('ctx/excluded_gen.py', `GENERATED = 1\n${SHARED}`);
    const main = await write('ctx/main.py', 'invoice_lines = load()\ntotal = parse_invoice_total(invoice_lines)\nprint(');

    // Opened and switched to, like a user would; then an edit in helpers.py.
    for (const uri of [ignored, excluded, helpers]) await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor && editor.document.uri.toString() === helpers.toString());
    await editor.edit((e) => e.insert(new vscode.Position(1, 0), 'INVOICE_EDITED = True\n'));
    const sawEdit = until(a, () => a.provider.context.ring.all.some((c) => c.path === 'ctx/helpers.py' && c.text.includes('INVOICE_EDITED')));

    // Switching to main.py reads the pending edit into the ring.
    const doc = await vscode.workspace.openTextDocument(main);
    const mainEditor = await vscode.window.showTextDocument(doc);
    await sawEdit;
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    mainEditor.selection = new vscode.Selection(end, end);

    const chunks = a.provider.context.contextFor(doc, end);
    assert.ok(chunks.some((c) => c.path === 'ctx/helpers.py' && c.text.includes('INVOICE_EDITED')), 'the edited chunk of helpers.py is chosen');
    await a.provider.provideInlineCompletionItems(doc, end, { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined }, new vscode.CancellationTokenSource().token);
    const sent = a.assistant.lastContext;
    if (!sent) return assert.fail('the request reported its context');
    assert.ok(sent.sentFiles.includes('ctx/helpers.py'), `sent: ${sent.sentFiles.join(', ')}`);
    for (const f of ['ctx/ignored_secret.py', 'ctx/excluded_gen.py', 'ctx/main.py']) assert.ok(!sent.sentFiles.includes(f), `${f} is never context`);
    assert.ok(!a.provider.context.ring.all.some((c) => c.path.includes('ignored_') || c.path.includes('excluded_')), 'excluded files never enter the ring');
  });

  it('turning context off sends none', async () => {
    await vscode.workspace.getConfiguration('onnxAssist').update('context.enabled', false, vscode.ConfigurationTarget.Global);
    try {
      const doc = await vscode.workspace.openTextDocument(await write('ctx/off.py', 'total = parse_invoice_total(invoice_lines)\n'));
      assert.deepEqual(a.provider.context.contextFor(doc, new vscode.Position(1, 0)), []);
    } finally {
      await vscode.workspace.getConfiguration('onnxAssist').update('context.enabled', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
