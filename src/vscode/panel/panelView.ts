/**
 * The sidebar panel: a multi-turn chat (chatController.ts), generate with every control
 * (streamed, stoppable; the controls apply to the chat too), classify text or the selection, the
 * model and provider line, local completion counters. Strict CSP with a nonce;
 * only media/ may be loaded; every incoming message is validated.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { modelDisplayName } from '../models/locations';
import { generationOptions, SECTION } from '../config';
import { optionProblems, PANEL_COMMANDS, panelRanges, parsePanelMessage, requestOf, type FromPanel, type PanelCommand, type PanelRequest, type ToPanel } from '../../protocol/webview';
import { isCancelled } from '../../protocol/errors';
import type { EvaluationReport } from '../../core/classification/evaluate';
import { parseLabels } from '../../core/classification/classifier';
import { reportJson, reportMarkdown } from '../../core/classification/reportFormat';
import type { Assistant } from '../assistant';
import { exportReport, type ClassificationCommands, type ReportSink } from '../classification/commands';
import { actionsFor } from '../errors';
import type { ModelManager } from '../models/modelManager';
import { providerText } from '../providerText';
import { selectedText } from '../selection';
import { ChatController } from './chatController';
import { ChatStorage } from './chatStorage';
import { Proposals, userEditor } from './proposals';

export const PANEL_VIEW = 'onnxAssist.panel';

export class PanelView implements vscode.WebviewViewProvider, vscode.Disposable, ReportSink {
  private view: vscode.WebviewView | undefined;
  private report: EvaluationReport | undefined;
  private generation: AbortController | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  /** `surfaces`: the classification commands (zero-shot from the panel) and the model manager (the Models section). */
  readonly classification: ClassificationCommands;
  private readonly models: ModelManager;
  private readonly chat: ChatController;
  private readonly proposals = new Proposals();

  /** `chatStorage`: the workspace's storage folder and memento, where the chat conversation is kept. */
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly assistant: Assistant,
    surfaces: { classification: ClassificationCommands; models: ModelManager; chatStorage: { dir: vscode.Uri | undefined; state: vscode.Memento } },
  ) {
    this.classification = surfaces.classification;
    this.models = surfaces.models;
    this.chat = new ChatController(assistant, new ChatStorage(surfaces.chatStorage.dir, surfaces.chatStorage.state), (m) => this.post(m));
    this.disposables.push(
      this.chat,
      this.proposals,
      assistant.counters.onChange((counters) => this.post({ type: 'counters', counters })),
      assistant.onContextUsed(() => this.postContext()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(`${SECTION}.context.enabled`) && this.postContext()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SECTION) && this.postStatus()),
      assistant.onProviderChange(() => this.postStatus()),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [media] };
    view.webview.html = this.html(view.webview, media);
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => {
        let msg: FromPanel;
        try {
          msg = parsePanelMessage(raw);
        } catch (e) {
          // Rejected, never dropped in silence: the panel is told, so it re-enables what it disabled.
          this.assistant.output.warn(`panel: rejected a malformed message: ${(e as Error).message}`);
          this.reject(requestOf(raw), raw, e);
          return;
        }
        void this.handle(msg).catch((e: unknown) => this.fail(msg.type, e));
      }),
      view.onDidDispose(() => {
        this.generation?.abort();
        this.view = undefined;
      }),
    );
  }

  /** Opens the panel and shows an evaluation report with its charts. */
  async showReport(r: EvaluationReport): Promise<void> {
    this.report = r;
    if (!this.view) await vscode.commands.executeCommand(`${PANEL_VIEW}.focus`);
    this.view?.show(true);
    this.post({ type: 'report', report: r });
  }

  /** Downloaded models for the Models section (names and sizes only; no tokens or settings). */
  postModels(): void {
    const m = this.models;
    const s = this.assistant.settings;
    const inUse = new Set([this.assistant.models.generationModel(s), this.assistant.models.classificationModel(s), this.assistant.models.zeroShotModel(s)]);
    this.post({ type: 'models', cacheDir: m.cacheDir, models: m.cached().map((c) => ({ repo: c.repo, dtype: c.dtype, bytes: c.bytes, inUse: inUse.has(c.dir) })) });
  }

  private post(m: ToPanel): void {
    void this.view?.webview.postMessage(m);
  }

  private names() {
    const s = this.assistant.settings;
    // Generation and chat from the panel go to the chat role's engine when it is remote.
    const chat = s.remote.chat;
    const model = this.assistant.remote.isRemote('chat') ? `${chat.model || chat.backend} (${chat.backend} at ${chat.endpoint})` : modelDisplayName(this.assistant.models.generationModel(s));
    return { model, classifier: modelDisplayName(this.assistant.models.classificationModel(s)) };
  }

  /** The provider that runs (not the setting), one line; the reason when it is not the chosen one. */
  private provider() {
    const t = providerText(this.assistant.provider);
    return { line: t.line, reason: t.reason };
  }

  /** Which files fed the last suggestion, and whether context is on. */
  private postContext(): void {
    const c = this.assistant.lastContext;
    this.post({ type: 'context', context: { enabled: this.assistant.settings.context.enabled, files: c?.files ?? [], usedChunks: c?.usedChunks ?? 0, usedTokens: c?.usedTokens ?? 0 } });
  }

  private postStatus(): void {
    this.post({ type: 'status', ...this.names(), provider: this.provider() });
  }

  /** Answers a request that could not be read: which controls are wrong, or what was wrong. */
  private reject(request: PanelRequest, raw: unknown, e: unknown): void {
    const fields = request === 'generate' ? optionProblems((raw as { options?: unknown }).options) : {};
    const problems = Object.values(fields);
    const message = problems.length ? `Not sent: ${problems.join(' ')}` : `Not sent: ${(e as Error).message}.`;
    this.post({ type: 'error', request, message, fields: problems.length ? fields : undefined });
  }

  /** Answers a request that failed: its message, where its result would go, and what can fix it. */
  private fail(request: PanelRequest, e: unknown): void {
    if (isCancelled(e)) return this.post({ type: 'error', request, message: 'Stopped.' });
    this.assistant.reportQuietly(`panel ${request}`, e);
    const actions = actionsFor(e, false).flatMap((a) => (a.command && !a.args && (PANEL_COMMANDS as readonly string[]).includes(a.command) ? [{ title: a.title, command: a.command as PanelCommand }] : []));
    this.post({ type: 'error', request, message: e instanceof Error ? e.message : String(e), actions: actions.length ? actions : undefined });
  }

  private async handle(msg: FromPanel): Promise<void> {
    const a = this.assistant;
    switch (msg.type) {
      case 'ready': {
        const g = a.settings.generation;
        this.post({
          type: 'init',
          defaults: { ...g },
          ranges: panelRanges(),
          ...this.names(),
          provider: this.provider(),
          counters: a.counters.value,
          zeroShotLabels: this.classification.rememberedLabels.join(', '),
        });
        if (this.report) this.post({ type: 'report', report: this.report });
        this.postModels();
        this.postContext();
        this.chat.postState();
        // Loads the generation model (the panel is being used), to say at once when it cannot chat.
        void this.chat.checkModel();
        return;
      }
      case 'chatSend':
      case 'chatEdit':
      case 'chatRegenerate':
      case 'chatStop':
      case 'chatClear':
      case 'chatAttach':
      case 'chatDetach':
        return this.chat.handle(msg);
      case 'apply': {
        const ed = userEditor();
        if (!ed) return this.post({ type: 'error', request: msg.type, message: 'No editor to apply to: open the file and select what the code should replace.' });
        return this.proposals.propose(ed, msg.text);
      }
      case 'run':
        await vscode.commands.executeCommand(msg.command);
        return;
      case 'generate': {
        this.generation?.abort();
        const ac = new AbortController();
        this.generation = ac;
        try {
          // Chat: the prompt is the user's turn, rendered with the instruct model's own template.
          const messages = msg.chat ? [{ role: 'user' as const, content: msg.prompt }] : undefined;
          const r = await a.generate({ prompt: msg.prompt, options: generationOptions(a.settings, msg.options), onToken: (e) => this.post({ type: 'token', text: e.text }), signal: ac.signal, messages });
          this.post({ type: 'done', stats: r.stats, stopReason: r.stopReasons[0] });
        } catch (e) {
          // A generation replaced by a newer one is not answered: the newer one owns the panel now.
          if (this.generation === ac) this.fail('generate', e);
        } finally {
          if (this.generation === ac) this.generation = undefined;
        }
        return;
      }
      case 'stop':
        this.generation?.abort();
        return;
      case 'classifySelection':
      case 'classify': {
        let text = msg.type === 'classify' ? msg.text : '';
        if (msg.type === 'classifySelection') {
          text = selectedText();
        }
        if (!text.trim()) return this.post({ type: 'error', request: msg.type, message: 'Nothing to classify: type some text or select some in the editor.' });
        const labels = msg.labels === undefined ? [] : parseLabels(msg.labels);
        if (labels.length === 1) return this.post({ type: 'error', request: msg.type, message: 'Zero-shot needs at least two labels, separated by commas (or none for the classifier).' });
        if (labels.length > 1) {
          const r = await this.classification.zeroShot([text], labels);
          this.post({ type: 'classified', text, labels: r.results[0], method: `zero-shot (${r.mode})` });
        } else {
          const r = await a.classify([text]);
          this.post({ type: 'classified', text, labels: r.results[0], method: modelDisplayName(a.models.classificationModel(a.settings)) });
        }
        return;
      }
      case 'insert': {
        const ed = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
        if (!ed) return this.post({ type: 'error', request: msg.type, message: 'No editor to insert into: open a file and place the cursor.' });
        if (!(await ed.edit((b) => b.replace(ed.selection, msg.text)))) throw new Error(`${path.basename(ed.document.fileName)} did not accept the edit (is it read-only?).`);
        return;
      }
      case 'copy':
        await vscode.env.clipboard.writeText(msg.text);
        return;
      case 'evaluate':
        await vscode.commands.executeCommand('onnxAssist.evaluateClassifier');
        return;
      case 'refreshModels':
        this.postModels();
        return;
      case 'downloadModel':
        await vscode.commands.executeCommand('onnxAssist.downloadModel');
        return;
      case 'importModel':
        await vscode.commands.executeCommand('onnxAssist.importModelFolder');
        return;
      case 'deleteModel': {
        const sure = await vscode.window.showWarningMessage(`Delete ${msg.repo} from ${this.models.cacheDir}?`, { modal: true }, 'Delete');
        if (sure) this.models.delete(msg.repo);
        return;
      }
      case 'exportReport': {
        const r = this.report;
        if (!r) return this.post({ type: 'error', request: msg.type, message: 'No report to export yet: run Evaluate on a labelled file first.' });
        const saved = await exportReport(r, msg.format, msg.format === 'markdown' ? reportMarkdown(r) : reportJson(r));
        if (saved) vscode.window.setStatusBarMessage(`ONNX Assist: report saved to ${saved}`, 4000);
        return;
      }
    }
  }

  private html(webview: vscode.Webview, media: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.css'));
    const csp = `default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${nonce}'; img-src ${webview.cspSource};`;
    // Each numeric control has its problem line right below it (filled by the panel's own check).
    const num = (id: string, label: string, attrs = '') =>
      `<div class="field"><label for="${id}">${label}</label><input id="${id}" type="number" ${attrs} aria-describedby="${id}-problem"><div id="${id}-problem" class="field-problem" role="alert"></div></div>`;
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${style}" rel="stylesheet"><title>ONNX Assist</title></head>
<body>
<section aria-labelledby="chat-h">
  <h2 id="chat-h">Chat</h2>
  <div id="chatModel" class="muted"></div>
  <div id="chatProblem" class="notice" role="alert" hidden></div>
  <div id="chatLog" role="log" aria-live="polite"></div>
  <div id="chatPending" class="pending" role="list" aria-label="Attached to the next message"></div>
  <label for="chatInput">Message</label>
  <textarea id="chatInput" rows="3" placeholder="Ask about your code (Ctrl+Enter sends, Escape stops a reply)"></textarea>
  <div class="row wrap"><button id="chatSend">Send</button><button id="chatStop" class="secondary" disabled>Stop</button><button id="attachSelection" class="secondary">Attach selection</button><button id="attachFile" class="secondary">Attach file</button></div>
  <div class="row wrap"><button id="chatRegenerate" class="secondary" disabled>Regenerate</button><button id="chatEdit" class="secondary" disabled>Edit last</button><button id="chatClear" class="secondary" disabled>Clear</button></div>
  <div id="chatError" class="error" role="alert"></div>
</section>
<section aria-labelledby="gen-h">
  <h2 id="gen-h">Generate</h2>
  <label for="prompt">Prompt</label>
  <textarea id="prompt" rows="5" placeholder="def fibonacci(n):"></textarea>
  <details id="controls"><summary>Controls</summary>
    <div class="grid">
      ${num('maxNewTokens', 'Max new tokens')}
      ${num('temperature', 'Temperature', 'step="0.05"')}
      ${num('topK', 'Top-k')}
      ${num('topP', 'Top-p', 'step="0.01"')}
      ${num('repetitionPenalty', 'Repetition penalty', 'step="0.05"')}
      ${num('noRepeatNgramSize', 'No-repeat n-gram')}
      <div class="field"><label for="stop">Stop sequence</label><input id="stop" type="text" placeholder="e.g. \\n\\n"></div>
      ${num('seed', 'Seed', 'placeholder="random"')}
    </div>
  </details>
  <div class="row"><button id="generate">Generate</button><button id="stopBtn" class="secondary" disabled>Stop</button></div>
  <div id="genError" class="error" role="alert"></div>
  <pre id="output" aria-live="polite" tabindex="0"></pre>
  <div class="row"><button id="copy" class="secondary">Copy</button><button id="insert" class="secondary">Insert into editor</button></div>
  <div id="stats" class="muted"></div>
</section>
<section aria-labelledby="cls-h">
  <h2 id="cls-h">Classify</h2>
  <label for="clsText">Text</label>
  <textarea id="clsText" rows="3"></textarea>
  <label for="zsLabels">Your labels (zero-shot; empty = the classifier's own)</label>
  <input id="zsLabels" type="text" placeholder="bug, feature request, question">
  <div class="row"><button id="classify">Classify</button><button id="useSelection" class="secondary">Use selection</button><button id="evaluate" class="secondary">Evaluate on file…</button></div>
  <div id="clsMethod" class="muted"></div>
  <div id="clsError" class="error" role="alert"></div>
  <div id="labels" role="list"></div>
</section>
<section aria-labelledby="models-h">
  <h2 id="models-h">Models</h2>
  <div id="modelsList" role="list"></div>
  <div id="modelsDir" class="muted"></div>
  <div class="row"><button id="downloadModel">Download model…</button><button id="importModel" class="secondary">Import folder…</button></div>
  <div id="modelsError" class="error" role="alert"></div>
</section>
<section id="report" aria-labelledby="rep-h" hidden>
  <h2 id="rep-h">Evaluation report</h2>
  <div id="repSummary"></div>
  <h3>Per class</h3>
  <div id="repBars" role="img"></div>
  <h3>Confusion matrix</h3>
  <div id="repConfusion"></div>
  <div id="repRocBox"><h3>ROC curve</h3><div id="repRoc" role="img"></div></div>
  <div id="repNotes" class="muted"></div>
  <div class="row"><button id="exportMd" class="secondary">Export Markdown</button><button id="exportJson" class="secondary">Export JSON</button></div>
  <div id="repError" class="error" role="alert"></div>
</section>
<footer>
  <div class="model-line"><span id="modelLine" class="muted"></span><button id="providerWhy" class="link" hidden>Details</button></div>
  <div id="counters" class="muted"></div>
  <div class="model-line"><span id="contextLine" class="muted"></span><button id="contextToggle" class="link">Turn off</button></div>
  <div id="error" class="error" role="alert"></div>
</footer>
<script nonce="${nonce}" src="${script}"></script>
</body></html>`;
  }

  dispose(): void {
    this.generation?.abort();
    // The chat and the proposals are in `disposables`.
    for (const d of this.disposables) d.dispose();
  }
}
