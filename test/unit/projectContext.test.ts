/** Project context without VS Code: chunking, the ring's eviction, selection, ordering, exclusions. */
import * as assert from 'node:assert/strict';
import { chunkAt, chunksNear, unusableText } from '../../src/core/completion/context/chunks';
import { GitIgnore, globToRegExp, matchesGlobs } from '../../src/core/completion/context/exclusions';
import { ContextRing } from '../../src/core/completion/context/ring';
import { CHARS_PER_TOKEN, queryAround, selectChunks } from '../../src/core/completion/context/select';
import { jaccard, wordSet } from '../../src/core/completion/context/similarity';

const lines = (n: number, f = (i: number) => `line_${i} = ${i}`) => Array.from({ length: n }, (_, i) => f(i));

describe('project context: chunks', () => {
  it('chunks start at multiples of the chunk size, so reading a file again gives the same chunks', () => {
    const text = lines(50);
    assert.deepEqual(chunkAt('a.py', text, 13, 10), { path: 'a.py', line: 10, text: text.slice(10, 20).join('\n') });
    assert.equal(chunkAt('a.py', text, 55, 10), undefined, 'past the end');
    assert.equal(chunkAt('a.py', ['', '  ', ''], 0, 10), undefined, 'a blank chunk is none');
  });

  it('a file gives the chunks nearest the cursor first, blank ones skipped', () => {
    const text = lines(60).join('\n');
    assert.deepEqual(chunksNear('a.py', text, 25, 10, 4).map((c) => c.line), [20, 10, 30, 0]);
    assert.deepEqual(chunksNear('a.py', text, 0, 10, 3).map((c) => c.line), [0, 10, 20]);
    const gaps = [...lines(10), ...lines(10, () => ''), ...lines(10)].join('\n');
    assert.deepEqual(chunksNear('b.py', gaps, 12, 10, 5).map((c) => c.line), [0, 20]);
  });

  it('huge, binary and minified files are never context', () => {
    assert.equal(unusableText(lines(10).join('\n')), undefined);
    assert.equal(unusableText('x'.repeat(2000), 1000), 'too large');
    assert.equal(unusableText('abc\u0000def'), 'binary');
    assert.equal(unusableText(`var a=1;${'b=2;'.repeat(500)}\nvar c;`), 'minified');
  });
});

describe('project context: the ring', () => {
  const chunk = (path: string, line: number, text: string) => ({ path, line, text });

  it('the same chunk added again changes nothing (a file opened twice keeps the prompt)', () => {
    const ring = new ContextRing(() => 8);
    assert.equal(ring.add(chunk('a.py', 0, 'def alpha(): return beta')), true);
    ring.add(chunk('b.py', 0, 'class Gamma: pass'));
    assert.equal(ring.add(chunk('a.py', 0, 'def alpha(): return beta')), false);
    assert.deepEqual(ring.all.map((c) => [c.path, c.seq]), [['a.py', 0], ['b.py', 1]]);
  });

  it('a near-duplicate replaces the older chunk and goes to the end; an edited chunk replaces its old text', () => {
    const ring = new ContextRing(() => 8);
    const words = lines(30, (i) => `w${i}`).join(' ');
    ring.add(chunk('a.py', 0, words));
    ring.add(chunk('b.py', 0, 'unrelated other words'));
    ring.add(chunk('c.py', 40, `${words} w30`)); // 30 of 31 words shared: Jaccard 0.97
    assert.deepEqual(ring.all.map((c) => c.path), ['b.py', 'c.py']);
    ring.add(chunk('b.py', 0, 'completely rewritten text'));
    assert.deepEqual(ring.all.map((c) => `${c.path}:${c.text}`), [`c.py:${words} w30`, 'b.py:completely rewritten text']);
  });

  it('the oldest chunks fall off when the ring is full', () => {
    const ring = new ContextRing(() => 3);
    for (let i = 0; i < 5; i++) ring.add(chunk(`f${i}.py`, 0, `unique_${i} token_${i}`));
    assert.deepEqual(ring.all.map((c) => c.path), ['f2.py', 'f3.py', 'f4.py']);
    ring.removeFile('f3.py');
    assert.deepEqual(ring.all.map((c) => c.path), ['f2.py', 'f4.py']);
  });
});

describe('project context: selection', () => {
  const ring = new ContextRing(() => 16);
  ring.add({ path: 'models.py', line: 0, text: 'class User:\n    def __init__(self, name, email):\n        self.name = name' });
  ring.add({ path: 'db.py', line: 0, text: 'def connect(url):\n    return Engine(url)' });
  ring.add({ path: 'views.py', line: 0, text: 'def show_user(user):\n    return render(user.name, user.email)' });
  ring.add({ path: 'current.py', line: 0, text: 'user = User(name, email)' });
  const limits = { maxChunks: 2, maxTokens: 1000 };

  it('Jaccard similarity over words', () => {
    assert.equal(jaccard(wordSet('a b c'), wordSet('b c d')), 0.5);
    assert.equal(jaccard(wordSet(''), wordSet('')), 0);
  });

  it('picks the chunks most similar to the code around the cursor, never the current file, in ring order', () => {
    const picked = selectChunks(ring.all, 'def edit_user(user, name, email):\n    user.name = name', 'current.py', limits);
    // views.py and models.py score highest; they come back in ring order (models.py was added first).
    assert.deepEqual(picked.map((c) => c.path), ['models.py', 'views.py']);
  });

  it('chunks that share no word with the query are left out', () => {
    assert.deepEqual(selectChunks(ring.all, 'nothing in common here', undefined, limits), []);
  });

  it('keeps to the budget: a chunk that does not fit is skipped for a smaller one', () => {
    const big = ring.all.find((c) => c.path === 'views.py')!;
    const maxTokens = Math.floor((big.text.length + big.path.length) / CHARS_PER_TOKEN);
    const picked = selectChunks(ring.all, 'user name email url connect', 'current.py', { maxChunks: 4, maxTokens });
    assert.ok(!picked.some((c) => c.path === 'views.py'), 'views.py does not fit');
    assert.ok(picked.length >= 1);
    assert.ok(picked.reduce((n, c) => n + c.text.length + c.path.length + 2, 0) <= maxTokens * CHARS_PER_TOKEN);
  });

  it('every keystroke on a line gives the same chunks in the same order (the query leaves the line out)', () => {
    const file = ['import models', 'def edit_user(user, name, email):', '    user.na', 'return user'];
    const picks = ['    user.na', '    user.nam', '    user.name', '    user.name ='].map((l) => {
      const at = [...file.slice(0, 2), l, ...file.slice(3)];
      return JSON.stringify(selectChunks(ring.all, queryAround(at, 2), 'current.py', limits));
    });
    assert.equal(new Set(picks).size, 1);
  });
});

describe('project context: exclusions', () => {
  it('files.exclude globs: **, *, ?, {a,b}, [..], and a matching folder excludes what is under it', () => {
    assert.ok(globToRegExp('**/*.min.js').test('a/b/x.min.js'));
    assert.ok(globToRegExp('**/*.min.js').test('x.min.js'));
    assert.ok(!globToRegExp('*.js').test('a/x.js'));
    assert.ok(globToRegExp('src/{a,b}/?.ts').test('src/b/x.ts'));
    assert.ok(globToRegExp('[ab]*.py').test('abc.py') && !globToRegExp('[ab]*.py').test('cab.py'));
    assert.ok(matchesGlobs('node_modules/pkg/index.js', ['**/node_modules']));
    assert.ok(matchesGlobs('a/.git/config', ['**/.git']));
    assert.ok(!matchesGlobs('src/app.py', ['**/node_modules', '**/.git']));
  });

  it('.gitignore: folders, anchoring, negation, nested files', () => {
    const g = new GitIgnore('# build output\nbuild/\n*.log\n!keep.log\n/secret.txt\ndocs/*.tmp\n');
    assert.ok(g.ignores('build/out.js'));
    assert.ok(g.ignores('src/build/out.js'), 'an unanchored folder pattern matches at any depth');
    assert.ok(!g.ignores('build'), 'a folder-only pattern does not match a file');
    assert.ok(g.ignores('a/debug.log'));
    assert.ok(!g.ignores('a/keep.log'), 'negation');
    assert.ok(g.ignores('secret.txt') && !g.ignores('sub/secret.txt'), 'a leading slash anchors');
    assert.ok(g.ignores('docs/x.tmp') && !g.ignores('other/docs/x.tmp'), 'an inner slash anchors');
    assert.ok(!g.ignores('src/app.py'));
    const nested = new GitIgnore('*.gen.py\n', 'pkg');
    assert.ok(nested.ignores('pkg/sub/a.gen.py'));
    assert.ok(!nested.ignores('other/a.gen.py'), 'rules apply under their own folder only');
  });
});
