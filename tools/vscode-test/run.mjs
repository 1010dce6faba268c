// Runs the extension's integration tests inside a real VS Code (the server bundled with
// code-server from npm), opened in Debian's Chromium through playwright-core. Offline.
//   node tools/vscode-test/run.mjs            (after npm run build)
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const results = join(root, 'test-results');
const serverMain = join(root, '.cache/code-server/node_modules/code-server/lib/vscode/out/server-main.js');
const TIMEOUT_MS = Number(process.env.VSCODE_TEST_TIMEOUT_MS ?? 8 * 60_000);

if (!existsSync(serverMain)) execFileSync('bash', [join(root, 'tools/vscode-test/install.sh')], { stdio: 'inherit' });
if (!existsSync(join(root, 'dist/extension.js'))) throw new Error('dist/extension.js is missing: run npm run build first');

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const state = mkdtempSync(join(tmpdir(), 'onnx-assist-vscode-'));
const port = await freePort();
const server = spawn(process.execPath, [serverMain, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms',
  '--user-data-dir', join(state, 'user'), '--extensions-dir', join(state, 'extensions')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ONNX_ASSIST_TEST: '1' } });
let serverLog = '';
server.stdout.on('data', (d) => (serverLog += d));
server.stderr.on('data', (d) => (serverLog += d));

let browser;
let code = 1;
try {
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(base)).ok || i > 0) break;
    } catch {
      if (i > 150) throw new Error(`VS Code server did not start:\n${serverLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(root)], ['extensionTestsPath', remote(join(root, 'out/test/vscode/runner.js'))]];
  const url = `${base}/?folder=${encodeURIComponent(join(root, 'test/vscode/workspace'))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
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
  writeFileSync(join(results, 'vscode-server.log'), serverLog);
} finally {
  await browser?.close().catch(() => undefined);
  server.kill();
  rmSync(state, { recursive: true, force: true });
}
process.exit(code);
