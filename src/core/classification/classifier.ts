/**
 * One way to say "classify with this": a model folder, a few-shot classifier file, or any
 * encoder plus the user's labels (zero-shot). Surfaces (CLI, commands, panel) build one and get
 * a batch function, so batch runs and evaluations treat all three alike.
 */
import type { HostClient } from '../../client/hostClient';
import type { ExecutionProvider, LabelScore } from '../../protocol/types';
import type { ClassifyTexts } from './batch';
import { isFewShotPath } from '../../protocol/classification';

export interface ClassifierSpec {
  modelPath: string;
  /** Present = zero-shot with these labels. */
  labels?: string[];
  template?: string;
  multiLabel?: boolean;
  ep?: ExecutionProvider;
  threads?: number;
}

export interface BoundClassifier {
  classify: ClassifyTexts;
  /** Known after the first batch: 'classifier', 'few-shot', 'zero-shot (nli)' or 'zero-shot (similarity)'. */
  method(): string;
}

/** Splits "a, b,, c" into trimmed, distinct, non-empty labels. */
export function parseLabels(text: string): string[] {
  return [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
}

export function bindClassifier(client: HostClient, spec: ClassifierSpec, signal?: AbortSignal): BoundClassifier {
  const load = { modelPath: spec.modelPath, ep: spec.ep, threads: spec.threads };
  let method = spec.labels ? 'zero-shot' : isFewShotPath(spec.modelPath) ? 'few-shot' : 'classifier';
  const classify = async (texts: string[]): Promise<LabelScore[][]> => {
    if (spec.labels) {
      const r = await client.request('zeroShot', { ...load, texts, labels: spec.labels, template: spec.template, multiLabel: spec.multiLabel }, { signal });
      method = `zero-shot (${r.mode})`;
      return r.results;
    }
    return (await client.request('classify', { ...load, texts }, { signal })).results;
  };
  return { classify, method: () => method };
}
