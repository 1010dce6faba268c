/** Status bar item: model and the provider that actually runs, a spinner while generating, the last latency. */
import * as vscode from 'vscode';
import { modelDisplayName } from './models/locations';
import type { Assistant } from './assistant';
import { providerText } from './providerText';
import { SECTION } from './config';

export function registerStatusBar(assistant: Assistant): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('onnxAssist.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'ONNX Assist';
  item.command = 'onnxAssist.openPanel';
  let busy = false;
  const render = () => {
    const model = modelDisplayName(assistant.models.generationModel(assistant.settings));
    const inline = assistant.settings.inline.enabled ? '' : ' (off)';
    const latency = assistant.telemetry.lastLatencyMs === undefined ? '' : ` ${Math.round(assistant.telemetry.lastLatencyMs)}ms`;
    // The provider the models run on (the host says), not the setting; the reason when they differ.
    const ep = providerText(assistant.provider);
    item.text = `${busy ? '$(loading~spin)' : ep.reason ? '$(warning)' : '$(hubot)'} ${model}${inline} · ${ep.short}${latency}`;
    item.accessibilityInformation = { label: `ONNX Assist: ${model} on ${ep.line}${busy ? ', generating' : ''}` };
    item.tooltip = new vscode.MarkdownString(
      [`**ONNX Assist**: ${model} on ${ep.line}`, ep.reason && 'Details: *ONNX Assist: Show Host Status*.', `Host: ${assistant.client.state}`, 'Click to open the panel.'].filter(Boolean).join('\n\n'),
    );
  };
  render();
  item.show();
  return vscode.Disposable.from(
    item,
    assistant.onBusy((b) => {
      busy = b;
      render();
    }),
    assistant.onProviderChange(render),
    assistant.telemetry.onChange(render),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SECTION) && render()),
    assistant.client.onStateChange(render),
  );
}
