// Starts VS Code's server (bundled in code-server from npm) on 127.0.0.1 and Debian's Chromium.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const serverMain = join(root, '.cache/code-server/node_modules/code-server/lib/vscode/out/server-main.js');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startServer() {
  if (!existsSync(serverMain)) execFileSync('bash', [join(root, 'tools/vscode-test/install.sh')], { stdio: 'inherit' });
  if (!existsSync(join(root, 'dist/extension.js'))) throw new Error('dist/extension.js is missing: run npm run build first');
  const state = mkdtempSync(join(tmpdir(), 'onnx-assist-vscode-'));
  const port = await freePort();
  const proc = spawn(process.execPath, [serverMain, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms',
    '--user-data-dir', join(state, 'user'), '--extensions-dir', join(state, 'extensions')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await fetch(base);
      break;
    } catch {
      if (i > 150) throw new Error(`VS Code server did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    base,
    remote: (p) => `vscode-remote://127.0.0.1:${port}${p}`,
    url(folder, payload) {
      return `${base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    },
    log: () => log,
    stop() {
      proc.kill();
      rmSync(state, { recursive: true, force: true });
    },
  };
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
