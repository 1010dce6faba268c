/**
 * The data files of `classify --file`, `teach` and `eval` seen the same way by all three: which
 * column holds the text (and labels), and how skipped records are listed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { columnsOf, DataFileError, guessColumns, type SkippedRecord } from '../core/classification/records';
import { UsageError, type Values } from './args';
import type { CliIO } from './context';

/** Skipped records, line by line (at most `limit`), as `classify --file`, `teach` and `eval` list them. */
export function listSkipped(io: CliIO, skipped: SkippedRecord[], limit = 20): void {
  if (!skipped.length) return;
  io.out(`${skipped.length} record${skipped.length === 1 ? '' : 's'} skipped:\n`);
  for (const s of skipped.slice(0, limit)) io.out(`  line ${s.line}: ${s.reason}\n`);
  if (skipped.length > limit) io.out(`  ... and ${skipped.length - limit} more\n`);
}

/** The text column: the flag, else a guess from the header, checked against the file. */
export async function textColumn(file: string, v: Values): Promise<{ text: string; label?: string; columns: string[] }> {
  if (!fs.existsSync(file)) throw new UsageError(`${file} does not exist`);
  if (fs.statSync(file).isDirectory()) throw new UsageError(`${file} is a folder; give a CSV, TSV, JSONL or text file`);
  const columns = await columnsOf(file);
  const guess = guessColumns(columns);
  const text = v['text-column'] ?? guess.text;
  if (!text || !columns.includes(text)) throw new DataFileError(`${path.basename(file)} has no column "${text ?? ''}". Columns: ${columns.join(', ')}. Choose one with --text-column.`);
  return { text, label: v['label-column'] ?? guess.label, columns };
}
