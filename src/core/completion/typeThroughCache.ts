/**
 * Type-through cache: while the user types the characters of a suggestion that is showing, the
 * rest of it keeps showing with no model call; deleting back to an earlier position brings back
 * what was suggested there.
 */

interface Entry {
  key: string;
  prefixLength: number;
  /** The last characters of the prefix when the suggestion was made. */
  prefixTail: string;
  suffixHead: string;
  completions: string[];
}

const TAIL = 400;
const MAX_TYPED = 400;

export class TypeThroughCache {
  private entries: Entry[] = [];

  constructor(private readonly capacity = 50) {}

  /** Remembers the suggestions shown for this document position. */
  put(key: string, prefix: string, suffix: string, completions: string[]): void {
    if (completions.length === 0) return;
    const e: Entry = { key, prefixLength: prefix.length, prefixTail: prefix.slice(-TAIL), suffixHead: suffix.slice(0, 200), completions };
    this.entries = [e, ...this.entries.filter((x) => !(x.key === key && x.prefixLength === prefix.length && x.prefixTail === e.prefixTail))].slice(0, this.capacity);
  }

  /** Suggestions still valid for this prefix, with what was typed since removed. */
  get(key: string, prefix: string, suffix: string): string[] | undefined {
    const suffixHead = suffix.slice(0, 200);
    for (const e of this.entries) {
      if (e.key !== key || e.suffixHead !== suffixHead) continue;
      const typed = prefix.length - e.prefixLength;
      if (typed < 0 || typed > MAX_TYPED) continue;
      // The current prefix must be the cached prefix plus the typed characters.
      const now = prefix.slice(-(TAIL + typed));
      if (now.slice(0, now.length - typed) !== e.prefixTail.slice(-(now.length - typed))) continue;
      const typedText = prefix.slice(prefix.length - typed);
      const rest = e.completions.filter((c) => c.startsWith(typedText) && c.length > typed).map((c) => c.slice(typed));
      if (rest.length > 0) return rest;
    }
    return undefined;
  }

  clear(): void {
    this.entries = [];
  }
}
