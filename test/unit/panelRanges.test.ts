/**
 * The panel checks its controls with media/fields.ts (bundled into the panel script) against the
 * table the extension sends it (GENERATION_RANGES, the protocol's own). For every range and a grid
 * of values, the panel's check and the protocol's parseGenerationOptions agree.
 */
import * as assert from 'node:assert/strict';
import { HostError } from '../../src/protocol/errors';
import { optionProblems, PANEL_FIELDS, panelRanges, parsePanelMessage, requestOf } from '../../src/protocol/webview';
import { GENERATION_RANGES, parseGenerationOptions } from '../../src/protocol/validate';
import { fieldProblem } from '../../media/fields';

const panel = { fieldProblem };


describe('panel controls are checked against the protocol ranges', () => {
  it('the panel gets every numeric control’s range from GENERATION_RANGES', () => {
    const r = panelRanges();
    assert.deepEqual(Object.keys(r).sort(), [...PANEL_FIELDS].sort());
    for (const f of PANEL_FIELDS) assert.equal(r[f], GENERATION_RANGES[f]);
  });

  it('a control passes the panel’s check exactly when the protocol accepts its value', () => {
    for (const [key, range] of Object.entries(GENERATION_RANGES)) {
      for (const text of ['0', '-1', '1', '2', '0.5', '1e9', '-5', '3.7', '32768', '65', 'abc', ' 7 ']) {
        const inPanel = panel.fieldProblem(range, text) === undefined;
        let accepted = true;
        try {
          parseGenerationOptions({ [key]: Number(text) });
        } catch {
          accepted = false;
        }
        assert.equal(inPanel, accepted, `${key} = ${JSON.stringify(text)}`);
      }
    }
  });

  it('the issue’s values get a message that names the control and its range', () => {
    const r = panelRanges();
    assert.equal(panel.fieldProblem(r.maxNewTokens, '0'), 'Max new tokens must be from 1 to 32768.');
    assert.equal(panel.fieldProblem(r.topP, '2'), 'Top-p must be from 0 to 1.');
    assert.equal(panel.fieldProblem(r.temperature, '-1'), 'Temperature must be from 0 to 100.');
    assert.equal(panel.fieldProblem(r.topK, '2.5'), 'Top-k must be a whole number from 0 to 1000000.');
    assert.equal(panel.fieldProblem(r.topK, '', true), 'Top-k must be a whole number from 0 to 1000000.', 'text a number input cannot read');
    assert.equal(panel.fieldProblem(r.topP, ''), undefined, 'empty: the setting’s default is used');
  });

  it('a request that bypasses the panel’s check is answered field by field', () => {
    assert.deepEqual(optionProblems({ maxNewTokens: 0, topP: 2, temperature: -1, topK: 40 }), {
      maxNewTokens: 'Max new tokens must be from 1 to 32768.',
      topP: 'Top-p must be from 0 to 1.',
      temperature: 'Temperature must be from 0 to 100.',
    });
    assert.deepEqual(optionProblems('nonsense'), {});
  });

  it('a rejected message is answered for the request it was meant to be', () => {
    assert.equal(requestOf({ type: 'generate', prompt: 3 }), 'generate');
    assert.equal(requestOf({ type: 'classify' }), 'classify');
    assert.equal(requestOf({ type: '__proto__' }), 'unknown');
    assert.equal(requestOf('generate'), 'unknown');
    assert.equal(requestOf(null), 'unknown');
  });

  it('the panel may run only the commands its error buttons offer', () => {
    assert.deepEqual(parsePanelMessage({ type: 'run', command: 'onnxAssist.selectZeroShotModel' }), { type: 'run', command: 'onnxAssist.selectZeroShotModel' });
    for (const command of ['workbench.action.terminal.sendSequence', 'onnxAssist.setHubToken', 5]) {
      assert.throws(() => parsePanelMessage({ type: 'run', command }), (e: unknown) => e instanceof HostError && e.code === 'BAD_REQUEST');
    }
  });
});
