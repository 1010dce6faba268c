/**
 * The conversation as it is kept between sessions (per workspace, on this machine): a versioned
 * record, checked field by field when read back (a damaged or older record gives an empty
 * conversation, never a crash), and bounded so it cannot grow without end.
 */
import type { ChatAttachment, ChatTurn, ChatTurnStatus } from '../../protocol/webview';

export const STORE_KEY = 'onnxAssist.chat.conversation';
export const STORE_VERSION = 1;

/** Turns kept, and characters in all of them (attachments included): older turns go first. */
export const STORE_LIMITS = { turns: 100, chars: 1_000_000 };

export interface StoredConversation {
  version: typeof STORE_VERSION;
  turns: ChatTurn[];
}

const STATUSES: readonly ChatTurnStatus[] = ['streaming', 'done', 'stopped', 'error'];

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

function attachment(v: unknown): ChatAttachment | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const kind = o.kind === 'selection' || o.kind === 'file' ? o.kind : undefined;
  const path = str(o.path);
  const text = str(o.text);
  if (!kind || path === undefined || text === undefined) return undefined;
  return { kind, path, language: str(o.language) ?? '', text, startLine: int(o.startLine), endLine: int(o.endLine), tokens: int(o.tokens) };
}

function turn(v: unknown): ChatTurn | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const id = str(o.id);
  const user = str(o.user);
  const reply = str(o.reply);
  if (id === undefined || user === undefined || reply === undefined || !Array.isArray(o.attachments)) return undefined;
  const attachments = o.attachments.map(attachment);
  if (attachments.some((a) => a === undefined)) return undefined;
  let status = STATUSES.includes(o.status as ChatTurnStatus) ? (o.status as ChatTurnStatus) : 'done';
  // A reply that was streaming when the window closed ended there: it was stopped.
  if (status === 'streaming') status = 'stopped';
  return { id, user, attachments: attachments as ChatAttachment[], reply, status, error: str(o.error), stats: str(o.stats), note: str(o.note) };
}

/** The turns of a stored record; empty for anything else (nothing stored, another version, damage). */
export function readStored(v: unknown): ChatTurn[] {
  if (typeof v !== 'object' || v === null) return [];
  const o = v as Record<string, unknown>;
  if (o.version !== STORE_VERSION || !Array.isArray(o.turns)) return [];
  return o.turns.map(turn).filter((t): t is ChatTurn => t !== undefined);
}

function size(t: ChatTurn): number {
  return t.user.length + t.reply.length + t.attachments.reduce((n, a) => n + a.text.length, 0);
}

/** The record to store: the newest turns within STORE_LIMITS (the newest one always, cut if it alone is too large). */
export function toStored(turns: readonly ChatTurn[], limits = STORE_LIMITS): StoredConversation {
  const kept: ChatTurn[] = [];
  let chars = 0;
  for (let i = turns.length - 1; i >= 0 && kept.length < limits.turns; i--) {
    const t = turns[i];
    chars += size(t);
    if (chars > limits.chars && kept.length > 0) break;
    kept.unshift(t);
  }
  if (kept.length === 1 && size(kept[0]) > limits.chars) {
    const t = kept[0];
    // One huge attachment: keep the question and the reply, drop the attached text.
    kept[0] = { ...t, attachments: t.attachments.map((a) => ({ ...a, text: '' })), reply: t.reply.slice(0, limits.chars) };
  }
  return { version: STORE_VERSION, turns: kept };
}
