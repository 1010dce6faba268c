// Starts VS Code's server (bundled in code-server from npm) on 127.0.0.1 and Debian's Chromium.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const serverMain = join(root, '.cache/code-server/node_modules/code-server/lib/vscode/out/server-main.js');

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

/**
 * How every workbench this project serves is configured (npm start, the VS Code tests, the UI
 * tests): offline, with nothing remote. EXTENSIONS_GALLERY is the switch code-server 4.100.3's
 * VS Code reads for its extension gallery (otherwise it defaults to open-vsx.org, and every page
 * load queries it: `getaddrinfo ENOTFOUND open-vsx.org` offline); an empty object is no gallery
 * at all, so the Extensions view lists only what is installed. Telemetry and code-server's update
 * check are switched off with the server's own flags.
 */
export const SERVER_ENV = { EXTENSIONS_GALLERY: '{}' };

/**
 * User settings that keep the workbench and its built-in extensions from reaching the network:
 * telemetry (extensions send it to mobile.events.data.microsoft.com unless the level is off),
 * JSON schema downloads, npm package info, TypeScript type acquisition, update checks.
 */
export const OFFLINE_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'json.schemaDownload.enable': false,
  'npm.fetchOnlinePackageInfo': false,
  'typescript.disableAutomaticTypeAcquisition': true,
};

/** Writes OFFLINE_SETTINGS (and `extra`) into the profile's user settings, keeping any value a person set. */
export function prepareUserData(state, extra = {}) {
  const dir = join(state, 'user', 'User');
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(state, 'extensions'), { recursive: true });
  const file = join(dir, 'settings.json');
  let current = {};
  if (existsSync(file)) {
    try {
      current = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return; // settings with comments: a person's file, left alone
    }
  }
  const merged = { ...OFFLINE_SETTINGS, ...extra, ...current };
  if (JSON.stringify(merged) !== JSON.stringify(current)) writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
}

export function serverArgs(port, state, settings = {}) {
  prepareUserData(state, settings);
  return [serverMain, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--accept-server-license-terms',
    '--telemetry-level', 'off', '--disable-telemetry', '--disable-update-check',
    '--user-data-dir', join(state, 'user'), '--extensions-dir', join(state, 'extensions')];
}

/**
 * VS Code's web client always asks for Microsoft's closed-source signing module (vsda) during the
 * connection handshake and carries on without it; no open-source build ships it, so the server
 * prints `File not found: .../node_modules/vsda/rust/web/vsda.js` (and `vsda_bg.wasm`) on every
 * page load (coder/code-server#7090, upstream). No setting stops the request, so these two lines,
 * and only these, are left out of what the server prints.
 */
export function isHarmlessServerNoise(line) {
  return /^File not found: \S*\/node_modules\/vsda\/rust\/web\/vsda(_bg\.wasm|\.js)\s*$/.test(line);
}

/**
 * A browser that reloads or closes the page drops its websocket mid-read, and the server logs
 * that as a multi-line `Error: read ECONNRESET` stack (an ordinary disconnect, nothing failed).
 */
const RESET_START = /^(\[\d\d:\d\d:\d\d\] )?Error: read ECONNRESET\s*$/;

/** Passes a server's output through, line by line, without the harmless vsda and disconnect lines. */
export function filterServerOutput(stream, write) {
  let rest = '';
  let inReset = false;
  const line = (l) => {
    if (inReset) {
      // The stack and the error's fields are indented; the object's closing brace ends the block.
      if (/^\s/.test(l) || l.trim() === '}') {
        if (l.trim() === '}') inReset = false;
        return;
      }
      inReset = false;
    }
    if (RESET_START.test(l)) inReset = true;
    else if (!isHarmlessServerNoise(l)) write(`${l}\n`);
  };
  stream.setEncoding('utf8');
  stream.on('data', (d) => {
    const lines = (rest + d).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) line(l);
  });
  stream.on('end', () => {
    if (rest) line(rest);
  });
}

/** `settings`: user settings for this profile on top of OFFLINE_SETTINGS. */
/**
 * Starts the VS Code server on a free port. `state` is the profile folder (user data and
 * extensions): a new temporary one by default, removed on stop; a caller's own (a profile with an
 * installed VSIX) is left to the caller. The server's log is kept for failure messages.
 */
export async function startServer(settings = {}, { state: ownState } = {}) {
  if (!existsSync(serverMain)) execFileSync('bash', [join(root, 'tools/vscode-test/install.sh')], { stdio: 'inherit' });
  if (!existsSync(join(root, 'dist/extension.js'))) throw new Error('dist/extension.js is missing: run npm run build first');
  const state = ownState ?? mkdtempSync(join(tmpdir(), 'onnx-assist-vscode-'));
  const port = await freePort();
  const proc = spawn(process.execPath, serverArgs(port, state, settings), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...SERVER_ENV } });
  let log = '';
  filterServerOutput(proc.stdout, (d) => (log += d));
  filterServerOutput(proc.stderr, (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  // Polls only to notice the server listening; the bound guards a hang (a cold start on a busy machine is slow).
  for (let i = 0; ; i++) {
    try {
      await fetch(base);
      break;
    } catch {
      if (i > 600 || proc.exitCode !== null) throw new Error(`VS Code server did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    base,
    pid: proc.pid,
    remote: (p) => `vscode-remote://127.0.0.1:${port}${p}`,
    url(folder, payload) {
      const url = `${base}/?folder=${encodeURIComponent(folder)}`;
      return payload ? `${url}&payload=${encodeURIComponent(JSON.stringify(payload))}` : url;
    },
    log: () => log,
    stop() {
      proc.kill();
      if (!ownState) rmSync(state, { recursive: true, force: true });
    },
  };
}

/** The platform's command modifier for keyboard shortcuts. */
export const MOD = process.platform === 'darwin' ? 'Meta' : 'Control';

/** Opens a workspace file by Quick Open (Ctrl+P) and puts the caret in its editor. Waits only bound a hang. */
export async function quickOpen(page, name, eventWait) {
  await page.keyboard.press(`${MOD}+P`);
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(name);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${name}"]`, { timeout: eventWait });
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.tab.active[aria-label*="${name}"]`, { timeout: eventWait });
  await page.click('.editor-instance .view-lines');
}

/** Opens the workbench at `url` as a user would (trusting the folder if asked) and waits for the extension's status bar item. */
export async function openWorkbench(page, url) {
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
  // A fresh profile asks whether to trust the folder: answer as a user would.
  const trust = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Yes, I trust' }).first();
  await trust.waitFor({ state: 'visible', timeout: 20_000 }).then(() => trust.click(), () => undefined);
  // The extension is up once its status bar item shows.
  await page.waitForSelector('[id$="onnxAssist.status"]', { timeout: 120_000 });
}

/**
 * Presses Tab on the shown ghost text until the document changes. On a busy machine VS Code may
 * replace the suggestion just as Tab goes in (a newer request, the widget re-rendering); then it
 * is asked for again (Alt+\) and Tab pressed again, a few times. Waits only bound a hang.
 * Returns the editor's text before and after.
 */
export async function acceptGhostText(page, ghost, eventWait) {
  const editorText = () => page.locator('.editor-instance .view-lines').innerText();
  const before = await editorText();
  let changed = false;
  for (let attempt = 0; attempt < 5 && !changed; attempt++) {
    if (attempt > 0 && !(await ghost.first().isVisible())) {
      await page.keyboard.press('Alt+Backslash');
      await ghost.first().waitFor({ state: 'visible', timeout: eventWait }).catch(() => undefined);
    }
    await page.keyboard.press('Tab');
    changed = await page
      .waitForFunction((b) => document.querySelector('.editor-instance .view-lines').innerText !== b, before, { timeout: 15_000 })
      .then(() => true, () => false);
  }
  return { changed, before, after: await editorText() };
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
