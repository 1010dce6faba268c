/** Palette commands (category "ONNX Assist"). */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExecutionProvider, HostStatus } from '../../protocol/types';
import type { Assistant } from '../assistant';
import { guarded } from '../commandGuard';
import { ACCEPT_COMMAND } from '../completion/provider';
import { UserError } from '../errors';
import { providerText, shortReason, type ProviderState } from '../providerText';
import { generateInEditor } from './generate';
import { selectModel } from './selectModel';
import { SECTION } from '../config';
import { selectedText } from '../selection';
import { setRemoteApiKey } from '../remote/apiKeyCommand';
import { remoteLines } from '../remote/statusText';

const EP_INFO: Record<string, string> = {
  auto: process.platform === 'win32' ? 'CUDA or DirectML when available, else CPU' : 'CUDA when installed, else CPU',
  cpu: 'always available',
  cuda: 'NVIDIA GPUs on Linux and Windows (needs the CUDA provider installed)',
  dml: 'DirectML, any GPU on Windows',
  webgpu: 'experimental in Node',
};

export function bar(score: number): string {
  const n = Math.round(score * 20);
  return '█'.repeat(n) + '░'.repeat(20 - n);
}

async function classifySelection(assistant: Assistant): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return void vscode.window.showInformationMessage('ONNX Assist: select some text to classify.');
  const text = selectedText(editor);
  if (!text.trim()) return void vscode.window.showInformationMessage('ONNX Assist: the selection is empty.');
  try {
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Classifying' }, () => assistant.classify([text]));
    const picks = r.results[0].map((l) => ({ label: l.label, description: `${(l.score * 100).toFixed(1)}%`, detail: bar(l.score) }));
    await vscode.window.showQuickPick(picks, { title: `ONNX Assist: ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`, placeHolder: 'Labels, best first' });
  } catch (e) {
    await assistant.reportToUser('Classify', e, () => classifySelection(assistant));
  }
}

/**
 * Select Execution Provider: only the providers this installation has on this platform (asked of
 * the host), each with what it is; then the generation model is loaded on the choice, and if it
 * runs on another provider the user is told which and why.
 */
export async function selectExecutionProvider(assistant: Assistant, given?: unknown): Promise<ProviderState | undefined> {
  const status = await assistant.client.request('status', {});
  const offered = status.providers.filter((p) => p.available).map((p) => p.ep);
  const missing = status.providers.filter((p) => !p.available).map((p) => `${p.ep} (${shortReason(p.reason ?? 'not available')})`);
  let ep: ExecutionProvider | undefined;
  if (given !== undefined) {
    if (!offered.includes(given as ExecutionProvider)) {
      throw new UserError(`Execution provider ${JSON.stringify(given)} is not available here. Available: ${offered.join(', ')}.${missing.length ? ` Not available: ${missing.join('; ')}.` : ''}`);
    }
    ep = given as ExecutionProvider;
  } else {
    const pick = await vscode.window.showQuickPick(
      offered.map((x) => ({ label: x, description: `${EP_INFO[x]}${x === assistant.settings.executionProvider ? ' · current' : ''}`, picked: x === assistant.settings.executionProvider })),
      { title: 'Execution provider', placeHolder: missing.length ? `Not available on this machine: ${missing.join('; ')}` : undefined },
    );
    ep = pick?.label as ExecutionProvider | undefined;
  }
  if (!ep) return undefined;
  await vscode.workspace.getConfiguration(SECTION).update('executionProvider', ep, vscode.ConfigurationTarget.Global);
  // Load the generation model on the choice now, so what runs is known (and shown) at once.
  const model = assistant.models.generationModel(assistant.settings);
  const info = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Loading ${path.basename(model)} on ${ep}` }, () => assistant.loadModel(model));
  const state: ProviderState = { chosen: ep, running: info.ep, fallbacks: info.fallbacks };
  const text = providerText(state);
  if (text.reason) {
    void vscode.window.showWarningMessage(`ONNX Assist: ${ep} was chosen, but models run on ${info.ep}: ${text.reason}.`, 'Show Host Status').then((c) => c && vscode.commands.executeCommand('onnxAssist.showStatus'));
  } else vscode.window.setStatusBarMessage(`ONNX Assist: models run on ${info.ep}`, 4000);
  return state;
}

/** Show Host Status: everything the host knows, in the output channel (the long reasons live here), and the remote engines. */
async function showStatus(assistant: Assistant): Promise<HostStatus> {
  // Remote engines first: they are what answers when a role is not local.
  for (const role of ['completion', 'chat'] as const) {
    const r = assistant.remote.status(role);
    if (r) for (const l of remoteLines(r)) assistant.output.info(`remote ${l}`);
  }
  const s = await assistant.client.request('status', {});
  const state = assistant.providerFrom(s);
  const lines = [`onnxruntime ${s.ortVersion} on ${s.platform}; default threads ${s.threads}; memory rss ${s.memory.rssMB} MB, external ${s.memory.externalMB} MB`];
  lines.push(`execution provider: chosen ${state.chosen}; ${state.running ? `running on ${providerText(state).line}` : 'no model loaded yet'}`);
  lines.push(`providers in this installation: ${s.backends.map((b) => `${b.name}${b.installed ? '' : ' (not installed)'}`).join(', ')}`);
  for (const m of s.models) {
    lines.push(`${m.modelPath}: ${m.task} (${m.modelType}, ${m.onnxFile}) on ${m.ep}, ${m.threads} threads`);
    for (const f of m.fallbacks) lines.push(`  passed over: ${f}`);
  }
  if (s.models.length === 0) lines.push('no model loaded yet (models load on first use)');
  lines.push(contextLine(assistant));
  for (const l of lines) assistant.output.info(l);
  assistant.output.show(true);
  return s;
}

/** Which files fed the last suggestion (project context), or why none did. */
function contextLine(assistant: Assistant): string {
  if (!assistant.settings.context.enabled) return 'project context: off (onnxAssist.context.enabled)';
  if (!vscode.workspace.isTrusted) return 'project context: off in an untrusted workspace';
  const c = assistant.lastContext;
  if (!c) return 'project context: no completion requested yet';
  const files = c.files.length ? c.files.join(', ') : 'none';
  return `project context of the last suggestion (${c.at.toLocaleTimeString()}): ${c.usedChunks} of ${c.sentChunks} chunks, ${c.usedTokens} tokens, from ${files}`;
}

/** Restart Inference Host, with a notification once the new host answers. */
async function restartHost(assistant: Assistant): Promise<HostStatus> {
  const s = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'ONNX Assist: restarting the inference host…' }, () => assistant.restartHost());
  void vscode.window.showInformationMessage(`ONNX Assist: inference host restarted and ready. Models load again on first use (onnxruntime ${s.ortVersion}).`);
  assistant.output.info('inference host restarted by the user');
  return s;
}

export function registerCommands(assistant: Assistant): vscode.Disposable {
  const cmd = (id: string, fn: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, fn);
  // Programmatic callers (tests, keybindings, other extensions) pass an argument and get errors back.
  const guard = <A extends unknown[], R>(what: string, fn: (...args: A) => Promise<R>) => guarded(assistant, what, fn, (args) => args.length > 0 && args[0] !== undefined);
  return vscode.Disposable.from(
    cmd('onnxAssist.generateAtCursor', () => generateInEditor(assistant, false)),
    cmd('onnxAssist.generateFromSelection', () => generateInEditor(assistant, true)),
    cmd('onnxAssist.classifySelection', () => classifySelection(assistant)),
    cmd('onnxAssist.triggerInlineCompletion', () => vscode.commands.executeCommand('editor.action.inlineSuggest.trigger')),
    cmd('onnxAssist.selectGenerationModel', guard('Select generation model', (dir?: string) => selectModel(assistant, 'generation', dir))),
    cmd('onnxAssist.selectClassificationModel', guard('Select classification model', (dir?: string) => selectModel(assistant, 'classification', dir))),
    cmd('onnxAssist.selectZeroShotModel', guard('Select zero-shot model', (dir?: string) => selectModel(assistant, 'zeroShot', dir))),
    cmd('onnxAssist.selectExecutionProvider', guard('Select execution provider', (ep?: string) => selectExecutionProvider(assistant, ep))),
    cmd('onnxAssist.showStatus', guard('Show host status', () => showStatus(assistant))),
    cmd('onnxAssist.restartHost', guard('Restart inference host', () => restartHost(assistant))),
    cmd('onnxAssist.setRemoteApiKey', guard('Set remote API key', (given?: { origin?: unknown; key?: unknown }) => setRemoteApiKey(assistant.remote, assistant.settings, given))),
    cmd('onnxAssist.openPanel', () => vscode.commands.executeCommand('onnxAssist.panel.focus')),
    cmd('onnxAssist.toggleContext', () => vscode.workspace.getConfiguration(SECTION).update('context.enabled', !assistant.settings.context.enabled, vscode.ConfigurationTarget.Global)),
    cmd('onnxAssist.toggleInline', () => vscode.workspace.getConfiguration(SECTION).update('inline.enabled', !assistant.settings.inline.enabled, vscode.ConfigurationTarget.Global)),
    cmd(ACCEPT_COMMAND, (chars: number) => assistant.counters.accepted(typeof chars === 'number' ? chars : 0)),
  );
}
