/**
 * `teach`: a few-shot classifier from labelled examples, trained in the host on an embedding
 * model and written as a .json that `classify --model` and the extension both read. Bad records
 * are skipped and listed rather than failing the whole file.
 */
import * as path from 'node:path';
import { DataFileError, readExamples } from '../../core/classification/records';
import { writeUserFile } from '../../core/classification/userFiles';
import { classifierNameProblem, MAX_EXAMPLES } from '../../protocol/classification';
import { loadFlags, UsageError } from '../args';
import type { HostContext } from '../context';
import { defaultEncoder } from '../defaultModels';
import { listSkipped, textColumn } from '../dataFile';

export async function teach({ client, v, io, json, signal }: HostContext): Promise<void> {
  const encoder = loadFlags(v, 'encoder', defaultEncoder());
  if (!v.data) throw new UsageError('--data F is required (CSV, TSV or JSONL with text and label columns)');
  if (!v.name) throw new UsageError('--name NAME is required');
  const nameProblem = classifierNameProblem(v.name);
  if (nameProblem) throw new UsageError(`--name may hold ${nameProblem} (got ${JSON.stringify(v.name)})`);
  const cols = await textColumn(v.data, v);
  if (!cols.label || !cols.columns.includes(cols.label)) throw new DataFileError(`${path.basename(v.data)} has no label column "${cols.label ?? ''}". Columns: ${cols.columns.join(', ')}. Choose one with --label-column.`);
  const { examples, skipped } = await readExamples(v.data, cols.text, cols.label);
  if (examples.length > MAX_EXAMPLES) throw new DataFileError(`${path.basename(v.data)} has ${examples.length} examples; teach takes at most ${MAX_EXAMPLES} (use a sample)`);
  if (examples.length === 0) {
    const first = skipped[0];
    throw new DataFileError(`${path.basename(v.data)} has no usable examples${first ? ` (line ${first.line}: ${first.reason}${skipped.length > 1 ? `; ${skipped.length - 1} more skipped` : ''})` : ''}`);
  }
  const r = await client.request('trainClassifier', { ...encoder, name: v.name, examples }, { signal });
  const out = v.out ?? path.join(process.cwd(), '.vscode', 'onnx-assist', 'classifiers', `${v.name}.json`);
  writeUserFile(out, `${JSON.stringify(r.classifier, null, 1)}\n`, `teaching "${v.name}"`);
  const cv = r.classifier.crossValidation;
  if (json) io.out(`${JSON.stringify({ path: out, ...r, skipped })}\n`);
  else {
    io.out(`taught "${v.name}" from ${examples.length} examples (${Object.entries(r.classifier.examples).map(([l, n]) => `${l} ${n}`).join(', ')})\n`);
    listSkipped(io, skipped);
    io.out(`${cv.folds}-fold cross-validated accuracy ${(cv.accuracy * 100).toFixed(1)}% (folds: ${cv.foldAccuracy.map((a) => (a * 100).toFixed(0)).join(', ')})\n`);
    io.out(`embedding ${(r.stats.embedMs / 1000).toFixed(1)} s, training ${(r.stats.trainMs / 1000).toFixed(1)} s -> ${out}\n`);
  }
}
