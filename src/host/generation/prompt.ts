/**
 * The prompt's token ids: a chat rendered with the model's template, fill-in-the-middle when a
 * suffix is given and the model has FIM tokens, and left truncation in whole blocks so that
 * consecutive keystrokes keep sharing a cached prefix. Apart from the decode loop because these
 * are completion rules, not inference.
 */
import { HostError } from '../../protocol/errors';
import type { ChatMessage } from '../../protocol/types';
import type { Json } from '../models/config';
import { ChatTemplate, chatTemplateOf } from '../runtime/chatTemplate';
import type { ModelTokenizer } from '../runtime/tokenizer';

export interface PromptText {
  prompt: string;
  /** Text after the cursor (fill-in-the-middle when the model has FIM tokens, else ignored). */
  suffix?: string;
  /** A rendered chat template: it already holds its special tokens. */
  templated: boolean;
}

export interface BuiltPrompt {
  ids: number[];
  /** Prompt tokens before truncation. */
  promptTokens: number;
  truncated: number;
  fim: boolean;
}

/** Too long a prefix loses whole blocks of this many tokens from its start. */
const BLOCK = 64;

function cutLeft(ids: number[], room: number): { kept: number[]; cut: number } {
  if (ids.length <= room) return { kept: ids, cut: 0 };
  const cut = Math.min(ids.length, Math.ceil((ids.length - room) / BLOCK) * BLOCK);
  return { kept: ids.slice(cut), cut };
}

export class PromptBuilder {
  /** The instruct model's chat template, when tokenizer_config.json has one. */
  readonly chat: ChatTemplate | undefined;
  private readonly addSpecialTokens: boolean;

  constructor(
    private readonly tokenizer: ModelTokenizer,
    tokenizerConfig: Json,
    /** The model folder, for messages. */
    private readonly dir: string,
  ) {
    this.addSpecialTokens = tokenizerConfig.add_bos_token === true || tokenizerConfig.add_eos_token === true;
    const template = chatTemplateOf(tokenizerConfig);
    this.chat = template ? new ChatTemplate(template, tokenizerConfig) : undefined;
  }

  /** The prompt text for a conversation: the chat template's rendering, ending with the assistant's turn. */
  chatPrompt(messages: ChatMessage[]): string {
    if (!this.chat) throw new HostError('BAD_REQUEST', `${this.dir} has no chat template (tokenizer_config.json chat_template); send a plain prompt instead.`);
    return this.chat.render(messages);
  }

  /**
   * Prompt tokens within `budget`. Fill-in-the-middle when a suffix is given and the model has FIM
   * tokens (prefix-suffix-middle order, so the prefix stays a stable token prefix for KV reuse).
   * Too long a prefix loses whole 64-token blocks from its start, so its first token moves only
   * every 64 tokens of typing and consecutive keystrokes keep sharing a cached prefix.
   */
  build({ prompt, suffix, templated }: PromptText, budget: number): BuiltPrompt {
    const fim = this.tokenizer.fim;
    if (suffix !== undefined && fim) {
      const [p, s, m] = [fim.prefix, fim.suffix, fim.middle].map((t) => this.tokenizer.tokenId(t)!);
      const pre = this.tokenizer.encode(prompt, false);
      let suf = this.tokenizer.encode(suffix, false);
      const room = Math.max(2, budget - 3);
      const sufRoom = Math.min(suf.length, Math.floor(room / 4));
      const sufCut = suf.length - sufRoom;
      suf = suf.slice(0, sufRoom);
      const { kept, cut } = cutLeft(pre, room - suf.length);
      return { ids: [p, ...kept, s, ...suf, m], promptTokens: pre.length + suf.length + sufCut + 3, truncated: cut + sufCut, fim: true };
    }
    // A rendered chat template already holds its special tokens.
    const ids = templated ? this.tokenizer.encode(prompt, false) : this.encode(prompt);
    const { kept, cut } = cutLeft(ids, budget);
    return { ids: kept.length ? kept : ids.slice(-1), promptTokens: ids.length, truncated: cut, fim: false };
  }

  /** The text's ids with the model's special tokens; never empty (BOS for an empty prompt). */
  encode(prompt: string): number[] {
    const ids = this.tokenizer.encode(prompt, this.addSpecialTokens);
    if (ids.length > 0) return ids;
    if (this.tokenizer.bosId !== undefined) return [this.tokenizer.bosId];
    throw new HostError('BAD_REQUEST', 'The prompt is empty and this model has no BOS token to start from. Give it some text to continue.');
  }
}
