/**
 * Classifies every record of a data file in batches and writes the results to a new file beside
 * it. The input is only read. Output goes to a temporary name first and is renamed when complete,
 * so a cancelled or failed run leaves no half-written result behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { LabelScore } from '../../protocol/types';
import { claimTarget } from './userFiles';
import { DataFileError, field, formatOf, readRecords, type DataFormat, type DataRecord, type SkippedRecord } from './records';

/**
 * Records per host request. The engine sorts a request's texts by length and runs them 32 at a
 * time, so bigger chunks waste less padding; 256 keeps memory and progress granularity modest.
 */
export const CHUNK = 256;

export type ClassifyTexts = (texts: string[]) => Promise<LabelScore[][]>;

export interface Progress {
  records: number;
  bytes: number;
  totalBytes: number;
}

/** Names of the fields a run adds to each record; never one the input already has. */
export interface OutputFields {
  label: string;
  score: string;
  /** JSONL only: every label's score. */
  scores: string;
}

export const DEFAULT_OUTPUT_FIELDS: OutputFields = { label: 'predicted_label', score: 'score', scores: 'scores' };

export interface BatchOptions {
  input: string;
  textColumn: string;
  fields?: Partial<OutputFields>;
  classify: ClassifyTexts;
  batchSize?: number;
  onProgress?: (p: Progress) => void;
  isCancelled?: () => boolean;
}

export interface BatchResult {
  output: string;
  records: number;
  skipped: SkippedRecord[];
  /** How many records got each label first. */
  counts: Record<string, number>;
}

export class CancelledError extends Error {
  constructor() {
    super('Cancelled; no output was written.');
  }
}

/** data.csv -> data.classified.csv (then -2, -3, ... if taken); plain text gives CSV. */
export function outputPathFor(input: string, format: DataFormat = formatOf(input)): string {
  const dir = path.dirname(input);
  const base = path.basename(input, path.extname(input));
  const ext = format === 'jsonl' ? path.extname(input) : format === 'tsv' ? '.tsv' : '.csv';
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, `${base}.classified${n === 1 ? '' : `-${n}`}${ext}`);
    if (!fs.existsSync(candidate)) return candidate;
  }
}

/** Where a batch run reads from, and what it reports along the way. */
export interface BatchSource {
  input: string;
  textColumn: string;
  size: number;
  /** Malformed records and records without text are added here (and skipped). */
  skipped: SkippedRecord[];
  onBytes?: (bytes: number) => void;
  isCancelled?: () => boolean;
}

/** Streams records in batches to `fn`; returns how many records it passed. */
export async function forEachBatch(src: BatchSource, fn: (batch: { record: DataRecord; text: string }[]) => Promise<void>): Promise<number> {
  const { input, textColumn, size, skipped, onBytes, isCancelled } = src;
  let batch: { record: DataRecord; text: string }[] = [];
  let count = 0;
  let sawColumn = false;
  const flush = async () => {
    if (batch.length === 0) return;
    if (isCancelled?.()) throw new CancelledError();
    const b = batch;
    batch = [];
    await fn(b);
    count += b.length;
  };
  for await (const record of readRecords(input, { onSkip: (s) => skipped.push(s), onBytes })) {
    if (textColumn in record.values) sawColumn = true;
    const text = field(record, textColumn);
    if (text === undefined || !text.trim()) {
      skipped.push({ line: record.line, reason: text === undefined ? `no "${textColumn}" value` : 'empty text' });
      continue;
    }
    batch.push({ record, text });
    if (batch.length >= size) await flush();
  }
  await flush();
  if (!sawColumn && count === 0) {
    throw new DataFileError(`${path.basename(input)} has no column "${textColumn}". Choose the column that holds the text.`);
  }
  return count;
}

/** The record's own fields that a prediction field would overwrite. */
function clashes(values: Record<string, unknown>, fields: string[]): string[] {
  return fields.filter((f) => Object.prototype.hasOwnProperty.call(values, f));
}

export async function classifyFile(o: BatchOptions): Promise<BatchResult> {
  const format = formatOf(o.input);
  const totalBytes = fs.statSync(o.input).size;
  const chosen = Object.entries(o.fields ?? {}).filter(([, name]) => name !== undefined);
  const fields: OutputFields = { ...DEFAULT_OUTPUT_FIELDS, ...Object.fromEntries(chosen) };
  for (const [, name] of chosen) if (!name?.trim()) throw new DataFileError('An output field name is empty; give a name for the predicted label and score fields.');
  const added = format === 'jsonl' ? [fields.label, fields.score, fields.scores] : [fields.label, fields.score];
  if (new Set(added).size !== added.length) throw new DataFileError(`The output field names must differ (got ${added.map((f) => JSON.stringify(f)).join(', ')}).`);
  const output = outputPathFor(o.input, format);
  const claim = claimTarget(output, `classifying ${path.basename(o.input)}`);
  const skipped: SkippedRecord[] = [];
  const counts: Record<string, number> = {};
  let header: string[] | undefined;
  let bytes = 0;
  let done = 0;
  let out: number | undefined;
  try {
    out = fs.openSync(claim.temp, 'wx');
    const fd = out;
    const source = { input: o.input, textColumn: o.textColumn, size: o.batchSize ?? CHUNK, skipped, onBytes: (b: number) => (bytes = b), isCancelled: o.isCancelled };
    const records = await forEachBatch(source, async (batch) => {
      for (const { record } of batch) {
        const taken = clashes(format === 'text' ? {} : record.values, added);
        if (taken.length) {
          throw new DataFileError(
            `${path.basename(o.input)} line ${record.line} already has ${taken.map((f) => `a "${f}" ${format === 'jsonl' ? 'field' : 'column'}`).join(' and ')}; the results would overwrite it. Choose other names for the output fields (CLI: --label-field and --score-field; VS Code: the onnxAssist.batch.labelField and scoreField settings).`,
          );
        }
      }
      const results = await o.classify(batch.map((b) => b.text));
      const lines: string[] = [];
      batch.forEach(({ record }, i) => {
        const best = results[i][0];
        counts[best.label] = (counts[best.label] ?? 0) + 1;
        if (format === 'jsonl') {
          const scores = Object.fromEntries(results[i].map((s) => [s.label, round(s.score)]));
          lines.push(JSON.stringify({ ...record.values, [fields.label]: best.label, [fields.score]: round(best.score), [fields.scores]: scores }));
          return;
        }
        const values = format === 'text' ? { line: record.line, text: record.values.text } : record.values;
        if (!header) {
          header = [...Object.keys(values), fields.label, fields.score];
          lines.push(stringify([header], { delimiter: format === 'tsv' ? '\t' : ',' }).trimEnd());
        }
        const row = [...Object.values(values).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '')), best.label, round(best.score)];
        lines.push(stringify([row], { delimiter: format === 'tsv' ? '\t' : ',' }).trimEnd());
      });
      fs.writeSync(fd, lines.join('\n') + '\n');
      done += batch.length;
      o.onProgress?.({ records: done, bytes, totalBytes });
    });
    fs.closeSync(fd);
    out = undefined;
    if (records === 0) throw new DataFileError(`${path.basename(o.input)} has no records with text in "${o.textColumn}" (${skipped.length} skipped).`);
    claim.commit();
    return { output, records, skipped, counts };
  } catch (e) {
    if (out !== undefined) fs.closeSync(out);
    claim.abandon();
    throw e;
  }
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
