/**
 * The panel's chat: one conversation per workspace (kept on this machine by chatStorage.ts,
 * bounded, read back after a reload), questions with the selection or a file attached, replies
 * streamed from the generation model's chat template (local host) or the remote chat engine,
 * the oldest turns left out of the prompt when it does not fit the model's window.
 */
import * as vscode from 'vscode';
import { attachmentLabel, attachmentText, DEFAULT_SYSTEM_PROMPT, newTurn, promptMessages, retryLast } from '../../core/chat/conversation';
import { droppedNote, fitConversation, promptBudget, type FittedPrompt } from '../../core/chat/fit';
import { isCancelled } from '../../protocol/errors';
import type { ChatMessage, GenerateResult, GenerationOptions, LoadParams } from '../../protocol/types';
import type { ChatAttachment, ChatAttachmentView, ChatState, ChatTurn, FromPanel, PanelAction, ToPanel } from '../../protocol/webview';
import type { Assistant } from '../assistant';
import { generationOptions } from '../config';
import { modelDisplayName } from '../models/locations';
import type { ChatStorage } from './chatStorage';
import { userEditor } from './proposals';

type ChatMessageFromPanel = Extract<FromPanel, { type: `chat${string}` }>;

/** An attached file larger than this is refused: attach the part that matters instead. */
const MAX_ATTACHMENT_CHARS = 200_000;

/** The two ways to get a model that can chat (both existing commands). */
const NO_TEMPLATE_ACTIONS: PanelAction[] = [
  { title: 'Download a chat model…', command: 'onnxAssist.downloadModel' },
  { title: 'Choose a model folder…', command: 'onnxAssist.selectGenerationModel' },
];

export function view(a: ChatAttachment): ChatAttachmentView {
  return { label: attachmentLabel(a), tokens: a.tokens, chars: a.text.length };
}

export class ChatController implements vscode.Disposable {
  private turns: ChatTurn[] = [];
  /** The stored conversation, read once; requests wait for it. */
  private readonly loaded: Promise<void>;
  private pending: ChatAttachment[] = [];
  private running: AbortController | undefined;
  private capability: { canChat: boolean; problem?: string } = { canChat: true };
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly assistant: Assistant,
    private readonly storage: ChatStorage,
    private readonly post: (m: ToPanel) => void,
  ) {
    this.loaded = storage.read().then(
      (turns) => {
        this.turns = turns;
        this.postState();
      },
      (e: unknown) => this.assistant.reportQuietly('chat: reading the saved conversation', e),
    );
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('onnxAssist.generationModel') || e.affectsConfiguration('onnxAssist.remote.chat')) void this.checkModel();
      }),
    );
  }

  private load(): LoadParams {
    const s = this.assistant.settings;
    return { modelPath: this.assistant.models.generationModel(s), ep: s.executionProvider, threads: s.threads || undefined };
  }

  private modelName(): string {
    const s = this.assistant.settings;
    if (this.assistant.remote.isRemote('chat')) return `${s.remote.chat.model || s.remote.chat.backend} (${s.remote.chat.backend})`;
    return modelDisplayName(this.assistant.models.generationModel(s));
  }

  /** The whole conversation for the panel (attachments as headings and sizes). */
  postState(): void {
    const state: ChatState = {
      model: this.modelName(),
      canChat: this.capability.canChat,
      problem: this.capability.problem,
      actions: this.capability.canChat ? undefined : NO_TEMPLATE_ACTIONS,
      running: this.running !== undefined,
    };
    this.post({ type: 'chat', turns: this.turns.map((t) => ({ ...t, attachments: t.attachments.map(view) })), pending: this.pending.map(view), state });
  }

  /**
   * Whether the generation model can chat, asked of the host (which loads it): a model without a
   * chat template is named in the panel with the two ways to get one. A remote engine is taken at
   * its word. Errors here are not the user's concern yet: they show when a question is sent.
   */
  async checkModel(): Promise<void> {
    if (this.assistant.remote.isRemote('chat')) this.capability = { canChat: true };
    else {
      try {
        const r = await this.assistant.client.request('countTokens', { ...this.load(), texts: [] });
        this.capability = r.chat ? { canChat: true } : { canChat: false, problem: this.noTemplate() };
      } catch (e) {
        this.assistant.reportQuietly('chat: checking the generation model', e);
      }
    }
    this.postState();
  }

  private noTemplate(): string {
    return `${this.modelName()} has no chat template (it is a completion model), so it cannot chat. Download a chat model (an instruct model such as Qwen2.5-Coder-0.5B-Instruct) or choose a model folder that has one.`;
  }

  async handle(msg: ChatMessageFromPanel): Promise<void> {
    await this.loaded;
    switch (msg.type) {
      case 'chatSend':
        if (this.running) throw new Error('A reply is still being written: stop it first.');
        this.turns.push(newTurn(msg.text, this.pending));
        this.pending = [];
        return this.answer(msg.options);
      case 'chatRegenerate':
      case 'chatEdit': {
        if (this.running) throw new Error('A reply is still being written: stop it first.');
        const again = retryLast(this.turns, msg.type === 'chatEdit' ? msg.text : undefined);
        if (!again) throw new Error('Nothing to answer again: ask a question first.');
        this.turns = again;
        return this.answer(msg.options);
      }
      case 'chatStop':
        this.running?.abort();
        return;
      case 'chatClear':
        this.running?.abort();
        this.turns = [];
        this.pending = [];
        await this.save();
        this.postState();
        return;
      case 'chatAttach':
        await this.attach(msg.what);
        this.postState();
        return;
      case 'chatDetach':
        this.pending.splice(msg.index, 1);
        this.postState();
        return;
    }
  }

  /** The selection (or the whole file) of the editor the user was in, counted by the model's tokenizer. */
  private async attach(what: 'selection' | 'file'): Promise<void> {
    const ed = userEditor();
    if (!ed) throw new Error(`No editor to attach from: open a file${what === 'selection' ? ' and select some text' : ''}.`);
    const doc = ed.document;
    // Relative inside the workspace; outside it only the file's name goes into the prompt and the store.
    const inWorkspace = vscode.workspace.getWorkspaceFolder(doc.uri) !== undefined;
    const path = inWorkspace ? vscode.workspace.asRelativePath(doc.uri, false) : doc.uri.path.split('/').pop() ?? doc.uri.path;
    let a: ChatAttachment;
    if (what === 'selection') {
      if (ed.selection.isEmpty) throw new Error(`Nothing is selected in ${path}: select the code to ask about, or attach the file.`);
      const end = ed.selection.end.character === 0 && ed.selection.end.line > ed.selection.start.line ? ed.selection.end.line : ed.selection.end.line + 1;
      a = { kind: 'selection', path, language: doc.languageId, text: doc.getText(ed.selection), startLine: ed.selection.start.line + 1, endLine: end };
    } else a = { kind: 'file', path, language: doc.languageId, text: doc.getText() };
    if (a.text.length > MAX_ATTACHMENT_CHARS) throw new Error(`${path} is ${a.text.length.toLocaleString('en-US')} characters; the chat attaches at most ${MAX_ATTACHMENT_CHARS.toLocaleString('en-US')}. Select the part that matters and attach the selection.`);
    if (!this.assistant.remote.isRemote('chat')) {
      const r = await this.assistant.client.request('countTokens', { ...this.load(), texts: [attachmentText(a)] });
      a.tokens = r.texts[0];
    }
    this.pending.push(a);
  }

  /** The prompt for the last turn: fitted to the local model's window, or whole for a remote engine (its window is not known here). */
  private async prompt(options: GenerationOptions): Promise<FittedPrompt & { contextLength?: number }> {
    if (this.assistant.remote.isRemote('chat')) {
      return { messages: promptMessages(DEFAULT_SYSTEM_PROMPT, this.turns), dropped: 0, tokens: 0 };
    }
    const load = this.load();
    const info = await this.assistant.client.request('countTokens', { ...load, texts: [] });
    if (!info.chat) {
      this.capability = { canChat: false, problem: this.noTemplate() };
      throw new Error(this.noTemplate());
    }
    const count = async (messages: ChatMessage[]) => (await this.assistant.client.request('countTokens', { ...load, messages })).messages ?? 0;
    const budget = promptBudget(info.contextLength, options.maxNewTokens ?? 128);
    return { ...(await fitConversation(DEFAULT_SYSTEM_PROMPT, this.turns, budget, count, info.contextLength)), contextLength: info.contextLength };
  }

  /** Writes the last turn's reply, streamed into the panel; Stop keeps what was written. */
  private async answer(panelOptions: GenerationOptions): Promise<void> {
    const turn = this.turns[this.turns.length - 1];
    const ac = new AbortController();
    this.running = ac;
    this.postState();
    try {
      const options = generationOptions(this.assistant.settings, panelOptions);
      const fitted = await this.prompt(options);
      turn.note = fitted.contextLength ? droppedNote(fitted.dropped, fitted.contextLength) : undefined;
      if (turn.note) this.postState();
      const r: GenerateResult = await this.assistant.generate({
        prompt: '',
        messages: fitted.messages,
        options,
        signal: ac.signal,
        onToken: (e) => {
          if (e.sequence !== 0 || !e.text) return;
          turn.reply += e.text;
          this.post({ type: 'chatToken', turn: turn.id, text: e.text });
        },
      });
      // The result's text is the reply as the host cut it (stop sequences): it wins over the streamed pieces.
      turn.reply = r.texts[0] ?? turn.reply;
      turn.status = 'done';
      const s = r.stats;
      turn.stats = `${s.newTokens} tokens · ${s.tokensPerSecond.toFixed(1)} tokens/s · ${s.promptTokens} prompt tokens · stopped by ${r.stopReasons[0]}`;
    } catch (e) {
      if (isCancelled(e) || ac.signal.aborted) turn.status = 'stopped';
      else {
        turn.status = 'error';
        turn.error = e instanceof Error ? e.message : String(e);
        this.assistant.reportQuietly('chat', e);
      }
    } finally {
      if (this.running === ac) this.running = undefined;
      // A failed save (disk full) must not leave the panel showing a reply in progress.
      await this.save().catch((e: unknown) => this.assistant.reportQuietly('chat', e));
      this.postState();
    }
  }

  private save(): Promise<void> {
    return this.storage.write(this.turns);
  }

  dispose(): void {
    this.running?.abort();
    for (const d of this.disposables) d.dispose();
  }
}
