/**
 * Status bar item: model and the provider that actually runs (or, for completions from a remote
 * engine, the backend and its model), a spinner while generating, the last latency, a warning
 * when the remote engine's last request failed.
 */
import * as vscode from 'vscode';
import { modelDisplayName } from './models/locations';
import type { Assistant } from './assistant';
import { providerText } from './providerText';
import { SECTION } from './config';
import { remoteLines, remoteShort } from './remote/statusText';

export function registerStatusBar(assistant: Assistant): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('onnxAssist.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'ONNX Assist';
  item.command = 'onnxAssist.openPanel';
  let busy = false;
  const render = () => {
    const remote = assistant.remote.status('completion');
    if (remote) {
      const inline = assistant.settings.inline.enabled ? '' : ' (off)';
      const latency = assistant.telemetry.lastLatencyMs === undefined ? '' : ` ${Math.round(assistant.telemetry.lastLatencyMs)}ms`;
      item.text = `${busy ? '$(loading~spin)' : remote.lastError ? '$(warning)' : '$(cloud)'} ${remoteShort(remote)}${inline}${latency}`;
      item.accessibilityInformation = { label: `ONNX Assist: completions from ${remote.backend} at ${remote.endpoint}${remote.lastError ? ', last request failed' : ''}${busy ? ', generating' : ''}` };
      // The server's own words (an error message) go in as text, never as markdown.
      const tip = new vscode.MarkdownString('**ONNX Assist**: remote engine\n\n');
      for (const l of remoteLines(remote)) tip.appendText(`${l.trim()}\n\n`);
      item.tooltip = tip.appendMarkdown('Details: *ONNX Assist: Show Host Status*. Click to open the panel.');
      return;
    }
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
    assistant.remote.onDidChange(render),
  );
}
