/**
 * Line scope decided before decoding: from the cursor's context, whether a completion is one line
 * or one block, and the indentation below which a block ends. The host stops decoding where the
 * scope ends, so a single-line position never pays for lines it cannot use. Pure: no vscode import.
 */
import { TAB_COLUMNS, type CompletionScope } from '../../protocol/generation';
import type { CompletionContext } from './postprocess';

export interface ScopeDecision {
  scope: CompletionScope;
  /** For a block: lines indented less than this many columns end it. */
  blockIndent: number;
}

/** A line that opens a block: a bracket or colon at its end, an arrow, or a keyword that takes a body. */
export const BLOCK_OPENER = /[{([:]\s*$|=>\s*$|\b(then|do|else)\s*$/;

/** Indentation width in columns, a tab counting as the host does. */
export function indentColumns(line: string): number {
  const lead = /^[ \t]*/.exec(line)![0];
  return [...lead].reduce((a, c) => a + (c === '\t' ? TAB_COLUMNS : 1), 0);
}

/**
 * One line mid-line, in a comment, at the end of an ordinary statement or when multi-line is
 * off; a block on an empty line or after a block opener. A block's body is what is indented
 * deeper than its opener (or at least as deep as the cursor on an empty line): the first line
 * back at the opener's level, usually its closing bracket that is already there, ends it.
 */
export function decideScope(ctx: CompletionContext): ScopeDecision {
  const line = ctx.linePrefix;
  const here = indentColumns(line);
  if (ctx.multiline === 'never' || ctx.inComment) return { scope: 'line', blockIndent: 0 };
  if (ctx.multiline !== 'always' && ctx.lineSuffix.trim() !== '') return { scope: 'line', blockIndent: 0 };
  if (BLOCK_OPENER.test(line)) return { scope: 'block', blockIndent: here + 1 };
  if (line.trim() === '') return { scope: 'block', blockIndent: here };
  if (BLOCK_OPENER.test(ctx.previousLine)) return { scope: 'block', blockIndent: here };
  if (ctx.multiline === 'always') return { scope: 'block', blockIndent: here };
  return { scope: 'line', blockIndent: 0 };
}
