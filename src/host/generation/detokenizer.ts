/**
 * Streaming text for a growing token list, so each decode step costs a short decode instead of
 * re-decoding everything generated so far; its own module because its correctness (every prefix
 * decodes as one full decode) is tested on its own.
 */
import type { ModelTokenizer } from '../runtime/tokenizer';

/**
 * Decoded text of a growing token list without re-decoding it all each step: tokens before the
 * last clean boundary are decoded once and kept. The tail is decoded together with two tokens
 * of overlap and the overlap's text removed, so decoders that treat the first token specially
 * (SentencePiece's leading space) give the same text as one full decode.
 */
export class IncrementalDecoder {
  private readonly tokens: number[] = [];
  private stableText = '';
  private start = 0;
  constructor(private readonly tokenizer: ModelTokenizer) {}

  push(token: number): string {
    this.tokens.push(token);
    const from = Math.max(0, this.start - 2);
    const overlap = this.start > from ? this.tokenizer.decode(this.tokens.slice(from, this.start)) : '';
    const withOverlap = this.tokenizer.decode(this.tokens.slice(from));
    let text: string;
    if (withOverlap.startsWith(overlap)) text = this.stableText + withOverlap.slice(overlap.length);
    else {
      text = this.tokenizer.decode(this.tokens);
      this.stableText = text;
      this.start = this.tokens.length;
      return text;
    }
    const tail = text.slice(this.stableText.length);
    if (this.tokens.length - this.start >= 8 && /\s$/.test(tail) && !tail.includes('\ufffd')) {
      this.stableText = text;
      this.start = this.tokens.length;
    }
    return text;
  }
}
