/**
 * Where a prompt or texts come from: the flag itself, files, or standard input (`-`). Reading is
 * bounded and interruptible, and an unreadable or empty input is a usage error that names the
 * flag, not a failure deep in the host.
 */
import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import { CancelledError } from '../core/classification/batch';
import { CONTEXT_LIMITS } from '../protocol/ranges';
import type { ContextChunk } from '../protocol/types';
import { UsageError } from './args';
import type { CliIO, CommandContext } from './context';

type InputContext = Pick<CommandContext, 'v' | 'io' | 'signal'>;

/** Larger inputs are refused rather than read into memory (a prompt is cut to the model's context anyway). */
const MAX_INPUT_BYTES = 32 * 1024 * 1024;

/** The text of a --prompt-file / --text-file: a file, or standard input for "-". */
async function readTextFile(flag: string, file: string, io: CliIO, signal: AbortSignal): Promise<string> {
  let source: Readable;
  let name: string;
  if (file === '-') {
    source = io.stdin ?? process.stdin;
    name = 'standard input';
  } else {
    if (file.trim() === '') throw new UsageError(`${flag} needs a file path (or - for standard input)`);
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`${flag}: ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (e as Error).message})`}`);
    }
    if (st.isDirectory()) throw new UsageError(`${flag}: ${file} is a folder; give a file, or - to read standard input`);
    source = fs.createReadStream(file);
    name = file;
  }
  // Ctrl+C while waiting for input (a terminal on standard input) stops at once.
  const onAbort = () => source.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of source) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      bytes += b.length;
      if (bytes > MAX_INPUT_BYTES) throw new UsageError(`${flag}: ${name} is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MB; give a shorter text`);
      chunks.push(b);
    }
  } catch (e) {
    if (e instanceof UsageError || signal.aborted) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${flag}: ${name} cannot be read (${code ?? (e as Error).message})`);
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (file !== '-') source.destroy();
  }
  if (signal.aborted) throw new CancelledError();
  // Invalid UTF-8 becomes U+FFFD, as with --prompt; a leading byte-order mark is dropped.
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

export async function promptOf({ v, io, signal }: InputContext): Promise<string> {
  const file = v['prompt-file'];
  if (file !== undefined && v.prompt !== undefined) throw new UsageError('give --prompt TEXT or --prompt-file PATH, not both');
  if (file !== undefined) return readTextFile('--prompt-file', file, io, signal);
  if (v.prompt === undefined) throw new UsageError('--prompt TEXT or --prompt-file PATH is required (PATH - reads standard input)');
  return v.prompt;
}

/** --suffix TEXT or --suffix-file PATH: the text after the cursor (fill-in-the-middle), or undefined. */
export async function suffixOf({ v, io, signal }: InputContext): Promise<string | undefined> {
  const file = v['suffix-file'];
  if (file !== undefined && v.suffix !== undefined) throw new UsageError('give --suffix TEXT or --suffix-file PATH, not both');
  if (file !== undefined) return readTextFile('--suffix-file', file, io, signal);
  return v.suffix;
}

/**
 * --context-file PATH...: other files of the project, put before the prompt as repository
 * context (one chunk each, cut to the protocol's chunk size), named by their path as given.
 */
export async function contextOf({ v, io, signal }: InputContext): Promise<ContextChunk[] | undefined> {
  const files = v['context-file'];
  if (!files?.length) return undefined;
  if (files.length > CONTEXT_LIMITS.chunks) throw new UsageError(`--context-file may be given at most ${CONTEXT_LIMITS.chunks} times (got ${files.length})`);
  if (files.includes('-')) throw new UsageError('--context-file does not read standard input; give a file');
  const chunks: ContextChunk[] = [];
  for (const f of files) chunks.push({ path: f.slice(0, CONTEXT_LIMITS.pathChars), text: (await readTextFile('--context-file', f, io, signal)).slice(0, CONTEXT_LIMITS.chunkChars) });
  return chunks;
}

const MAX_TEXTS = 10_000;

/** The texts of --text / --text-file, each non-blank: a blank text has nothing to classify or embed. */
export async function textsOf({ v, io, signal }: InputContext, what: string): Promise<string[]> {
  const texts = v.text ?? [];
  const files = v['text-file'] ?? [];
  if (texts.length && files.length) throw new UsageError('give --text or --text-file, not both');
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('--text-file - (standard input) can be given once');
  if (texts.length + files.length > MAX_TEXTS) throw new UsageError(`at most ${MAX_TEXTS} texts at a time; for more, put them in a file and use --file`);
  const out: string[] = [];
  for (const f of files) {
    const t = await readTextFile('--text-file', f, io, signal);
    if (!t.trim()) throw new UsageError(`--text-file: ${f === '-' ? 'standard input' : f} is empty; give the text to ${what}`);
    out.push(t);
  }
  texts.forEach((t, i) => {
    if (!t.trim()) throw new UsageError(`--text${texts.length > 1 ? ` (number ${i + 1})` : ''} is empty; give the text to ${what}`);
    out.push(t);
  });
  return out;
}
