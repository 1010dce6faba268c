/**
 * `eval`: any classifier (folder, taught .json, or zero-shot with --labels) scored on the user's
 * own labelled file, as the extension's report; the shipped models' evaluation is a developer
 * tool (tools/eval), not this command.
 */
import * as path from 'node:path';
import { bindClassifier } from '../../core/classification/classifier';
import { evaluateFile } from '../../core/classification/evaluate';
import { DataFileError } from '../../core/classification/records';
import { reportJson, reportMarkdown } from '../../core/classification/reportFormat';
import { writeUserFile } from '../../core/classification/userFiles';
import { classifierSpec, UsageError } from '../args';
import type { HostContext } from '../context';
import { textColumn } from '../dataFile';

export async function evaluate({ client, v, io, json, signal }: HostContext): Promise<void> {
  if (v.data === undefined && v.model === undefined) throw new UsageError('eval needs --model M and --data F (a labelled file); the shipped models are evaluated by `npm run eval` in a clone of the repository');
  if (!v.data) throw new UsageError('--data F is required with --model (a labelled CSV, TSV or JSONL file)');
  const spec = classifierSpec(v);
  const cols = await textColumn(v.data, v);
  if (!cols.label) throw new DataFileError(`${path.basename(v.data)}: which column holds the correct labels? Columns: ${cols.columns.join(', ')}. Choose one with --label-column.`);
  const bound = bindClassifier(client, spec, signal);
  const report = await evaluateFile({
    input: v.data,
    textColumn: cols.text,
    labelColumn: cols.label,
    classify: bound.classify,
    model: spec.modelPath,
    method: spec.labels ? 'zero-shot' : 'classifier',
    positive: v.positive,
    isCancelled: () => signal.aborted,
  });
  report.method = bound.method();
  if (v.markdown) writeUserFile(v.markdown, reportMarkdown(report), `evaluating ${path.basename(v.data)}`);
  if (json) io.out(reportJson(report));
  else io.out(reportMarkdown(report));
}
