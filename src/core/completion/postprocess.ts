/**
 * Cleaning a raw model completion before it becomes ghost text: the line policy, no repeat of
 * what already follows the cursor, no second copy of an auto-closed bracket or quote, trailing
 * whitespace trimmed, indentation in the file's own style. Pure: no vscode import.
 */
import { decideScope } from './scope';

/** When a completion may span several lines (the onnxAssist.inline.multiline setting). */
export type MultilinePolicy = 'auto' | 'always' | 'never';

export interface CompletionContext {
  /** Text of the cursor's line before the cursor. */
  linePrefix: string;
  /** Text of the cursor's line after the cursor. */
  lineSuffix: string;
  /** The lines after the cursor's line (a few are enough). */
  nextLines: string[];
  /** The previous non-empty line, for the multi-line decision. */
  previousLine: string;
  multiline: MultilinePolicy;
  /** Cursor inside a comment: one line at a time. */
  inComment: boolean;
  /** The file's indentation unit: '\t' or some spaces. */
  indentUnit: string;
}

const CLOSERS = new Set([')', ']', '}', '"', "'", '`', '>', ';', ',']);

/** Whether this position may get several lines (the scope decided before decoding). */
export function allowsMultiline(ctx: CompletionContext): boolean {
  return decideScope(ctx).scope === 'block';
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Re-indents continuation lines into the file's unit. Continuation lines are whole lines, so
 * their indentation is absolute: the model's unit is the greatest common step of their widths.
 * One level alone is ambiguous (a 4-space unit, or two 2-space levels): a width the file's unit
 * divides is then left as it is. (Measuring from the cursor line gave absurd units when the
 * cursor sat at an odd column: one space of base made every step 7.)
 */
export function matchIndentation(text: string, fileUnit: string): string {
  const lines = text.split('\n');
  if (lines.length < 2) return text;
  const tabWidth = fileUnit === '\t' ? 4 : fileUnit.length;
  const width = (ws: string) => [...ws].reduce((a, c) => a + (c === '\t' ? tabWidth : 1), 0);
  const lead = (l: string) => /^[ \t]*/.exec(l)![0];
  const body = lines.slice(1).filter((l) => l.trim() !== '');
  const usesTabs = body.some((l) => lead(l).includes('\t'));
  if (usesTabs && fileUnit === '\t') return text;
  const levels = [...new Set(body.map((l) => width(lead(l))).filter((w) => w > 0))];
  if (levels.length === 0) return text;
  let step = usesTabs ? tabWidth : levels.reduce(gcd);
  if (levels.length === 1 && levels[0] % tabWidth === 0) step = tabWidth;
  if (step === tabWidth && fileUnit !== '\t' && !usesTabs) return text;
  return lines
    .map((l, i) => {
      if (i === 0 || l.trim() === '') return l;
      return fileUnit.repeat(Math.round(width(lead(l)) / step)) + l.slice(lead(l).length);
    })
    .join('\n');
}

/** Returns the text to show, or undefined when nothing useful is left. */
export function postprocess(raw: string, ctx: CompletionContext): string | undefined {
  let text = raw.replace(/\r\n/g, '\n');
  if (!allowsMultiline(ctx)) text = text.split('\n')[0];
  else {
    // A completion that runs into text already below the cursor stops where the repeat starts.
    const lines = text.split('\n');
    const next = ctx.nextLines.find((l) => l.trim() !== '')?.trim();
    if (next) {
      const at = lines.findIndex((l, i) => i > 0 && l.trim() === next);
      if (at > 0) text = lines.slice(0, at).join('\n');
    }
  }
  // Trailing whitespace on every line, and trailing blank lines.
  text = text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n+$/, '');
  // What follows the cursor on this line must not be typed twice.
  const suffix = ctx.lineSuffix.trim();
  if (suffix) {
    if (text.endsWith(suffix)) text = text.slice(0, text.length - suffix.length).trimEnd();
    else if ([...suffix].every((c) => CLOSERS.has(c))) {
      // An auto-closed `)` or quote after the cursor: keep the completion up to where it closes it.
      const at = text.indexOf(suffix);
      if (at >= 0) text = text.slice(0, at);
      else if (CLOSERS.has(suffix[0]) && text.endsWith(suffix[0])) text = text.slice(0, -1);
    }
  }
  text = matchIndentation(text, ctx.indentUnit);
  if (text.trim() === '') return undefined;
  return text;
}
