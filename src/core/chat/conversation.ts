/**
 * A chat conversation as the panel and the CLI keep it: turns of a user message (with the
 * selection or files it carries) and the model's reply, and the messages a model is sent for
 * them. Pure data and functions; the surfaces own the I/O.
 */
import type { ChatMessage } from '../../protocol/types';
import type { ChatAttachment, ChatTurn } from '../../protocol/webview';

export type { ChatAttachment, ChatTurn };

/**
 * What the model is told before the conversation. Short, because small local models have small
 * windows (it is never dropped to fit), and it asks for fenced code so that Insert and Apply
 * have blocks to act on.
 */
export const DEFAULT_SYSTEM_PROMPT = 'You are a helpful coding assistant. Answer briefly. Put code in fenced Markdown blocks that name the language.';

/** Where an attachment came from, as a heading in the user's message and in the panel. */
export function attachmentLabel(a: ChatAttachment): string {
  const lines = a.startLine !== undefined && a.endLine !== undefined ? (a.startLine === a.endLine ? ` line ${a.startLine}` : ` lines ${a.startLine}-${a.endLine}`) : '';
  return `${a.kind === 'selection' ? 'Selection from' : 'File'} ${a.path}${lines}`;
}

/** A fence longer than any run of backticks in the text, so an attached Markdown file cannot close it early. */
function fenceFor(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

/** One attachment as the model sees it: its heading, then its text in a fenced block with its language. */
export function attachmentText(a: ChatAttachment): string {
  const fence = fenceFor(a.text);
  const body = a.text.endsWith('\n') ? a.text : `${a.text}\n`;
  return `${attachmentLabel(a)}:\n${fence}${a.language}\n${body}${fence}`;
}

/** The user's message as sent: the attachments first (what the question is about), then the question. */
export function userContent(turn: Pick<ChatTurn, 'user' | 'attachments'>): string {
  if (turn.attachments.length === 0) return turn.user;
  return [...turn.attachments.map(attachmentText), turn.user].join('\n\n');
}

/**
 * The messages for a model: the system prompt, every earlier turn whose reply has text (a failed
 * or empty reply is left out with its question: the model should not answer it twice), and the
 * last turn's question, which the reply will answer.
 */
export function promptMessages(system: string | undefined, turns: readonly ChatTurn[]): ChatMessage[] {
  const out: ChatMessage[] = system ? [{ role: 'system', content: system }] : [];
  turns.forEach((t, i) => {
    const last = i === turns.length - 1;
    if (!last && !t.reply) return;
    out.push({ role: 'user', content: userContent(t) });
    if (!last) out.push({ role: 'assistant', content: t.reply });
  });
  return out;
}

let counter = 0;
/** A turn id unique in this conversation (the panel names turns by it). */
export function newTurnId(now = Date.now()): string {
  counter = (counter + 1) % 1_000_000;
  return `${now.toString(36)}-${counter.toString(36)}`;
}

/** A new turn for a question, its reply still to come. */
export function newTurn(user: string, attachments: ChatAttachment[]): ChatTurn {
  return { id: newTurnId(), user, attachments, reply: '', status: 'streaming' };
}

/**
 * The last turn made ready to be answered again: Regenerate keeps the question, Edit replaces
 * it (attachments stay). Undefined when there is no last turn.
 */
export function retryLast(turns: readonly ChatTurn[], editedUser?: string): ChatTurn[] | undefined {
  const last = turns.at(-1);
  if (!last) return undefined;
  const again: ChatTurn = { id: newTurnId(), user: editedUser ?? last.user, attachments: last.attachments, reply: '', status: 'streaming' };
  return [...turns.slice(0, -1), again];
}
