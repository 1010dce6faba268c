/** Generate at the cursor or from the selection, streamed into the editor, cancellable. */
import * as vscode from 'vscode';
import { generationOptions } from '../config';
import type { Assistant } from '../assistant';

/** Applies streamed text in order, coalescing tokens that arrive while an edit is in flight. */
class StreamingInserter {
  private pending = '';
  private chain: Promise<void> = Promise.resolve();
  private at: vscode.Position;

  constructor(
    private readonly editor: vscode.TextEditor,
    start: vscode.Position,
  ) {
    this.at = start;
  }

  push(text: string): void {
    this.pending += text;
    this.chain = this.chain.then(() => this.flush());
  }

  private async flush(): Promise<void> {
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    const at = this.at;
    const ok = await this.editor.edit((b) => b.insert(at, text), { undoStopBefore: false, undoStopAfter: false });
    if (!ok) throw new Error('the editor rejected the edit (was the document closed?)');
    const lines = text.split('\n');
    this.at = lines.length === 1 ? at.translate(0, text.length) : new vscode.Position(at.line + lines.length - 1, lines[lines.length - 1].length);
  }

  done(): Promise<void> {
    return this.chain;
  }
}

export async function generateInEditor(assistant: Assistant, fromSelection: boolean): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('ONNX Assist: open a file to generate into.');
    return;
  }
  const doc = editor.document;
  const sel = editor.selection;
  let prompt: string;
  let start: vscode.Position;
  if (fromSelection && !sel.isEmpty) {
    prompt = doc.getText(sel);
    // Below the selection, on a line of its own.
    await editor.edit((b) => b.insert(sel.end, '\n'));
    start = new vscode.Position(sel.end.line + 1, 0);
  } else {
    const offset = doc.offsetAt(sel.active);
    prompt = doc.getText().slice(Math.max(0, offset - 6000), offset);
    start = sel.active;
  }
  const inserter = new StreamingInserter(editor, start);
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'ONNX Assist: generating', cancellable: true },
    async (progress, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      let count = 0;
      try {
        const r = await assistant.generate({
          prompt,
          options: generationOptions(assistant.settings),
          onToken: (e) => {
            inserter.push(e.text);
            if (++count % 8 === 0) progress.report({ message: `${count} tokens` });
          },
          signal: ac.signal,
        });
        await inserter.done();
        assistant.output.info(`generate: ${r.stats.newTokens} tokens, ${r.stats.tokensPerSecond.toFixed(1)} tokens/s, first token ${r.stats.timeToFirstTokenMs.toFixed(0)} ms on ${r.stats.ep}`);
      } catch (e) {
        await inserter.done().catch(() => undefined);
        await assistant.reportToUser('Generate', e, () => generateInEditor(assistant, fromSelection));
      } finally {
        sub.dispose();
      }
    },
  );
}
