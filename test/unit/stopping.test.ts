import * as assert from 'node:assert/strict';
import { scopeEnd, StopTextStream, type ScopeRule } from '../../src/host/generation/stopping';

/** Feeds growing prefixes of `full` one character at a time and collects what is emitted. */
function stream(stops: string[], steps: string[], rule?: ScopeRule) {
  const s = new StopTextStream(stops, rule);
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

describe('completion scope in the host', () => {
  /** The chunks as the decode loop feeds them: each step the whole text so far. */
  const run = (chunks: string[], rule: ScopeRule) => stream([], chunks.map((_, i) => chunks.slice(0, i + 1).join('')), rule);

  it('a line scope ends at the first newline', () => {
    assert.deepEqual(run(['foo(', 'a, b)', '\n    x'], { scope: 'line', blockIndent: 0 }), { text: 'foo(a, b)', shown: 'foo(a, b)', stopped: true });
  });

  it('a block ends before a line indented less than the block', () => {
    const r = run(['\n', '    return 1', '\n', '}', '\n'], { scope: 'block', blockIndent: 4 });
    assert.deepEqual(r, { text: '\n    return 1', shown: '\n    return 1', stopped: true });
  });

  it('a block ends at a blank line, and whitespace that may become one is held back', () => {
    const s = new StopTextStream([], { scope: 'block', blockIndent: 4 });
    assert.equal(s.update('x = 1\n    ').delta, 'x = 1');
    assert.equal(s.update('x = 1\n    y').delta, '\n    y');
    const end = s.update('x = 1\n    y\n\n');
    assert.deepEqual(end, { delta: '', stopped: true });
    assert.equal(s.text, 'x = 1\n    y');
  });

  it('tabs count as TAB_COLUMNS columns', () => {
    assert.deepEqual(scopeEnd('a\n\tb\n  c', { scope: 'block', blockIndent: 4 }), { cut: 4, hold: 4 });
  });
});
