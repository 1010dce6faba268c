/**
 * VS Code entry point. Activation registers the surfaces and returns; the inference host and the
 * models start on first use. deactivate() waits for the host to shut down.
 */
import * as vscode from 'vscode';
import { Assistant } from './assistant';
import { ClassificationCommands, type ReportSink } from './classification/commands';
import { ModelManager } from './models/modelManager';
import { registerCommands } from './commands/register';
import { InlineCompletionProvider } from './completion/provider';
import { PANEL_VIEW, PanelView } from './panel/panelView';
import { registerStatusBar } from './statusBar';

let assistant: Assistant | undefined;

export interface ExtensionApi {
  /** For the extension's own integration tests: the shared service and the provider. */
  assistant: Assistant;
  provider: InlineCompletionProvider;
  panel: PanelView;
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const t0 = performance.now();
  const output = vscode.window.createOutputChannel('ONNX Assist', { log: true });
  const a = new Assistant(context, output);
  assistant = a;
  const provider = new InlineCompletionProvider(a);
  // Reports go to the panel, which is built after the commands it uses; the sink is only called later.
  const reports: ReportSink = { showReport: (r) => panel.showReport(r) };
  const classification = new ClassificationCommands(a, context.workspaceState, reports);
  const manager = new ModelManager(a, context.secrets, context.extensionUri.fsPath);
  const panel = new PanelView(context.extensionUri, a, { classification, models: manager, chatStorage: { dir: context.storageUri, state: context.workspaceState } });
  context.subscriptions.push(
    output,
    a,
    provider,
    panel,
    vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, provider),
    vscode.window.registerWebviewViewProvider(PANEL_VIEW, panel, { webviewOptions: { retainContextWhenHidden: true } }),
    registerCommands(a),
    classification.register(),
    manager,
    manager.register(),
    manager.onDidChange(() => panel.postModels()),
    registerStatusBar(a),
  );
  const activationMs = performance.now() - t0;
  output.info(`activated in ${activationMs.toFixed(1)} ms (the inference host starts on first use)`);
  return { assistant: a, provider, panel, activationMs };
}

export function deactivate(): Promise<void> | undefined {
  const a = assistant;
  assistant = undefined;
  return a?.client.dispose();
}
