import * as assert from 'node:assert/strict';
import { StopTextStream } from '../../src/host/generation/stopping';

/** Feeds growing prefixes of `full` one character at a time and collects what is emitted. */
function stream(stops: string[], steps: string[]) {
  const s = new StopTextStream(stops);
  let shown = '';
  let stopped = false;
  for (const text of steps) {
    const r = s.update(text);
    shown += r.delta;
    if (r.stopped) {
      stopped = true;
      break;
    }
  }
  if (!stopped) shown += s.flush();
  return { shown, stopped, text: s.text };
}

const prefixes = (t: string) => Array.from({ length: t.length }, (_, i) => t.slice(0, i + 1));

describe('stop sequences and streaming text', () => {
  it('cuts the text where a stop sequence starts', () => {
    const r = stream(['\n\n'], prefixes('return x\n\ndef y'));
    assert.equal(r.text, 'return x');
    assert.equal(r.shown, 'return x');
    assert.ok(r.stopped);
  });

  it('never shows text that later becomes a stop sequence', () => {
    const s = new StopTextStream(['END']);
    assert.equal(s.update('abc E').delta, 'abc ');
    assert.equal(s.update('abc EN').delta, '');
    const last = s.update('abc END');
    assert.equal(last.delta, '');
    assert.ok(last.stopped);
    assert.equal(s.text, 'abc ');
  });

  it('releases held-back text that did not become a stop sequence', () => {
    const r = stream(['END'], prefixes('abc ENx'));
    assert.equal(r.shown, 'abc ENx');
    assert.equal(r.stopped, false);
  });

  it('holds back half a UTF-8 character (U+FFFD) until it is complete', () => {
    const s = new StopTextStream([]);
    assert.equal(s.update('caf\ufffd').delta, 'caf');
    assert.equal(s.update('café').delta, 'é');
  });

  it('the earliest of several stop sequences wins', () => {
    assert.equal(stream(['b', 'c'], ['acb']).text, 'a');
  });

  it('with no stop sequences everything is shown', () => {
    assert.deepEqual(stream([], prefixes('hello')), { shown: 'hello', stopped: false, text: 'hello' });
  });
});
