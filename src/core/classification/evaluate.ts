/**
 * Evaluation of any classifier (trained, zero-shot or few-shot) on a labelled data file:
 * per-class and averaged metrics, confusion matrix, ROC for binary tasks, the worst mistakes,
 * and gold labels the model does not know (reported, never dropped).
 */
import * as path from 'node:path';
import type { EvaluationReport, SkippedRecord } from '../../protocol/reports';
import { classificationReport, rocCurve } from './metrics';
import { CHUNK, forEachBatch, type ClassifyTexts } from './batch';
import { field } from './records';

export type { EvaluationReport };

export interface EvaluateOptions {
  input: string;
  textColumn: string;
  labelColumn: string;
  classify: ClassifyTexts;
  model: string;
  method: string;
  /** The binary task's positive label; guessed from common names otherwise. */
  positive?: string;
  onProgress?: (records: number) => void;
  isCancelled?: () => boolean;
}

const POSITIVE_NAMES = ['spam', 'positive', 'pos', '1', 'true', 'yes', 'toxic', 'entailment'];

export function positiveLabel(labels: string[], wanted?: string): string {
  if (wanted && labels.includes(wanted)) return wanted;
  return labels.find((l) => POSITIVE_NAMES.includes(l.toLowerCase())) ?? labels[1];
}

export async function evaluateFile(o: EvaluateOptions): Promise<EvaluationReport> {
  const t0 = performance.now();
  const skipped: SkippedRecord[] = [];
  const gold: string[] = [];
  const predicted: string[] = [];
  const scores: Record<string, number>[] = [];
  const rows: { line: number; text: string }[] = [];
  let modelLabels: string[] | undefined;
  let sawLabel = false;
  await forEachBatch({ input: o.input, textColumn: o.textColumn, size: CHUNK, skipped, isCancelled: o.isCancelled }, async (batch) => {
    const labelled = batch.filter(({ record }) => {
      const g = field(record, o.labelColumn)?.trim();
      if (record.values[o.labelColumn] !== undefined) sawLabel = true;
      if (!g) skipped.push({ line: record.line, reason: `no "${o.labelColumn}" label` });
      return !!g;
    });
    if (labelled.length === 0) return;
    const results = await o.classify(labelled.map((b) => b.text));
    modelLabels ??= results[0].map((s) => s.label);
    const byLower = new Map(modelLabels.map((l) => [l.toLowerCase(), l]));
    labelled.forEach(({ record, text }, i) => {
      const g = field(record, o.labelColumn)!.trim();
      // "Positive" in the data is the model's "POSITIVE": match case-insensitively when exact fails.
      gold.push(modelLabels!.includes(g) ? g : (byLower.get(g.toLowerCase()) ?? g));
      predicted.push(results[i][0].label);
      scores.push(Object.fromEntries(results[i].map((s) => [s.label, s.score])));
      rows.push({ line: record.line, text });
    });
    o.onProgress?.(gold.length);
  });
  if (!sawLabel) throw new Error(`${path.basename(o.input)} has no column "${o.labelColumn}". Choose the column that holds the correct labels.`);
  if (!modelLabels || gold.length === 0) throw new Error(`${path.basename(o.input)} has no records with both text and a label (${skipped.length} skipped).`);
  const report = classificationReport(gold, predicted, modelLabels);
  let roc: EvaluationReport['roc'];
  const known = gold.map((g) => modelLabels!.includes(g));
  if (modelLabels.length === 2) {
    const positive = positiveLabel(modelLabels, o.positive);
    const isPos = gold.filter((_, i) => known[i]).map((g) => g === positive);
    if (isPos.some(Boolean) && isPos.some((p) => !p)) {
      roc = { ...rocCurve(isPos, scores.filter((_, i) => known[i]).map((s) => s[positive])), positive };
    }
  }
  const mistakes = gold
    .map((g, i) => ({ line: rows[i].line, text: rows[i].text.slice(0, 160), gold: g, predicted: predicted[i], score: scores[i][predicted[i]] }))
    .filter((m) => m.gold !== m.predicted)
    .sort((a, b) => b.score - a.score)
    .slice(0, 20);
  return {
    ...report,
    model: o.model,
    method: o.method,
    data: o.input,
    textColumn: o.textColumn,
    labelColumn: o.labelColumn,
    skipped,
    roc,
    mistakes,
    totalMs: performance.now() - t0,
    createdAt: new Date().toISOString(),
  };
}
