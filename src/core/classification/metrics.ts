/**
 * Classification metrics: accuracy, per-class precision/recall/F1, macro and micro averages,
 * confusion matrix, and ROC/AUC for binary tasks. Labels the model does not know are reported,
 * never silently dropped.
 */
import type { ClassificationReport, ClassMetrics, RocCurve } from '../../protocol/reports';

export type { ClassificationReport, ClassMetrics, RocCurve };

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
const f1Of = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

/**
 * `modelLabels` are the labels a prediction can take; gold labels outside them are counted as
 * errors and listed in unknownLabels.
 */
export function classificationReport(gold: string[], predicted: string[], modelLabels: string[]): ClassificationReport {
  if (gold.length !== predicted.length) throw new Error(`gold (${gold.length}) and predicted (${predicted.length}) differ in length`);
  const unknownLabels: Record<string, number> = {};
  for (const g of gold) if (!modelLabels.includes(g)) unknownLabels[g] = (unknownLabels[g] ?? 0) + 1;
  const labels = [...modelLabels, ...Object.keys(unknownLabels).sort()];
  const index = new Map(labels.map((l, i) => [l, i]));
  const confusion = labels.map(() => labels.map(() => 0));
  let correct = 0;
  gold.forEach((g, i) => {
    const p = predicted[i];
    if (!index.has(p)) throw new Error(`prediction ${JSON.stringify(p)} is not one of the model's labels`);
    confusion[index.get(g)!][index.get(p)!]++;
    if (g === p) correct++;
  });
  const perClass = labels.map((label, k) => {
    const tp = confusion[k][k];
    const predictedK = confusion.reduce((a, row) => a + row[k], 0);
    const support = confusion[k].reduce((a, b) => a + b, 0);
    const precision = ratio(tp, predictedK);
    const recall = ratio(tp, support);
    return { label, precision, recall, f1: f1Of(precision, recall), support };
  });
  // Macro averages over the classes present in the data or the model's predictions.
  const present = perClass.filter((c, k) => c.support > 0 || confusion.some((row) => row[k] > 0));
  const mean = (f: (c: ClassMetrics) => number) => ratio(present.reduce((a, c) => a + f(c), 0), present.length);
  const microP = ratio(correct, gold.length);
  return {
    labels,
    accuracy: ratio(correct, gold.length),
    perClass,
    macro: { precision: mean((c) => c.precision), recall: mean((c) => c.recall), f1: mean((c) => c.f1) },
    // Single-label: every example is predicted exactly once, so micro P = R = F1 = accuracy.
    micro: { precision: microP, recall: microP, f1: microP },
    confusion,
    count: gold.length,
    unknownLabels,
  };
}

/** ROC curve and its area for scores of the positive class (ties handled as one step). */
export function rocCurve(isPositive: boolean[], scores: number[]): RocCurve {
  const P = isPositive.filter(Boolean).length;
  const N = isPositive.length - P;
  if (P === 0 || N === 0) throw new Error('ROC needs both positive and negative examples');
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  const points = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  let auc = 0;
  for (let k = 0; k < order.length; ) {
    const s = order[k][0];
    const prevFpr = fp / N;
    const prevTpr = tp / P;
    while (k < order.length && order[k][0] === s) {
      if (isPositive[order[k][1]]) tp++;
      else fp++;
      k++;
    }
    const fpr = fp / N;
    const tpr = tp / P;
    auc += (fpr - prevFpr) * (tpr + prevTpr) / 2;
    points.push({ fpr, tpr, threshold: s });
  }
  return { points, auc };
}
