/**
 * Chat prompts for instruct models: the template in tokenizer_config.json (`chat_template`, a
 * Jinja string or a list of named templates) rendered with @huggingface/jinja, as transformers
 * and transformers.js do, ending with the generation prompt for the assistant's turn.
 */
import { Template } from '@huggingface/jinja';
import { HostError } from '../../protocol/errors';
import type { ChatMessage } from '../../protocol/types';
import type { Json } from '../models/config';

function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

/** The template source, or undefined when the model has none. */
export function chatTemplateOf(tokenizerConfig: Json): string | undefined {
  const t = tokenizerConfig.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const named = t as { name?: unknown; template?: unknown }[];
    const pick = named.find((x) => x.name === 'default') ?? named[0];
    return typeof pick?.template === 'string' ? pick.template : undefined;
  }
  return undefined;
}

export class ChatTemplate {
  private readonly template: Template;
  private readonly specials: Record<string, string>;

  constructor(source: string, tokenizerConfig: Json) {
    try {
      this.template = new Template(source);
    } catch (e) {
      throw new HostError('MODEL_INVALID', `The model's chat_template does not parse: ${(e as Error).message}`);
    }
    this.specials = {};
    for (const key of ['bos_token', 'eos_token', 'unk_token', 'pad_token', 'sep_token', 'cls_token', 'mask_token']) {
      const v = tokenText(tokenizerConfig[key]);
      if (v !== undefined) this.specials[key] = v;
    }
  }

  render(messages: ChatMessage[], addGenerationPrompt = true): string {
    try {
      return this.template.render({ messages, add_generation_prompt: addGenerationPrompt, ...this.specials });
    } catch (e) {
      throw new HostError('BAD_REQUEST', `The model's chat template failed on these messages: ${(e as Error).message}`);
    }
  }
}
