/**
 * Feeds the project-context ring from the editor: a file opened or switched to adds the chunks
 * nearest its cursor, an edit adds the chunk it changed (once typing pauses), a save re-reads
 * the chunks near the last edit. Documents are read through VS Code, so unsaved edits count.
 * `contextFor` picks the chunks one completion request carries (core/completion/context/select.ts).
 */
import * as vscode from 'vscode';
import type { ContextChunk } from '../../protocol/types';
import { chunkAt, chunksNear, unusableText } from '../../core/completion/context/chunks';
import { ContextRing } from '../../core/completion/context/ring';
import { QUERY_LINES, queryAround, selectChunks } from '../../core/completion/context/select';
import type { Assistant } from '../assistant';
import { ContextFiles, relativePath } from './contextFiles';

/** Chunks a file adds when it is opened or switched to. */
const CHUNKS_PER_FILE = 4;
/** The ring holds this many times the chunks one request may carry. */
const RING_FACTOR = 4;
/** An edit is read into the ring once typing has paused this long. */
const EDIT_PAUSE_MS = 1000;

export class ContextTracker implements vscode.Disposable {
  readonly ring: ContextRing;
  private readonly files: ContextFiles;
  private readonly disposables: vscode.Disposable[];
  /** Edited documents waiting for a pause: the line of their last edit. */
  private readonly pendingEdits = new Map<vscode.TextDocument, number>();
  private editTimer: NodeJS.Timeout | undefined;
  /** The URI behind each path in the ring, to check it again when exclusion rules change. */
  private readonly uris = new Map<string, vscode.Uri>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires when the ring took new chunks (tests wait on it instead of a timer). */
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly assistant: Assistant) {
    this.ring = new ContextRing(() => RING_FACTOR * assistant.settings.context.maxChunks);
    this.files = new ContextFiles(() => this.revalidate());
    this.disposables = [
      this.files,
      this.changeEmitter,
      vscode.window.onDidChangeActiveTextEditor((e) => {
        this.flushEdits();
        if (e) this.track(e.document, e.selection.active.line);
      }),
      vscode.workspace.onDidOpenTextDocument((d) => this.track(d, 0)),
      vscode.workspace.onDidSaveTextDocument((d) => this.track(d, this.pendingEdits.get(d) ?? this.cursorLine(d))),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0) return;
        this.pendingEdits.set(e.document, e.contentChanges[0].range.start.line);
        clearTimeout(this.editTimer);
        this.editTimer = setTimeout(() => this.flushEdits(), EDIT_PAUSE_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.pendingEdits.delete(d)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.seed()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('onnxAssist.context')) this.ring.clear();
      }),
    ];
    this.seed();
  }

  /** The chunks for a completion at `position` in `document` (none when context is off). */
  contextFor(document: vscode.TextDocument, position: vscode.Position): ContextChunk[] {
    const s = this.assistant.settings.context;
    if (!s.enabled || !vscode.workspace.isTrusted || this.ring.all.length === 0) return [];
    const from = Math.max(0, position.line - QUERY_LINES.above);
    const to = Math.min(document.lineCount, position.line + QUERY_LINES.below + 1);
    const lines = Array.from({ length: to - from }, (_, i) => document.lineAt(from + i).text);
    const query = queryAround(lines, position.line - from);
    return selectChunks(this.ring.all, query, relativePath(document), s);
  }

  /** The visible editors' documents start the ring (a window opened with files already showing). */
  private seed(): void {
    for (const e of vscode.window.visibleTextEditors) this.track(e.document, e.selection.active.line);
  }

  /** Exclusion rules changed: files they now exclude leave the ring. */
  private revalidate(): void {
    const check = async () => {
      for (const [rel, uri] of [...this.uris]) {
        if ((await this.files.eligible(uri)) !== undefined) continue;
        this.uris.delete(rel);
        this.ring.removeFile(rel);
      }
    };
    check().catch((e: unknown) => this.assistant.reportQuietly('project context', e));
  }

  private cursorLine(d: vscode.TextDocument): number {
    return vscode.window.visibleTextEditors.find((e) => e.document === d)?.selection.active.line ?? 0;
  }

  private flushEdits(): void {
    clearTimeout(this.editTimer);
    const edits = [...this.pendingEdits];
    this.pendingEdits.clear();
    for (const [d, line] of edits) this.track(d, line, true);
  }

  /** Adds a document's chunks near `line` (only the one holding it after an edit). */
  private track(d: vscode.TextDocument, line: number, edit = false): void {
    const s = this.assistant.settings;
    if (!s.context.enabled) return;
    this.add(d, line, edit).catch((e: unknown) => this.assistant.reportQuietly('project context', e));
  }

  private async add(d: vscode.TextDocument, line: number, edit: boolean): Promise<void> {
    const s = this.assistant.settings;
    const rel = await this.files.eligible(d.uri);
    if (rel === undefined || d.isClosed) return;
    this.uris.set(rel, d.uri);
    const text = d.getText();
    if (unusableText(text, s.inline.maxFileSizeKB * 1024)) return this.ring.removeFile(rel);
    const n = s.context.chunkLines;
    const chunks = edit ? [chunkAt(rel, text.split(/\r?\n/), line, n)].filter((c) => c !== undefined) : chunksNear(rel, text, line, n, CHUNKS_PER_FILE);
    // The chunk nearest the cursor goes in last: the newest, it is the last dropped.
    let changed = false;
    for (const c of chunks.reverse()) changed = this.ring.add(c) || changed;
    if (changed) this.changeEmitter.fire();
  }

  dispose(): void {
    clearTimeout(this.editTimer);
    for (const d of this.disposables) d.dispose();
  }
}
