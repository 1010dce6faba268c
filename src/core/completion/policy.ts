/**
 * Every rule of an inline completion in one place, so a reader takes them in at once: how much
 * of the file the model sees, how many candidates are asked for and shown, the decoding
 * settings and where decoding stops (scope.ts decides one line or one block). The VS Code provider, the pipeline and the keystroke-replay
 * benchmark follow it; post-processing (postprocess.ts) applies the line rule to what returns.
 */
import type { GenerationOptions } from '../../protocol/types';
import type { CompletionContext } from './postprocess';
import { decideScope } from './scope';

/** Characters before and after the cursor that go into the prompt, and lines read after it. */
export const WINDOW = { prefixChars: 6000, suffixChars: 1500, nextLines: 5 } as const;


/** Temperature and nucleus for the sampled alternatives of a manual request. */
const ALTERNATIVES = { temperature: 0.9, topP: 0.95 } as const;

export interface CompletionLimits {
  maxNewTokens: number;
  timeLimitMs: number;
}

/** The prompt's window of a document's text around `offset`. */
export function windowAt(text: string, offset: number): { prefix: string; suffix: string } {
  return { prefix: text.slice(Math.max(0, offset - WINDOW.prefixChars), offset), suffix: text.slice(offset, offset + WINDOW.suffixChars) };
}

/** A typed keystroke gets the one best completion; a manual request (Alt+\) asks for alternatives. */
export function candidates(manual: boolean): { ask: number; show: number } {
  return manual ? { ask: 3, show: 5 } : { ask: 1, show: 1 };
}

/**
 * The generate options of the requests one completion makes: greedy first, then, when more than
 * one candidate is asked for, sampled alternatives (more than needed: identical ones merge after
 * post-processing). Decoding ends where the cursor's scope (scope.ts) ends: one line or one block.
 */
export function requestOptions(limits: CompletionLimits, ask: number, ctx: CompletionContext): GenerationOptions[] {
  const { scope, blockIndent } = decideScope(ctx);
  const greedy: GenerationOptions = { maxNewTokens: limits.maxNewTokens, timeLimitMs: limits.timeLimitMs, doSample: false, scope, blockIndent };
  if (ask <= 1) return [greedy];
  return [greedy, { ...greedy, doSample: true, ...ALTERNATIVES, numReturnSequences: ask + 2 }];
}
