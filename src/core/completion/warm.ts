/**
 * When to warm the host's KV cache ahead of a completion (issue 12, part 3): after a file is
 * opened or switched to, and after typing pauses. Pure rules; vscode/completion/warmer.ts
 * supplies the events and sends the `prefill` request.
 */

/** Wait after a file switch or open (the editor settles; a quick flick through tabs sends nothing). */
export const SWITCH_DELAY_MS = 250;
/** Idle time after the last keystroke or cursor move before warming. */
export const PAUSE_MS = 1000;

export interface WarmConditions {
  inlineEnabled: boolean;
  warmCache: boolean;
  languageDisabled: boolean;
  fileChars: number;
  maxFileChars: number;
  /** The host runs already: warming never starts it (the host starts on first use). */
  hostReady: boolean;
}

/** Whether a prefill may be sent at all; the reason it may not, else undefined. */
export function warmBlocked(c: WarmConditions): string | undefined {
  if (!c.inlineEnabled) return 'inline completions are off';
  if (!c.warmCache) return 'warm cache is off';
  if (c.languageDisabled) return 'language disabled';
  if (c.fileChars > c.maxFileChars) return 'file too large';
  if (!c.hostReady) return 'host not started';
  return undefined;
}

/**
 * Remembers the last prompt warmed, so the same document state at the same cursor (a focus
 * change back and forth, a pause after a pause) is not prefilled twice.
 */
export class WarmDedup {
  private last: string | undefined;

  /** True the first time this (document, version, offset, context) is seen in a row. */
  fresh(doc: string, version: number, offset: number, contextKey: string): boolean {
    const key = `${doc}\u0000${version}\u0000${offset}\u0000${contextKey}`;
    if (key === this.last) return false;
    this.last = key;
    return true;
  }

  /** A failed or pre-empted prefill may be tried again at the same place. */
  forget(): void {
    this.last = undefined;
  }
}
