/** Status bar item: model and provider, a spinner while generating, the last latency. */
import * as vscode from 'vscode';
import { modelDisplayName } from '../hub/cacheDir';
import type { Assistant } from './assistant';

export function registerStatusBar(assistant: Assistant): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('onnxAssist.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'ONNX Assist';
  item.command = 'onnxAssist.openPanel';
  let busy = false;
  let ep = assistant.settings.executionProvider as string;
  let fallback = '';
  const render = () => {
    const model = modelDisplayName(assistant.models.generationModel(assistant.settings));
    const inline = assistant.settings.inline.enabled ? '' : ' (off)';
    const latency = assistant.telemetry.lastLatencyMs === undefined ? '' : ` ${Math.round(assistant.telemetry.lastLatencyMs)}ms`;
    item.text = `${busy ? '$(loading~spin)' : '$(hubot)'} ${model}${inline} · ${ep}${latency}`;
    item.accessibilityInformation = { label: `ONNX Assist: ${model} on ${ep}${busy ? ', generating' : ''}` };
    item.tooltip = new vscode.MarkdownString(
      [`**ONNX Assist**: ${model} on ${ep}`, fallback && `Fallback: ${fallback}`, `Host: ${assistant.client.state}`, 'Click to open the panel.'].filter(Boolean).join('\n\n'),
    );
  };
  // Provider and fallbacks change only when the host (re)starts or settings change, so the host
  // is asked once after that, not after every completion.
  let stale = true;
  const refreshEp = async () => {
    if (!stale) return;
    stale = false;
    try {
      const s = await assistant.client.request('status', {});
      const m = s.models.find((x) => x.task === 'text-generation');
      if (m) {
        ep = m.ep;
        fallback = m.fallbacks.join('; ');
      }
    } catch {
      stale = true; // the status bar never raises errors; try again after the next request
    }
    render();
  };
  render();
  item.show();
  return vscode.Disposable.from(
    item,
    assistant.onBusy((b) => {
      busy = b;
      render();
      if (!b) void refreshEp();
    }),
    assistant.telemetry.onChange(render),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('onnxAssist')) return;
      stale = true;
      render();
    }),
    assistant.client.onStateChange((state) => {
      if (state !== 'ready') stale = true;
      render();
    }),
  );
}
