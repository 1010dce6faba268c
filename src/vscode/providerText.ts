/**
 * How the execution provider is shown everywhere (status bar, panel, Show Host Status): the one
 * that actually runs, and, when it differs from the one chosen, why, in one short line. The long
 * "how to install CUDA" text stays in Show Host Status. No `vscode` import.
 */
import type { ConcreteProvider, ExecutionProvider } from '../protocol/types';

export interface ProviderState {
  /** The setting. */
  chosen: ExecutionProvider;
  /** What the loaded model runs on; undefined until a model has loaded. */
  running?: ConcreteProvider;
  /** The host's reasons for passing providers over ("dml: DirectML runs on Windows only ..."). */
  fallbacks: string[];
}

export interface ProviderText {
  /** For the status bar: the provider that runs, marked when it is not the chosen one. */
  short: string;
  /** One line for the panel and tooltips. */
  line: string;
  /** Why the chosen provider is not the one running (short), when it is not. */
  reason?: string;
}

/** "the CUDA provider is not installed" from "cuda: the CUDA provider is not installed: reinstall ...". */
export function shortReason(fallback: string, max = 90): string {
  let s = fallback.replace(/^[a-z]+: /, '');
  let depth = 0;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ':' && s[i + 1] === ' ' && depth === 0) {
      s = s.slice(0, i);
      break;
    }
  }
  return s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s;
}

export function providerText(p: ProviderState): ProviderText {
  if (!p.running) {
    const short = p.chosen;
    return { short, line: p.chosen === 'auto' ? 'auto (chosen when a model loads)' : `${p.chosen} (when a model loads)` };
  }
  if (p.chosen === 'auto') return { short: p.running, line: `${p.running} (auto)` };
  if (p.chosen === p.running) return { short: p.running, line: p.running };
  const why = p.fallbacks.find((f) => f.startsWith(`${p.chosen}:`));
  const reason = why ? shortReason(why) : `${p.chosen} did not start`;
  return { short: `${p.running} (not ${p.chosen})`, line: `${p.running}, not ${p.chosen}: ${reason}`, reason };
}
