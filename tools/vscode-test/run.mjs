// Runs the extension's integration tests inside a real VS Code (the server bundled with
// code-server from npm), opened in Debian's Chromium through playwright-core. Offline.
//   node tools/vscode-test/run.mjs            (after npm run build)
//   VSCODE_TEST_GREP='provider' node tools/vscode-test/run.mjs    (only the tests whose title matches)
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, root, startServer } from './server.mjs';

const results = join(root, 'test-results', 'vscode');
const TIMEOUT_MS = Number(process.env.VSCODE_TEST_TIMEOUT_MS ?? 8 * 60_000);

rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
// Tests run on a copy of the fixture workspace, so nothing they type reaches the repository.
const workspace = mkdtempSync(join(tmpdir(), 'onnx-assist-ws-'));
cpSync(join(root, 'test/vscode/workspace'), workspace, { recursive: true });
const server = await startServer();
let browser;
let code = 1;
try {
  const payload = [['extensionDevelopmentPath', server.remote(root)], ['extensionTestsPath', server.remote(join(root, 'out/test/vscode/runner.js'))]];
  const url = server.url(workspace, payload);
  browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  const deadline = Date.now() + TIMEOUT_MS;
  const file = join(results, 'vscode-results.json');
  let shown = 0;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`tests did not finish within ${TIMEOUT_MS / 1000} s`);
    if (existsSync(join(results, 'vscode-log.txt'))) {
      const lines = readFileSync(join(results, 'vscode-log.txt'), 'utf8').split('\n');
      for (; shown < lines.length - 1; shown++) console.log(lines[shown]);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const lines = existsSync(join(results, 'vscode-log.txt')) ? readFileSync(join(results, 'vscode-log.txt'), 'utf8').split('\n') : [];
  for (; shown < lines.length - 1; shown++) console.log(lines[shown]);
  await page.screenshot({ path: join(results, 'vscode-workbench.png') }).catch(() => undefined);
  const { outcomes } = JSON.parse(readFileSync(file, 'utf8'));
  const passed = outcomes.filter((o) => o.state === 'passed').length;
  const failed = outcomes.length - passed;
  console.log(`\nVS Code integration: ${passed} passed, ${failed} failed`);
  code = failed === 0 && passed > 0 ? 0 : 1;
} catch (e) {
  console.error(String(e?.stack ?? e));
  writeFileSync(join(results, 'vscode-server.log'), server.log());
} finally {
  await browser?.close().catch(() => undefined);
  server.stop();
  rmSync(workspace, { recursive: true, force: true });
}
process.exit(code);
