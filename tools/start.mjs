// `npm start`: opens ONNX Assist on a sample workspace with the embedded default models, in
// desktop VS Code when `code` is on PATH, otherwise in VS Code's web server (from code-server,
// installed on first use) on 127.0.0.1, with the URL printed. Ctrl+C stops it.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filterServerOutput, SERVER_ENV, serverArgs, serverMain } from './vscode-test/server.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
// The sample is a copy, so trying things out never edits the repository.
const workspace = mkdtempSync(join(tmpdir(), 'onnx-assist-sample-'));
cpSync(join(root, 'test/vscode/workspace'), workspace, { recursive: true });

const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0 && !process.env.ONNX_ASSIST_WEB;
if (hasCode) {
  console.log(`Opening VS Code with ONNX Assist on ${workspace}`);
  spawn('code', [`--extensionDevelopmentPath=${root}`, workspace], { stdio: 'inherit', detached: true }).unref();
} else {
  if (!existsSync(serverMain)) execFileSync('bash', [join(root, 'tools/vscode-test/install.sh')], { stdio: 'inherit' });
  const port = Number(process.env.PORT ?? 8765);
  const state = join(root, '.cache', 'vscode-web');
  // Offline and quiet: no extension gallery, telemetry or update check (see server.mjs).
  const server = spawn(process.execPath, serverArgs(port, state), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...SERVER_ENV } });
  filterServerOutput(server.stderr, (d) => process.stderr.write(d));
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = JSON.stringify([['extensionDevelopmentPath', remote(root)]]);
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`;
  for (let i = 0; i < 150; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  console.log(`\nONNX Assist is running in VS Code for the web. Open this URL in a browser:\n\n  ${url}\n\nSample workspace: ${workspace}\nCtrl+C stops the server.`);
  const stop = () => server.kill();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.on('exit', (code) => process.exit(code ?? 0));
}
