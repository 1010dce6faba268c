/**
 * What every surface shares: current settings, the host client, model locations, local counters
 * and quiet error reporting. Surfaces ask it for work; none talks to onnxruntime.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { HostClient } from '../client/hostClient';
import { readSettings, SECTION, type Settings } from './config';
import { isCancelled } from '../protocol/errors';
import type { ChatMessage, ContextChunk, GenerateResult, GenerationOptions, HostStatus, ModelInfo, PrefillResult, TokenEvent } from '../protocol/types';
import { CompletionCounters } from '../core/completion/counters';
import type { CompletionRequest } from '../core/completion/pipeline';
import { actionsFor } from './errors';
import { ModelLocator } from './models/locations';
import type { ProviderState } from './providerText';
import { RemoteError, toGenerateResult, type RemoteEngine, type RemoteResult } from '../core/remote';
import { classifierText, isMailClassifier } from '../core/classification/mail';
import { RemoteBackends, type RemoteRole } from './remote/remoteBackends';
import { remoteActions } from './remote/remoteActions';

/** Local latency figures for the status bar (never sent anywhere). */
export class LocalTelemetry {
  lastLatencyMs: number | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onChange = this.emitter.event;
  latency(ms: number): void {
    this.lastLatencyMs = ms;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

/** The project context of the last inline-completion request (for Show Host Status and the panel). */
export interface ContextReport {
  /** Files whose chunks made it into the prompt, in prompt order. */
  files: string[];
  /** Files whose chunks were sent (the host may fit fewer). */
  sentFiles: string[];
  /** Chunks sent, chunks the host fitted into the prompt, and their tokens. */
  sentChunks: number;
  usedChunks: number;
  usedTokens: number;
  at: Date;
}

export class Assistant implements vscode.Disposable {
  settings: Settings;
  readonly client: HostClient;
  readonly models: ModelLocator;
  readonly counters: CompletionCounters;
  readonly telemetry = new LocalTelemetry();
  /** Remote engines per role (settings onnxAssist.remote.*); a role set to `local` uses the host. */
  readonly remote: RemoteBackends;
  /** The last completion request's project context; undefined before the first. */
  lastContext: ContextReport | undefined;
  private readonly contextEmitter = new vscode.EventEmitter<ContextReport>();
  readonly onContextUsed = this.contextEmitter.event;
  private readonly busyEmitter = new vscode.EventEmitter<boolean>();
  readonly onBusy = this.busyEmitter.event;
  private busy = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private providerValue: ProviderState;
  private readonly providerEmitter = new vscode.EventEmitter<ProviderState>();
  /** Fires when the provider that runs (or the one chosen) changes. */
  readonly onProviderChange = this.providerEmitter.event;
  /** The host has not been asked which provider runs since the last change that could move it. */
  private providerStale = true;

  constructor(
    context: vscode.ExtensionContext,
    readonly output: vscode.LogOutputChannel,
  ) {
    this.settings = this.read();
    this.providerValue = { chosen: this.settings.executionProvider, fallbacks: [] };
    this.models = new ModelLocator(context.extensionUri.fsPath);
    this.counters = new CompletionCounters(context.globalState);
    this.remote = new RemoteBackends(context.secrets, () => this.settings);
    this.client = new HostClient({
      workerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'host', 'worker.js').fsPath,
      log: (level, message) => output[level](message),
    });
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SECTION)) return;
        this.settings = this.read();
        if (e.affectsConfiguration(`${SECTION}.executionProvider`) || e.affectsConfiguration(`${SECTION}.generationModel`)) {
          // Until the host says what runs, show only the choice; a running host loads the model on it
          // now (in the background), so the provider shown is the one that runs, not a guess.
          this.setProvider({ chosen: this.settings.executionProvider, fallbacks: [] });
          if (this.client.state === 'ready') {
            this.loadModel(this.models.generationModel(this.settings)).catch((err: unknown) => this.reportQuietly('loading the generation model after a settings change', err));
          }
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => (this.settings = this.read())),
      this.client.onStateChange((state) => {
        if (state !== 'ready') this.setProvider({ chosen: this.settings.executionProvider, fallbacks: [] });
      }),
      this.onBusy((busy) => {
        if (!busy && this.providerStale) void this.refreshProvider();
      }),
      this.telemetry,
      this.remote,
      this.contextEmitter,
      this.busyEmitter,
      this.providerEmitter,
    );
  }

  /** The provider chosen and the one the loaded models actually run on, with the host's reasons. */
  get provider(): ProviderState {
    return this.providerValue;
  }

  private setProvider(p: ProviderState, stale = true): void {
    this.providerStale = stale;
    const before = JSON.stringify(this.providerValue);
    this.providerValue = p;
    if (JSON.stringify(p) !== before) this.providerEmitter.fire(p);
  }

  /** Asks a running host which provider its models run on (never starts one; never raises). */
  async refreshProvider(): Promise<void> {
    if (this.client.state !== 'ready') return;
    let status: HostStatus;
    try {
      status = await this.client.request('status', {});
    } catch {
      return; // tried again after the next request
    }
    this.setProvider(this.providerFrom(status), false);
  }

  /** The generation model's provider when it is loaded, else any loaded model's. */
  providerFrom(status: HostStatus): ProviderState {
    const chosen = this.settings.executionProvider;
    const gen = path.resolve(this.models.generationModel(this.settings));
    const m = status.models.find((x) => path.resolve(x.modelPath) === gen) ?? status.models.find((x) => x.task === 'text-generation') ?? status.models[0];
    return m ? { chosen, running: m.ep, fallbacks: m.fallbacks } : { chosen, fallbacks: [] };
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

  /**
   * One inline-completion request (core/completion/policy.ts decides its options) on the
   * generation model, or on the remote engine `onnxAssist.remote.completion.*` names, with the
   * project context chunks to put before the prompt.
   */
  async complete({ prefix, suffix, options, signal, context, filePath, repoName }: CompletionRequest): Promise<string[]> {
    const engine = await this.remoteEngine('completion');
    if (engine) {
      const r = await this.remoteRun('completion', () => engine.complete({ prefix, suffix, context, filePath, options, signal }));
      // Only llama.cpp's /infill and a FIM template with repository tokens carry context to the engine.
      const sent = engine.config.backend === 'llamacpp' || engine.config.fimTemplate === 'qwen' ? (context ?? []) : [];
      this.noteContext(sent, undefined, undefined);
      return r.texts;
    }
    const modelPath = this.models.generationModel(this.settings);
    const r = await this.tracked(() => this.client.request('generate', { modelPath, prompt: prefix, suffix, context, filePath, repoName, options, ...this.load() }, { signal }));
    this.noteContext(context ?? [], r.stats.contextChunks, r.stats.contextTokens);
    return r.texts;
  }

  /**
   * Warms the host's KV cache with the prompt the next completion will build (same prefix,
   * suffix, context and maxNewTokens); a completion request pre-empts it in the host. Nothing to
   * warm when completions come from a remote engine (llama.cpp reuses its cache by cache_prompt).
   */
  prefill(r: { prefix: string; suffix: string; context?: ContextChunk[]; filePath?: string; repoName?: string; maxNewTokens: number; signal: AbortSignal }): Promise<PrefillResult> {
    if (this.remote.isRemote('completion')) return Promise.resolve({ promptTokens: 0, reusedTokens: 0, cachedTokens: 0, preempted: false });
    const modelPath = this.models.generationModel(this.settings);
    return this.client.request('prefill', { modelPath, prompt: r.prefix, suffix: r.suffix, context: r.context, filePath: r.filePath, repoName: r.repoName, maxNewTokens: r.maxNewTokens, ...this.load() }, { signal: r.signal });
  }

  /** The role's remote engine, or undefined for the local host; a bad configuration is recorded as the role's last error. */
  private async remoteEngine(role: RemoteRole): Promise<RemoteEngine | undefined> {
    try {
      return await this.remote.engine(role);
    } catch (e) {
      this.remote.noteError(role, e);
      throw e;
    }
  }

  /** A remote request, shown as busy, its outcome recorded for the status bar and Show Host Status. */
  private async remoteRun(role: RemoteRole, work: () => Promise<RemoteResult>): Promise<RemoteResult> {
    try {
      const r = await this.tracked(work);
      this.remote.noteOk(role);
      return r;
    } catch (e) {
      if (!isCancelled(e)) this.remote.noteError(role, e);
      throw e;
    }
  }

  private noteContext(sent: ContextChunk[], used: number | undefined, tokens: number | undefined): void {
    // The host fits the first chunks in request order; older hosts report nothing: all were sent.
    const fitted = sent.slice(0, used ?? sent.length);
    const files = (cs: ContextChunk[]) => [...new Set(cs.map((c) => c.path))];
    this.lastContext = { files: files(fitted), sentFiles: files(sent), sentChunks: sent.length, usedChunks: fitted.length, usedTokens: tokens ?? 0, at: new Date() };
    this.contextEmitter.fire(this.lastContext);
  }

  /** Streamed generation for the palette and the panel (chat when `messages` are given), local or on `onnxAssist.remote.chat.*`. */
  async generate(r: { prompt: string; options: GenerationOptions; onToken: (e: TokenEvent) => void; signal: AbortSignal; messages?: ChatMessage[] }): Promise<GenerateResult> {
    const engine = await this.remoteEngine('chat');
    if (engine) {
      const { messages, options, signal, onToken } = r;
      const result = await this.remoteRun('chat', () => (messages ? engine.chat({ messages, options, signal, onToken }) : engine.complete({ prefix: r.prompt, options, signal, onToken })));
      return toGenerateResult(result, engine.config.backend);
    }
    const modelPath = this.models.generationModel(this.settings);
    return this.tracked(() => this.client.request('generate', { modelPath, prompt: r.prompt, messages: r.messages, options: r.options, ...this.load() }, { signal: r.signal, onEvent: r.onToken }));
  }

  /** Classify Selection and the panel: a raw message (a pasted .eml) goes to a mail classifier parsed. */
  async classify(texts: string[], signal?: AbortSignal, modelPath = this.models.classificationModel(this.settings)) {
    const input = isMailClassifier(modelPath) ? await Promise.all(texts.map(classifierText)) : texts;
    return this.tracked(() => this.client.request('classify', { modelPath, texts: input, ...this.load() }, { signal }));
  }

  /** Loads a model folder with the current provider and threads (checks it is usable). */
  loadModel(modelPath: string): Promise<ModelInfo> {
    return this.tracked(() => this.client.request('load', { modelPath, ...this.load() }));
  }

  /**
   * Restarts the inference host and resolves once the new host answers, with its status (no
   * model loaded: they load again on first use).
   */
  async restartHost(): Promise<HostStatus> {
    await this.client.restart();
    return this.client.request('status', {});
  }

  /** Logs an error without interrupting the user (typing path, background work). */
  /**
   * An error from the typing path, to the output channel only. The same message again (a dead
   * endpoint fails every keystroke) is counted, not repeated, until another message comes.
   */
  reportQuietly(what: string, e: unknown): void {
    if (isCancelled(e)) return;
    const line = `${what}: ${e instanceof Error ? e.message : String(e)}`;
    if (line === this.lastQuiet.line) {
      this.lastQuiet.repeats++;
      return;
    }
    if (this.lastQuiet.repeats > 0) this.output.error(`(the error above happened ${this.lastQuiet.repeats} more time(s))`);
    this.lastQuiet = { line, repeats: 0 };
    this.output.error(line);
  }

  private lastQuiet = { line: '', repeats: 0 };

  /**
   * An error from a command the user ran: logged, and shown once with the actions that can help
   * with this kind of failure (see errors.ts), plus Open Output. `retry` runs the command again.
   */
  async reportToUser(what: string, e: unknown, retry?: () => Promise<unknown>): Promise<void> {
    if (isCancelled(e)) return;
    const message = e instanceof Error ? e.message : String(e);
    this.output.error(`${what}: ${message}`);
    const actions = e instanceof RemoteError ? remoteActions(e, retry !== undefined) : actionsFor(e, retry !== undefined);
    const choice = await vscode.window.showErrorMessage(`ONNX Assist: ${what} failed: ${message}`, ...actions.map((a) => a.title), 'Open Output');
    if (choice === 'Open Output') return this.output.show(true);
    const action = actions.find((a) => a.title === choice);
    try {
      if (action?.retry && retry) await retry();
      else if (action?.command === 'workbench.action.openSettings' && vscode.env.remoteName) {
        // In a remote window (SSH, containers, VS Code for the web) the model and Hub settings are
        // the remote machine's, found under Remote settings, not User.
        await vscode.commands.executeCommand('workbench.action.openRemoteSettings', ...(action.args ?? []));
      } else if (action?.command) await vscode.commands.executeCommand(action.command, ...(action.args ?? []));
    } catch (again) {
      this.output.error(`${what}: ${action?.title ?? ''} failed: ${again instanceof Error ? again.message : String(again)}`);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
