/**
 * Fill-in-the-middle prompts written on our side, for servers that take a raw prompt and ignore
 * a `suffix` field (vLLM's /v1/completions, an Ollama model whose template lacks .Suffix). Each
 * family's tokens as its model cards document them; `server` (the default) leaves FIM to the
 * server (`suffix`, or llama.cpp's /infill).
 */
import type { ContextChunk } from '../../protocol/types';

export const FIM_TEMPLATES = ['server', 'starcoder', 'qwen', 'codellama', 'deepseek'] as const;
export type FimTemplate = (typeof FIM_TEMPLATES)[number];

interface Family {
  prompt(prefix: string, suffix: string): string;
  /** Tokens that end the middle (besides the model's EOS, which the server stops at). */
  stops: string[];
  /** Repository-level context before the FIM prompt, when the family has tokens for it. */
  repo?: (chunks: ContextChunk[], filePath: string | undefined) => string;
}

const FAMILIES: Record<Exclude<FimTemplate, 'server'>, Family> = {
  // StarCoder, StarCoder2, SantaCoder and models trained on their format.
  starcoder: { prompt: (p, s) => `<fim_prefix>${p}<fim_suffix>${s}<fim_middle>`, stops: ['<|endoftext|>', '<file_sep>'] },
  // Qwen2.5-Coder: with context, the repository-level format (<|repo_name|>, <|file_sep|> per file).
  qwen: {
    prompt: (p, s) => `<|fim_prefix|>${p}<|fim_suffix|>${s}<|fim_middle|>`,
    stops: ['<|endoftext|>', '<|file_sep|>', '<|fim_pad|>'],
    repo: (chunks, filePath) => `<|repo_name|>project\n${chunks.map((c) => `<|file_sep|>${c.path}\n${c.text}\n`).join('')}<|file_sep|>${filePath ?? 'untitled'}\n`,
  },
  // Code Llama: spaces as its reference code puts them.
  codellama: { prompt: (p, s) => `<PRE> ${p} <SUF>${s} <MID>`, stops: ['<EOT>'] },
  // DeepSeek-Coder (full-width bars and the lower one-eighth block, as in its tokenizer).
  deepseek: { prompt: (p, s) => `<｜fim▁begin｜>${p}<｜fim▁hole｜>${s}<｜fim▁end｜>`, stops: ['<｜end▁of▁sentence｜>', '<|EOT|>'] },
};

/** The raw prompt for `template`, with repository context where the family has tokens for it (others ignore context). */
export function fimPrompt(template: Exclude<FimTemplate, 'server'>, r: { prefix: string; suffix: string; context?: ContextChunk[]; filePath?: string }): { prompt: string; stops: string[] } {
  const f = FAMILIES[template];
  const repo = f.repo && r.context?.length ? f.repo(r.context, r.filePath) : '';
  return { prompt: repo + f.prompt(r.prefix, r.suffix), stops: f.stops };
}
