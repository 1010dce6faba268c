// The same VS Code suites under @vscode/test-electron, for machines that can download VS Code
// (it fetches a VS Code build at run time, so it cannot run offline; CI uses run.mjs instead).
//   npm run build && node tools/vscode-test/electron.mjs
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const workspace = mkdtempSync(join(tmpdir(), 'onnx-assist-ws-'));
cpSync(join(root, 'test/vscode/workspace'), workspace, { recursive: true });
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out/test/vscode/runner.js'),
    launchArgs: [workspace, '--disable-extensions'],
  });
} catch (e) {
  console.error(`VS Code tests failed: ${e}`);
  process.exit(1);
}
