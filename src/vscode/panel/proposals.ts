/**
 * Apply for a code block from the chat: VS Code's diff view of the target (the selection, or the
 * whole file without one) against a read-only virtual document with the code in place. Nothing
 * is written until the user accepts (the notification's Accept or the diff's title button); then
 * one WorkspaceEdit replaces exactly the range shown, unless the file changed meanwhile.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';

export const PROPOSAL_SCHEME = 'onnx-assist-proposal';

/**
 * The editor a chat action works on: the active one, else the first visible, never a proposal
 * document of an open Apply diff (read-only; applying or attaching it would be meaningless).
 */
export function userEditor(): vscode.TextEditor | undefined {
  const isUser = (e: vscode.TextEditor | undefined) => !!e && e.document.uri.scheme !== PROPOSAL_SCHEME;
  const active = vscode.window.activeTextEditor;
  return isUser(active) ? active : vscode.window.visibleTextEditors.find(isUser);
}
export const ACCEPT_COMMAND = 'onnxAssist.chat.acceptProposal';
export const DISCARD_COMMAND = 'onnxAssist.chat.discardProposal';

interface Proposal {
  target: vscode.Uri;
  range: vscode.Range;
  /** The document's version when the diff was made: an edit since then makes the diff stale. */
  version: number;
  code: string;
  /** The whole document as it would be (the diff's right side). */
  proposed: string;
}

export class Proposals implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly proposals = new Map<string, Proposal>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[];
  private next = 0;

  constructor() {
    this.disposables = [
      this.emitter,
      vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, this),
      vscode.commands.registerCommand(ACCEPT_COMMAND, (uri?: vscode.Uri) => this.accept(this.pick(uri))),
      vscode.commands.registerCommand(DISCARD_COMMAND, (uri?: vscode.Uri) => this.discard(this.pick(uri))),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.proposals.get(uri.toString())?.proposed ?? '';
  }

  /** The proposal a title-bar button was pressed on, else the one in the active diff, else the latest. */
  private pick(uri: vscode.Uri | undefined): string | undefined {
    if (uri && this.proposals.has(uri.toString())) return uri.toString();
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputTextDiff && this.proposals.has(input.modified.toString())) return input.modified.toString();
    return [...this.proposals.keys()].at(-1);
  }

  /** Opens the diff for `code` against the editor's selection, or its whole document when nothing is selected. */
  async propose(editor: vscode.TextEditor, code: string): Promise<void> {
    const doc = editor.document;
    const range = editor.selection.isEmpty ? new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)) : new vscode.Range(editor.selection.start, editor.selection.end);
    const text = doc.getText();
    const proposed = text.slice(0, doc.offsetAt(range.start)) + code + text.slice(doc.offsetAt(range.end));
    const name = path.basename(doc.uri.path) || 'untitled';
    const uri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${++this.next}/${name}` });
    this.proposals.set(uri.toString(), { target: doc.uri, range, version: doc.version, code, proposed });
    const what = editor.selection.isEmpty ? name : `${name} (selection)`;
    await vscode.commands.executeCommand('vscode.diff', doc.uri, uri, `${what} ↔ proposed change (ONNX Assist)`, { preview: true });
    // Not awaited: the choice can come much later, or from the diff's title buttons instead.
    void vscode.window.showInformationMessage(`Apply the proposed change to ${what}?`, 'Accept', 'Discard').then((choice) => {
      if (choice === 'Accept') return this.accept(uri.toString());
      if (choice === 'Discard') return this.discard(uri.toString());
      return undefined;
    });
  }

  private async accept(key: string | undefined): Promise<void> {
    const p = key ? this.proposals.get(key) : undefined;
    if (!p || !key) return;
    const doc = await vscode.workspace.openTextDocument(p.target);
    if (doc.version !== p.version) {
      await this.close(key);
      void vscode.window.showWarningMessage(`${path.basename(p.target.path)} changed after the diff was made; nothing was applied. Press Apply again for a fresh diff.`);
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(p.target, p.range, p.code);
    const ok = await vscode.workspace.applyEdit(edit);
    await this.close(key);
    if (!ok) void vscode.window.showWarningMessage(`${path.basename(p.target.path)} did not accept the edit (is it read-only?).`);
  }

  private async discard(key: string | undefined): Promise<void> {
    if (key) await this.close(key);
  }

  /** Forgets the proposal and closes its diff. */
  private async close(key: string): Promise<void> {
    this.proposals.delete(key);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === key);
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
  }

  dispose(): void {
    this.proposals.clear();
    for (const d of this.disposables) d.dispose();
  }
}
