/**
 * VS Code entry point. Activation only registers; the inference host starts on first use.
 * The editor surfaces (inline completions, palette, panel) build on this in later steps.
 */
import * as vscode from 'vscode';
import { HostClient } from './client/hostClient';

let client: HostClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('ONNX Assist', { log: true });
  context.subscriptions.push(output);
  client = new HostClient({
    workerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'host', 'worker.js').fsPath,
    log: (level, message) => output[level](message),
  });
  context.subscriptions.push(
    vscode.commands.registerCommand('onnxAssist.showStatus', async () => {
      const s = await client!.request('status', {});
      output.info(JSON.stringify(s, null, 2));
      output.show(true);
    }),
    vscode.commands.registerCommand('onnxAssist.restartHost', () => client!.restart()),
  );
}

export function deactivate(): Promise<void> | undefined {
  const c = client;
  client = undefined;
  return c?.dispose();
}
