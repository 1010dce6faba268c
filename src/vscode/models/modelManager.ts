/**
 * Getting models: download from the Hub (catalog or any repo id, with a dtype variant), see and
 * delete what is cached, import a local folder by reference, and keep a token for gated repos
 * in SecretStorage (never in settings, logs or webview messages).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readCatalog, recommendedDtype, type CatalogEntry } from '../../core/hub/catalog';
import { defaultCacheDir } from '../../core/hub/cacheDir';
import { deleteCached, listCached, pullModel, type CachedModel, type PulledModel } from '../../core/hub/download';
import { DTYPE_SUFFIX, parseDtype, parseRepoRef, type Dtype } from '../../core/hub/names';
import type { Assistant } from '../assistant';
import { guarded } from '../commandGuard';
import { SECTION } from '../config';

const TOKEN_KEY = 'onnxAssist.hubToken';

export type UseAs = 'generationModel' | 'classificationModel' | 'zeroShot.model' | 'none';

export interface DownloadArgs {
  repo: string;
  dtype?: Dtype;
  /** Which setting to point at the downloaded folder; asked when absent. */
  use?: UseAs;
}

const USE_FOR: Record<CatalogEntry['task'], UseAs> = {
  'text-generation': 'generationModel',
  'text-classification': 'classificationModel',
  'zero-shot-classification': 'zeroShot.model',
  'feature-extraction': 'zeroShot.model',
};

const mb = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;

export class ModelManager implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after a download, deletion or import. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly assistant: Assistant,
    private readonly secrets: vscode.SecretStorage,
    private readonly extensionRoot: string,
  ) {}

  get cacheDir(): string {
    return this.assistant.settings.hub.cacheDir || defaultCacheDir();
  }

  catalog(): CatalogEntry[] {
    try {
      return readCatalog(path.join(this.extensionRoot, 'models', 'catalog.json'));
    } catch {
      return [];
    }
  }

  cached(): CachedModel[] {
    return listCached(this.cacheDir);
  }

  private async pickRepo(): Promise<{ repo: string; entry?: CatalogEntry } | undefined> {
    const cached = new Set(this.cached().map((c) => c.repo));
    type Item = vscode.QuickPickItem & { entry?: CatalogEntry };
    const items: Item[] = this.catalog().map((e) => ({
      label: e.repo,
      description: `${e.task} · ${e.licence}${cached.has(e.repo) ? ' · downloaded' : ''}`,
      detail: `${e.notes} From ${Math.min(...Object.values(e.sizesMB))} MB.`,
      entry: e,
    }));
    items.push({ label: '$(edit) Another repository…', description: 'owner/name or owner/name@revision' });
    const pick = await vscode.window.showQuickPick(items, { title: 'Download a model from the Hugging Face Hub', matchOnDetail: true });
    if (!pick) return undefined;
    if (pick.entry) return { repo: pick.entry.repo, entry: pick.entry };
    const typed = await vscode.window.showInputBox({
      title: 'Hub repository',
      prompt: 'owner/name[@revision], in transformers.js / Optimum layout (an onnx/ folder)',
      validateInput: (v) => {
        try {
          parseRepoRef(v);
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    });
    return typed ? { repo: typed.trim() } : undefined;
  }

  private async pickDtype(entry: CatalogEntry | undefined): Promise<Dtype | undefined> {
    const ep = this.assistant.settings.executionProvider;
    const suggested = entry ? recommendedDtype(entry, ep) : 'q8';
    const dtypes = (entry ? (Object.keys(entry.sizesMB) as Dtype[]) : (Object.keys(DTYPE_SUFFIX) as Dtype[])).sort((a, b) => (a === suggested ? -1 : b === suggested ? 1 : 0));
    const pick = await vscode.window.showQuickPick(
      dtypes.map((d) => ({ label: d, description: `${entry?.sizesMB[d] ? `${entry.sizesMB[d]} MB` : ''}${d === suggested ? ` · recommended for ${ep === 'auto' ? 'CPU' : ep}` : ''}` })),
      { title: 'Variant (precision)' },
    );
    return pick ? parseDtype(pick.label) : undefined;
  }

  async download(args?: DownloadArgs): Promise<PulledModel | undefined> {
    const chosen = args ? { repo: args.repo, entry: this.catalog().find((e) => e.repo === parseRepoRef(args.repo).repo) } : await this.pickRepo();
    if (!chosen) return undefined;
    const { repo, revision } = parseRepoRef(chosen.repo);
    const dtype = args?.dtype ?? (await this.pickDtype(chosen.entry));
    if (!dtype) return undefined;
    const token = await this.secrets.get(TOKEN_KEY);
    const s = this.assistant.settings;
    const m = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Downloading ${repo} (${dtype})`, cancellable: true },
      (progress, cancel) => {
        const ac = new AbortController();
        const sub = cancel.onCancellationRequested(() => ac.abort());
        let reported = 0;
        return pullModel({
          repo,
          revision,
          dtype,
          endpoint: s.hub.endpoint,
          cacheDir: this.cacheDir,
          token,
          signal: ac.signal,
          onProgress: (p) => {
            const pct = (100 * p.bytes) / Math.max(1, p.totalBytes);
            const left = p.secondsLeft === undefined ? '' : ` · ${Math.ceil(p.secondsLeft)} s left`;
            // A restarted file (server ignored Range) moves bytes back; the bar only moves forward.
            progress.report({ message: `${mb(p.bytes)} of ${mb(p.totalBytes)} · ${mb(p.bytesPerSecond)}/s${left}`, increment: Math.max(0, pct - reported) });
            reported = Math.max(reported, pct);
          },
        }).finally(() => sub.dispose());
      },
    );
    this.changed.fire();
    this.assistant.output.info(`downloaded ${repo}@${revision} ${dtype} (commit ${m.commit}${m.offline ? ', offline: cached copy' : ''}) to ${m.dir}`);
    const use = args?.use ?? (await this.askUse(chosen.entry));
    if (use && use !== 'none') await vscode.workspace.getConfiguration(SECTION).update(use, m.dir, vscode.ConfigurationTarget.Global);
    if (!args) void vscode.window.showInformationMessage(`ONNX Assist: ${repo} (${dtype}) is ready${m.offline ? ' (offline: the cached copy)' : ''}.`);
    return m;
  }

  private async askUse(entry: CatalogEntry | undefined): Promise<UseAs | undefined> {
    const options: { label: string; use: UseAs }[] = [
      { label: 'Use for completions and generation', use: 'generationModel' },
      { label: 'Use for Classify', use: 'classificationModel' },
      { label: 'Use for zero-shot and teaching', use: 'zeroShot.model' },
      { label: 'Just keep it', use: 'none' },
    ];
    const first = entry ? USE_FOR[entry.task] : undefined;
    options.sort((a, b) => (a.use === first ? -1 : b.use === first ? 1 : 0));
    return (await vscode.window.showQuickPick(options, { title: 'Downloaded. Use it for…' }))?.use;
  }

  delete(repo: string): boolean {
    const done = deleteCached(this.cacheDir, repo);
    this.changed.fire();
    return done;
  }

  dispose(): void {
    this.changed.dispose();
  }

  async manage(): Promise<void> {
    const cached = this.cached();
    if (cached.length === 0) {
      const c = await vscode.window.showInformationMessage(`ONNX Assist: no downloaded models in ${this.cacheDir}.`, 'Download Model…');
      if (c) await vscode.commands.executeCommand('onnxAssist.downloadModel');
      return;
    }
    const pick = await vscode.window.showQuickPick(
      cached.map((c) => ({ label: c.repo, description: `${c.dtype} · ${mb(c.bytes)} · ${c.commit.slice(0, 10)}`, detail: c.dir, c })),
      { title: `Downloaded models (${this.cacheDir})`, placeHolder: 'Choose one to delete or copy its path' },
    );
    if (!pick) return;
    const action = await vscode.window.showQuickPick(['Copy folder path', `Delete ${pick.c.repo} (all variants)`], { title: pick.c.repo });
    if (action === 'Copy folder path') await vscode.env.clipboard.writeText(pick.c.dir);
    else if (action) {
      const sure = await vscode.window.showWarningMessage(`Delete ${pick.c.repo} from ${this.cacheDir}?`, { modal: true }, 'Delete');
      if (sure) this.delete(pick.c.repo);
    }
  }

  /** Validates a folder by loading it, then references it (never copies) through modelFolders. */
  async importFolder(dir?: string): Promise<string | undefined> {
    const target = dir ?? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Import model folder' }))?.[0]?.fsPath;
    if (!target) return undefined;
    const info = await this.assistant.client.request('load', { modelPath: target, ep: this.assistant.settings.executionProvider });
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const folders = cfg.get<string[]>('modelFolders', []);
    if (!folders.includes(target)) await cfg.update('modelFolders', [...folders, target], vscode.ConfigurationTarget.Global);
    this.changed.fire();
    vscode.window.setStatusBarMessage(`ONNX Assist: imported ${path.basename(target)} (${info.task}, ${info.modelType})`, 5000);
    return target;
  }

  async setToken(): Promise<void> {
    const value = await vscode.window.showInputBox({ title: 'Hugging Face token for gated or private models', prompt: 'Stored in VS Code SecretStorage. Leave empty to remove it.', password: true, ignoreFocusOut: true });
    if (value === undefined) return;
    if (value.trim()) await this.secrets.store(TOKEN_KEY, value.trim());
    else await this.secrets.delete(TOKEN_KEY);
    vscode.window.setStatusBarMessage(value.trim() ? 'ONNX Assist: token saved' : 'ONNX Assist: token removed', 3000);
  }

  register(): vscode.Disposable {
    const guard = <A extends unknown[], R>(what: string, fn: (...a: A) => Promise<R>) => guarded(this.assistant, what, fn, (a) => a.length > 0 && a[0] !== undefined);
    return vscode.Disposable.from(
      vscode.commands.registerCommand('onnxAssist.downloadModel', guard('Download model', (a?: DownloadArgs) => this.download(a))),
      vscode.commands.registerCommand('onnxAssist.manageModels', guard('Manage models', () => this.manage())),
      vscode.commands.registerCommand('onnxAssist.importModelFolder', guard('Import model folder', (dir?: string) => this.importFolder(dir))),
      vscode.commands.registerCommand('onnxAssist.setHubToken', guard('Set token', () => this.setToken())),
    );
  }
}
