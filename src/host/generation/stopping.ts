/**
 * Streaming text out of a growing token sequence: stop sequences end the text where they start,
 * and no text that might still become a stop sequence, or half a UTF-8 character, is emitted early.
 */

export interface StreamStep {
  /** Text safe to show now that was not shown before. */
  delta: string;
  /** True when a stop sequence was found; `text` is then cut before it. */
  stopped: boolean;
}

export class StopTextStream {
  private emitted = 0;
  private finalText = '';

  constructor(private readonly stops: readonly string[]) {}

  /** Feed the full decoded text so far; returns what may be shown now. */
  update(fullText: string): StreamStep {
    let cut = -1;
    for (const s of this.stops) {
      const at = fullText.indexOf(s);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      this.finalText = fullText.slice(0, cut);
      return { delta: this.take(this.finalText, this.finalText.length), stopped: true };
    }
    this.finalText = fullText;
    // Hold back an unfinished multi-byte character and any tail that begins a stop sequence.
    let safe = fullText.length;
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
