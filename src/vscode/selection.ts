/** What "the selection" means for every command that reads it: the selected text, or the cursor's line when nothing is selected. */
import * as vscode from 'vscode';

export function selectedText(editor: vscode.TextEditor | undefined = vscode.window.activeTextEditor): string {
  if (!editor) return '';
  const s = editor.selection;
  return s.isEmpty ? editor.document.lineAt(s.active.line).text : editor.document.getText(s);
}
