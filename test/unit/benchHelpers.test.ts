import * as assert from 'node:assert/strict';
import { requireIds, requireSameTokens, requireTokens } from '../../tools/bench/common';
import { editPrompts, smallEdit, snippet } from '../../tools/bench/editPrompts';
import { keyEvents, PAUSE_MS, typedAfter } from '../../tools/bench/replay';

const CODE = `import os


def read_lines(path, strip=True):
    with open(path) as f:
        lines = f.read().split("\\n")
    return [line.strip() for line in lines] if strip else lines
`;

describe('bench helpers', () => {
  it('types the target exactly, typos and backspaces included, the same for the same seed', () => {
    const events = keyEvents(CODE, 3);
    assert.equal(typedAfter(events, events.length), CODE);
    assert.deepEqual(keyEvents(CODE, 3), events);
    assert.notDeepEqual(keyEvents(CODE, 4), events);
  });

  it('marks a pause exactly where the next scheduled key comes PAUSE_MS or later (seeded script times, no clock), and ends with one', () => {
    const events = keyEvents(CODE.repeat(4), 1);
    for (let i = 0; i + 1 < events.length; i++) assert.equal(events[i].pause, events[i + 1].at - events[i].at >= PAUSE_MS, `event ${i}`);
    assert.ok(events[events.length - 1].pause);
    assert.ok(events.filter((e) => e.pause).length >= 5, 'a typist pauses several times over four short functions');
    assert.ok(events.some((e) => e.ch === undefined), 'some typos are fixed with a backspace');
  });

  it('fails loudly when a side decoded fewer tokens than requested', () => {
    assert.throws(() => requireTokens('transformers.js (fp32)', 3, 64), /transformers\.js \(fp32\) decoded 3 new tokens where 64 were requested/);
    requireTokens('ours', 64, 64);
  });

  it('fails when speculative tokens differ from plain ones, naming the first difference', () => {
    assert.throws(() => requireSameTokens('p', [1, 2, 3], [1, 2, 4]), /first difference at new token 2 \(plain 3, speculative 4/);
    assert.throws(() => requireSameTokens('p', [1, 2, 3], [1, 2]), /not lossless/);
    requireSameTokens('p', [1, 2], [1, 2]);
  });

  it('requires a unique snake_case id on every figure', () => {
    assert.throws(() => requireIds([{ name: 'x', value: 1, unit: 'ms' }]), /no snake_case id/);
    assert.throws(() => requireIds([{ id: 'Bad-Id', name: 'x', value: 1, unit: 'ms' }]), /no snake_case id/);
    assert.throws(() => requireIds([{ id: 'a', name: 'x', value: 1, unit: 'ms' }, { id: 'a', name: 'y', value: 1, unit: 'ms' }]), /twice/);
    requireIds([{ id: 'small_decode_tps', name: 'x', value: 1, unit: 'tokens/s' }]);
  });

  it('builds the re-emit prompt from a function and a copy starting with its edited first line', () => {
    const s = snippet(CODE, 300);
    assert.ok(s.startsWith('def read_lines('));
    assert.match(smallEdit(s), /lines2/);
    const [edit] = editPrompts(CODE);
    assert.ok(edit.prompt.startsWith(s) && edit.prompt.endsWith('def read_lines(path, strip=True):\n'));
  });
});
