/**
 * The shapes of classification reports: computed in core/classification, shown by the panel, so
 * they are part of the panel's protocol.
 */

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  labels: string[];
  accuracy: number;
  perClass: ClassMetrics[];
  macro: { precision: number; recall: number; f1: number };
  micro: { precision: number; recall: number; f1: number };
  /** confusion[i][j]: gold labels[i] predicted as labels[j]. */
  confusion: number[][];
  count: number;
  /** Gold labels that are not among the model's labels, with how often they occur. */
  unknownLabels: Record<string, number>;
}

export interface RocCurve {
  points: { fpr: number; tpr: number; threshold: number }[];
  auc: number;
}

export interface SkippedRecord {
  line: number;
  reason: string;
}

export interface EvaluationReport extends ClassificationReport {
  model: string;
  /** 'classifier', 'zero-shot (nli)', 'few-shot', ... */
  method: string;
  data: string;
  textColumn: string;
  labelColumn: string;
  skipped: SkippedRecord[];
  /** Binary tasks only: the curve for `positive`. */
  roc?: RocCurve & { positive: string };
  /** Misclassified records, most confident first (at most 20). */
  mistakes: { line: number; text: string; gold: string; predicted: string; score: number }[];
  totalMs: number;
  createdAt: string;
}
