// Runs the extension's integration tests inside a real VS Code (the server bundled with
// code-server from npm), opened in Debian's Chromium through playwright-core. Offline.
//   node tools/vscode-test/run.mjs            (after npm run build)
//   VSCODE_TEST_GREP='provider' node tools/vscode-test/run.mjs    (only the tests whose title matches)
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, root, startServer } from './server.mjs';

const results = join(root, 'test-results', 'vscode');
const TIMEOUT_MS = Number(process.env.VSCODE_TEST_TIMEOUT_MS ?? 8 * 60_000);

rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

/**
 * One VS Code run over a fresh copy of the fixture workspace. The folder opens in Restricted
 * Mode (VS Code asks nobody to trust it), which is what most suites test; `trusted` turns
 * workspace trust off for the run, so suites about trusted-only behaviour (project context) run.
 */
async function pass({ trusted, grep }) {
  // Tests run on a copy of the fixture workspace, so nothing they type reaches the repository.
  const workspace = mkdtempSync(join(tmpdir(), 'onnx-assist-ws-'));
  cpSync(join(root, 'test/vscode/workspace'), workspace, { recursive: true });
  if (grep) process.env.VSCODE_TEST_GREP = grep;
  const server = await startServer(trusted ? { 'security.workspace.trust.enabled': false } : {});
  let browser;
  try {
    const payload = [['extensionDevelopmentPath', server.remote(root)], ['extensionTestsPath', server.remote(join(root, 'out/test/vscode/runner.js'))]];
    const url = server.url(workspace, payload);
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    const deadline = Date.now() + TIMEOUT_MS;
    const file = join(results, 'vscode-results.json');
    const logFile = join(results, 'vscode-log.txt');
    let shown = 0;
    while (!existsSync(file)) {
      if (Date.now() > deadline) throw new Error(`tests did not finish within ${TIMEOUT_MS / 1000} s`);
      if (existsSync(logFile)) {
        const lines = readFileSync(logFile, 'utf8').split('\n');
        for (; shown < lines.length - 1; shown++) console.log(lines[shown]);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n') : [];
    for (; shown < lines.length - 1; shown++) console.log(lines[shown]);
    const tag = trusted ? 'trusted' : 'restricted';
    await page.screenshot({ path: join(results, `vscode-workbench-${tag}.png`) }).catch(() => undefined);
    const { outcomes } = JSON.parse(readFileSync(file, 'utf8'));
    renameSync(file, join(results, `vscode-results-${tag}.json`));
    if (existsSync(logFile)) renameSync(logFile, join(results, `vscode-log-${tag}.txt`));
    const passed = outcomes.filter((o) => o.state === 'passed').length;
    const failed = outcomes.length - passed;
    console.log(`\nVS Code integration (${tag} workspace): ${passed} passed, ${failed} failed`);
    return failed === 0 && passed > 0;
  } catch (e) {
    console.error(String(e?.stack ?? e));
    writeFileSync(join(results, 'vscode-server.log'), server.log());
    return false;
  } finally {
    await browser?.close().catch(() => undefined);
    server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

const only = process.env.VSCODE_TEST_GREP;
let ok = await pass({ trusted: false });
// Suites titled "(trusted workspace)" skip themselves in Restricted Mode; a second run covers them.
if (ok && (!only || /trusted/i.test(only))) ok = await pass({ trusted: true, grep: only ?? '(trusted workspace)' });
process.exit(ok ? 0 : 1);
