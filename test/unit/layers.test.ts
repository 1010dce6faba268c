/** The lint rule that keeps src/'s layers apart: a wrong import fails npm test. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Linter } from 'eslint';
import { ROOT } from './helpers';

type Rule = Parameters<Linter['defineRule']>[1];

describe('layer boundaries (tools/lint/layers.mjs)', () => {
  let rule: Rule;
  before(async () => {
    // An ES module rule loaded from CommonJS tests.
    const load = new Function('p', 'return import(p)') as (p: string) => Promise<{ layers: Rule }>;
    rule = (await load(path.join(ROOT, 'tools', 'lint', 'layers.mjs'))).layers;
  });
  const problems = (file: string, code: string) =>
    new Linter({ configType: 'flat' })
      .verify(code, [{ files: ['**/*.ts'], plugins: { o: { rules: { layers: rule } } }, rules: { 'o/layers': 'error' }, languageOptions: { sourceType: 'module' } }], { filename: path.join(ROOT, file) })
      .map((m) => m.message);

  const cases: [string, string, RegExp | undefined][] = [
    ['src/host/engine.ts', "import * as vscode from 'vscode';", /only src\/vscode\/ imports 'vscode'/],
    ['src/host/engine.ts', "import { HostClient } from '../client/hostClient';", /host\/ may not import client\//],
    ['src/core/completion/pipeline.ts', "import { Engine } from '../../host/engine';", /core\/ may not import host\//],
    ['src/protocol/webview.ts', "import { evaluateFile } from '../core/classification/evaluate';", /protocol\/ may not import core\//],
    ['src/cli/main.ts', "import { main } from '../../tools/eval/main';", /outside src\//],
    ['src/vscode/assistant.ts', "import { HostClient } from '../client/hostClient';", undefined],
    ['src/host/serve.ts', "import { HostError } from '../protocol/errors';", undefined],
    ['src/vscode/commands/selectModel.ts', "import { modelKindOf } from '../../host/models/kind';", undefined],
  ];
  for (const [file, code, expected] of cases) {
    it(`${file}: ${code}${expected ? ' is refused' : ' is fine'}`, () => {
      const found = problems(file, code);
      if (expected) assert.ok(found.some((m) => expected.test(m)), found.join('; ') || 'no problem reported');
      else assert.deepEqual(found, []);
    });
  }
});
