/** Palette commands (category "ONNX Assist"). */
import * as vscode from 'vscode';
import { EXECUTION_PROVIDERS } from '../../protocol/types';
import type { Assistant } from '../assistant';
import { ACCEPT_COMMAND } from '../completion/provider';
import { TeachingStore } from '../classification/store';
import { generateInEditor } from './generate';

const EP_INFO: Record<string, string> = {
  auto: 'CUDA or DirectML when available, else CPU',
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
  const text = editor.selection.isEmpty ? editor.document.lineAt(editor.selection.active.line).text : editor.document.getText(editor.selection);
  if (!text.trim()) return void vscode.window.showInformationMessage('ONNX Assist: the selection is empty.');
  try {
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Classifying' }, () => assistant.classify([text]));
    const picks = r.results[0].map((l) => ({ label: l.label, description: `${(l.score * 100).toFixed(1)}%`, detail: bar(l.score) }));
    await vscode.window.showQuickPick(picks, { title: `ONNX Assist: ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`, placeHolder: 'Labels, best first' });
  } catch (e) {
    await assistant.reportToUser('Classify', e);
  }
}

async function selectModel(assistant: Assistant, key: 'generationModel' | 'classificationModel'): Promise<void> {
  const items: (vscode.QuickPickItem & { dir?: string })[] = assistant.models.list(assistant.settings).map((m) => ({ label: m.label, description: m.detail, detail: m.dir, dir: m.dir }));
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (key === 'classificationModel' && root?.scheme === 'file') {
    const store = new TeachingStore(root.fsPath);
    for (const name of store.classifiers()) items.push({ label: name, description: 'few-shot classifier taught in this workspace', detail: store.classifierPath(name), dir: store.classifierPath(name) });
  }
  items.push({ label: '$(folder-opened) Browse for a model folder…' });
  const pick = await vscode.window.showQuickPick(items, { title: key === 'generationModel' ? 'Generation model' : 'Classification model' });
  if (!pick) return;
  let dir = pick.dir;
  if (!dir) {
    const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use this model folder' });
    dir = chosen?.[0]?.fsPath;
  }
  if (!dir) return;
  try {
    if (dir.toLowerCase().endsWith('.json')) {
      // A taught classifier: one real classification proves the file and its encoder are usable.
      if (key !== 'classificationModel') throw new Error(`${dir} is a few-shot classifier, not a language model`);
      await assistant.classify(['check'], undefined, dir);
    } else {
      const info = await assistant.client.request('load', { modelPath: dir, ep: assistant.settings.executionProvider });
      if (key === 'generationModel' && info.task !== 'text-generation') throw new Error(`${dir} is a ${info.task} model, not a language model`);
      if (key === 'classificationModel' && info.task !== 'text-classification') throw new Error(`${dir} is a ${info.task} model, not a classifier`);
    }
    await vscode.workspace.getConfiguration('onnxAssist').update(key, dir, vscode.ConfigurationTarget.Global);
    vscode.window.setStatusBarMessage(`ONNX Assist: ${key === 'generationModel' ? 'generation' : 'classification'} model set to ${pick.label}`, 4000);
  } catch (e) {
    await assistant.reportToUser('Select model', e);
  }
}

export function registerCommands(assistant: Assistant): vscode.Disposable {
  const cmd = (id: string, fn: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, fn);
  return vscode.Disposable.from(
    cmd('onnxAssist.generateAtCursor', () => generateInEditor(assistant, false)),
    cmd('onnxAssist.generateFromSelection', () => generateInEditor(assistant, true)),
    cmd('onnxAssist.classifySelection', () => classifySelection(assistant)),
    cmd('onnxAssist.triggerInlineCompletion', () => vscode.commands.executeCommand('editor.action.inlineSuggest.trigger')),
    cmd('onnxAssist.selectGenerationModel', () => selectModel(assistant, 'generationModel')),
    cmd('onnxAssist.selectClassificationModel', () => selectModel(assistant, 'classificationModel')),
    cmd('onnxAssist.selectExecutionProvider', async () => {
      const pick = await vscode.window.showQuickPick(
        EXECUTION_PROVIDERS.map((ep) => ({ label: ep, description: EP_INFO[ep], picked: ep === assistant.settings.executionProvider })),
        { title: 'Execution provider' },
      );
      if (pick) await vscode.workspace.getConfiguration('onnxAssist').update('executionProvider', pick.label, vscode.ConfigurationTarget.Global);
    }),
    cmd('onnxAssist.showStatus', async () => {
      try {
        const s = await assistant.client.request('status', {});
        const lines = [`onnxruntime ${s.ortVersion} on ${s.platform}; default threads ${s.threads}; memory rss ${s.memory.rssMB} MB, external ${s.memory.externalMB} MB`];
        lines.push(`providers: ${s.backends.map((b) => `${b.name}${b.installed ? '' : ' (not installed)'}`).join(', ')}`);
        for (const m of s.models) {
          lines.push(`${m.modelPath}: ${m.task} (${m.modelType}, ${m.onnxFile}) on ${m.ep}, ${m.threads} threads`);
          for (const f of m.fallbacks) lines.push(`  fallback: ${f}`);
        }
        if (s.models.length === 0) lines.push('no model loaded yet (models load on first use)');
        for (const l of lines) assistant.output.info(l);
        assistant.output.show(true);
      } catch (e) {
        await assistant.reportToUser('Show status', e);
      }
    }),
    cmd('onnxAssist.restartHost', async () => {
      await assistant.client.restart();
      vscode.window.setStatusBarMessage('ONNX Assist: inference host restarted', 3000);
    }),
    cmd('onnxAssist.openPanel', () => vscode.commands.executeCommand('onnxAssist.panel.focus')),
    cmd('onnxAssist.toggleInline', () => vscode.workspace.getConfiguration('onnxAssist').update('inline.enabled', !assistant.settings.inline.enabled, vscode.ConfigurationTarget.Global)),
    cmd(ACCEPT_COMMAND, (chars: number) => assistant.counters.accepted(typeof chars === 'number' ? chars : 0)),
  );
}
