// The panel's check of a control's value against its range. The ranges themselves come from the
// extension (GENERATION_RANGES in src/protocol/validate.ts, sent in the panel's `init` message);
// this applies them with the same rules and words as rangeProblem there, and
// test/unit/panelRanges.test.ts checks that the two agree on every range, value by value.
// Plain script for the webview (no bundler); also loadable with require() for that test.
// @ts-check
(function (root) {
  /**
   * What is wrong with `v` for `range`, in words, or undefined when it fits (rangeProblem's rules).
   * @param {{ min: number, max: number, integer: boolean }} range
   * @param {unknown} v
   */
  function rangeProblem(range, v) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return `must be ${range.integer ? 'a whole number' : 'a number'} from ${range.min} to ${range.max}`;
    if (range.integer && !Number.isInteger(v)) return `must be a whole number from ${range.min} to ${range.max}`;
    if (v < range.min || v > range.max) return `must be from ${range.min} to ${range.max}`;
    return undefined;
  }

  /**
   * A control's text: empty means "use the setting's default" (no problem); anything else must be
   * a number in range. A number input whose text the browser cannot read reports `badInput`.
   * @param {{ min: number, max: number, integer: boolean, label: string }} range
   * @param {string} text
   * @param {boolean} [badInput]
   * @returns {string | undefined}
   */
  function fieldProblem(range, text, badInput) {
    if (badInput) return `${range.label} ${rangeProblem(range, NaN)}.`;
    if (text.trim() === '') return undefined;
    const problem = rangeProblem(range, Number(text));
    return problem ? `${range.label} ${problem}.` : undefined;
  }

  const api = { rangeProblem, fieldProblem };
  // eslint-disable-next-line no-undef
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.onnxAssistRanges = api;
})(typeof globalThis === 'object' ? globalThis : this);
