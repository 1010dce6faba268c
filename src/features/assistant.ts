/**
 * What every surface shares: current settings, the host client, model locations, local counters
 * and quiet error reporting. Surfaces ask it for work; none talks to onnxruntime.
 */
import * as vscode from 'vscode';
import { HostClient } from '../client/hostClient';
import { readSettings, SECTION, type Settings } from '../config';
import { isCancelled } from '../protocol/errors';
import type { ChatMessage, GenerateResult, GenerationOptions, TokenEvent } from '../protocol/types';
import { CompletionCounters } from './completion/counters';
import { ModelLocator } from './models';

/** Local latency figures for the status bar (never sent anywhere). */
export class LocalTelemetry {
  lastLatencyMs: number | undefined;
  cacheHits = 0;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onChange = this.emitter.event;
  latency(ms: number): void {
    this.lastLatencyMs = ms;
    this.emitter.fire();
  }
  servedFromCache(): void {
    this.cacheHits++;
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export class Assistant implements vscode.Disposable {
  settings: Settings;
  readonly client: HostClient;
  readonly models: ModelLocator;
  readonly counters: CompletionCounters;
  readonly telemetry = new LocalTelemetry();
  private readonly busyEmitter = new vscode.EventEmitter<boolean>();
  readonly onBusy = this.busyEmitter.event;
  private busy = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    context: vscode.ExtensionContext,
    readonly output: vscode.LogOutputChannel,
  ) {
    this.settings = this.read();
    this.models = new ModelLocator(context.extensionUri.fsPath);
    this.counters = new CompletionCounters(context.globalState);
    this.client = new HostClient({
      workerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'host', 'worker.js').fsPath,
      log: (level, message) => output[level](message),
    });
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SECTION)) this.settings = this.read();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => (this.settings = this.read())),
      this.telemetry,
      this.busyEmitter,
    );
  }

  private read(): Settings {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    return readSettings(
      (key) => {
        const i = cfg.inspect(key);
        const fromWorkspace = i?.workspaceFolderValue !== undefined || i?.workspaceValue !== undefined;
        return { value: cfg.get(key), fromWorkspace, defaultValue: i?.defaultValue };
      },
      vscode.workspace.isTrusted,
      (m) => this.output.warn(m),
    );
  }

  private load() {
    return { ep: this.settings.executionProvider, threads: this.settings.threads || undefined };
  }

  private async tracked<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy++ === 0) this.busyEmitter.fire(true);
    try {
      return await work();
    } finally {
      if (--this.busy === 0) this.busyEmitter.fire(false);
    }
  }

  /** Inline completion texts for the cursor: greedy, plus sampled alternatives when `n` > 1. */
  async complete(prefix: string, suffix: string, n: number, signal: AbortSignal): Promise<string[]> {
    const s = this.settings;
    const modelPath = this.models.generationModel(s);
    const base: GenerationOptions = { maxNewTokens: s.inline.maxNewTokens, timeLimitMs: s.inline.timeLimitMs, doSample: false, stop: ['\n\n\n'] };
    return this.tracked(async () => {
      const greedy = await this.client.request('generate', { modelPath, prompt: prefix, suffix, options: base, ...this.load() }, { signal });
      if (n <= 1) return greedy.texts;
      // More samples than needed: identical ones are merged after post-processing.
      const more = await this.client.request('generate', { modelPath, prompt: prefix, suffix, options: { ...base, doSample: true, temperature: 0.9, topP: 0.95, numReturnSequences: n + 2 }, ...this.load() }, { signal });
      return [...greedy.texts, ...more.texts];
    });
  }

  /** Streamed generation for the palette and the panel. */
  generate(prompt: string, options: GenerationOptions, onToken: (e: TokenEvent) => void, signal: AbortSignal, modelPath = this.models.generationModel(this.settings), messages?: ChatMessage[]): Promise<GenerateResult> {
    return this.tracked(() => this.client.request('generate', { modelPath, prompt, messages, options, ...this.load() }, { signal, onEvent: onToken }));
  }

  classify(texts: string[], signal?: AbortSignal, modelPath = this.models.classificationModel(this.settings)) {
    return this.tracked(() => this.client.request('classify', { modelPath, texts, ...this.load() }, { signal }));
  }

  /** Logs an error without interrupting the user (typing path, background work). */
  reportQuietly(what: string, e: unknown): void {
    if (isCancelled(e)) return;
    this.output.error(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }

  /** An error from a command the user ran: logged, and shown once with a way forward. */
  async reportToUser(what: string, e: unknown): Promise<void> {
    if (isCancelled(e)) return;
    const message = e instanceof Error ? e.message : String(e);
    this.output.error(`${what}: ${message}`);
    const choice = await vscode.window.showErrorMessage(`ONNX Assist: ${what} failed: ${message}`, 'Open Output', 'Restart Host');
    if (choice === 'Open Output') this.output.show(true);
    if (choice === 'Restart Host') await this.client.restart();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
