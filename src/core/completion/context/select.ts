/**
 * The chunks one request carries: the ring's chunks most similar to the code around the cursor,
 * within a chunk count and a character budget, then put back in ring order. The query leaves
 * out the line being typed, so every keystroke on a line picks the same chunks in the same
 * order and the host keeps reusing the context's cached keys and values.
 */
import type { ContextChunk } from '../../../protocol/types';
import type { RingChunk } from './ring';
import { jaccard, wordSet } from './similarity';

/** Characters per token, to turn the token budget into characters before the host counts exactly. */
export const CHARS_PER_TOKEN = 3.5;
/** Lines above and below the cursor that make the similarity query. */
export const QUERY_LINES = { above: 30, below: 10 } as const;

export interface ContextLimits {
  maxChunks: number;
  maxTokens: number;
}

/** The query text: lines around the cursor, without the cursor's own line. */
export function queryAround(lines: readonly string[], line: number): string {
  return [...lines.slice(Math.max(0, line - QUERY_LINES.above), line), ...lines.slice(line + 1, line + 1 + QUERY_LINES.below)].join('\n');
}

/**
 * The chunks to send, in ring order: the most similar first claim the budget (ties to the
 * newer), chunks of `currentPath` never (a file is not its own context), chunks sharing no word
 * with the query never.
 */
export function selectChunks(ring: readonly RingChunk[], query: string, currentPath: string | undefined, limits: ContextLimits): ContextChunk[] {
  const q = wordSet(query);
  const scored = ring
    .filter((c) => c.path !== currentPath)
    .map((c) => ({ c, score: jaccard(q, c.words) }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score || b.c.seq - a.c.seq);
  let chars = Math.floor(limits.maxTokens * CHARS_PER_TOKEN);
  const picked: RingChunk[] = [];
  for (const { c } of scored) {
    if (picked.length >= limits.maxChunks) break;
    const cost = c.path.length + c.text.length + 2;
    if (cost > chars) continue;
    chars -= cost;
    picked.push(c);
  }
  return picked.sort((a, b) => a.seq - b.seq).map((c) => ({ path: c.path, text: c.text }));
}
