/** The model's own tokenizer (tokenizer.json), through @huggingface/tokenizers: never hand-written. */
import { Tokenizer } from '@huggingface/tokenizers';
import { HostError } from '../../protocol/errors';
import { num, type Json } from '../models/config';

/** Characters of a long text tokenized per token that fits (tokens average 3-5 characters). */
const PREFIX_CHARS_PER_TOKEN = 8;

function lastWhitespace(text: string, before: number): number {
  for (let i = before; i > 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) return i;
  }
  return -1;
}

export interface FimTokens {
  prefix: string;
  suffix: string;
  middle: string;
}

const FIM_STYLES: FimTokens[] = [
  { prefix: '<|fim_prefix|>', suffix: '<|fim_suffix|>', middle: '<|fim_middle|>' }, // Qwen2.5-Coder
  { prefix: '<fim_prefix>', suffix: '<fim_suffix>', middle: '<fim_middle>' }, // StarCoder, this project
  { prefix: '<fim-prefix>', suffix: '<fim-suffix>', middle: '<fim-middle>' }, // SantaCoder
  { prefix: '▁<PRE>', suffix: '▁<SUF>', middle: '▁<MID>' }, // CodeLlama
  { prefix: '<PRE>', suffix: '<SUF>', middle: '<MID>' },
];

function tokenString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

export class ModelTokenizer {
  private readonly tok: Tokenizer;
  readonly vocabSize: number;
  readonly bosId: number | undefined;
  readonly eosIds: number[];
  readonly padId: number | undefined;
  readonly fim: FimTokens | undefined;
  /** Special ids that encode('' , specials) adds before and after the text. */
  private readonly specialPrefix: number[];
  private readonly specialSuffix: number[];

  constructor(tokenizerJson: Json, tokenizerConfig: Json, config: Json, generationConfig: Json) {
    try {
      this.tok = new Tokenizer(tokenizerJson, tokenizerConfig);
    } catch (e) {
      throw new HostError('MODEL_INVALID', `tokenizer.json could not be read by @huggingface/tokenizers: ${(e as Error).message}`);
    }
    const vocab = this.tok.get_vocab(true);
    this.vocabSize = vocab.size;
    const id = (v: unknown) => {
      const s = tokenString(v);
      return s === undefined ? undefined : this.tok.token_to_id(s);
    };
    this.bosId = num(generationConfig.bos_token_id) ?? num(config.bos_token_id) ?? id(tokenizerConfig.bos_token);
    const eos = generationConfig.eos_token_id ?? config.eos_token_id;
    const eosList = Array.isArray(eos) ? eos.filter((x): x is number => typeof x === 'number') : typeof eos === 'number' ? [eos] : [];
    const eosTok = id(tokenizerConfig.eos_token);
    if (eosTok !== undefined && !eosList.includes(eosTok)) eosList.push(eosTok);
    this.eosIds = eosList;
    this.padId = num(config.pad_token_id) ?? id(tokenizerConfig.pad_token) ?? num(generationConfig.pad_token_id);
    this.fim = FIM_STYLES.find((s) => [s.prefix, s.suffix, s.middle].every((t) => this.tok.token_to_id(t) !== undefined));
    const empty = this.tok.encode('', { add_special_tokens: true }).ids;
    const probe = this.tok.encode('a', { add_special_tokens: true }).ids;
    const plain = this.tok.encode('a', { add_special_tokens: false }).ids;
    const at = probe.findIndex((_, i) => plain.every((p, j) => probe[i + j] === p));
    this.specialPrefix = at >= 0 ? probe.slice(0, at) : empty;
    this.specialSuffix = at >= 0 ? probe.slice(at + plain.length) : [];
  }

  encode(text: string, addSpecialTokens: boolean): number[] {
    return this.tok.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  /** Encodes with special tokens, cutting the text (never the special tokens) to fit maxLength. */
  encodeTruncated(text: string, maxLength: number): { ids: number[]; truncated: boolean } {
    // A long text is tokenized up to a whitespace boundary well past what fits: words before a
    // whitespace cut tokenize the same as in the whole text, and a 1 MB selection costs no more
    // than its first few KB. Too few tokens in the prefix: the whole text after all.
    const cut = text.length > maxLength * PREFIX_CHARS_PER_TOKEN ? lastWhitespace(text, maxLength * PREFIX_CHARS_PER_TOKEN) : -1;
    if (cut > maxLength) {
      const ids = this.encode(text.slice(0, cut), true);
      if (ids.length > maxLength) return this.cut(ids, maxLength);
    }
    const ids = this.encode(text, true);
    if (ids.length <= maxLength) return { ids, truncated: false };
    return this.cut(ids, maxLength);
  }

  private cut(ids: number[], maxLength: number): { ids: number[]; truncated: boolean } {
    const body = ids.slice(this.specialPrefix.length, ids.length - this.specialSuffix.length);
    const room = Math.max(0, maxLength - this.specialPrefix.length - this.specialSuffix.length);
    return { ids: [...this.specialPrefix, ...body.slice(0, room), ...this.specialSuffix], truncated: true };
  }

  /**
   * Encodes a sentence pair (premise, hypothesis) with the model's own pair template and token
   * type ids; when too long, the premise is cut, never the hypothesis or the special tokens.
   */
  encodePairTruncated(text: string, pair: string, maxLength: number): { ids: number[]; typeIds: number[]; truncated: boolean } {
    const full = this.tok.encode(text, { text_pair: pair, add_special_tokens: true, return_token_type_ids: true });
    const typeIds = full.token_type_ids ?? new Array<number>(full.ids.length).fill(0);
    if (full.ids.length <= maxLength) return { ids: full.ids, typeIds, truncated: false };
    const premise = this.encode(text, false);
    const at = this.specialPrefix.length;
    const excess = full.ids.length - maxLength;
    const found = premise.every((id, i) => full.ids[at + i] === id);
    if (!found || excess > premise.length) {
      throw new HostError('BAD_REQUEST', `The label sentence alone is longer than the model's ${maxLength}-token limit; use shorter labels or template.`);
    }
    const keep = premise.length - excess;
    const cut = <T>(a: T[]) => [...a.slice(0, at + keep), ...a.slice(at + premise.length)];
    return { ids: cut(full.ids), typeIds: cut(typeIds), truncated: true };
  }

  decode(ids: number[], skipSpecialTokens = true): string {
    return this.tok.decode(ids, { skip_special_tokens: skipSpecialTokens, clean_up_tokenization_spaces: false });
  }

  tokenId(token: string): number | undefined {
    return this.tok.token_to_id(token);
  }
}
