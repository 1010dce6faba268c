import * as assert from 'node:assert/strict';
import { CompletionCounters } from '../../src/core/completion/counters';
import { TypeThroughCache } from '../../src/core/completion/typeThroughCache';

describe('type-through cache', () => {
  const doc = 'file:///a.ts';
  const prefix = 'function add(a: number, b: number) {\n  return ';
  const suffix = '\n}\n';

  it('typing the characters of a shown suggestion keeps showing the rest', () => {
    const c = new TypeThroughCache();
    c.put(doc, prefix, suffix, ['a + b;', 'b + a;']);
    assert.deepEqual(c.get(doc, prefix + 'a', suffix), [' + b;']);
    assert.deepEqual(c.get(doc, prefix + 'a + ', suffix), ['b;']);
    assert.equal(c.get(doc, prefix + 'a + b;', suffix), undefined, 'fully typed: nothing left');
    assert.equal(c.get(doc, prefix + 'x', suffix), undefined, 'typed something else');
  });

  it('deleting back restores the earlier suggestion', () => {
    const c = new TypeThroughCache();
    c.put(doc, prefix, suffix, ['a + b;']);
    c.put(doc, prefix + 'a - ', suffix, ['c;']);
    assert.deepEqual(c.get(doc, prefix, suffix), ['a + b;']);
  });

  it('does not leak across documents, edits elsewhere or a changed suffix', () => {
    const c = new TypeThroughCache();
    c.put(doc, prefix, suffix, ['a + b;']);
    assert.equal(c.get('file:///b.ts', prefix + 'a', suffix), undefined);
    assert.equal(c.get(doc, prefix.replace('add', 'sum') + 'a', suffix), undefined);
    assert.equal(c.get(doc, prefix + 'a', '\n}\nmore'), undefined);
  });

  it('keeps a bounded number of entries', () => {
    const c = new TypeThroughCache(3);
    for (let i = 0; i < 5; i++) c.put(doc, `p${i}`, '', [`c${i}`]);
    assert.equal(c.get(doc, 'p0', ''), undefined);
    assert.deepEqual(c.get(doc, 'p4', ''), ['c4']);
  });
});

describe('completion counters', () => {
  it('counts shown and accepted suggestions and persists them locally', async () => {
    const saved = new Map<string, unknown>();
    const store = { get: <T>(k: string) => saved.get(k) as T | undefined, update: async (k: string, v: unknown) => void saved.set(k, structuredClone(v)) };
    const a = new CompletionCounters(store);
    await a.shown();
    await a.shown();
    await a.accepted(12);
    assert.deepEqual(a.value, { shown: 2, accepted: 1, acceptedChars: 12 });
    assert.deepEqual(new CompletionCounters(store).value, { shown: 2, accepted: 1, acceptedChars: 12 });
  });
});
