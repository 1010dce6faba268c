/**
 * The ring of project-context chunks: pieces of files the user recently opened, switched to,
 * edited or saved. New chunks go at the end; a chunk that nearly repeats one already held
 * replaces it; the oldest fall off when the ring is full. Choosing chunks for a request
 * (select.ts) keeps ring order, so the prompt's context changes only where the ring did.
 */
import type { FileChunk } from './chunks';
import { jaccard, wordSet } from './similarity';

/** Two chunks this similar (Jaccard over their words) are one: the newer replaces the older. */
export const DUPLICATE_SIMILARITY = 0.9;

export interface RingChunk extends FileChunk {
  /** Insertion order: the prompt lists chunks by it. */
  seq: number;
  words: ReadonlySet<string>;
}

export class ContextRing {
  private chunks: RingChunk[] = [];
  private nextSeq = 0;

  constructor(
    /** Read on each change, so a settings change applies at once. */
    private readonly capacity: () => number,
  ) {}

  /** The chunks held, oldest first. */
  get all(): readonly RingChunk[] {
    return this.chunks;
  }

  /**
   * Adds a chunk. The same text at the same place is already held: nothing moves (a file opened
   * again leaves the prompt alone). A chunk at the same place with other text, or nearly the
   * same text anywhere, is replaced by the new one at the end. Returns whether the ring changed.
   */
  add(c: FileChunk): boolean {
    if (this.chunks.some((x) => x.path === c.path && x.line === c.line && x.text === c.text)) return false;
    const words = wordSet(c.text);
    this.chunks = this.chunks.filter((x) => !(x.path === c.path && x.line === c.line) && jaccard(x.words, words) <= DUPLICATE_SIMILARITY);
    this.chunks.push({ ...c, seq: this.nextSeq++, words });
    const over = this.chunks.length - Math.max(0, this.capacity());
    if (over > 0) this.chunks.splice(0, over);
    return true;
  }

  /** Forgets a file's chunks (deleted, renamed, now excluded). */
  removeFile(path: string): void {
    this.chunks = this.chunks.filter((x) => x.path !== path);
  }

  clear(): void {
    this.chunks = [];
  }
}
