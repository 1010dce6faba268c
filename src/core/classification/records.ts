/**
 * Reads labelled or unlabelled data files record by record, streaming (never the whole file):
 * CSV/TSV through csv-parse, JSON Lines, or plain text (one record per non-empty line).
 * Malformed records are reported with their line number and skipped, not fatal.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { parse } from 'csv-parse';
import type { SkippedRecord } from '../../protocol/reports';

export type DataFormat = 'csv' | 'tsv' | 'jsonl' | 'text';

export interface DataRecord {
  /** 1-based line where the record starts. */
  line: number;
  values: Record<string, unknown>;
}

export type { SkippedRecord };

export class DataFileError extends Error {}

export function formatOf(file: string): DataFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return 'text';
}

/** The column a plain-text file's lines are exposed as. */
export const TEXT_COLUMN = 'text';

export interface ReadOptions {
  format?: DataFormat;
  /** Called for every malformed record, which is then skipped. */
  onSkip?: (s: SkippedRecord) => void;
  /** Bytes of the file read so far (for progress). */
  onBytes?: (bytes: number) => void;
}

function checkReadable(file: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new DataFileError(`${file} does not exist.`);
  }
  if (!st.isFile()) throw new DataFileError(`${file} is not a file.`);
  if (st.size === 0) throw new DataFileError(`${file} is empty: there is nothing to classify.`);
  return st.size;
}

function stream(file: string, onBytes?: (n: number) => void): fs.ReadStream {
  const s = fs.createReadStream(file);
  if (onBytes) s.on('data', () => onBytes(s.bytesRead));
  return s;
}

async function* readCsv(file: string, delimiter: string, opts: ReadOptions): AsyncGenerator<DataRecord> {
  // The parser runs ahead of the consumer; track where the last good record ended so a bad
  // record is reported at the line where it starts (line 1 until the header has been read).
  let lastEnd = 0;
  // After a bad closing quote csv-parse stays inside the quotes, so the rest of the file comes
  // back as one unclosed quote: hold that skip back and report the two as one, at the first line.
  let held: SkippedRecord | undefined;
  const flush = () => {
    if (held) opts.onSkip?.(held);
    held = undefined;
  };
  const parser = stream(file, opts.onBytes).pipe(
    parse({
      columns: (header: string[]) => {
        lastEnd = 1;
        return header.map((h) => h.trim());
      },
      bom: true,
      delimiter,
      info: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_record: (record: Record<string, string>, context: { lines: number }) => {
        flush();
        lastEnd = context.lines;
        return record;
      },
      on_skip: (err) => {
        const line = lastEnd + 1;
        const code = String(err?.code ?? '');
        lastEnd = typeof err?.lines === 'number' ? err.lines : line;
        if (code === 'CSV_QUOTE_NOT_CLOSED' && held) {
          held.reason += ', so the rest of the file could not be read';
          flush();
          return undefined;
        }
        flush();
        const reason =
          code === 'CSV_QUOTE_NOT_CLOSED'
            ? 'a quote opened here is never closed, so the rest of the file could not be read'
            : (err?.message
                .replace(/^Invalid Record Length: columns length is (\d+), got (\d+) on line \d+$/, '$2 fields where the header has $1')
                .replace(/^Invalid Closing Quote: got (".*?") at line \d+ .*$/, 'a quoted field is followed by $1 instead of a delimiter or the end of the line') ?? 'malformed record');
        if (code === 'CSV_INVALID_CLOSING_QUOTE') held = { line, reason };
        else opts.onSkip?.({ line, reason });
        return undefined;
      },
    }),
  );
  for await (const row of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    yield { line: row.info.lines, values: row.record };
  }
  flush();
}

async function* readLines(file: string, opts: ReadOptions): AsyncGenerator<{ line: number; text: string }> {
  const rl = readline.createInterface({ input: stream(file, opts.onBytes), crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of rl) {
      line++;
      yield { line, text: line === 1 ? text.replace(/^\uFEFF/, '') : text };
    }
  } finally {
    rl.close();
  }
}

async function* readJsonl(file: string, opts: ReadOptions): AsyncGenerator<DataRecord> {
  for await (const { line, text } of readLines(file, opts)) {
    if (!text.trim()) continue;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      opts.onSkip?.({ line, reason: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      opts.onSkip?.({ line, reason: 'not a JSON object' });
      continue;
    }
    yield { line, values: v as Record<string, unknown> };
  }
}

async function* readText(file: string, opts: ReadOptions): AsyncGenerator<DataRecord> {
  for await (const { line, text } of readLines(file, opts)) {
    if (text.trim()) yield { line, values: { [TEXT_COLUMN]: text } };
  }
}

/** Every well-formed record of the file, in order. Throws DataFileError for a missing or empty file. */
export function readRecords(file: string, opts: ReadOptions = {}): AsyncGenerator<DataRecord> {
  checkReadable(file);
  const format = opts.format ?? formatOf(file);
  if (format === 'csv') return readCsv(file, ',', opts);
  if (format === 'tsv') return readCsv(file, '\t', opts);
  if (format === 'jsonl') return readJsonl(file, opts);
  return readText(file, opts);
}

/**
 * Column names: a CSV header, the keys of the first JSON object, or "text" for plain text.
 * A file with no readable record is an error that names the first bad line and why.
 */
export async function columnsOf(file: string, format = formatOf(file)): Promise<string[]> {
  checkReadable(file);
  if (format === 'text') return [TEXT_COLUMN];
  const skipped: SkippedRecord[] = [];
  for await (const r of readRecords(file, { format, onSkip: (s) => skipped.push(s) })) return Object.keys(r.values);
  const [first] = skipped;
  if (first) {
    const more = skipped.length > 1 ? ` (${skipped.length - 1} more record${skipped.length > 2 ? 's' : ''} skipped)` : '';
    throw new DataFileError(`${file} has no readable records: line ${first.line}: ${first.reason}${more}.`);
  }
  throw new DataFileError(`${file} has no readable records${format === 'jsonl' ? '' : ' (only a header row, or only empty lines)'}.`);
}

/** A record's field as text: strings as they are, numbers and booleans printed, anything else absent. */
export function field(r: DataRecord, column: string): string | undefined {
  const v = r.values[column];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Picks the likeliest text and label columns from names (the user can choose others). */
export function guessColumns(columns: string[]): { text?: string; label?: string } {
  const find = (names: string[]) => columns.find((c) => names.includes(c.toLowerCase()));
  return {
    text: find(['text', 'sentence', 'content', 'body', 'message', 'review', 'document', 'input']) ?? columns[0],
    label: find(['label', 'labels', 'class', 'category', 'target', 'gold', 'y']),
  };
}

/**
 * Labelled examples (text and label) from a data file, for teaching a few-shot classifier; a
 * record without text or label is skipped with its line and reason, as malformed ones are.
 */
export async function readExamples(file: string, textColumn: string, labelColumn: string): Promise<{ examples: { text: string; label: string }[]; skipped: SkippedRecord[] }> {
  const examples: { text: string; label: string }[] = [];
  const skipped: SkippedRecord[] = [];
  for await (const r of readRecords(file, { onSkip: (s) => skipped.push(s) })) {
    const text = field(r, textColumn);
    const label = field(r, labelColumn)?.trim();
    if (!text?.trim()) skipped.push({ line: r.line, reason: `no "${textColumn}" text` });
    else if (!label) skipped.push({ line: r.line, reason: `no "${labelColumn}" label` });
    else examples.push({ text, label });
  }
  skipped.sort((a, b) => a.line - b.line);
  return { examples, skipped };
}
