/**
 * Select Generation / Classification / Zero-Shot Model: each picker lists only the models of its
 * kind (decided from the folder itself), the current one first, and checks a chosen folder by
 * its kind and by loading it before it is saved.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeKind, fitsPurpose, KINDS_FOR, modelKindOf, type ModelPurpose } from '../../host/models/kind';
import type { Assistant } from '../assistant';
import { TeachingStore } from '../../core/classification/store';
import { UserError } from '../errors';
import { SECTION } from '../config';
import { isFewShotPath } from '../../protocol/classification';

export const SETTING_FOR: Record<ModelPurpose, 'generationModel' | 'classificationModel' | 'zeroShot.model'> = {
  generation: 'generationModel',
  classification: 'classificationModel',
  zeroShot: 'zeroShot.model',
};

const TITLE: Record<ModelPurpose, string> = {
  generation: 'Generation model (causal language models)',
  classification: 'Classification model (classifiers)',
  zeroShot: 'Zero-shot model (NLI or embedding models)',
};

/** What the purpose needs, in words, for messages. */
export const NEEDS: Record<ModelPurpose, string> = {
  generation: 'a causal language model (e.g. code-lm, Qwen2.5-Coder)',
  classification: 'a classifier (e.g. spam-classifier) or a few-shot classifier taught here',
  zeroShot: 'an NLI model (labels entailment and contradiction, e.g. nli-deberta-v3-xsmall) or an embedding model (e.g. all-MiniLM-L6-v2)',
};

function current(assistant: Assistant, purpose: ModelPurpose): string {
  const s = assistant.settings;
  if (purpose === 'generation') return assistant.models.generationModel(s);
  if (purpose === 'classification') return assistant.models.classificationModel(s);
  return assistant.models.zeroShotModel(s);
}

type Item = vscode.QuickPickItem & { dir?: string; action?: 'browse' | 'download' };

function items(assistant: Assistant, purpose: ModelPurpose): Item[] {
  const now = current(assistant, purpose);
  const out: Item[] = assistant.models.list(assistant.settings, purpose).map((m) => ({ label: m.label, description: m.detail, detail: m.dir, dir: m.dir }));
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (purpose === 'classification' && root?.scheme === 'file') {
    const store = new TeachingStore(root.fsPath);
    for (const name of store.classifiers()) out.push({ label: name, description: 'few-shot classifier taught in this workspace', detail: store.classifierPath(name), dir: store.classifierPath(name) });
  }
  // The current model first, so the picker opens on it rather than on whatever sorts first.
  const i = out.findIndex((x) => x.dir && path.resolve(x.dir) === path.resolve(now || '.'));
  if (i >= 0) {
    const [cur] = out.splice(i, 1);
    out.unshift({ ...cur, description: `current · ${cur.description ?? ''}`, picked: true });
  }
  out.push({ label: '$(folder-opened) Browse for a model folder…', action: 'browse' });
  out.push({ label: '$(cloud-download) Download a model…', description: 'from the catalog or any Hub repository', action: 'download' });
  return out;
}

/** Throws a UserError unless `dir` is a model of the purpose's kind that loads. */
export async function checkModelFor(assistant: Assistant, purpose: ModelPurpose, dir: string): Promise<void> {
  const kind = modelKindOf(dir);
  if (!fitsPurpose(kind.kind, purpose)) {
    throw new UserError(`${path.basename(dir)} is ${describeKind(kind)}; this needs ${NEEDS[purpose]}.`, [
      { title: `Select ${purpose === 'zeroShot' ? 'Zero-Shot' : purpose === 'generation' ? 'Generation' : 'Classification'} Model…`, command: `onnxAssist.select${purpose === 'zeroShot' ? 'ZeroShot' : purpose === 'generation' ? 'Generation' : 'Classification'}Model` },
      { title: 'Download Model…', command: 'onnxAssist.downloadModel' },
    ]);
  }
  if (kind.kind === 'classifier' && isFewShotPath(dir)) {
    // A taught classifier: one real classification proves the file and its encoder are usable.
    await assistant.classify(['check'], undefined, dir);
    return;
  }
  const info = await assistant.loadModel(dir);
  const wanted = KINDS_FOR[purpose];
  const task = info.task === 'text-generation' ? 'causal-lm' : info.task === 'feature-extraction' ? 'encoder' : kind.kind === 'nli' ? 'nli' : 'classifier';
  if (!wanted.includes(task)) throw new UserError(`${path.basename(dir)} loads as a ${info.task} model; this needs ${NEEDS[purpose]}.`);
}

/**
 * The picker. With `dir` (keybindings, other extensions, tests) nothing is asked: the folder is
 * checked and saved. Returns the folder saved, or undefined when the user cancelled.
 */
export async function selectModel(assistant: Assistant, purpose: ModelPurpose, dir?: string): Promise<string | undefined> {
  let chosen = typeof dir === 'string' ? dir : undefined;
  let label = chosen ? path.basename(chosen) : '';
  if (!chosen) {
    const list = items(assistant, purpose);
    const none = list.every((x) => x.action);
    const pick = await vscode.window.showQuickPick(list, {
      title: TITLE[purpose],
      placeHolder: none ? `No ${purpose === 'zeroShot' ? 'NLI or embedding' : purpose === 'generation' ? 'language' : 'classification'} model here yet: browse for a folder or download one` : undefined,
      matchOnDescription: true,
    });
    if (!pick) return undefined;
    if (pick.action === 'download') {
      await vscode.commands.executeCommand('onnxAssist.downloadModel');
      return undefined;
    }
    if (pick.action === 'browse') {
      const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use this model folder' });
      chosen = folder?.[0]?.fsPath;
    } else chosen = pick.dir;
    label = pick.action ? path.basename(chosen ?? '') : pick.label;
  }
  if (!chosen) return undefined;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Checking ${label}` }, () => checkModelFor(assistant, purpose, chosen));
  await vscode.workspace.getConfiguration(SECTION).update(SETTING_FOR[purpose], chosen, vscode.ConfigurationTarget.Global);
  vscode.window.setStatusBarMessage(`ONNX Assist: ${purpose === 'zeroShot' ? 'zero-shot' : purpose} model set to ${label}`, 4000);
  return chosen;
}
