/** Table-driven golden cases for completion post-processing (test/fixtures/postprocess/*.json). */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { postprocess, type CompletionContext } from '../../src/core/completion/postprocess';
import { ROOT } from './helpers';

interface Case {
  name: string;
  raw: string;
  ctx: Partial<CompletionContext>;
  expected: string | null;
}

const dir = path.join(ROOT, 'test', 'fixtures', 'postprocess');
const base: CompletionContext = { linePrefix: '', lineSuffix: '', nextLines: [], previousLine: '', multiline: 'auto', inComment: false, indentUnit: '    ' };

describe('completion post-processing (golden cases)', () => {
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    describe(file, () => {
      for (const c of JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Case[]) {
        it(c.name, () => assert.equal(postprocess(c.raw, { ...base, ...c.ctx }) ?? null, c.expected));
      }
    });
  }
});
