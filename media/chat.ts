/**
 * The chat in the panel: the conversation as the extension sends it (`chat` messages, whole),
 * replies streamed in (`chatToken`) and rendered as sanitised Markdown, and each code block's
 * Copy, Insert and Apply. Only messages typed in src/protocol/webview.ts go out.
 */
import type { ChatState, ChatTurnView, FromPanel, ToPanel } from '../src/protocol/webview';
import { renderMarkdown } from './markdown';

type Post = (m: FromPanel) => void;
type ChatMessage = Extract<ToPanel, { type: 'chat' }>;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

const STATUS_TEXT: Record<ChatTurnView['status'], string> = { streaming: 'Writing…', done: '', stopped: 'Stopped.', error: 'Failed.' };

export class ChatView {
  private turns: ChatTurnView[] = [];
  private state: ChatState = { model: '', canChat: true, running: false };
  /** Set while the last question is being edited: Send resends it instead of asking a new one. */
  private editing = false;
  private readonly dirty = new Set<string>();
  private frame = 0;

  constructor(
    private readonly post: Post,
    private readonly $: (id: string) => HTMLElement,
    /** The generation controls' values (shared with Generate). */
    private readonly options: () => Extract<FromPanel, { type: 'chatSend' }>['options'] | undefined,
  ) {
    const input = this.input();
    $('chatSend').addEventListener('click', () => this.send());
    input.addEventListener('keydown', (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') this.send();
      if (e.key === 'Escape' && this.state.running) post({ type: 'chatStop' });
      else if (e.key === 'Escape' && this.editing) this.stopEditing();
    });
    $('chatStop').addEventListener('click', () => post({ type: 'chatStop' }));
    $('attachSelection').addEventListener('click', () => post({ type: 'chatAttach', what: 'selection' }));
    $('attachFile').addEventListener('click', () => post({ type: 'chatAttach', what: 'file' }));
    $('chatRegenerate').addEventListener('click', () => {
      const options = this.options();
      if (options) post({ type: 'chatRegenerate', options });
    });
    $('chatEdit').addEventListener('click', () => {
      const last = this.turns.at(-1);
      if (!last) return;
      this.editing = true;
      input.value = last.user;
      $('chatSend').textContent = 'Resend';
      input.focus();
    });
    $('chatClear').addEventListener('click', () => post({ type: 'chatClear' }));
    // Links in replies are text: the webview must not navigate, and the model chose the address.
    // The click also stops here, before the webview host's own link handler (on the window) sees it.
    $('chatLog').addEventListener('click', (e) => {
      if (!(e.target as HTMLElement).closest('a')) return;
      e.preventDefault();
      e.stopPropagation();
    });
  }

  private input(): HTMLTextAreaElement {
    return this.$('chatInput') as HTMLTextAreaElement;
  }

  private stopEditing(): void {
    this.editing = false;
    this.$('chatSend').textContent = 'Send';
  }

  private send(): void {
    const text = this.input().value;
    if (!text.trim() || this.state.running || !this.state.canChat) return;
    const options = this.options();
    if (!options) return;
    this.$('chatError').textContent = '';
    this.post(this.editing ? { type: 'chatEdit', text, options } : { type: 'chatSend', text, options });
    this.stopEditing();
    this.input().value = '';
  }

  show(m: ChatMessage): void {
    this.turns = m.turns;
    this.state = m.state;
    const $ = this.$;
    $('chatModel').textContent = `Answers from ${m.state.model}`;
    const problem = $('chatProblem');
    problem.textContent = m.state.problem ?? '';
    problem.hidden = m.state.canChat;
    for (const a of m.state.actions ?? []) {
      const b = el('button', 'secondary', a.title);
      b.addEventListener('click', () => this.post({ type: 'run', command: a.command }));
      problem.append(' ', b);
    }
    const pending = $('chatPending');
    pending.replaceChildren(
      ...m.pending.map((a, i) => {
        const chip = el('span', 'chip');
        chip.setAttribute('role', 'listitem');
        chip.append(el('span', undefined, `${a.label}${a.tokens !== undefined ? ` · ${a.tokens.toLocaleString('en-US')} tokens` : ` · ${a.chars.toLocaleString('en-US')} characters`}`));
        const x = el('button', 'link', '×');
        x.setAttribute('aria-label', `Detach ${a.label}`);
        x.addEventListener('click', () => this.post({ type: 'chatDetach', index: i }));
        chip.append(x);
        return chip;
      }),
    );
    const running = m.state.running;
    document.body.dataset.chatRunning = String(running);
    ($('chatSend') as HTMLButtonElement).disabled = running || !m.state.canChat;
    ($('chatStop') as HTMLButtonElement).disabled = !running;
    for (const id of ['chatRegenerate', 'chatEdit']) ($(id) as HTMLButtonElement).disabled = running || this.turns.length === 0 || !m.state.canChat;
    ($('chatClear') as HTMLButtonElement).disabled = this.turns.length === 0;
    const log = $('chatLog');
    log.replaceChildren(...this.turns.map((t) => this.turnElement(t)));
    log.scrollTop = log.scrollHeight;
  }

  /** A streamed piece of a reply: kept at once, drawn once per frame (re-rendering per token would be quadratic). */
  token(turnId: string, text: string): void {
    const t = this.turns.find((x) => x.id === turnId);
    if (!t) return;
    t.reply += text;
    this.dirty.add(turnId);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.redraw());
  }

  private redraw(): void {
    this.frame = 0;
    const log = this.$('chatLog');
    // Follow the reply while the reader is at the bottom; leave them where they scrolled to otherwise.
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
    for (const id of this.dirty) {
      const t = this.turns.find((x) => x.id === id);
      const old = log.querySelector(`.turn[data-turn="${CSS.escape(id)}"]`);
      if (t && old) old.replaceWith(this.turnElement(t));
    }
    this.dirty.clear();
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  private turnElement(t: ChatTurnView): HTMLElement {
    const box = el('div', 'turn');
    box.dataset.turn = t.id;
    box.dataset.status = t.status;
    const user = el('div', 'user');
    user.setAttribute('aria-label', 'You');
    for (const a of t.attachments) {
      user.append(el('div', 'chip attachment', `${a.label}${a.tokens !== undefined ? ` · ${a.tokens.toLocaleString('en-US')} tokens` : ''}`));
    }
    user.append(el('div', 'user-text', t.user));
    box.append(user);
    if (t.note) box.append(el('div', 'note muted', t.note));
    const reply = el('div', 'reply');
    reply.setAttribute('aria-label', 'Assistant');
    const { html, blocks } = renderMarkdown(t.reply);
    // Sanitised by renderMarkdown (markdown-it without HTML, then DOMPurify).
    reply.innerHTML = html;
    for (const pre of Array.from(reply.querySelectorAll<HTMLElement>('pre[data-block]'))) {
      const block = blocks[Number(pre.dataset.block)];
      if (!block) continue;
      const bar = el('div', 'code-actions');
      const action = (label: string, type: 'copy' | 'insert' | 'apply', title: string) => {
        const b = el('button', 'secondary', label);
        b.title = title;
        b.dataset.action = type;
        b.addEventListener('click', () => this.post({ type, text: block.code }));
        return b;
      };
      if (block.lang) bar.append(el('span', 'muted', block.lang));
      bar.append(action('Copy', 'copy', 'Copy the code'), action('Insert', 'insert', 'Insert at the cursor (replaces the selection)'), action('Apply…', 'apply', 'Show a diff against the selection or the file; nothing changes until you accept'));
      pre.before(bar);
    }
    box.append(reply);
    const status = [STATUS_TEXT[t.status], t.error ?? '', t.stats ?? ''].filter(Boolean).join(' ');
    if (status) box.append(el('div', `turn-status muted ${t.status}`, status));
    return box;
  }
}
