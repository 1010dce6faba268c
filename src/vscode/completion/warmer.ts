/**
 * Warms the host's KV cache with the prompt the next completion will build (same window,
 * suffix, project context and maxNewTokens), when a file is opened or switched to and when
 * typing pauses, so the first suggestion there does not pay the whole prefill. A keystroke
 * aborts it here, and the keystroke's own generate request pre-empts it in the host; whatever
 * it finished stays cached. Never sent when inline completion, the language or warming is off,
 * the file is too large, or the host has not started yet.
 */
import * as vscode from 'vscode';
import { windowAt } from '../../core/completion/policy';
import { PAUSE_MS, SWITCH_DELAY_MS, WarmDedup, warmBlocked } from '../../core/completion/warm';
import type { Assistant } from '../assistant';
import type { ContextTracker } from './contextTracker';
import { relativePath, repoNameOf } from './contextFiles';

export class CacheWarmer implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private inflight: AbortController | undefined;
  private readonly dedup = new WarmDedup();
  private readonly disposables: vscode.Disposable[];
  /** Prefills sent and the last one's outcome, for tests and Show Host Status. */
  sent = 0;
  lastResult: { promptTokens: number; reusedTokens: number; cachedTokens: number; preempted: boolean } | undefined;

  constructor(
    private readonly assistant: Assistant,
    private readonly context: ContextTracker,
  ) {
    this.disposables = [
      vscode.window.onDidChangeActiveTextEditor((e) => e && this.schedule(SWITCH_DELAY_MS)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document !== vscode.window.activeTextEditor?.document || e.contentChanges.length === 0) return;
        this.inflight?.abort(); // a keystroke: its completion comes first
        this.schedule(PAUSE_MS);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor === vscode.window.activeTextEditor && this.schedule(PAUSE_MS)),
    ];
  }

  /** A completion is about to be requested: no prefill should compete with it. */
  cancel(): void {
    clearTimeout(this.timer);
    this.inflight?.abort();
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.warm(), ms);
  }

  /** Sends a prefill for the active editor's cursor, when allowed and not already done there. */
  warm(): void {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    const document = editor.document;
    const s = this.assistant.settings;
    const full = document.getText();
    const blocked = warmBlocked({
      inlineEnabled: s.inline.enabled,
      warmCache: s.inline.warmCache,
      languageDisabled: s.inline.disabledLanguages.includes(document.languageId),
      fileChars: full.length,
      maxFileChars: s.inline.maxFileSizeKB * 1024,
      hostReady: this.assistant.client.state === 'ready',
    });
    if (blocked) return;
    const position = editor.selection.active;
    const offset = document.offsetAt(position);
    const context = this.context.contextFor(document, position);
    if (!this.dedup.fresh(document.uri.toString(), document.version, offset, context.map((c) => `${c.path}:${c.text.length}`).join('|'))) return;
    const { prefix, suffix } = windowAt(full, offset);
    this.inflight?.abort();
    const ac = new AbortController();
    this.inflight = ac;
    this.sent++;
    void this.assistant.prefill({ prefix, suffix, context, filePath: relativePath(document), repoName: repoNameOf(document), maxNewTokens: s.inline.maxNewTokens, signal: ac.signal }).then(
      (r) => {
        this.lastResult = r;
        if (r.preempted) this.dedup.forget();
      },
      (e: unknown) => {
        this.dedup.forget();
        this.assistant.reportQuietly('warming the completion cache', e);
      },
    ).finally(() => {
      if (this.inflight === ac) this.inflight = undefined;
    });
  }

  dispose(): void {
    this.cancel();
    for (const d of this.disposables) d.dispose();
  }
}
