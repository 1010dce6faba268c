/**
 * Classification workflows in the editor: zero-shot with the user's labels, examples collected
 * from selections, few-shot classifiers taught in the worker, batch runs over data files and
 * evaluation reports shown in the panel. Every command also takes its answers as an argument
 * object (for keybindings, other extensions and the integration tests) and then asks nothing.
 * (About 350 lines: the five workflows share one set of pickers, progress and error handling,
 * which reads best beside them; the pure parts live in core/classification.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { classifyFile, type BatchResult } from '../../core/classification/batch';
import { bindClassifier, parseLabels, type ClassifierSpec } from '../../core/classification/classifier';
import { classifyForSpec } from '../../core/classification/mail';
import { evaluateFile, type EvaluationReport } from '../../core/classification/evaluate';
import { columnsOf, formatOf, guessColumns, readExamples } from '../../core/classification/records';
import { writeUserFile } from '../../core/classification/userFiles';
import type { FewShotClassifier, ZeroShotResult } from '../../protocol/types';
import { describeKind, fitsPurpose, modelKindOf } from '../../host/models/kind';
import type { Assistant } from '../assistant';
import { guarded } from '../commandGuard';
import { bar } from '../commands/register';
import { NEEDS } from '../commands/selectModel';
import { UserError } from '../errors';
import { TeachingStore, validName } from '../../core/classification/store';

import type { ExampleArgs, FileArgs, TeachArgs, ZeroShotArgs } from './args';
import { SECTION } from '../config';
import { selectedText } from '../selection';

export type { ExampleArgs, FileArgs, TeachArgs, ZeroShotArgs };

const LABELS_KEY = 'onnxAssist.zeroShot.labels';

/** Shows evaluation reports; the panel implements it. */
export interface ReportSink {
  showReport(r: EvaluationReport): Promise<void>;
}

const isArgs = <T>(v: unknown): v is T => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof vscode.Uri);

function workspaceRoot(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f || f.uri.scheme !== 'file') throw new Error('Open a folder first: taught classifiers and examples are kept in its .vscode/onnx-assist folder.');
  return f.uri.fsPath;
}


export class ClassificationCommands {
  constructor(
    private readonly assistant: Assistant,
    private readonly state: vscode.Memento,
    private readonly reports: ReportSink,
  ) {}

  private get store(): TeachingStore {
    return new TeachingStore(workspaceRoot());
  }

  private load() {
    const s = this.assistant.settings;
    return { ep: s.executionProvider, threads: s.threads || undefined };
  }

  /**
   * The zero-shot model, checked by its kind (from the folder, without loading it) before anything
   * is asked or run; otherwise an error that offers what fixes it: pick a model of the right
   * kind, or download one.
   */
  zeroShotModel(): string {
    const m = this.assistant.models.zeroShotModel(this.assistant.settings);
    const actions = [
      { title: 'Select Zero-Shot Model…', command: 'onnxAssist.selectZeroShotModel' },
      { title: 'Download Model…', command: 'onnxAssist.downloadModel' },
    ];
    const needs = `Zero-shot needs ${NEEDS.zeroShot}`;
    // Unset means the embedded sentence encoder; only a build without models/ lacks it.
    if (!this.assistant.settings.zeroShot.model && !fs.existsSync(m)) {
      throw new UserError(`No zero-shot model is set and the embedded ${path.basename(m)} is missing. ${needs}: select one, or download Xenova/nli-deberta-v3-xsmall from the catalog.`, actions);
    }
    const kind = modelKindOf(m);
    if (!fitsPurpose(kind.kind, 'zeroShot')) throw new UserError(`The zero-shot model ${path.basename(m)} is ${describeKind(kind)}. ${needs}.`, actions);
    return m;
  }

  get rememberedLabels(): string[] {
    return this.state.get<string[]>(LABELS_KEY, []);
  }

  async askLabels(): Promise<string[] | undefined> {
    const value = await vscode.window.showInputBox({
      title: 'Zero-shot labels',
      prompt: 'Comma-separated labels, e.g. bug, feature request, question',
      value: this.rememberedLabels.join(', '),
      validateInput: (v) => (parseLabels(v).length < 2 ? 'Give at least two labels, separated by commas.' : undefined),
    });
    if (value === undefined) return undefined;
    const labels = parseLabels(value);
    await this.state.update(LABELS_KEY, labels);
    return labels;
  }

  zeroShotSpec(labels: string[]): ClassifierSpec {
    const z = this.assistant.settings.zeroShot;
    return { modelPath: this.zeroShotModel(), labels, template: z.template, multiLabel: z.multiLabel, ...this.load() };
  }

  async zeroShot(texts: string[], labels: string[], signal?: AbortSignal): Promise<ZeroShotResult> {
    const spec = this.zeroShotSpec(labels);
    return this.assistant.client.request('zeroShot', { ...spec, labels, texts }, { signal });
  }

  async zeroShotSelection(args?: ZeroShotArgs): Promise<ZeroShotResult | undefined> {
    const a = isArgs<ZeroShotArgs>(args) ? args : {};
    const text = a.text ?? selectedText();
    if (!text.trim()) return void vscode.window.showInformationMessage('ONNX Assist: select some text to classify.');
    this.zeroShotModel(); // before asking for labels: no labels are typed for a model that cannot use them
    const labels = a.labels ?? (await this.askLabels());
    if (!labels) return undefined;
    if (a.labels) await this.state.update(LABELS_KEY, labels);
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Zero-shot classifying' }, () => this.zeroShot([text], labels));
    if (a.show !== false) {
      const picks = r.results[0].map((l) => ({ label: l.label, description: `${(l.score * 100).toFixed(1)}%`, detail: bar(l.score) }));
      void vscode.window.showQuickPick(picks, { title: `Zero-shot (${r.mode}): ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`, placeHolder: 'Labels, best first' });
    }
    return r;
  }

  /** Which classifier: the current one, a shipped or configured model, a taught one, or zero-shot. */
  async pickClassifier(title: string): Promise<ClassifierSpec | undefined> {
    const s = this.assistant.settings;
    type Item = vscode.QuickPickItem & { spec?: () => Promise<ClassifierSpec | undefined> };
    const items: Item[] = [];
    const current = this.assistant.models.classificationModel(s);
    items.push({ label: path.basename(current, '.json'), description: 'current classifier', spec: () => Promise.resolve({ modelPath: current, ...this.load() }) });
    for (const m of this.assistant.models.list(s, 'classification')) {
      if (m.dir !== current) items.push({ label: m.label, description: m.detail, spec: () => Promise.resolve({ modelPath: m.dir, ...this.load() }) });
    }
    let root: string | undefined;
    try {
      root = workspaceRoot();
    } catch {
      root = undefined;
    }
    if (root) {
      const store = new TeachingStore(root);
      for (const name of store.classifiers()) {
        const file = store.classifierPath(name);
        if (file !== current) items.push({ label: name, description: 'taught in this workspace', spec: () => Promise.resolve({ modelPath: file, ...this.load() }) });
      }
    }
    items.push({
      label: '$(symbol-enum) Zero-shot with your labels…',
      description: path.basename(this.assistant.models.zeroShotModel(s)),
      spec: async () => {
        this.zeroShotModel();
        const labels = await this.askLabels();
        return labels ? this.zeroShotSpec(labels) : undefined;
      },
    });
    const pick = await vscode.window.showQuickPick(items, { title });
    return pick?.spec?.();
  }

  private async pickDataFile(uri: unknown, title: string): Promise<string | undefined> {
    if (uri instanceof vscode.Uri) return uri.fsPath;
    const active = vscode.window.activeTextEditor?.document;
    if (active && active.uri.scheme === 'file' && /\.(csv|tsv|jsonl|ndjson|txt)$/i.test(active.fileName)) {
      // The file is read from disk; unsaved edits are the user's to save, never saved for them.
      if (active.isDirty) void vscode.window.showWarningMessage(`ONNX Assist: ${path.basename(active.fileName)} has unsaved changes; the saved version is used.`);
      return active.fileName;
    }
    const chosen = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { 'Data files': ['csv', 'tsv', 'jsonl', 'ndjson', 'txt'] } });
    return chosen?.[0]?.fsPath;
  }

  private async pickColumn(file: string, purpose: 'text' | 'label', given?: string): Promise<string | undefined> {
    const columns = await columnsOf(file);
    if (given !== undefined) {
      if (!columns.includes(given)) throw new Error(`${path.basename(file)} has no column "${given}". Columns: ${columns.join(', ')}.`);
      return given;
    }
    if (formatOf(file) === 'text') return columns[0];
    const guess = guessColumns(columns)[purpose];
    const ordered = guess ? [guess, ...columns.filter((c) => c !== guess)] : columns;
    const pick = await vscode.window.showQuickPick(ordered.map((c) => ({ label: c, description: c === guess ? 'likely' : undefined })), {
      title: purpose === 'text' ? 'Which column holds the text?' : 'Which column holds the correct labels?',
    });
    return pick?.label;
  }

  /** Runs with a cancellable progress notification; `work` gets an AbortSignal. */
  private progress<T>(title: string, work: (report: (message: string, increment?: number) => void, signal: AbortSignal) => Promise<T>): Thenable<T> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (p, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      return work((message, increment) => p.report({ message, increment }), ac.signal).finally(() => sub.dispose());
    });
  }

  async classifyFile(uri?: unknown, args?: FileArgs): Promise<BatchResult | undefined> {
    const a = isArgs<FileArgs>(args) ? args : {};
    const file = await this.pickDataFile(uri, 'Classify which file?');
    if (!file) return undefined;
    const spec = a.classifier ?? (await this.pickClassifier(`Classify ${path.basename(file)} with`));
    if (!spec) return undefined;
    const textColumn = await this.pickColumn(file, 'text', a.textColumn);
    if (!textColumn) return undefined;
    const r = await this.progress(`Classifying ${path.basename(file)}`, (report, signal) => {
      const bound = bindClassifier(this.assistant.client, spec, signal);
      let lastPct = 0;
      return classifyFile({
        input: file,
        textColumn,
        classify: classifyForSpec(spec, bound.classify),
        fields: { label: this.assistant.settings.batch.labelField, score: this.assistant.settings.batch.scoreField },
        isCancelled: () => signal.aborted,
        onProgress: (p) => {
          const pct = Math.floor((100 * p.bytes) / Math.max(1, p.totalBytes));
          report(`${p.records} records`, pct - lastPct);
          lastPct = pct;
        },
      });
    });
    const skipped = r.skipped.length ? `; ${r.skipped.length} skipped (first: line ${r.skipped[0].line}, ${r.skipped[0].reason})` : '';
    for (const s of r.skipped) this.assistant.output.warn(`classify ${path.basename(file)}: line ${s.line} skipped: ${s.reason}`);
    void vscode.window.showInformationMessage(`ONNX Assist: ${r.records} records classified into ${path.basename(r.output)}${skipped}.`, 'Open Result').then((c) => {
      if (c) void vscode.window.showTextDocument(vscode.Uri.file(r.output));
    });
    return r;
  }

  async addExample(args?: ExampleArgs): Promise<number | undefined> {
    const a = isArgs<ExampleArgs>(args) ? args : {};
    const text = a.text ?? selectedText();
    if (!text.trim()) return void vscode.window.showInformationMessage('ONNX Assist: select the text to use as an example.');
    const store = this.store;
    let set = a.set;
    if (!set) {
      const sets = store.exampleSets();
      const pick = await vscode.window.showQuickPick([...sets.map((s) => ({ label: s })), { label: '$(add) New classifier…' }], { title: 'Example for which classifier?' });
      if (!pick) return undefined;
      set = pick.label.startsWith('$(add)') ? await vscode.window.showInputBox({ title: 'Name of the new classifier', validateInput: validName }) : pick.label;
    }
    if (!set || validName(set)) return undefined;
    let label = a.label;
    if (!label) {
      const known = store.labelsOf(set).labels;
      const pick = await vscode.window.showQuickPick(
        [...Object.entries(known).map(([l, n]) => ({ label: l, description: `${n} examples` })), { label: '$(add) New label…' }],
        { title: `Label of this example (${set})` },
      );
      if (!pick) return undefined;
      label = pick.label.startsWith('$(add)') ? await vscode.window.showInputBox({ title: 'New label' }) : pick.label;
    }
    if (!label?.trim()) return undefined;
    const total = store.addExample(set, text, label.trim());
    vscode.window.setStatusBarMessage(`ONNX Assist: ${total} examples for ${set}`, 4000);
    return total;
  }

  async teach(uri?: unknown, args?: TeachArgs): Promise<{ file: string; classifier: FewShotClassifier } | undefined> {
    const a = isArgs<TeachArgs>(args) ? args : {};
    const store = this.store;
    let file: string | undefined;
    let set = a.set;
    if (uri instanceof vscode.Uri) file = uri.fsPath;
    else if (!set) {
      const sets = store.exampleSets();
      const pick = await vscode.window.showQuickPick(
        [...sets.map((s) => ({ label: s, description: `${store.labelsOf(s).total} examples from the editor` })), { label: '$(file) From a CSV or JSONL file…' }],
        { title: 'Teach a classifier from' },
      );
      if (!pick) return undefined;
      if (pick.label.startsWith('$(file)')) file = await this.pickDataFile(undefined, 'Examples file (text and label columns)');
      else set = pick.label;
    }
    if (set) file = store.examplesPath(set);
    if (!file) return undefined;
    const textColumn = set ? 'text' : await this.pickColumn(file, 'text', a.textColumn);
    const labelColumn = set ? 'label' : await this.pickColumn(file, 'label', a.labelColumn);
    if (!textColumn || !labelColumn) return undefined;
    const name = a.name ?? set ?? (await vscode.window.showInputBox({ title: 'Name of the classifier', value: path.basename(file, path.extname(file)), validateInput: validName }));
    if (!name) return undefined;
    const encoder = a.encoder ?? this.assistant.models.zeroShotModel(this.assistant.settings);
    const { examples, skipped: skippedRecords } = await readExamples(file, textColumn, labelColumn);
    for (const s of skippedRecords) this.assistant.output.warn(`teach ${name}: ${path.basename(file)} line ${s.line} skipped: ${s.reason}`);
    const skipped = skippedRecords.length;
    const r = await this.progress(`Teaching ${name} from ${examples.length} examples`, (_report, signal) =>
      this.assistant.client.request('trainClassifier', { modelPath: encoder, name, examples, ...this.load() }, { signal }),
    );
    const saved = store.saveClassifier(name, r.classifier);
    const cv = r.classifier.crossValidation;
    const counts = Object.entries(r.classifier.examples).map(([l, n]) => `${l} ${n}`).join(', ');
    this.assistant.output.info(`taught ${name}: ${counts}; ${cv.folds}-fold cross-validated accuracy ${(cv.accuracy * 100).toFixed(1)}%; ${skipped} rows skipped; saved ${saved}`);
    void vscode.window
      .showInformationMessage(`ONNX Assist: taught "${name}" (${counts}). Cross-validated accuracy ${(cv.accuracy * 100).toFixed(1)}% over ${cv.folds} folds.`, 'Use for Classify')
      .then((c) => c && vscode.workspace.getConfiguration(SECTION).update('classificationModel', saved, vscode.ConfigurationTarget.Workspace));
    return { file: saved, classifier: r.classifier };
  }

  async evaluate(uri?: unknown, args?: FileArgs): Promise<EvaluationReport | undefined> {
    const a = isArgs<FileArgs>(args) ? args : {};
    const file = await this.pickDataFile(uri, 'Labelled data to evaluate on');
    if (!file) return undefined;
    if (formatOf(file) === 'text') throw new Error(`${path.basename(file)} is plain text; evaluation needs a CSV, TSV or JSONL file with a text and a label column.`);
    const spec = a.classifier ?? (await this.pickClassifier(`Evaluate on ${path.basename(file)}`));
    if (!spec) return undefined;
    const textColumn = await this.pickColumn(file, 'text', a.textColumn);
    const labelColumn = textColumn && (await this.pickColumn(file, 'label', a.labelColumn));
    if (!textColumn || !labelColumn) return undefined;
    const report = await this.progress(`Evaluating on ${path.basename(file)}`, (rep, signal) => {
      const bound = bindClassifier(this.assistant.client, spec, signal);
      return evaluateFile({
        input: file,
        textColumn,
        labelColumn,
        classify: classifyForSpec(spec, bound.classify),
        model: spec.modelPath,
        method: 'classifier',
        isCancelled: () => signal.aborted,
        onProgress: (n) => rep(`${n} records`),
      }).then((r) => ({ ...r, method: bound.method() }));
    });
    await this.reports.showReport(report);
    return report;
  }

  register(): vscode.Disposable {
    const programmatic = (args: unknown[]) => args.some((x) => isArgs(x));
    const guard = <A extends unknown[], R>(what: string, fn: (...args: A) => Promise<R>) => guarded(this.assistant, what, fn, programmatic);
    const cmd = vscode.commands.registerCommand;
    return vscode.Disposable.from(
      cmd('onnxAssist.zeroShotClassify', guard('Zero-shot classify', (a?: ZeroShotArgs) => this.zeroShotSelection(a))),
      cmd('onnxAssist.classifyFile', guard('Classify file', (u?: unknown, a?: FileArgs) => this.classifyFile(u, a))),
      cmd('onnxAssist.addExample', guard('Add example', (a?: ExampleArgs) => this.addExample(a))),
      cmd('onnxAssist.teachClassifier', guard('Teach classifier', (u?: unknown, a?: TeachArgs) => this.teach(u, a))),
      cmd('onnxAssist.evaluateClassifier', guard('Evaluate classifier', (u?: unknown, a?: FileArgs) => this.evaluate(u, a))),
    );
  }
}

/** Writes a report next to nothing the user owns unless they choose where (save dialog). */
export async function exportReport(r: EvaluationReport, format: 'markdown' | 'json', text: string): Promise<string | undefined> {
  const base = path.join(path.dirname(r.data), `${path.basename(r.data, path.extname(r.data))}.evaluation.${format === 'markdown' ? 'md' : 'json'}`);
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(base), filters: format === 'markdown' ? { Markdown: ['md'] } : { JSON: ['json'] } });
  if (!target) return undefined;
  writeUserFile(target.fsPath, text, `exporting the evaluation of ${path.basename(r.data)}`);
  return target.fsPath;
}
