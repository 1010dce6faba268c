/**
 * The prompt's token ids: a chat rendered with the model's template, fill-in-the-middle when a
 * suffix is given and the model has FIM tokens, and left truncation in whole blocks so that
 * consecutive keystrokes keep sharing a cached prefix. Apart from the decode loop because these
 * are completion rules, not inference.
 */
import { HostError } from '../../protocol/errors';
import type { ChatMessage, ContextChunk } from '../../protocol/types';
import type { Json } from '../models/config';
import { ChatTemplate, chatTemplateOf } from '../runtime/chatTemplate';
import type { ModelTokenizer } from '../runtime/tokenizer';

export interface PromptText {
  prompt: string;
  /** Text after the cursor (fill-in-the-middle when the model has FIM tokens, else ignored). */
  suffix?: string;
  /** A rendered chat template: it already holds its special tokens. */
  templated: boolean;
  /** Chunks of other project files, put first (see GenerateParams.context). */
  context?: ContextChunk[];
  /** The current file's workspace-relative path, named after the context when given. */
  path?: string;
  /** The workspace's name, before the context (models with a repository-name token). */
  repo?: string;
}

export interface BuiltPrompt {
  ids: number[];
  /** Prompt tokens before truncation. */
  promptTokens: number;
  truncated: number;
  fim: boolean;
  /** Context chunks that made it into the prompt, and their tokens. */
  contextChunks: number;
  contextTokens: number;
}

/**
 * Suffix tokens in a fill-in-the-middle prompt, at most. In prefix-suffix-middle order every
 * keystroke moves the suffix, so all of it runs again each time: on a 0.5B model on two cores
 * a 330-token suffix cost 3.2 s per keystroke. The next few lines are what the middle needs.
 */
export const FIM_SUFFIX_TOKENS = 64;

/** Too long a prefix loses whole blocks of this many tokens from its start. */
const BLOCK = 64;

function cutLeft(ids: number[], room: number): { kept: number[]; cut: number } {
  if (ids.length <= room) return { kept: ids, cut: 0 };
  const cut = Math.min(ids.length, Math.ceil((ids.length - room) / BLOCK) * BLOCK);
  return { kept: ids.slice(cut), cut };
}

/** The share of the prompt's budget that project context may take (a fixed share: it never moves with the file). */
export const CONTEXT_SHARE = 0.5;

/** Repository-level tokens: `<repo>name\n` once, then `<sep>path\ncontent` per file, the current file last. */
export interface RepoStyle {
  repoName: string;
  fileSep: string;
}

const REPO_STYLES: RepoStyle[] = [
  { repoName: '<|repo_name|>', fileSep: '<|file_sep|>' }, // Qwen2.5-Coder: <|repo_name|>name\n<|file_sep|>path\ncontent ... <|file_sep|>path\n<|fim_prefix|>...
  { repoName: '<repo_name>', fileSep: '<file_sep>' }, // StarCoder2: <repo_name>name<file_sep>path\ncontent ... <file_sep><fim_prefix>...
];

/** Line-comment markers by file extension, for models without repository tokens. */
const COMMENTS: [RegExp, (p: string) => string][] = [
  [/\.(py|pyi|sh|bash|zsh|rb|pl|r|ya?ml|toml|cfg|ini|conf|mk|cmake|ps1|jl|ex|exs|nim|tf)$|(^|\/)(Makefile|Dockerfile|CMakeLists\.txt)$/i, (p) => `# path: ${p}`],
  [/\.(ts|tsx|js|jsx|mjs|cjs|mts|cts|c|h|cc|cpp|cxx|hpp|hh|cs|java|kt|kts|go|rs|swift|scala|dart|php|groovy|proto|zig|v|sol|fs|m|mm|json5|jsonc|scss|less)$/i, (p) => `// path: ${p}`],
  [/\.(sql|lua|hs|elm|ada|adb|ads|vhdl?)$/i, (p) => `-- path: ${p}`],
  [/\.(html?|xml|svg|vue|svelte|md|markdown|xaml|csproj)$/i, (p) => `<!-- path: ${p} -->`],
  [/\.css$/i, (p) => `/* path: ${p} */`],
];

/** A line naming a file, in the file's own comment syntax (a neutral header when it has none). */
export function pathComment(path: string): string {
  for (const [re, f] of COMMENTS) if (re.test(path)) return f(path);
  return `==> ${path} <==`;
}

export class PromptBuilder {
  /** The instruct model's chat template, when tokenizer_config.json has one. */
  readonly chat: ChatTemplate | undefined;
  private readonly addSpecialTokens: boolean;
  private readonly addBos: boolean;
  /** The model's own repository-level tokens, when its vocabulary has them (read once). */
  readonly repoStyle: RepoStyle | undefined;
  /** The last request's context chunks, encoded (consecutive keystrokes send the same ones). */
  private chunkCache = new Map<string, number[]>();

  constructor(
    private readonly tokenizer: ModelTokenizer,
    tokenizerConfig: Json,
    /** The model folder, for messages. */
    private readonly dir: string,
  ) {
    this.addSpecialTokens = tokenizerConfig.add_bos_token === true || tokenizerConfig.add_eos_token === true;
    this.addBos = tokenizerConfig.add_bos_token === true;
    const template = chatTemplateOf(tokenizerConfig);
    this.chat = template ? new ChatTemplate(template, tokenizerConfig) : undefined;
    this.repoStyle = REPO_STYLES.find((s) => tokenizer.tokenId(s.fileSep) !== undefined);
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
   *
   * Project context goes first, in the order given, within its own share of the budget: it does
   * not move when the file's prefix grows, so it stays a cached prefix across keystrokes.
   */
  build(text: PromptText, budget: number): BuiltPrompt {
    const { prompt, suffix, templated } = text;
    // A chat prompt is not a file: project context is for completions only.
    const ctx = templated ? { ids: [], chunks: 0 } : this.contextIds(text.context ?? [], Math.floor(budget * CONTEXT_SHARE));
    const lead = ctx.chunks > 0 ? [...this.bos(), ...this.repoName(text.repo), ...ctx.ids, ...this.currentFile(text.path)] : [];
    const room = budget - lead.length;
    const fim = this.tokenizer.fim;
    let built: Omit<BuiltPrompt, 'contextChunks' | 'contextTokens'>;
    if (suffix !== undefined && fim) {
      const [p, s, m] = [fim.prefix, fim.suffix, fim.middle].map((t) => this.tokenizer.tokenId(t)!);
      const pre = this.tokenizer.encode(prompt, false);
      let suf = this.tokenizer.encode(suffix, false);
      const free = Math.max(2, room - 3);
      const sufRoom = Math.min(suf.length, Math.floor(free / 4), FIM_SUFFIX_TOKENS);
      const sufCut = suf.length - sufRoom;
      suf = suf.slice(0, sufRoom);
      const { kept, cut } = cutLeft(pre, free - suf.length);
      built = { ids: [...lead, p, ...kept, s, ...suf, m], promptTokens: lead.length + pre.length + suf.length + sufCut + 3, truncated: cut + sufCut, fim: true };
    } else if (lead.length > 0) {
      const ids = this.tokenizer.encode(prompt, false);
      const { kept, cut } = cutLeft(ids, Math.max(1, room));
      built = { ids: [...lead, ...kept], promptTokens: lead.length + ids.length, truncated: cut, fim: false };
    } else {
      // A rendered chat template already holds its special tokens.
      const ids = templated ? this.tokenizer.encode(prompt, false) : this.encode(prompt);
      const { kept, cut } = cutLeft(ids, budget);
      built = { ids: kept.length ? kept : ids.slice(-1), promptTokens: ids.length, truncated: cut, fim: false };
    }
    return { ...built, contextChunks: ctx.chunks, contextTokens: ctx.ids.length };
  }


  /**
   * The chunks that fit `room` tokens, whole and in order (a chunk that does not fit ends the
   * list, so the ones before it stay a stable prefix). Each chunk is encoded on its own, so its
   * ids never depend on its neighbours, and remembered for the next keystroke.
   */
  private contextIds(chunks: ContextChunk[], room: number): { ids: number[]; chunks: number } {
    const ids: number[] = [];
    const style = this.repoStyle;
    const sep = style ? [this.tokenizer.tokenId(style.fileSep)!] : [];
    const cache = new Map<string, number[]>();
    let n = 0;
    for (const c of chunks) {
      const body = c.text.endsWith('\n') ? c.text : `${c.text}\n`;
      const key = `${c.path}\0${body}`;
      const chunk = this.chunkCache.get(key) ?? [...sep, ...this.tokenizer.encode(style ? `${c.path}\n${body}` : `${pathComment(c.path)}\n${body}`, false)];
      cache.set(key, chunk);
      if (ids.length + chunk.length > room) break;
      ids.push(...chunk);
      n++;
    }
    this.chunkCache = cache;
    return { ids, chunks: n };
  }

  /** The repository's name before its files, when the model has a token for it and the name is known. */
  private repoName(name: string | undefined): number[] {
    const style = this.repoStyle;
    const id = style && name ? this.tokenizer.tokenId(style.repoName) : undefined;
    return id === undefined ? [] : [id, ...this.tokenizer.encode(`${name}\n`, false)];
  }

  /** Where the current file starts after the context: its separator (and path, when known). */
  private currentFile(path: string | undefined): number[] {
    const style = this.repoStyle;
    if (!style) return path ? this.tokenizer.encode(`${pathComment(path)}\n`, false) : [];
    return [this.tokenizer.tokenId(style.fileSep)!, ...(path ? this.tokenizer.encode(`${path}\n`, false) : [])];
  }

  /** The BOS a tokenizer that adds special tokens would put first (context goes after it). */
  private bos(): number[] {
    return this.addBos && this.tokenizer.bosId !== undefined ? [this.tokenizer.bosId] : [];
  }

  /** The text's ids with the model's special tokens; never empty (BOS for an empty prompt). */
  encode(prompt: string): number[] {
    const ids = this.tokenizer.encode(prompt, this.addSpecialTokens);
    if (ids.length > 0) return ids;
    if (this.tokenizer.bosId !== undefined) return [this.tokenizer.bosId];
    throw new HostError('BAD_REQUEST', 'The prompt is empty and this model has no BOS token to start from. Give it some text to continue.');
  }
}
