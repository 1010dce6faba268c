/**
 * Files cut into line chunks for project context. Chunks start at multiples of the chunk size,
 * so reading a file again gives the same chunks (and the same prompt prefix) unless it changed.
 */

export interface FileChunk {
  /** Workspace-relative path. */
  path: string;
  /** First line (0-based). */
  line: number;
  text: string;
}

/** Files larger than this are never read for context. */
export const MAX_FILE_CHARS = 512 * 1024;
/** A file whose average line is longer than this is minified or generated: no use as context. */
const MAX_AVERAGE_LINE = 300;

/** Why a file's text is no use as context (too large, binary, minified), or undefined when it is fine. */
export function unusableText(text: string, maxChars = MAX_FILE_CHARS): string | undefined {
  if (text.length > maxChars) return 'too large';
  if (text.includes('\u0000')) return 'binary';
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  if (text.length / lines > MAX_AVERAGE_LINE) return 'minified';
  return undefined;
}

/** The chunk of `chunkLines` lines that holds `line`, or undefined when it is blank. */
export function chunkAt(path: string, lines: readonly string[], line: number, chunkLines: number): FileChunk | undefined {
  const start = Math.floor(Math.max(0, line) / chunkLines) * chunkLines;
  if (start >= lines.length) return undefined;
  const text = lines.slice(start, start + chunkLines).join('\n');
  return text.trim() === '' ? undefined : { path, line: start, text };
}

/**
 * Up to `count` chunks of a file, nearest to `line` first (the part the user looks at is the
 * likeliest to matter); blank chunks skipped.
 */
export function chunksNear(path: string, text: string, line: number, chunkLines: number, count: number): FileChunk[] {
  const lines = text.split(/\r?\n/);
  const total = Math.ceil(lines.length / chunkLines);
  const home = Math.min(total - 1, Math.floor(Math.max(0, line) / chunkLines));
  const out: FileChunk[] = [];
  for (let d = 0; out.length < count && d < total; d++) {
    for (const k of d === 0 ? [home] : [home - d, home + d]) {
      if (k < 0 || k >= total || out.length >= count) continue;
      const c = chunkAt(path, lines, k * chunkLines, chunkLines);
      if (c) out.push(c);
    }
  }
  return out;
}
