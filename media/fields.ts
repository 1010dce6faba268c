/**
 * How the panel reads one numeric control: empty means "use the setting's default", anything
 * else must fit the protocol's range (rangeProblem, the one definition). No DOM here, so the unit
 * tests hold it to the protocol value by value.
 */
import { rangeProblem, type NumberRange } from '../src/protocol/ranges';

/** The control's problem in words ("Top-p must be from 0 to 1."), or undefined when it fits. */
export function fieldProblem(range: NumberRange, text: string, badInput = false): string | undefined {
  // A number input whose text the browser cannot read reports badInput and an empty value.
  if (badInput) return `${range.label} ${rangeProblem(range, NaN)}.`;
  if (text.trim() === '') return undefined;
  const problem = rangeProblem(range, Number(text));
  return problem ? `${range.label} ${problem}.` : undefined;
}
