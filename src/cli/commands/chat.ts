/**
 * `chat`: a conversation with an instruct model (its chat template, through the host) or a
 * remote chat engine. On a terminal: type a message, the reply streams; Ctrl+C stops the reply,
 * a second Ctrl+C quits (status 130, as every command); /clear forgets the conversation, /exit
 * or Ctrl+D ends it. Otherwise standard input is JSON lines, {"role":"user","content":"..."} (or
 * "system" to replace the system prompt), and each reply is one JSON object on stdout. Older turns
 * are left out of the prompt to fit a local model's window, and the reply says how many.
 */
import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import { CancelledError } from '../../core/classification/batch';
import { DEFAULT_SYSTEM_PROMPT, newTurn, promptMessages, type ChatTurn } from '../../core/chat/conversation';
import { droppedNote, fitConversation, promptBudget, PromptTooLongError, type FittedPrompt } from '../../core/chat/fit';
import { createEngine, RemoteError, toGenerateResult, type RemoteConfig } from '../../core/remote';
import { isCancelled } from '../../protocol/errors';
import type { ChatMessage, GenerateResult, GenerationOptions, LoadParams } from '../../protocol/types';
import { CliFailure, generationOptions, loadFlags, remoteFlags, UsageError } from '../args';
import type { HostContext } from '../context';

/** A reply's length when --max-new-tokens is not given (the prompt is fitted to leave this much room). */
const CHAT_MAX_NEW_TOKENS = 128;

interface Reply {
  content: string;
  stopped: boolean;
  result?: GenerateResult;
  dropped: number;
  note?: string;
}

/** One conversation, local or remote: the turns so far and how to ask for the next reply. */
class Conversation {
  system = DEFAULT_SYSTEM_PROMPT;
  turns: ChatTurn[] = [];

  private readonly options: GenerationOptions & { maxNewTokens: number };

  constructor(
    private readonly ctx: HostContext,
    options: GenerationOptions,
    private readonly load: LoadParams | undefined,
    private readonly remote: RemoteConfig | undefined,
  ) {
    // The prompt is fitted leaving room for exactly the reply the host will be asked for (the
    // host's own default is the model's generation_config, which the fit cannot know).
    this.options = { ...options, maxNewTokens: options.maxNewTokens ?? CHAT_MAX_NEW_TOKENS };
  }

  describe(): string {
    return this.remote ? `${this.remote.model || this.remote.backend} (${this.remote.backend} at ${this.remote.endpoint})` : this.load!.modelPath;
  }

  /** Checks once, before the first question, that the local model can chat. */
  async check(): Promise<void> {
    if (!this.load) return;
    const r = await this.ctx.client.request('countTokens', { ...this.load, texts: [] });
    if (!r.chat) throw new CliFailure(`${this.load.modelPath} has no chat template (tokenizer_config.json chat_template), so it cannot chat: use an instruct model (onnx-assist pull onnx-community/Qwen2.5-Coder-0.5B-Instruct), or 'generate' for this one.`);
  }

  private async fit(): Promise<FittedPrompt & { contextLength?: number }> {
    if (!this.load) return { messages: promptMessages(this.system, this.turns), dropped: 0, tokens: 0 };
    const load = this.load;
    const info = await this.ctx.client.request('countTokens', { ...load, texts: [] });
    const count = async (messages: ChatMessage[]) => (await this.ctx.client.request('countTokens', { ...load, messages })).messages ?? 0;
    const budget = promptBudget(info.contextLength, this.options.maxNewTokens);
    return { ...(await fitConversation(this.system, this.turns, budget, count, info.contextLength)), contextLength: info.contextLength };
  }

  /** Asks `text`; `onText` gets the reply as it streams; `signal` stops it (the text so far is kept). */
  async ask(text: string, onText: (s: string) => void, signal: AbortSignal): Promise<Reply> {
    const turn = newTurn(text, []);
    this.turns.push(turn);
    let fitted: Awaited<ReturnType<Conversation['fit']>>;
    try {
      fitted = await this.fit();
    } catch (e) {
      this.turns.pop();
      if (e instanceof PromptTooLongError) throw new CliFailure(e.message);
      throw e;
    }
    const onToken = (e: { sequence?: number; text: string }) => {
      if ((e.sequence ?? 0) !== 0 || !e.text) return;
      turn.reply += e.text;
      onText(e.text);
    };
    const note = fitted.contextLength ? droppedNote(fitted.dropped, fitted.contextLength) : undefined;
    try {
      const result = this.remote ? await this.askRemote(this.remote, fitted.messages, onToken, signal) : await this.ctx.client.request('generate', { ...this.load!, prompt: '', messages: fitted.messages, options: this.options }, { signal, onEvent: onToken });
      turn.reply = result.texts[0] ?? turn.reply;
      turn.status = 'done';
      return { content: turn.reply, stopped: false, result, dropped: fitted.dropped, note };
    } catch (e) {
      if (!isCancelled(e) && !signal.aborted) {
        this.turns.pop();
        throw e;
      }
      turn.status = 'stopped';
      return { content: turn.reply, stopped: true, dropped: fitted.dropped, note };
    }
  }

  private async askRemote(c: RemoteConfig, messages: ChatMessage[], onToken: (e: { text: string }) => void, signal: AbortSignal): Promise<GenerateResult> {
    try {
      return toGenerateResult(await createEngine(c).chat({ messages, options: this.options, signal, onToken }), c.backend);
    } catch (e) {
      if (e instanceof RemoteError) throw e.kind === 'config' ? new UsageError(e.message) : new CliFailure(e.message);
      throw e;
    }
  }
}

/** A reply's own stop: aborted by `outer` (Ctrl+C) or by `stop()`. */
function replySignal(outer: AbortSignal): { signal: AbortSignal; stop: () => void; done: () => void } {
  const ac = new AbortController();
  const onOuter = () => ac.abort();
  outer.addEventListener('abort', onOuter, { once: true });
  if (outer.aborted) ac.abort();
  return { signal: ac.signal, stop: () => ac.abort(), done: () => outer.removeEventListener('abort', onOuter) };
}

/** JSON lines: one reply object per user line; a line that is not a message is answered with an error object. */
async function jsonLines(conv: Conversation, ctx: HostContext, input: Readable): Promise<void> {
  const rl = readline.createInterface({ input, crlfDelay: Infinity, terminal: false });
  const onAbort = () => rl.close();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const line of rl) {
      if (!line.trim()) continue;
      let m: { role?: unknown; content?: unknown };
      try {
        m = JSON.parse(line) as typeof m;
      } catch {
        ctx.io.out(`${JSON.stringify({ error: { code: 'BAD_REQUEST', message: 'each line must be a JSON object {"role":"user","content":"..."}' } })}\n`);
        continue;
      }
      if (typeof m !== 'object' || m === null || (m.role !== 'user' && m.role !== 'system') || typeof m.content !== 'string') {
        ctx.io.out(`${JSON.stringify({ error: { code: 'BAD_REQUEST', message: 'role must be "user" or "system" and content a string' } })}\n`);
        continue;
      }
      if (m.role === 'system') {
        conv.system = m.content;
        continue;
      }
      const r = replySignal(ctx.signal);
      try {
        const reply = await conv.ask(m.content, () => undefined, r.signal);
        const s = reply.result?.stats;
        ctx.io.out(`${JSON.stringify({ role: 'assistant', content: reply.content, stopped: reply.stopped, stopReason: reply.result?.stopReasons[0] ?? null, droppedTurns: reply.dropped, promptTokens: s?.promptTokens ?? null, newTokens: s?.newTokens ?? null })}\n`);
      } catch (e) {
        if (e instanceof UsageError) throw e;
        ctx.io.out(`${JSON.stringify({ error: { code: 'FAILED', message: e instanceof Error ? e.message : String(e) } })}\n`);
      } finally {
        r.done();
      }
      if (ctx.signal.aborted) break;
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    rl.close();
  }
  if (ctx.signal.aborted) throw new CancelledError();
}

/** The terminal conversation. */
async function interactive(conv: Conversation, ctx: HostContext, input: Readable): Promise<void> {
  const { io } = ctx;
  const rl = readline.createInterface({ input, output: process.stdout, terminal: true, prompt: 'you> ' });
  let reply: ReturnType<typeof replySignal> | undefined;
  /** Set by a Ctrl+C that stopped a reply: the next one quits. */
  let stoppedOnce = false;
  const quit = new Promise<void>((resolve) => {
    rl.on('close', resolve);
    ctx.signal.addEventListener('abort', () => rl.close(), { once: true });
  });
  rl.on('SIGINT', () => {
    if (reply && !stoppedOnce) {
      stoppedOnce = true;
      reply.stop();
      return;
    }
    // Quit as every command does on Ctrl+C (main says so and exits with 130).
    process.emit('SIGINT');
  });
  io.err(`Chatting with ${conv.describe()}. Ctrl+C stops a reply; /clear forgets the conversation; /exit or Ctrl+D ends it.\n`);
  const lines = (async () => {
    rl.prompt();
    for await (const line of rl) {
      const text = line.trim();
      if (text === '/exit') break;
      if (text === '/clear') {
        conv.turns = [];
        io.err('(conversation cleared)\n');
      } else if (text) {
        stoppedOnce = false;
        reply = replySignal(ctx.signal);
        try {
          const r = await conv.ask(line, (t) => io.out(t), reply.signal);
          io.out(r.content.endsWith('\n') ? '' : '\n');
          const s = r.result?.stats;
          const parts = [r.note, r.stopped ? 'stopped' : undefined, s ? `${s.newTokens} tokens, ${s.tokensPerSecond.toFixed(1)} tokens/s` : undefined].filter(Boolean);
          if (parts.length) io.err(`[${parts.join('; ')}]\n`);
        } catch (e) {
          if (e instanceof UsageError) throw e;
          io.err(`onnx-assist: ${e instanceof Error ? e.message : String(e)}\n`);
        } finally {
          reply.done();
          reply = undefined;
        }
      }
      if (ctx.signal.aborted) break;
      rl.prompt();
    }
    rl.close();
  })();
  await Promise.race([lines, quit]);
  await lines.catch((e: unknown) => {
    if (!ctx.signal.aborted) throw e;
  });
  if (ctx.signal.aborted) throw new CancelledError();
  io.err('\n');
}

export async function chat(ctx: HostContext): Promise<void> {
  const { v } = ctx;
  const remote = remoteFlags(v);
  const load = remote ? undefined : loadFlags(v);
  for (const f of ['prompt', 'prompt-file', 'suffix', 'suffix-file', 'num-return-sequences', 'scope'] as const) {
    if (v[f] !== undefined) throw new UsageError(`--${f} is for generate; chat reads its messages from standard input`);
  }
  const options = generationOptions(v);
  const conv = new Conversation(ctx, options, load, remote);
  await conv.check();
  const input = ctx.io.stdin ?? process.stdin;
  if ((input as Readable & { isTTY?: boolean }).isTTY) await interactive(conv, ctx, input);
  else await jsonLines(conv, ctx, input);
}
