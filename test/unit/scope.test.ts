/**
 * Line scope decided before decoding (core/completion/scope.ts): golden cases
 * (test/fixtures/scope/cases.json), and the host ending decoding where the scope ends.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CompletionContext } from '../../src/core/completion/postprocess';
import { decideScope, type ScopeDecision } from '../../src/core/completion/scope';
import { newClient, ROOT } from './helpers';

interface Case {
  name: string;
  ctx: Partial<CompletionContext>;
  expected: ScopeDecision;
}

const base: CompletionContext = { linePrefix: '', lineSuffix: '', nextLines: [], previousLine: '', multiline: 'auto', inComment: false, indentUnit: '    ' };

describe('completion scope (golden cases)', () => {
  for (const c of JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'scope', 'cases.json'), 'utf8')) as Case[]) {
    it(c.name, () => assert.deepEqual(decideScope({ ...base, ...c.ctx }), c.expected));
  }
});

describe('completion scope in the host', () => {
  it('a line scope stops decoding at the first newline: fewer tokens, the same first line', async () => {
    const client = newClient();
    try {
      const modelPath = path.join(ROOT, 'models', 'code-lm');
      const prompt = 'import os\n\n\ndef read(path):\n    with open(path) as f:\n        data = f.read()\n    return data\n\n\ndef write(path, data):\n    with open(';
      const free = await client.request('generate', { modelPath, prompt, options: { doSample: false, maxNewTokens: 48, minNewTokens: 48 } });
      const line = await client.request('generate', { modelPath, prompt, options: { doSample: false, maxNewTokens: 48, minNewTokens: 48, scope: 'line' } });
      const firstLine = free.texts[0].split('\n')[0];
      assert.ok(free.texts[0].includes('\n'), 'the unscoped completion should run past the line');
      assert.equal(line.texts[0], firstLine);
      assert.equal(line.stopReasons[0], 'stop');
      assert.ok(line.stats.newTokens < free.stats.newTokens, `${line.stats.newTokens} vs ${free.stats.newTokens}`);
    } finally {
      await client.dispose();
    }
  });
});
