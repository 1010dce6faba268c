/**
 * Streaming text out of a growing token sequence: stop sequences and the completion's scope (one
 * line, or one block) end the text where they start, and no text that might still become a stop,
 * or half a UTF-8 character, is emitted early.
 */
import { TAB_COLUMNS, type CompletionScope } from '../../protocol/generation';

/** Where a completion ends besides its stop sequences (see GenerationOptions.scope). */
export interface ScopeRule {
  scope: CompletionScope;
  /** For `block`: a line indented less than this many columns ends it. */
  blockIndent: number;
}

const columns = (ws: string) => [...ws].reduce((a, c) => a + (c === '\t' ? TAB_COLUMNS : 1), 0);

/**
 * Where the scope ends `text`: `cut` when decided (the text ends there), `hold` where undecided
 * text begins (a last line of whitespace only may still turn out blank or dedented).
 */
export function scopeEnd(text: string, rule: ScopeRule): { cut?: number; hold: number } {
  const firstNl = text.indexOf('\n');
  if (firstNl < 0) return { hold: text.length };
  if (rule.scope === 'line') return { cut: firstNl, hold: firstNl };
  // Block: the first line continues the cursor's line; each later line is checked once its indentation is known.
  let nl = firstNl;
  while (nl >= 0) {
    const start = nl + 1;
    const end = text.indexOf('\n', start);
    const line = end < 0 ? text.slice(start) : text.slice(start, end);
    const lead = /^[ \t]*/.exec(line)![0];
    if (lead.length === line.length) {
      if (end < 0) return { hold: nl }; // whitespace so far: blank or dedented, not known yet
      return { cut: nl, hold: nl }; // a blank line ends the block
    }
    if (columns(lead) < rule.blockIndent) return { cut: nl, hold: nl };
    nl = end;
  }
  return { hold: text.length };
}

export interface StreamStep {
  /** Text safe to show now that was not shown before. */
  delta: string;
  /** True when a stop sequence was found; `text` is then cut before it. */
  stopped: boolean;
}

export class StopTextStream {
  private emitted = 0;
  private finalText = '';

  constructor(
    private readonly stops: readonly string[],
    private readonly scope?: ScopeRule,
  ) {}

  /** Feed the full decoded text so far; returns what may be shown now. */
  update(fullText: string): StreamStep {
    let cut = -1;
    for (const s of this.stops) {
      const at = fullText.indexOf(s);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    const scoped = this.scope ? scopeEnd(fullText, this.scope) : undefined;
    if (scoped?.cut !== undefined && (cut < 0 || scoped.cut < cut)) cut = scoped.cut;
    if (cut >= 0) {
      this.finalText = fullText.slice(0, cut);
      return { delta: this.take(this.finalText, this.finalText.length), stopped: true };
    }
    this.finalText = fullText;
    // Hold back an unfinished multi-byte character and any tail that begins a stop sequence.
    let safe = scoped ? scoped.hold : fullText.length;
    while (safe > 0 && fullText.charCodeAt(safe - 1) === 0xfffd) safe--;
    for (const s of this.stops) {
      for (let len = Math.min(s.length - 1, safe); len > 0; len--) {
        if (fullText.slice(safe - len, safe) === s.slice(0, len)) {
          safe -= len;
          break;
        }
      }
    }
    return { delta: this.take(fullText, safe), stopped: false };
  }

  /** At the end, whatever was held back is released (it never became a stop sequence). */
  flush(): string {
    return this.take(this.finalText, this.finalText.length);
  }

  get text(): string {
    return this.finalText;
  }

  private take(text: string, upTo: number): string {
    if (upTo <= this.emitted) return '';
    const d = text.slice(this.emitted, upTo);
    this.emitted = upTo;
    return d;
  }
}
