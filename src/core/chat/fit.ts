/**
 * Fitting a conversation into a model's context window: the oldest turns are left out of the
 * prompt, whole, until the rest fits; the system prompt and the latest question always stay.
 * Tokens are counted by the caller's `count` (the model's own tokenizer and chat template, in the
 * host), never estimated from characters.
 */
import type { ChatMessage } from '../../protocol/types';
import type { ChatTurn } from '../../protocol/webview';
import { promptMessages } from './conversation';

/** Counts the tokens of a conversation as the model will see it (template and generation prompt included). */
export type CountTokens = (messages: ChatMessage[]) => Promise<number>;

export interface FittedPrompt {
  messages: ChatMessage[];
  /** Earlier turns left out of the prompt (the oldest ones). */
  dropped: number;
  /** Prompt tokens of what is sent. */
  tokens: number;
}

/** The prompt's share of the window: the host keeps room for the reply the same way (maxNew = min(maxNewTokens, window - 1)). */
export function promptBudget(contextLength: number, maxNewTokens: number): number {
  const reply = Math.max(1, Math.min(maxNewTokens, contextLength - 1));
  return contextLength - reply;
}

/** The latest question (with its attachments) and the system prompt do not fit even alone. */
export class PromptTooLongError extends Error {
  constructor(
    readonly tokens: number,
    readonly budget: number,
    readonly contextLength: number,
  ) {
    super(`The message is ${tokens.toLocaleString('en-US')} tokens with its attachments and the system prompt; the model's window is ${contextLength.toLocaleString('en-US')} tokens, ${budget.toLocaleString('en-US')} of them for the prompt. Detach a file, attach a smaller selection or shorten the message.`);
  }
}

/**
 * The longest tail of `turns` that fits `budget` tokens. Leaving out more turns never makes a
 * prompt longer, so the cut is found by bisection: a handful of counts, not one per turn.
 */
export async function fitConversation(system: string | undefined, turns: readonly ChatTurn[], budget: number, count: CountTokens, contextLength: number): Promise<FittedPrompt> {
  const build = (dropped: number) => promptMessages(system, turns.slice(dropped));
  const all = build(0);
  const allTokens = await count(all);
  if (allTokens <= budget) return { messages: all, dropped: 0, tokens: allTokens };
  const lastOnly = turns.length - 1;
  const minimal = build(lastOnly);
  const minimalTokens = await count(minimal);
  if (minimalTokens > budget) throw new PromptTooLongError(minimalTokens, budget, contextLength);
  // Invariant: dropping `hi` turns fits, dropping `lo` does not.
  let lo = 0;
  let hi = lastOnly;
  let best = { messages: minimal, tokens: minimalTokens };
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const messages = build(mid);
    const tokens = await count(messages);
    if (tokens <= budget) {
      hi = mid;
      best = { messages, tokens };
    } else lo = mid;
  }
  // Turns whose reply failed are not in the prompt anyway: count only the ones that were.
  const dropped = turns.slice(0, hi).filter((t) => t.reply).length;
  return { messages: best.messages, dropped, tokens: best.tokens };
}

/** What the panel and the CLI say when turns were left out: "2 earlier turns left out to fit 2,048 tokens". */
export function droppedNote(dropped: number, contextLength: number): string | undefined {
  if (dropped === 0) return undefined;
  return `${dropped} earlier ${dropped === 1 ? 'turn' : 'turns'} left out to fit ${contextLength.toLocaleString('en-US')} tokens`;
}
