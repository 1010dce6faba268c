/**
 * Project context in the prompt (host/generation/prompt.ts) with the fixtures' real tokenizers:
 * repository tokens when the vocabulary has them (a copy of tiny-qwen2's tokenizer.json with
 * Qwen2.5-Coder's <|repo_name|> and <|file_sep|> added), file-path comments otherwise; context
 * first, in its own share of the budget, whole chunks only; and, through the real worker, the KV
 * cache reused across consecutive keystrokes with context on.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostClient } from '../../src/client/hostClient';
import { CONTEXT_SHARE, pathComment, PromptBuilder } from '../../src/host/generation/prompt';
import { ModelTokenizer } from '../../src/host/runtime/tokenizer';
import type { ContextChunk } from '../../src/protocol/types';
import { fixture, newClient, TINY_GPT2_FIM } from './helpers';

type Json = Record<string, unknown>;
const read = (dir: string, f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Json;

function builder(dir: string, edit?: (tokenizerJson: Json) => void): { b: PromptBuilder; tok: ModelTokenizer } {
  const tj = read(dir, 'tokenizer.json');
  edit?.(tj);
  const tc = read(dir, 'tokenizer_config.json');
  const tok = new ModelTokenizer(tj, tc, read(dir, 'config.json'), read(dir, 'generation_config.json'));
  return { b: new PromptBuilder(tok, tc, dir), tok };
}

/** tiny-qwen2's tokenizer with Qwen2.5-Coder's repository tokens added (ids after the vocabulary). */
function withRepoTokens(tj: Json): void {
  const added = tj.added_tokens as { id: number }[];
  let next = Math.max(...added.map((t) => t.id)) + 1;
  for (const content of ['<|repo_name|>', '<|file_sep|>']) added.push({ id: next++, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true } as never);
}

const CHUNKS: ContextChunk[] = [
  { path: 'lib/util.py', text: 'def add(a, b):\n    return a + b' },
  { path: 'lib/names.ts', text: 'export const x = 1;' },
];

function sharedPrefix(a: number[], b: number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

describe('project context in the prompt', () => {
  it('path comments in each file\'s own syntax when the tokenizer has no repository tokens', () => {
    assert.equal(pathComment('a/b.py'), '# path: a/b.py');
    assert.equal(pathComment('src/x.ts'), '// path: src/x.ts');
    assert.equal(pathComment('q.sql'), '-- path: q.sql');
    assert.equal(pathComment('README.md'), '<!-- path: README.md -->');
    assert.equal(pathComment('data.unknown'), '==> data.unknown <==');
  });

  it('no repository tokens, no FIM (tiny-gpt2): context first, then the prompt', () => {
    const { b, tok } = builder(fixture('tiny-gpt2'));
    assert.equal(b.repoStyle, undefined);
    const r = b.build({ prompt: 'x = add(', templated: false, context: CHUNKS }, 120);
    assert.equal(r.contextChunks, 2);
    assert.equal(tok.decode(r.ids), '# path: lib/util.py\ndef add(a, b):\n    return a + b\n// path: lib/names.ts\nexport const x = 1;\nx = add(');
    assert.equal(r.promptTokens, r.ids.length);
    const plain = b.build({ prompt: 'x = add(', templated: false }, 120);
    assert.equal(r.contextTokens, r.ids.length - plain.ids.length);
  });

  it('FIM without repository tokens (tiny-gpt2-fim): context before <fim_prefix>', () => {
    const { b, tok } = builder(TINY_GPT2_FIM);
    const r = b.build({ prompt: 'x = add(', suffix: ')\n', templated: false, context: CHUNKS }, 120);
    assert.equal(r.fim, true);
    assert.equal(tok.decode(r.ids, false), '# path: lib/util.py\ndef add(a, b):\n    return a + b\n// path: lib/names.ts\nexport const x = 1;\n<fim_prefix>x = add(<fim_suffix>)\n<fim_middle>');
  });

  it('repository tokens (Qwen2.5-Coder layout): <|file_sep|>path, content, then the current file', () => {
    const { b, tok } = builder(fixture('tiny-qwen2'), withRepoTokens);
    assert.equal(b.repoStyle?.fileSep, '<|file_sep|>');
    const r = b.build({ prompt: 'x = add(', suffix: ')', templated: false, context: CHUNKS, path: 'main.py' }, 120);
    assert.equal(tok.decode(r.ids, false), '<|file_sep|>lib/util.py\ndef add(a, b):\n    return a + b\n<|file_sep|>lib/names.ts\nexport const x = 1;\n<|file_sep|>main.py\n<|fim_prefix|>x = add(<|fim_suffix|>)<|fim_middle|>');
    assert.equal(r.ids[0], tok.tokenId('<|file_sep|>'));
    // With the workspace's name: <|repo_name|>name first, as Qwen2.5-Coder's repository-level prompts begin.
    const named = b.build({ prompt: 'x = add(', suffix: ')', templated: false, context: CHUNKS, path: 'main.py', repo: 'shop' }, 120);
    assert.ok(tok.decode(named.ids, false).startsWith('<|repo_name|>shop\n<|file_sep|>lib/util.py\n'));
    // A model without a repository-name token ignores the name.
    const plain = builder(TINY_GPT2_FIM).b;
    assert.deepEqual(plain.build({ prompt: 'x', suffix: ')', templated: false, context: CHUNKS, repo: 'shop' }, 120).ids, plain.build({ prompt: 'x', suffix: ')', templated: false, context: CHUNKS }, 120).ids);
  });

  it('context keeps to its share of the budget and drops whole trailing chunks', () => {
    const { b } = builder(TINY_GPT2_FIM);
    const many = Array.from({ length: 12 }, (_, i) => ({ path: `m${i}.py`, text: `value_${i} = compute(${i})` }));
    const budget = 100;
    const r = b.build({ prompt: 'y = ', suffix: '', templated: false, context: many }, budget);
    assert.ok(r.contextChunks > 0 && r.contextChunks < many.length, `${r.contextChunks} of ${many.length} chunks fit`);
    assert.ok(r.contextTokens <= Math.floor(budget * CONTEXT_SHARE));
    assert.ok(r.ids.length <= budget);
    // The chunks that fit are the first ones, whole: the same ids as sending only those.
    const only = b.build({ prompt: 'y = ', suffix: '', templated: false, context: many.slice(0, r.contextChunks) }, budget);
    assert.deepEqual(only.ids, r.ids);
  });

  it('a chat prompt never takes context', () => {
    const { b } = builder(TINY_GPT2_FIM);
    const r = b.build({ prompt: 'hello', templated: true, context: CHUNKS }, 100);
    assert.equal(r.contextChunks, 0);
    assert.deepEqual(r.ids, b.build({ prompt: 'hello', templated: true }, 100).ids);
  });

  it('the context stays the same token prefix while the file grows past the budget', () => {
    const { b } = builder(TINY_GPT2_FIM);
    let text = '';
    let prev: number[] | undefined;
    let ctxTokens = 0;
    for (let i = 0; i < 120; i++) {
      text += 'ab cd\n'[i % 6];
      const r = b.build({ prompt: text, suffix: '\n', templated: false, context: CHUNKS }, 100);
      ctxTokens = r.contextTokens;
      if (prev) assert.ok(sharedPrefix(prev, r.ids) >= r.contextTokens, `keystroke ${i}: the context prefix is unchanged`);
      prev = r.ids;
    }
    assert.ok(ctxTokens > 0);
  });
});

describe('KV reuse with project context, through the real worker (tiny-gpt2-fim)', function () {
  this.timeout(120_000);
  let client: HostClient;
  before(() => (client = newClient()));
  after(() => client.dispose());

  it('every keystroke after the first reuses at least the context and the unchanged file prefix', async () => {
    const file = 'def total(items):\n    s = 0\n    for it in items:\n        s = add(s, it)\n    return s\n';
    let reused = 0;
    let prompt = 0;
    for (let k = 30; k <= file.length; k += 3) {
      const r = await client.request('generate', { modelPath: TINY_GPT2_FIM, prompt: file.slice(0, k), suffix: '\n', context: CHUNKS, options: { maxNewTokens: 4, doSample: false } });
      assert.equal(r.stats.contextChunks, 2);
      if (k > 30) {
        assert.ok(r.stats.reusedTokens >= r.stats.contextTokens, `keystroke at ${k}: reused ${r.stats.reusedTokens} of ${r.stats.promptTokens} (context ${r.stats.contextTokens})`);
        reused += r.stats.reusedTokens;
        prompt += r.stats.promptTokens;
      }
    }
    const rate = reused / prompt;
    process.stdout.write(`      KV prefix reuse with context over ${Math.floor((file.length - 30) / 3)} keystrokes: ${(rate * 100).toFixed(1)}% of prompt tokens\n`);
    assert.ok(rate > 0.5, `reuse rate ${rate}`);
  });
});

describe('the current file path over the wire', () => {
  it('generate and prefill carry filePath: the prompt names the current file after the context', async () => {
    const client = newClient();
    try {
      const modelPath = fixture('tiny-gpt2-fim');
      const context = [{ path: 'lib/util.py', text: 'def add(a, b):\n    return a + b' }];
      const base = { modelPath, prompt: 'x = ', suffix: '\n', context, options: { maxNewTokens: 2, doSample: false } };
      const without = await client.request('generate', base);
      const withPath = await client.request('generate', { ...base, filePath: 'app/main.py' });
      await assert.rejects(client.request('generate', { ...base, repoName: 'r'.repeat(5000) }), /repoName/);
      assert.ok(withPath.stats.promptTokens > without.stats.promptTokens, `${withPath.stats.promptTokens} vs ${without.stats.promptTokens}`);
      const warm = await client.request('prefill', { modelPath, prompt: 'x = ', suffix: '\n', context, filePath: 'app/main.py', maxNewTokens: 2 });
      assert.equal(warm.promptTokens, withPath.stats.promptTokens);
      await assert.rejects(client.request('generate', { ...base, filePath: 'p'.repeat(5000) }), /filePath/);
    } finally {
      await client.dispose();
    }
  });
});
