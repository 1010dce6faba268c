/**
 * Inline (ghost text) completions. A keystroke waits out the debounce, is served from the
 * type-through cache when it can, otherwise asks the host for a completion of the prefix (and
 * suffix, for fill-in-the-middle models). One request at a time: a newer keystroke aborts the
 * older request inside the worker. Results for an older document version are never shown.
 * Errors go to the output channel and status bar, never to a dialog.
 */
import * as vscode from 'vscode';
import type { Assistant } from '../assistant';
import { CompletionPipeline, type CompletionQuery } from '../../core/completion/pipeline';
import { WINDOW, windowAt } from '../../core/completion/policy';
import type { CompletionContext } from '../../core/completion/postprocess';
import { relativePath, repoNameOf } from './contextFiles';
import { ContextTracker } from './contextTracker';
import { CacheWarmer } from './warmer';

export const ACCEPT_COMMAND = 'onnxAssist.inlineAccepted';

function delay(ms: number, token: vscode.CancellationToken): Promise<boolean> {
  return new Promise((resolve) => {
    if (ms <= 0) return resolve(!token.isCancellationRequested);
    const sub = token.onCancellationRequested(() => {
      clearTimeout(timer);
      sub.dispose();
      resolve(false);
    });
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(!token.isCancellationRequested);
    }, ms);
  });
}

/** A rough comment check: the line starts a comment, or the cursor is after a line-comment marker. */
function inComment(linePrefix: string, languageId: string): boolean {
  const t = linePrefix.trimStart();
  const hash = ['python', 'shellscript', 'ruby', 'perl', 'r', 'yaml', 'dockerfile', 'makefile', 'powershell', 'toml'].includes(languageId);
  if (hash) return /(^|\s)#/.test(linePrefix) && !/["']/.test(linePrefix.slice(linePrefix.indexOf('#')));
  return t.startsWith('//') || t.startsWith('/*') || t.startsWith('*') || /\s\/\/[^'"`]*$/.test(linePrefix);
}

/** The nearest non-empty line above `line`, walking up only as far as needed. */
function previousNonEmptyLine(document: vscode.TextDocument, line: number): string {
  for (let i = line - 1; i >= 0; i--) {
    const text = document.lineAt(i).text;
    if (text.trim() !== '') return text;
  }
  return '';
}

export class InlineCompletionProvider implements vscode.InlineCompletionItemProvider {
  private readonly pipeline: CompletionPipeline;
  /** Project context: the ring of recently used files' chunks. */
  readonly context: ContextTracker;
  /** Prefills the cache on file switches and typing pauses. */
  readonly warmer: CacheWarmer;

  constructor(private readonly assistant: Assistant) {
    this.pipeline = new CompletionPipeline(
      (r) => assistant.complete(r),
      () => assistant.settings.inline,
    );
    this.context = new ContextTracker(assistant);
    this.warmer = new CacheWarmer(assistant, this.context);
  }

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const s = this.assistant.settings;
    const manual = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
    if (!manual && !s.inline.enabled) return undefined;
    if (s.inline.disabledLanguages.includes(document.languageId)) return undefined;
    const full = document.getText();
    if (full.length > s.inline.maxFileSizeKB * 1024) return undefined;

    const offset = document.offsetAt(position);
    const { prefix, suffix } = windowAt(full, offset);
    const line = document.lineAt(position.line).text;
    const ctx: CompletionContext = {
      linePrefix: line.slice(0, position.character),
      lineSuffix: line.slice(position.character),
      nextLines: Array.from({ length: Math.min(WINDOW.nextLines, document.lineCount - position.line - 1) }, (_, i) => document.lineAt(position.line + 1 + i).text),
      previousLine: previousNonEmptyLine(document, position.line),
      multiline: s.inline.multiline,
      inComment: inComment(line.slice(0, position.character), document.languageId),
      indentUnit: this.indentUnit(document),
    };
    const items = (texts: string[]) => texts.map((t) => this.item(t, position));
    const query: CompletionQuery = { key: document.uri.toString(), prefix, suffix, ctx, manual };

    const cached = this.pipeline.cached(query);
    if (cached) return items(cached.texts);
    if (!manual && !(await delay(s.inline.debounceMs, token))) return undefined;
    query.context = this.context.contextFor(document, position);
    query.filePath = relativePath(document);
    query.repoName = repoNameOf(document);

    this.warmer.cancel();
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    const version = document.version;
    const started = performance.now();
    try {
      const { texts } = await this.pipeline.generate(query, ac.signal);
      // A result for an older version of the document is never shown.
      if (token.isCancellationRequested || document.version !== version || texts.length === 0) return undefined;
      this.assistant.telemetry.latency(performance.now() - started);
      void this.assistant.counters.shown();
      return items(texts);
    } catch (e) {
      this.assistant.reportQuietly('inline completion', e);
      return undefined;
    } finally {
      sub.dispose();
    }
  }

  private item(text: string, position: vscode.Position): vscode.InlineCompletionItem {
    const item = new vscode.InlineCompletionItem(text, new vscode.Range(position, position));
    item.command = { command: ACCEPT_COMMAND, title: 'Accepted', arguments: [text.length] };
    return item;
  }

  private indentUnit(document: vscode.TextDocument): string {
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
    const opts = editor?.options;
    if (opts && opts.insertSpaces === false) return '\t';
    const size = typeof opts?.tabSize === 'number' ? opts.tabSize : 4;
    return ' '.repeat(size);
  }

  dispose(): void {
    this.pipeline.dispose();
    this.warmer.dispose();
    this.context.dispose();
  }
}
