/**
 * Runs inside VS Code's extension host (extensionTestsPath): mocha over test/vscode/suite, with
 * results written to test-results/vscode-results.json for the launcher (tools/vscode-test/run.mjs).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const RESULTS = path.join(ROOT, 'test-results', 'vscode');

interface Outcome {
  title: string;
  state: 'passed' | 'failed';
  ms: number;
  error?: string;
}

export function run(): Promise<void> {
  fs.mkdirSync(RESULTS, { recursive: true });
  const log = (line: string) => fs.appendFileSync(path.join(RESULTS, 'vscode-log.txt'), `${line}\n`);
  // VSCODE_TEST_GREP (passed through by tools/vscode-test/run.mjs) runs only the matching tests.
  const grep = process.env.VSCODE_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'dot', ...(grep ? { grep } : {}) });
  const suiteDir = path.join(__dirname, 'suite');
  // extension.test checks the untouched start-up state, so it runs first; shutdown.test ends the host, so it runs last.
  const rank = (f: string) => (f === 'extension.test.js' ? 0 : f === 'shutdown.test.js' ? 2 : 1);
  const files = fs.readdirSync(suiteDir).filter((f) => f.endsWith('.test.js'));
  for (const f of files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))) mocha.addFile(path.join(suiteDir, f));
  const outcomes: Outcome[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      fs.writeFileSync(path.join(RESULTS, 'vscode-results.json'), JSON.stringify({ outcomes, done: true }, null, 1));
      // @vscode/test-electron reads failure from a rejected run(); run.mjs reads the file.
      if (failures > 0) reject(new Error(`${failures} VS Code test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => {
      outcomes.push({ title: t.fullTitle(), state: 'passed', ms: t.duration ?? 0 });
      log(`  ✔ ${t.fullTitle()} (${t.duration ?? 0} ms)`);
    });
    runner.on('fail', (t, err: Error) => {
      outcomes.push({ title: t.fullTitle(), state: 'failed', ms: t.duration ?? 0, error: String(err?.stack ?? err) });
      log(`  ✘ ${t.fullTitle()}\n${String(err?.stack ?? err)}`);
    });
  });
}
