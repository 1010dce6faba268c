/**
 * Messages between the sidebar panel (webview) and the extension. Everything arriving from the
 * webview is checked here; a malformed or hostile message is dropped and logged.
 */
import { HostError } from './errors';
import type { EvaluationReport } from '../classification/evaluate';
import type { CompletionCountsWire, GenerateStats, GenerationOptions, LabelScore } from './types';
import { parseGenerationOptions } from './validate';

export type FromPanel =
  | { type: 'ready' }
  | { type: 'generate'; prompt: string; options: GenerationOptions; chat?: boolean }
  | { type: 'stop' }
  | { type: 'classify'; text: string; labels?: string }
  | { type: 'evaluate' }
  | { type: 'refreshModels' }
  | { type: 'downloadModel' }
  | { type: 'importModel' }
  | { type: 'deleteModel'; repo: string }
  | { type: 'exportReport'; format: 'markdown' | 'json' }
  | { type: 'classifySelection'; labels?: string }
  | { type: 'insert'; text: string }
  | { type: 'copy'; text: string };

export interface PanelDefaults {
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  noRepeatNgramSize: number;
}

export type ToPanel =
  | { type: 'init'; defaults: PanelDefaults; model: string; classifier: string; ep: string; counters: CompletionCountsWire; zeroShotLabels: string }
  | { type: 'status'; model: string; classifier: string; ep: string; fallback: string }
  | { type: 'token'; text: string }
  | { type: 'done'; stats: GenerateStats; stopReason: string }
  | { type: 'error'; message: string }
  | { type: 'classified'; text: string; labels: LabelScore[]; method: string }
  | { type: 'report'; report: EvaluationReport }
  | { type: 'models'; cacheDir: string; models: { repo: string; dtype: string; bytes: number; inUse: boolean }[] }
  | { type: 'counters'; counters: CompletionCountsWire };

const MAX_TEXT = 200_000;

function text(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new HostError('BAD_REQUEST', `panel message field ${key} must be a string`);
  if (v.length > MAX_TEXT) throw new HostError('BAD_REQUEST', `panel message field ${key} is longer than ${MAX_TEXT} characters`);
  return v;
}

export function parsePanelMessage(v: unknown): FromPanel {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HostError('BAD_REQUEST', 'panel message must be an object');
  const o = v as Record<string, unknown>;
  switch (o.type) {
    case 'ready':
    case 'stop':
    case 'evaluate':
    case 'refreshModels':
    case 'downloadModel':
    case 'importModel':
      return { type: o.type };
    case 'deleteModel': {
      const repo = text(o, 'repo');
      if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) throw new HostError('BAD_REQUEST', 'deleteModel repo must be owner/name');
      return { type: 'deleteModel', repo };
    }
    case 'classifySelection':
      return { type: 'classifySelection', labels: o.labels === undefined ? undefined : text(o, 'labels') };
    case 'exportReport':
      if (o.format !== 'markdown' && o.format !== 'json') throw new HostError('BAD_REQUEST', 'exportReport format must be "markdown" or "json"');
      return { type: 'exportReport', format: o.format };
    case 'generate':
      return { type: 'generate', prompt: text(o, 'prompt'), options: parseGenerationOptions(o.options, 'options'), chat: o.chat === true };
    case 'classify':
      return { type: 'classify', text: text(o, 'text'), labels: o.labels === undefined ? undefined : text(o, 'labels') };
    case 'insert':
    case 'copy':
      return { type: o.type, text: text(o, 'text') };
    default:
      throw new HostError('BAD_REQUEST', `unknown panel message type ${JSON.stringify(o.type)?.slice(0, 40)}`);
  }
}
