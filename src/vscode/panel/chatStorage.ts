/**
 * Where the chat conversation is kept, per workspace and on this machine only: a JSON file in the
 * extension's workspace storage folder (storageUri), written to a temporary name and renamed, so
 * that once a save resolves the conversation is on disk. workspaceState alone was not enough: it
 * is flushed lazily, and in VS Code for the web a window reloaded right after a reply lost the
 * reply (the UI test found it). Without a workspace there is no such folder: workspaceState then.
 */
import * as vscode from 'vscode';
import { readStored, STORE_KEY, toStored } from '../../core/chat/store';
import type { ChatTurn } from '../../protocol/webview';

const FILE = 'chat-conversation.json';

export class ChatStorage {
  /** Saves run one after another: two renames racing could leave the older conversation last. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: vscode.Uri | undefined,
    private readonly state: vscode.Memento,
  ) {}

  async read(): Promise<ChatTurn[]> {
    if (!this.dir) return readStored(this.state.get(STORE_KEY));
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.dir, FILE));
      return readStored(JSON.parse(new TextDecoder().decode(bytes)));
    } catch {
      return []; // nothing saved yet, or a damaged file: an empty conversation
    }
  }

  write(turns: readonly ChatTurn[]): Promise<void> {
    const record = toStored(turns);
    const run = async () => {
      if (!this.dir) return this.state.update(STORE_KEY, record);
      await vscode.workspace.fs.createDirectory(this.dir);
      const tmp = vscode.Uri.joinPath(this.dir, `${FILE}.tmp`);
      await vscode.workspace.fs.writeFile(tmp, new TextEncoder().encode(JSON.stringify(record)));
      await vscode.workspace.fs.rename(tmp, vscode.Uri.joinPath(this.dir, FILE), { overwrite: true });
    };
    this.queue = this.queue.then(run, run);
    return this.queue;
  }
}
