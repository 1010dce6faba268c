/**
 * Which documents may feed project context: saved files (`file` scheme) inside a workspace
 * folder of a trusted workspace, not excluded by `files.exclude` or, while `search.useIgnoreFiles`
 * is on, by a `.gitignore` in the folder or any folder above the file. The `.gitignore` files are
 * read through VS Code's file system and cached until one changes.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { GitIgnore, matchesGlobs } from '../../core/completion/context/exclusions';

export class ContextFiles implements vscode.Disposable {
  /** `.gitignore` rules by folder URI (null: the folder has none). */
  private readonly ignores = new Map<string, GitIgnore | null>();
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/.gitignore');
  private readonly disposables: vscode.Disposable[];

  constructor(onRulesChanged: () => void) {
    const changed = () => {
      this.ignores.clear();
      onRulesChanged();
    };
    this.disposables = [
      this.watcher,
      this.watcher.onDidChange(changed),
      this.watcher.onDidCreate(changed),
      this.watcher.onDidDelete(changed),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('files.exclude') || e.affectsConfiguration('search.useIgnoreFiles')) changed();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(changed),
    ];
  }

  /** The workspace-relative path of a document that may be context, else undefined. */
  async eligible(uri: vscode.Uri): Promise<string | undefined> {
    if (!vscode.workspace.isTrusted || uri.scheme !== 'file') return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return undefined;
    const rel = path.posix.relative(folder.uri.path, uri.path);
    if (rel === '' || rel.startsWith('..')) return undefined;
    const exclude = vscode.workspace.getConfiguration('files', uri).get<Record<string, unknown>>('exclude') ?? {};
    // `{ when: ... }` entries depend on sibling files: treated as excluding, the safe side.
    const globs = Object.entries(exclude).filter(([, v]) => v === true || (typeof v === 'object' && v !== null)).map(([g]) => g);
    if (matchesGlobs(rel, globs)) return undefined;
    if (vscode.workspace.getConfiguration('search', uri).get<boolean>('useIgnoreFiles', true) && (await this.gitIgnored(folder.uri, rel))) return undefined;
    return vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
  }

  /** True when a `.gitignore` from the folder root down to the file's folder ignores it. */
  private async gitIgnored(root: vscode.Uri, rel: string): Promise<boolean> {
    const dirs = rel.split('/').slice(0, -1);
    for (let i = 0; i <= dirs.length; i++) {
      const base = dirs.slice(0, i).join('/');
      const rules = await this.rulesIn(root, base);
      if (rules?.ignores(rel)) return true;
    }
    return false;
  }

  private async rulesIn(root: vscode.Uri, base: string): Promise<GitIgnore | null> {
    const uri = vscode.Uri.joinPath(root, base, '.gitignore');
    const key = uri.toString();
    const known = this.ignores.get(key);
    if (known !== undefined) return known;
    let rules: GitIgnore | null = null;
    try {
      rules = new GitIgnore(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), base);
    } catch {
      rules = null; // no .gitignore here
    }
    this.ignores.set(key, rules);
    return rules;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The name of the document's workspace folder, as the repository's name beside project context. */
export function repoNameOf(document: vscode.TextDocument): string | undefined {
  return vscode.workspace.getWorkspaceFolder(document.uri)?.name;
}

/** The document's path as the model sees it beside project context (workspace-relative). */
export function relativePath(document: vscode.TextDocument): string {
  return vscode.workspace.asRelativePath(document.uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
}
